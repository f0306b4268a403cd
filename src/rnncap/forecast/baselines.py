"""Baselines scored on exactly the same windows as the forecaster, with one fit/predict API.

The constructor stores settings, ``fit(td)`` computes (learned state ends in ``_``) and
``predict(td, split)`` returns (n, outputs) forecasts in physical units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from rnncap.data.task import TaskData
from rnncap.errors import require


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


class Ridge(Baseline):
    """Ridge regression on the flattened scaled window, closed form, alpha chosen on validation.

    Parameters
    ----------
    alphas : sequence of float, optional
        Candidate penalties relative to the number of training windows; default 1e-3 .. 1e3 by
        decades, then refined by factors of 10**0.5 and 10**0.25 around the best.

    Each output (lead time, target) gets its own penalty: short leads need little, long ones
    much, and one shared penalty would handicap the baseline.

    Fitted state: ``coef_`` (k*d, outputs), ``intercept_`` (outputs,), ``alpha_`` (outputs,),
    absolute, ``val_mse_`` (alpha -> validation MSE per output, scaled units).
    """

    name = "ridge"

    def __init__(self, alphas: tuple[float, ...] | None = None):
        self.alphas = alphas

    def fit(self, td: TaskData) -> Ridge:
        x = td.train.x.reshape(len(td.train), -1)
        y = td.train.y.astype(np.float64)
        x_mean, y_mean = x.mean(axis=0, dtype=np.float64), y.mean(axis=0)
        xc = torch.from_numpy((x - x_mean).astype(np.float32))
        yc = torch.from_numpy(y - y_mean)
        n, p = xc.shape
        alphas = np.asarray(self.alphas or np.logspace(-3, 3, 7)) * n
        # the smaller Gram matrix (float32 product, float64 Cholesky): primal if p <= n, else dual
        primal = p <= n
        gram = (xc.T @ xc if primal else xc @ xc.T).double()
        eye = torch.eye(gram.shape[0], dtype=torch.float64)
        rhs = xc.T.double() @ yc if primal else yc
        xv = td.val.x.reshape(len(td.val), -1).astype(np.float64) - x_mean
        yv = td.val.y.astype(np.float64) - y_mean

        def solve(alpha: float) -> tuple[np.ndarray, np.ndarray]:
            sol = torch.cholesky_solve(rhs, torch.linalg.cholesky(gram + alpha * eye))
            coef = (sol if primal else xc.T.double() @ sol).numpy()
            return np.mean((xv @ coef - yv) ** 2, axis=0), coef  # MSE per output

        def best_per_output() -> list[float]:
            return [min(tried, key=lambda a: tried[a][0][j]) for j in range(y.shape[1])]

        tried = {float(a): solve(a) for a in alphas}
        if self.alphas is None:  # refine around each output's best: factors 10**0.5, 10**0.25
            for factor in (10**0.5, 10**0.25):
                for best in set(best_per_output()):
                    for a in (best / factor, best * factor):
                        tried.setdefault(a, solve(a))
        chosen = best_per_output()
        self.alpha_ = np.array(chosen)
        self.coef_ = np.column_stack([tried[a][1][:, j] for j, a in enumerate(chosen)])
        self.val_mse_ = {a: tried[a][0] for a in sorted(tried)}
        self.intercept_ = y_mean - x_mean @ self.coef_
        self.fitted_ = True
        return self

    def predict(self, td: TaskData, split: str = "test") -> np.ndarray:
        self._check()
        x = td.split(split).x
        y = x.reshape(len(x), -1).astype(np.float64) @ self.coef_ + self.intercept_
        return td.y_to_physical(y)


def all_baselines() -> list[Baseline]:
    """Fresh, unfitted instances of every baseline, in table order."""
    return [Persistence(), DailyPersistence(), Climatology(), Ridge()]
