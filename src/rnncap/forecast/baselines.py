"""Baselines scored on exactly the same windows as the forecaster, with one fit/predict API.

The constructor stores settings, ``fit(td)`` computes (learned state ends in ``_``) and
``predict(td, split)`` returns (n, outputs) forecasts in physical units.

The learned baselines (ridge on the full window, ridge on compact lagged features, LightGBM)
may predict the change from persistence, as the recurrent forecaster does: with
``target="auto"`` they fit both the level and the change and keep the one with the lower
validation MAE. Nothing is ever chosen on test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from rnncap.data.task import TaskData
from rnncap.errors import require
from rnncap.forecast.features import lagged_features


class Baseline:
    """Shared plumbing: a name and the fitted check."""

    name = "baseline"

    def fit(self, td: TaskData) -> Baseline:
        self.fitted_ = True
        return self

    def _check(self) -> None:
        require(
            getattr(self, "fitted_", False),
            f"this {type(self).__name__} is not fitted yet; call fit(task_data) first",
        )

    def predict(self, td: TaskData, split: str = "test") -> np.ndarray:
        raise NotImplementedError


class Persistence(Baseline):
    """The value now: target at the last input row, for every lead."""

    name = "persistence"

    def predict(self, td: TaskData, split: str = "test") -> np.ndarray:
        self._check()
        rows = td.split(split).rows
        return td.target_values[rows][:, td.output_targets]


class DailyPersistence(Baseline):
    """The value one day before the target time (for leads over a day: whole days before).

    Row ``t + h - P * ceil(h / P)`` with P rows per day: the latest observation at the same time
    of day as the target. At a 24 h horizon on hourly data this equals persistence.
    """

    name = "daily persistence"

    def predict(self, td: TaskData, split: str = "test") -> np.ndarray:
        self._check()
        rows = td.split(split).rows
        period = td.steps_per_day
        leads = td.output_leads
        back = leads - period * np.ceil(leads / period).astype(int)
        return td.target_values[rows[:, None] + back[None, :], td.output_targets[None, :]]


def _slot(times: np.ndarray, period: int) -> np.ndarray:
    """Time-of-day slot (0 .. period-1) of each timestamp: the hour for hourly data."""
    index = pd.DatetimeIndex(times)
    minutes = index.hour * 60 + index.minute
    return (np.asarray(minutes) * period // (24 * 60)).astype(int)


class Climatology(Baseline):
    """Hour-of-day mean of each target over the training part (``means_``: (slots, targets))."""

    name = "climatology"

    def fit(self, td: TaskData) -> Climatology:
        period = td.steps_per_day
        last = td.train.rows.max() + max(td.leads)  # the training part: rows up to its last target
        slots = _slot(td.times[: last + 1], period)
        values = td.target_values[: last + 1]
        means = np.full((period, values.shape[1]), np.nan)
        for s in range(period):
            if (slots == s).any():
                means[s] = np.nanmean(values[slots == s], axis=0)
        overall = np.nanmean(values, axis=0)
        self.means_ = np.where(np.isnan(means), overall, means)
        self.fitted_ = True
        return self

    def predict(self, td: TaskData, split: str = "test") -> np.ndarray:
        self._check()
        rows = td.split(split).rows
        target_rows = rows[:, None] + td.output_leads[None, :]
        slots = _slot(td.times[target_rows.ravel()], td.steps_per_day).reshape(target_rows.shape)
        return self.means_[slots, td.output_targets[None, :]]


TARGETS = ("auto", "level", "change")


def scaled_target(td: TaskData, split: str, kind: str) -> np.ndarray:
    """(n, outputs) float64 what a learned baseline fits: the scaled level, or its change."""
    y = td.split(split).y.astype(np.float64)
    return y - td.scaled_now(split) if kind == "change" else y


class Learned(Baseline):
    """A baseline that learns the level or the change from persistence, chosen on validation.

    The choice is made per output (each lead time and target), as the ridge penalty is, so a
    multi-output baseline is the single-output baselines fitted side by side: at every lead it
    gets the help it would get if that lead were the whole task.

    Subclasses implement `_fit_kinds` (fit every kind in `kinds`, return the fitted state of
    each) and `_predict_kind` (scaled prediction of one kind's state).
    Fitted state: ``output_targets_`` ("level" or "change" per output), ``target_`` (the kind
    every output kept, or "per output"), ``val_mae_`` (kind -> validation MAE over every
    output, physical units), ``states_`` (kind -> fitted state, the kinds some output kept).
    """

    def __init__(self, target: str = "auto"):
        self.target = target

    def _kinds(self) -> tuple[str, ...]:
        require(
            self.target in TARGETS,
            f"target must be one of {', '.join(TARGETS)}; got {self.target!r}",
        )
        return ("level", "change") if self.target == "auto" else (self.target,)

    def fit(self, td: TaskData) -> Learned:
        kinds = self._kinds()
        states = self._fit_kinds(td, kinds)
        truth = td.y_physical(td.val)
        per_output = np.vstack([
            np.mean(np.abs(self._physical(td, "val", k, states[k]) - truth), axis=0)
            for k in kinds
        ])  # fmt: skip
        self.val_mae_ = {k: float(per_output[i].mean()) for i, k in enumerate(kinds)}
        self.output_targets_ = tuple(kinds[i] for i in np.argmin(per_output, axis=0))  # ties: level
        kept = tuple(dict.fromkeys(self.output_targets_))
        self.target_ = kept[0] if len(kept) == 1 else "per output"
        self.states_ = {k: states[k] for k in kept}
        self.fitted_ = True
        return self

    def _physical(self, td: TaskData, split: str, kind: str, state: object) -> np.ndarray:
        y = self._predict_kind(td, split, state)
        if kind == "change":
            y = y + td.scaled_now(split)
        return td.y_to_physical(y)

    def predict(self, td: TaskData, split: str = "test") -> np.ndarray:
        self._check()
        out = None
        for kind, state in self.states_.items():
            pred = self._physical(td, split, kind, state)
            mine = np.array([t == kind for t in self.output_targets_])
            out = pred if out is None else np.where(mine[None, :], pred, out)
        return out

    def _fit_kinds(self, td: TaskData, kinds: tuple[str, ...]) -> dict:
        raise NotImplementedError

    def _predict_kind(self, td: TaskData, split: str, state: object) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class RidgeFit:
    """One ridge solution per output column: coefficients, intercept, absolute penalty."""

    coef: np.ndarray  # (features, outputs)
    intercept: np.ndarray  # (outputs,)
    alpha: np.ndarray  # (outputs,)


def ridge_path(
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    alphas: tuple[float, ...] | None = None,
) -> tuple[RidgeFit, dict[float, np.ndarray]]:
    """Ridge per output column with the penalty chosen on validation MSE; closed form.

    Penalties are relative to the number of rows (default 1e-3 .. 1e3 by decades, then refined
    by factors 10**0.5 and 10**0.25 around each output's best). Solves (X'X + alpha I) w = X'y
    on centred data (unpenalised intercept) with a Cholesky factorisation of the smaller Gram
    matrix (X'X, or XX' in the dual when there are more features than rows).
    Returns the fit and the validation MSE per output of every penalty tried.
    """
    x_mean, y_mean = x.mean(axis=0, dtype=np.float64), y.mean(axis=0)
    xc = torch.from_numpy((x - x_mean).astype(np.float32))
    yc = torch.from_numpy(y - y_mean)
    n, p = xc.shape
    candidates = np.asarray(alphas or np.logspace(-3, 3, 7)) * n
    # the smaller Gram matrix (float32 product, float64 Cholesky): primal if p <= n, else dual
    primal = p <= n
    gram = (xc.T @ xc if primal else xc @ xc.T).double()
    eye = torch.eye(gram.shape[0], dtype=torch.float64)
    rhs = xc.T.double() @ yc if primal else yc
    xv = x_val.astype(np.float64) - x_mean
    yv = y_val.astype(np.float64) - y_mean

    def solve(alpha: float) -> tuple[np.ndarray, np.ndarray]:
        sol = torch.cholesky_solve(rhs, torch.linalg.cholesky(gram + alpha * eye))
        coef = (sol if primal else xc.T.double() @ sol).numpy()
        return np.mean((xv @ coef - yv) ** 2, axis=0), coef  # MSE per output

    def best_per_output() -> list[float]:
        return [min(tried, key=lambda a: tried[a][0][j]) for j in range(y.shape[1])]

    tried = {float(a): solve(a) for a in candidates}
    if alphas is None:  # refine around each output's best: factors 10**0.5, 10**0.25
        for factor in (10**0.5, 10**0.25):
            for best in set(best_per_output()):
                for a in (best / factor, best * factor):
                    tried.setdefault(a, solve(a))
    chosen = best_per_output()
    coef = np.column_stack([tried[a][1][:, j] for j, a in enumerate(chosen)])
    fit = RidgeFit(coef, y_mean - x_mean @ coef, np.array(chosen))
    return fit, {a: tried[a][0] for a in sorted(tried)}


class LinearBaseline(Learned):
    """Ridge on features of the window; both kinds share one Gram matrix (stacked outputs).

    Fitted state (besides `Learned`'s), each output's column from the kind it kept: ``coef_``
    (features, outputs), ``intercept_``, ``alpha_`` (outputs,) absolute penalties, ``change_``
    (outputs,) True where the output kept the change, ``val_mse_`` (alpha -> validation MSE per
    output, scaled units): the scaled forecast is ``features @ coef_ + intercept_`` plus the
    scaled value now where ``change_``.
    """

    def __init__(self, target: str = "auto", alphas: tuple[float, ...] | None = None):
        super().__init__(target)
        self.alphas = alphas

    def features(self, td: TaskData, split: str) -> np.ndarray:
        raise NotImplementedError

    def _fit_kinds(self, td: TaskData, kinds: tuple[str, ...]) -> dict:
        y = np.hstack([scaled_target(td, "train", k) for k in kinds])
        y_val = np.hstack([scaled_target(td, "val", k) for k in kinds])
        x, x_val = self.features(td, "train"), self.features(td, "val")
        fit, val_mse = ridge_path(x, y, x_val, y_val, self.alphas)
        m = td.outputs
        states = {}
        for i, kind in enumerate(kinds):
            part = slice(i * m, (i + 1) * m)
            states[kind] = (
                RidgeFit(fit.coef[:, part], fit.intercept[part], fit.alpha[part]),
                {a: mse[part] for a, mse in val_mse.items()},
            )
        return states

    def fit(self, td: TaskData) -> LinearBaseline:
        super().fit(td)
        kinds = np.array(self.output_targets_)
        fits = {k: state[0] for k, state in self.states_.items()}

        def per_output(field: str) -> np.ndarray:  # each output's column from the kind it kept
            return np.stack([getattr(fits[k], field)[..., j] for j, k in enumerate(kinds)], -1)

        self.coef_, self.intercept_, self.alpha_ = map(per_output, ("coef", "intercept", "alpha"))
        self.change_ = kinds == "change"
        self.val_mse_ = {
            a: np.array([self.states_[k][1][a][j] for j, k in enumerate(kinds)])
            for a in next(iter(self.states_.values()))[1]
        }
        return self

    def _predict_kind(self, td: TaskData, split: str, state: object) -> np.ndarray:
        ridge = state[0]  # type: ignore[index]
        return self.features(td, split) @ ridge.coef + ridge.intercept


class Ridge(LinearBaseline):
    """Ridge regression on the flattened scaled window (history x inputs features).

    Parameters
    ----------
    target : {"auto", "level", "change"}, default="auto"
        Fit the level, the change from persistence, or both and keep the better on validation.
    alphas : sequence of float, optional
        Candidate penalties relative to the number of training windows (see `ridge_path`).

    Each output (lead time, target) gets its own penalty: short leads need little, long ones
    much, and one shared penalty would handicap the baseline.
    """

    name = "ridge"

    def features(self, td: TaskData, split: str) -> np.ndarray:
        x = td.split(split).x
        return x.reshape(len(x), -1)


class LaggedRidge(LinearBaseline):
    """Ridge on compact lagged features (`rnncap.forecast.features`): the inputs at lags 0, 1, 2,
    3, 6, 12, 24, 48, 72, 96 h and at the window's first row, plus the calendar of the target
    time. Same parameters as `Ridge`."""

    name = "lagged ridge"

    def features(self, td: TaskData, split: str) -> np.ndarray:
        return lagged_features(td, split)


def all_baselines() -> list[Baseline]:
    """Fresh, unfitted instances of every available baseline, in table order.

    LightGBM joins when the optional dependency is installed (``pip install rnncap[boost]``);
    `missing_baselines` says when it is not.
    """
    from rnncap.forecast.boosted import LightGBM, lightgbm_missing

    found = [Persistence(), DailyPersistence(), Climatology(), Ridge(), LaggedRidge()]
    return found if lightgbm_missing() else [*found, LightGBM()]


def missing_baselines() -> tuple[str, ...]:
    """One line per baseline left out of `all_baselines` because its package is missing."""
    from rnncap.forecast.boosted import lightgbm_missing

    note = lightgbm_missing()
    return (note,) if note else ()
