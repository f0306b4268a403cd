"""Compact lagged features of a window, the input of the lagged-ridge and LightGBM baselines.

A practitioner does not feed 120 x 37 raw values to a linear model; they pick a few lags by rule
and add the calendar of the target time. Lags are taken from the scaled window (train-only
scalers), so these features never see validation or test data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnncap.data.task import TIME_FEATURES, TaskData, time_features

#: Lags by rule, in hours before the last input: recent hours, then daily steps.
LAG_HOURS = (0, 1, 2, 3, 6, 12, 24, 48, 72, 96)


def lag_steps(td: TaskData) -> tuple[int, ...]:
    """Steps before the window's last row: `LAG_HOURS` on the data's clock, plus the window's
    first row (lag history - 1), keeping those inside the window, ascending and distinct."""
    per_hour = td.steps_per_day / 24.0
    last = td.task.history - 1
    lags = {int(round(h * per_hour)) for h in LAG_HOURS} | {last}
    return tuple(sorted(lag for lag in lags if lag <= last))


def feature_names(td: TaskData) -> tuple[str, ...]:
    """Names of the columns of `lagged_features`, in order."""
    columns = [c for c in td.input_columns if c not in TIME_FEATURES]
    lagged = [f"{c}@-{lag}" for lag in lag_steps(td) for c in columns]
    calendar = [f"{f}@+{h}" for h in td.leads for f in TIME_FEATURES]
    return tuple(lagged + calendar)


def lagged_features(td: TaskData, split: str) -> np.ndarray:
    """(n, features) float64: the scaled inputs at each lag (time-feature columns left out),
    then hour-of-day and day-of-year (sine, cosine) of the target time of every lead."""
    part = td.split(split)
    targets = [pd.DatetimeIndex(td.times[part.rows + h]) for h in td.leads]
    return lagged_matrix(part.x, td.input_columns, lag_steps(td), targets)


def lagged_matrix(
    x: np.ndarray,
    input_columns: tuple[str, ...],
    lags: tuple[int, ...],
    target_times: list[pd.DatetimeIndex],
) -> np.ndarray:
    """`lagged_features` from scaled windows `x` (n, history, inputs) and the target times of
    each lead (one index of n times per lead): also what a lagged-ridge anchor computes at
    prediction time, where there is no `TaskData`."""
    keep = [j for j, c in enumerate(input_columns) if c not in TIME_FEATURES]
    last = x.shape[1] - 1
    picked = x[:, [last - lag for lag in lags], :][:, :, keep]
    blocks = [picked.reshape(len(x), -1).astype(np.float64)]
    for times in target_times:
        blocks.append(time_features(times).to_numpy(dtype=np.float64))
    return np.hstack(blocks)
