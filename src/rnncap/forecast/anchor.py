"""The residual anchor: the fitted baseline whose forecast the network learns to correct.

A forecaster predicts ``net(x) + anchor`` in scaled units. The anchor is persistence (the
target now), a ridge on the full window, the lagged ridge, or nothing. A ridge anchor is fitted
on the training split only (its penalty and its level-or-change choice per output on
validation, exactly as the baseline of that name), so the network trains on residuals that
never saw validation or test targets. ``"auto"`` fits every candidate and keeps the one whose
own forecast has the lowest validation MAE (no network is trained per candidate; the default
recipe's anchor was chosen by comparing trained ensembles, docs/forecasting.md).

A `FittedAnchor` is plain numbers (the ridge's coefficients): it is saved in the checkpoint and
computes the same anchor again at prediction time, from a `TaskData` or from raw windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rnncap.data.scaling import Scaler
from rnncap.data.task import TaskData
from rnncap.engine.settings import ANCHOR_WORDS, ANCHORS
from rnncap.errors import InvalidInput, require

#: What ``"auto"`` chooses among, on validation MAE.
CANDIDATES = ("persistence", "ridge", "lagged-ridge")
_RIDGES = ("ridge", "lagged-ridge")


@dataclass(frozen=True, eq=False)
class FittedAnchor:
    """A resolved anchor (never "auto") with what it needs to predict.

    ``coef`` (features, outputs), ``intercept`` (outputs,) and ``change`` (outputs,) are a
    ridge's; ``lags`` the lagged ridge's lag steps; ``val_mae`` the validation MAE of every
    candidate tried by "auto" (empty otherwise).
    """

    kind: str
    coef: np.ndarray | None = None
    intercept: np.ndarray | None = None
    change: np.ndarray | None = None
    lags: tuple[int, ...] = ()
    val_mae: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        require(
            self.kind in ANCHORS and self.kind != "auto",
            f"a fitted anchor must be one of {', '.join(a for a in ANCHORS if a != 'auto')}; "
            f"got {self.kind!r}",
        )
        if self.kind in _RIDGES:
            require(
                self.coef is not None and self.intercept is not None and self.change is not None,
                f"the {self.kind} anchor was not fitted (no coefficients); train the model again",
            )

    def scaled(
        self,
        td: TaskData,
        split: str,
        x: np.ndarray | None = None,
        y_scaler: Scaler | None = None,
    ) -> np.ndarray:
        """(n, outputs) float32: the anchor of the windows of `split`, in `td`'s scaling, or in
        that of a model (its windows `x` and its `y_scaler`) when given."""
        part = td.split(split)
        times = [pd.DatetimeIndex(td.times[part.rows + h]) for h in td.leads]
        x = part.x if x is None else x
        return self.from_windows(x, td.scaled_now(split, y_scaler), td.input_columns, times)

    def from_windows(
        self,
        x: np.ndarray,
        now: np.ndarray,
        input_columns: tuple[str, ...],
        target_times: list[pd.DatetimeIndex],
    ) -> np.ndarray:
        """(n, outputs) float32 from scaled windows `x`, the scaled target now (n, outputs) and
        the target times of each lead: the prediction path, where there is no `TaskData`."""
        n = len(x)
        if self.kind == "none":
            return np.zeros(np.shape(now), dtype=np.float32)
        if self.kind == "persistence":
            return np.asarray(now, dtype=np.float32)
        if self.kind == "ridge":
            features = x.reshape(n, -1).astype(np.float64)
        else:
            from rnncap.forecast.features import lagged_matrix

            features = lagged_matrix(x, input_columns, self.lags, target_times)
        y = features @ self.coef + self.intercept
        y = y + np.where(self.change[None, :], now, 0.0)
        return y.astype(np.float32)

    def describe(self) -> str:
        return ANCHOR_WORDS[self.kind]

    def to_dict(self) -> dict:
        """Plain values and tensors (what `torch.load(weights_only=True)` reads back)."""
        import torch

        def tensor(a: np.ndarray | None):
            return None if a is None else torch.from_numpy(np.asarray(a))

        return {
            "kind": self.kind,
            "coef": tensor(self.coef),
            "intercept": tensor(self.intercept),
            "change": tensor(self.change),
            "lags": list(self.lags),
            "val_mae": dict(self.val_mae),
        }

    @classmethod
    def from_dict(cls, data: dict) -> FittedAnchor:
        def array(v):
            return None if v is None else np.asarray(v.numpy() if hasattr(v, "numpy") else v)

        return cls(
            kind=data["kind"],
            coef=array(data.get("coef")),
            intercept=array(data.get("intercept")),
            change=None if data.get("change") is None else array(data["change"]).astype(bool),
            lags=tuple(int(v) for v in data.get("lags", ())),
            val_mae=dict(data.get("val_mae", {})),
        )


def fit_anchor(td: TaskData, kind: str) -> FittedAnchor:
    """Fit the anchor `kind` (one of `ANCHORS`, checked by `ForecastSettings`) on the training
    split of `td`."""
    require(kind in ANCHORS, f"unknown anchor {kind!r}; known: {', '.join(ANCHORS)}")
    if kind == "auto":
        fits = [fit_anchor(td, k) for k in CANDIDATES]
        truth = td.y_physical(td.val)
        maes = {f.kind: float(np.mean(np.abs(td.y_to_physical(f.scaled(td, "val")) - truth)))
                for f in fits}  # fmt: skip
        best = min(fits, key=lambda f: maes[f.kind])  # ties: the first candidate
        return FittedAnchor(best.kind, best.coef, best.intercept, best.change, best.lags, maes)
    if kind in ("none", "persistence"):
        return FittedAnchor(kind)
    from rnncap.forecast.baselines import LaggedRidge, Ridge
    from rnncap.forecast.features import lag_steps

    ridge = (Ridge() if kind == "ridge" else LaggedRidge()).fit(td)
    lags = lag_steps(td) if kind == "lagged-ridge" else ()
    return FittedAnchor(kind, ridge.coef_, ridge.intercept_, ridge.change_, lags)


def anchor_of(model: object) -> FittedAnchor:
    """The fitted anchor of a trained forecaster, or one line saying it has none."""
    anchor = getattr(model, "anchor_", None)
    if not isinstance(anchor, FittedAnchor):
        raise InvalidInput(
            "this model's anchor was not fitted (no anchor in the checkpoint); train it again"
        )
    return anchor
