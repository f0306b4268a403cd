"""The same-season holdout: whole weeks withheld from the training months (`Task.holdout_weeks`).

The test split measures the error in later months, so its gap to the training error is mostly
the change of season. An in-distribution gap needs windows from the training months that the
model never saw. `holdout_mask` picks ``weeks`` random whole weeks (7-day blocks counted from the
first row of the data, lying entirely before the end of training) with a generator seeded by
``seed``; `prepare_task` then applies one rule to every window (its span is every row it reads,
from its first input to its last target):

* a **training** window touches no holdout row (a window whose input span overlaps a holdout
  week is dropped from training, not kept and not moved to the holdout);
* a **holdout** window lies wholly inside holdout rows (adjacent holdout weeks form one block);
* the **scalers** are fitted on the training months' rows outside the holdout weeks;
* validation (early stopping) and test are unchanged: they lie after the training months.

So no row a model was fitted on, scaled with or stopped by is read by a holdout window. A week
holds ``7 x steps per day`` rows: with hourly data and a window of history + horizon rows, a
week yields ``168 - (history + horizon) + 1`` holdout windows, none when the window is longer
than a week (then choose adjacent weeks or a shorter history).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnncap.errors import require

#: One holdout block: whole days, counted from the first row of the data.
WEEK = pd.Timedelta(days=7)
#: The name of the split of the holdout windows (`rnncap.data.TaskData.holdout`).
HOLDOUT = "holdout"


def candidate_weeks(index: pd.DatetimeIndex, train_end: pd.Timestamp) -> np.ndarray:
    """Numbers of the weeks (0 = the week starting at the first row) that end by `train_end`."""
    whole = int((train_end - index[0]) // WEEK)
    return np.arange(max(whole, 0))


def holdout_weeks(
    index: pd.DatetimeIndex, train_end: pd.Timestamp, weeks: int, seed: int
) -> np.ndarray:
    """The chosen week numbers, sorted: ``weeks`` of the candidates without replacement, drawn by
    ``numpy.random.default_rng(seed)`` (the same task gives the same weeks everywhere)."""
    candidates = candidate_weeks(index, train_end)
    require(
        weeks < len(candidates),
        f"holdout_weeks={weeks} leaves no training week: the training months hold "
        f"{len(candidates)} whole weeks; hold out fewer (e.g. holdout_weeks=4)",
    )
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(candidates, size=weeks, replace=False))


def holdout_mask(
    index: pd.DatetimeIndex, train_end: pd.Timestamp, weeks: int, seed: int
) -> np.ndarray:
    """Boolean (T,): the rows of the holdout weeks (all False when ``weeks`` is 0)."""
    held = np.zeros(len(index), dtype=bool)
    if weeks == 0:
        return held
    chosen = holdout_weeks(index, train_end, weeks, seed)
    week_of_row = np.asarray((index - index[0]) // WEEK)
    held[np.isin(week_of_row, chosen)] = True
    return held


def rows_in_span(mask: np.ndarray, first: np.ndarray, final: np.ndarray) -> np.ndarray:
    """For each window (rows ``first..final`` inclusive), how many of its rows `mask` marks."""
    cum = np.concatenate([[0], np.cumsum(mask)])
    return cum[final + 1] - cum[first]
