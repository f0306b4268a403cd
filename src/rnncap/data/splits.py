"""Chronological splits of a task's series: where the training and validation parts end, the
rows at which a complete window may end, each split's windows, and the size budget of them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rnncap.data.dataset import Dataset
from rnncap.data.holdout import HOLDOUT, rows_in_span
from rnncap.errors import InvalidInput, require

if TYPE_CHECKING:
    from rnncap.data.task import Task


def split_boundaries(ds: Dataset, task: Task) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The ends of the training and validation parts: dates, or fractions of the rows."""
    split = task.split or ds.default_split
    index = ds.frame.index
    out = []
    for b in split:
        if isinstance(b, (int, float)) and not isinstance(b, bool):
            require(0 < b < 1, f"split fraction must lie in (0, 1); got {b}")
            out.append(index[int(round(b * (len(index) - 1)))])
        else:
            try:
                ts = pd.Timestamp(str(b))
            except ValueError:
                raise InvalidInput(
                    f"split boundary {b!r} is neither a date nor a fraction; e.g. 2013-09-01 or 0.7"
                ) from None
            if index.tz is not None and ts.tz is None:
                ts = ts.tz_localize(index.tz)
            out.append(ts)
    require(out[0] < out[1], f"split boundaries must increase; got {split!r}")
    return out[0], out[1]


def valid_ends(
    present_in: np.ndarray, present_tg: np.ndarray, task: Task, period: int
) -> np.ndarray:
    """Boolean (T,): a window may end at row t (all its values present, targets in range)."""
    n_rows = len(present_in)
    k, leads = task.history, np.array(task.leads)
    ok = np.zeros(n_rows, dtype=bool)
    last = n_rows - 1 - leads.max()
    if last < k - 1:
        return ok
    bad = np.concatenate([[0], np.cumsum(~present_in)])
    ends = np.arange(k - 1, last + 1)
    ok[ends] = (bad[ends + 1] - bad[ends + 1 - k]) == 0
    ok[ends] &= present_tg[ends]
    for h in leads:
        ok[ends] &= present_tg[ends + h]
        daily = ends + h - period * int(np.ceil(h / period))
        ok[ends] &= (daily >= 0) & present_tg[np.clip(daily, 0, None)]
    ok[ends] &= (ends % task.stride) == 0
    return ok


#: Most bytes of float32 input windows (all splits together) that a task may build.
MAX_WINDOW_BYTES = 4 * 2**30


def check_window_bytes(windows: int, history: int, features: int, where: str) -> None:
    """Refuse, before allocating, input windows larger than `MAX_WINDOW_BYTES`."""
    size = 4 * windows * history * features
    require(
        size <= MAX_WINDOW_BYTES,
        f"{where}: {windows:,} windows of {history:,} steps x {features} inputs would take "
        f"{size / 2**30:,.1f} GiB, over rnncap's {MAX_WINDOW_BYTES / 2**30:.0f} GiB limit; "
        "shorten the history (history=) or raise the stride (stride=)",
    )


def check_length(ds: Dataset, task: Task) -> None:
    """The series holds at least one window (history + horizon rows), or one line."""
    n_rows, longest = len(ds.frame), task.history + max(task.leads)
    require(
        n_rows >= longest,
        f"{ds.name}: the series has {n_rows} rows, shorter than history + horizon = "
        f"{longest}; shorten the history (history=) or the horizon (horizon=)",
    )


def split_rows(
    ds: Dataset,
    task: Task,
    ok: np.ndarray,
    ends: tuple[pd.Timestamp, pd.Timestamp],
    held: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The rows (last input step) of each split's complete windows: every input and lead step of
    a window lies inside the split (train before ``ends[0]``, val before ``ends[1]``, test to
    the end), or `InvalidInput` naming a split without one.

    With holdout rows `held` (`rnncap.data.holdout.holdout_mask`), a training window reads none
    of them and a ``"holdout"`` split holds the windows that lie wholly inside them."""
    index, leads = ds.frame.index, np.array(task.leads)
    n_rows = len(index)
    first = np.clip(np.arange(n_rows) - task.history + 1, 0, None)
    final = np.clip(np.arange(n_rows) + leads.max(), None, n_rows - 1)
    starts, stops = index[first], index[final]
    train_end, val_end = ends
    bounds = {
        "train": (index[0], train_end),
        "val": (train_end, val_end),
        "test": (val_end, index[-1] + ds.step),
    }
    touched = rows_in_span(np.zeros(n_rows, bool) if held is None else held, first, final)
    rows = {}
    for name, (lo, hi) in bounds.items():
        inside = ok & (starts >= lo) & (stops < hi)
        if name == "train":
            inside &= touched == 0  # a training window reads no holdout row
        rows[name] = np.flatnonzero(inside)
        require(
            len(rows[name]) > 0,
            f"the {name} split ({lo} to {hi}) has no complete window of {task.history} + "
            f"{leads.max()} steps; move the split boundaries, shorten the history (history=) or "
            "horizon (horizon=), or use data with fewer gaps",
        )
    if held is not None and held.any():  # windows wholly inside the holdout weeks
        rows[HOLDOUT] = np.flatnonzero(ok & (touched == final - first + 1))
        require(
            len(rows[HOLDOUT]) > 0,
            f"the {task.holdout_weeks} holdout weeks hold no complete window of {task.history} + "
            f"{leads.max()} steps; hold out more weeks, or shorten the history (history=)",
        )
    return rows
