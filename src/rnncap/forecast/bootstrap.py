"""Moving-block bootstrap intervals for differences of test MAE between two forecasters.

Consecutive windows overlap (120 h of history, hourly issues) and weather errors persist for
days, so resampling single windows would understate the uncertainty. We resample blocks of
consecutive windows (a few days) with the circular moving-block bootstrap of Politis & Romano
(1992): a block may start at any window and wraps around the end, so every window is equally
likely to be drawn and the bootstrap mean is exactly the sample mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from rnncap.data.task import TaskData
from rnncap.errors import require

#: Block length of the bootstrap in days of issue times.
BLOCK_DAYS = 4
RESAMPLES = 2000


def block_means(values: np.ndarray, block: int, resamples: int = RESAMPLES, seed: int = 0):
    """Means of `resamples` circular moving-block resamples of `values` (n,), (resamples,).

    Each resample joins ceil(n / block) blocks of `block` consecutive values, starting at
    uniformly drawn positions and wrapping around the end, cut to n values.
    """
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    require(n >= 1, "the bootstrap needs at least one value")
    require(
        isinstance(block, (int, np.integer)) and 1 <= block <= n,
        f"block must be an integer in [1, {n}]; got {block!r}",
    )
    require(
        isinstance(resamples, (int, np.integer)) and resamples >= 1,
        f"resamples must be an integer >= 1; got {resamples!r}",
    )
    rng = np.random.default_rng(seed)
    count = -(-n // block)
    starts = rng.integers(0, n, size=(resamples, count))
    index = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(resamples, -1)[:, :n]
    return values[index % n].mean(axis=1)


def mean_interval(
    values: np.ndarray, block: int, level: float = 0.95, resamples: int = RESAMPLES, seed: int = 0
) -> tuple[float, float, float]:
    """(mean, low, high): the sample mean and the percentile interval of its block bootstrap."""
    require(0 < level < 1, f"level must lie in (0, 1); got {level}")
    means = block_means(values, block, resamples, seed)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(np.mean(values)), float(low), float(high)


def block_windows(td: TaskData, days: float = BLOCK_DAYS) -> int:
    """Bootstrap block length in windows: `days` of issue times (windows every `stride` rows)."""
    per_day = td.steps_per_day / td.task.stride
    return max(1, int(round(days * per_day)))


@dataclass(frozen=True)
class Difference:
    """Test MAE of `model` minus that of `baseline` (negative: the model is better), with the
    block-bootstrap interval of the paired difference at `level`."""

    model: str
    baseline: str
    split: str
    difference: float
    low: float
    high: float
    level: float
    block: int
    resamples: int

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes
        "model": "model",
        "baseline": "baseline",
        "split": "split",
        "mae_difference": "difference",
        "low": "low",
        "high": "high",
        "level": "level",
        "block_windows": "block",
        "resamples": "resamples",
    }

    @property
    def significant(self) -> bool:
        """The interval excludes zero."""
        return self.high < 0 or self.low > 0


def mae_difference(
    model: str,
    baseline: str,
    split: str,
    pred: np.ndarray,
    base_pred: np.ndarray,
    truth: np.ndarray,
    block: int,
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Difference:
    """Paired MAE difference of two forecasts (n, outputs) of the same windows, with interval."""
    per_window = np.mean(np.abs(pred - truth), axis=1) - np.mean(np.abs(base_pred - truth), axis=1)
    block = min(block, len(per_window))
    diff, low, high = mean_interval(per_window, block, level, resamples, seed)
    return Difference(model, baseline, split, diff, low, high, level, block, resamples)
