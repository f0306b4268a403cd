"""Standard scaling per column, fitted on the training part only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnncap.errors import InvalidInput, require


@dataclass(frozen=True)
class Scaler:
    """z = (value - mean) / scale per column; a constant column gets scale 1.

    Stored as tuples of floats so that checkpoints and JSON hold it as it is.
    """

    columns: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def __post_init__(self) -> None:
        require(
            len(self.columns) == len(self.mean) == len(self.scale),
            "scaler columns, means and scales must have the same length",
        )
        require(all(s > 0 for s in self.scale), "scaler scales must be > 0")

    @classmethod
    def fit(cls, values: np.ndarray, columns: tuple[str, ...]) -> Scaler:
        """Fit on `values` (n, columns), ignoring missing values."""
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            mean = np.nanmean(values, axis=0)
            std = np.nanstd(values, axis=0)
        present = ~np.isnan(values).all(axis=0)
        overflow = present & ~(np.isfinite(mean) & np.isfinite(std))
        if overflow.any():
            i = int(np.flatnonzero(overflow)[0])
            top = float(np.nanmax(np.abs(values[:, i])))
            raise InvalidInput(
                f"column {columns[i]!r} holds values too large to scale (up to {top:.3g}: their "
                "mean or spread overflows float64); rescale it to smaller units"
            )
        std = np.where(np.isfinite(std) & (std > 1e-12), std, 1.0)
        return cls(tuple(columns), tuple(map(float, mean)), tuple(map(float, std)))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - np.array(self.mean)) / np.array(self.scale)

    def inverse(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float64) * np.array(self.scale) + np.array(self.mean)
