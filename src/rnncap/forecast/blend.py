"""Forecast combination: the trained network's forecast blended with a fitted baseline's.

The forecast is ``w * network + (1 - w) * baseline`` per output (scaled units; the target's
scaling is affine, so it is the same combination in physical units), the baseline fitted on the
training split exactly as its anchor (`rnncap.forecast.anchor.fit_anchor`), and ``w`` the
network's share on the grid 0, 0.05, ..., 1, chosen per output on the **validation** MAE of the
trained model (ties: the larger share of the network). ``w = 1`` is the network alone, ``w =
0`` the baseline alone. Forecast combination is a standard lever: a network and a linear model
err differently, so their mean errs less than either (issue 27, docs/forecasting.md).

A `FittedBlend` is plain numbers (the partner's coefficients and the shares): it is saved in
the checkpoint and gives the same forecasts at prediction time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnncap.errors import require
from rnncap.forecast.anchor import FittedAnchor

#: The network's shares tried, 0 (the baseline alone) to 1 (the network alone).
GRID = np.round(np.linspace(0.0, 1.0, 21), 2)


def choose_weights(network: np.ndarray, partner: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(outputs,) the share of `network` on `GRID` with the lowest MAE per output of
    ``w * network + (1 - w) * partner`` against `truth` (all (n, outputs), one split; ties:
    the larger share)."""
    require(
        network.shape == partner.shape == truth.shape and network.ndim == 2 and len(network),
        f"a blend needs forecasts and truth of one shape (n, outputs), n >= 1; got "
        f"{network.shape}, {partner.shape}, {truth.shape}",
    )
    w = GRID[::-1, None, None]  # largest share first: argmin keeps the first of equal MAEs
    mae = np.abs(w * network[None] + (1 - w) * partner[None] - truth[None]).mean(axis=1)
    return GRID[::-1][np.argmin(mae, axis=0)]


@dataclass(frozen=True, eq=False)
class FittedBlend:
    """The baseline a forecast is combined with (`partner`, fitted on the training split) and
    the network's share per output (`weight`, (outputs,)); `val_mae` the validation MAE per
    output of the network alone, the partner alone and the blend (physical units)."""

    partner: FittedAnchor
    weight: np.ndarray
    val_mae: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        require(
            self.partner.kind in ("ridge", "lagged-ridge"),
            f"a blend's partner must be a fitted ridge or lagged ridge; got {self.partner.kind!r}",
        )
        weight = np.asarray(self.weight, dtype=np.float64)
        require(
            weight.ndim == 1 and bool(np.all((weight >= 0) & (weight <= 1))),
            f"a blend's weights must be one share in [0, 1] per output; got {weight!r:.80}",
        )
        object.__setattr__(self, "weight", weight)

    def combine(self, network: np.ndarray, partner: np.ndarray) -> np.ndarray:
        """``w * network + (1 - w) * partner``, (n, outputs) float32 (scaled or physical)."""
        w = self.weight.astype(np.float32)
        return (w * network + (1 - w) * partner).astype(np.float32)

    def to_dict(self) -> dict:
        """Plain values and tensors (what `torch.load(weights_only=True)` reads back)."""
        import torch

        return {
            "partner": self.partner.to_dict(),
            "weight": torch.from_numpy(self.weight.copy()),
            "val_mae": {k: [float(v) for v in vals] for k, vals in self.val_mae.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> FittedBlend:
        weight = data["weight"]
        return cls(
            FittedAnchor.from_dict(data["partner"]),
            np.asarray(weight.numpy() if hasattr(weight, "numpy") else weight, dtype=np.float64),
            dict(data.get("val_mae", {})),
        )


def fit_blend(network_val: np.ndarray, partner: FittedAnchor, td) -> FittedBlend:
    """The blend of a trained model whose validation forecasts (physical units, (n, outputs))
    are `network_val` with the fitted baseline `partner`, its shares chosen on the validation
    windows of `td` (`rnncap.data.task.TaskData`) alone."""
    truth = td.y_physical(td.val)
    base = td.y_to_physical(partner.scaled(td, "val"))
    weight = choose_weights(network_val, base, truth)
    blend = FittedBlend(partner, weight)
    maes = {
        "network": np.abs(network_val - truth).mean(axis=0),
        "partner": np.abs(base - truth).mean(axis=0),
        "blend": np.abs(blend.combine(network_val, base) - truth).mean(axis=0),
    }
    return FittedBlend(partner, weight, {k: v.tolist() for k, v in maes.items()})
