"""Windows for forecasting from new data: every complete input window, targets possibly unknown."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnncap.data.dataset import Dataset
from rnncap.data.splits import check_window_bytes
from rnncap.data.task import Task, resolve_columns, time_features
from rnncap.errors import require


@dataclass(frozen=True, eq=False)
class InferenceWindows:
    """Every complete input window of a dataset, for forecasting (targets may lie in the future).

    ``x`` (n, history, inputs) is in physical units (scale it with the model's scaler);
    ``issued`` (n,) is the time of each window's last input; ``step`` the clock's step.
    """

    x: np.ndarray
    issued: pd.DatetimeIndex
    rows: np.ndarray
    input_columns: tuple[str, ...]
    target_columns: tuple[str, ...]
    target_values: np.ndarray
    times: pd.DatetimeIndex
    step: pd.Timedelta


def inference_windows(task: Task, dataset: Dataset | None = None) -> InferenceWindows:
    """Windows ending at every row whose `history` inputs are all present (no split, no target)."""
    ds = dataset if dataset is not None else task.load()
    targets, inputs = resolve_columns(ds, task)
    features = ds.frame[inputs]
    if task.time_features:
        features = pd.concat([features, time_features(ds.frame.index)], axis=1)
    values = features.to_numpy(dtype=np.float64)
    require(
        len(values) >= task.history,
        f"{ds.name}: {len(values)} rows, fewer than the model's history of {task.history}",
    )
    present = ~np.isnan(values).any(axis=1)
    bad = np.concatenate([[0], np.cumsum(~present)])
    ends = np.arange(task.history - 1, len(values))
    ends = ends[(bad[ends + 1] - bad[ends + 1 - task.history]) == 0]
    require(len(ends) > 0, f"{ds.name}: no complete window of {task.history} steps (gaps)")
    check_window_bytes(2 * len(ends), task.history, values.shape[1], ds.name)  # float64
    windows = np.lib.stride_tricks.sliding_window_view(values, task.history, axis=0)
    return InferenceWindows(
        x=np.ascontiguousarray(windows[ends - task.history + 1].transpose(0, 2, 1)),
        issued=ds.frame.index[ends],
        rows=ends,
        input_columns=tuple(features.columns),
        target_columns=tuple(targets),
        target_values=ds.frame[targets].to_numpy(dtype=np.float64),
        times=ds.frame.index,
        step=ds.step,
    )
