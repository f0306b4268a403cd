"""The model against every baseline at each output alone: each station, each lead time.

A multi-output forecaster (several stations, every lead 1..H) is trained on all outputs at
once, but a practitioner compares forecasts one lead time and one station at a time. The
baselines are fitted per output already: the ridges pick a penalty, and every learned
baseline the level or the change, per output on validation; LightGBM grows one booster per
output. The lagged ridge sees the target-time calendar of every lead; each lead's hour and
day-of-year sine/cosine pairs are rotations of the others' (the same span), so its fit differs
from a per-lead refit only through how the penalty spreads over those copies (docs/forecasting.md
gives the size of that difference on nyc2013).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnncap.data.task import TaskData
from rnncap.forecast.bootstrap import Difference, mae_difference, mean_interval


@dataclass(frozen=True)
class OutputComparison:
    """One output (target column at one lead): validation and test MAE of the model and each
    baseline, the block-bootstrap 95 % interval of each test MAE (``test_low``,
    ``test_high``), and the model's test MAE minus each baseline's with its interval."""

    target: str
    lead: int
    val: dict[str, float]
    test: dict[str, float]
    test_low: dict[str, float]
    test_high: dict[str, float]
    differences: tuple[Difference, ...]

    def strongest_baseline(self, model: str) -> str:
        """The baseline with the lowest validation MAE at this output."""
        return min((n for n in self.val if n != model), key=self.val.__getitem__)


def by_output_comparisons(
    td: TaskData, model: str, preds: dict[str, dict[str, np.ndarray]], block: int
) -> tuple[OutputComparison, ...]:
    """One `OutputComparison` per output of `td`, from forecasts ``preds[split][name]`` (n,
    outputs) of the model (named `model`) and the baselines on "val" and "test"."""
    truth = {s: td.y_physical(td.split(s)) for s in preds}
    out = []
    for j in range(td.outputs):
        target, lead = td.target_columns[td.output_targets[j]], td.output_leads[j]
        val = {n: float(np.mean(np.abs(p[:, j] - truth["val"][:, j])))
               for n, p in preds["val"].items()}  # fmt: skip
        test_low, test_high, test = {}, {}, {}
        errors = {n: np.abs(p[:, j] - truth["test"][:, j]) for n, p in preds["test"].items()}
        for n, e in errors.items():
            test[n], test_low[n], test_high[n] = mean_interval(e, min(block, len(e)))
        mine = preds["test"][model][:, j : j + 1]
        diffs = tuple(
            mae_difference(
                model, n, "test", mine, p[:, j : j + 1], truth["test"][:, j : j + 1], block
            )  # fmt: skip
            for n, p in preds["test"].items()
            if n != model
        )
        out.append(OutputComparison(target, int(lead), val, test, test_low, test_high, diffs))
    return tuple(out)
