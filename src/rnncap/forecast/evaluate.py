"""Score a forecaster and every baseline on validation and test, on the same windows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnncap.data.dataset import Dataset
from rnncap.data.task import TaskData
from rnncap.data.windows import inference_windows
from rnncap.errors import require
from rnncap.forecast.baselines import Baseline, Persistence, all_baselines, missing_baselines
from rnncap.forecast.bootstrap import Difference, block_windows, mae_difference
from rnncap.forecast.by_output import OutputComparison, by_output_comparisons
from rnncap.forecast.forecaster import Forecaster
from rnncap.forecast.metrics import Score, mae, score

EVAL_SPLITS = ("val", "test")


@dataclass(frozen=True)
class Evaluation:
    """Scores (model first, then baselines) per split; skill is against persistence.

    ``differences``: the model's test MAE minus each baseline's, with a block-bootstrap 95 %
    interval; ``by_output``: with several outputs (stations, lead times), the same comparison
    at each output alone (`OutputComparison`); ``notes``: baselines left out (a missing
    optional package), one line each.
    """

    model: str
    scores: tuple[Score, ...]
    losses: dict
    units: tuple[str, ...]
    differences: tuple[Difference, ...] = ()
    notes: tuple[str, ...] = ()
    by_output: tuple[OutputComparison, ...] = ()

    def get(self, model: str, split: str) -> Score:
        return next(s for s in self.scores if s.model == model and s.split == split)


def evaluate(
    model: Forecaster,
    td: TaskData,
    baselines: list[Baseline] | None = None,
    splits: tuple[str, ...] = EVAL_SPLITS,
) -> Evaluation:
    """MAE, RMSE, skill and per-lead errors of `model` and the baselines, physical units, and
    the model's test MAE minus each baseline's with a block-bootstrap interval."""
    model.check_task(td)
    fitted = [b.fit(td) for b in (all_baselines() if baselines is None else baselines)]
    notes = missing_baselines() if baselines is None else ()
    name = model.spec_.name
    scores, differences = [], []
    block = block_windows(td)
    preds: dict[str, dict[str, np.ndarray]] = {}
    for split in splits:
        truth = td.y_physical(td.split(split))
        base = mae(Persistence().fit(td).predict(td, split), truth)
        pred = model.predict(td, split)
        preds[split] = {name: pred}
        scores.append(score(name, split, pred, td, base))
        for b in fitted:
            b_pred = preds[split][b.name] = b.predict(td, split)
            scores.append(score(b.name, split, b_pred, td, base))
            if split == "test":
                differences.append(mae_difference(name, b.name, split, pred, b_pred, truth, block))
    by_output = by_output_comparisons(td, name, preds, block) if td.outputs > 1 else ()
    return Evaluation(name, tuple(scores), dict(model.losses_), td.target_units,
                      tuple(differences), notes, by_output)  # fmt: skip


@dataclass(frozen=True)
class BaselineResult:
    """One baseline's scores on validation and test (skill against persistence).

    ``target`` is what a learned baseline kept on validation ("level" or "change"), "" for a
    fixed rule.
    """

    name: str
    target: str
    val: Score
    test: Score


def baseline_results(
    td: TaskData, baselines: list[Baseline] | None = None
) -> tuple[BaselineResult, ...]:
    """Every baseline (default: `all_baselines`) fitted on `td` and scored on val and test.

    Typed results for reports (the study's report lists `strongest_baseline` beside
    persistence).
    """
    out = []
    for b in all_baselines() if baselines is None else baselines:
        b.fit(td)
        scores = []
        for split in ("val", "test"):
            truth = td.y_physical(td.split(split))
            base = mae(Persistence().fit(td).predict(td, split), truth)
            scores.append(score(b.name, split, b.predict(td, split), td, base))
        out.append(BaselineResult(b.name, getattr(b, "target_", ""), *scores))
    return tuple(out)


def strongest_baseline(results: tuple[BaselineResult, ...]) -> BaselineResult:
    """The baseline with the lowest validation MAE (chosen on validation, never on test)."""
    require(len(results) > 0, "no baseline results to choose from")
    return min(results, key=lambda r: r.val.mae)


def forecast_frame(model: Forecaster, dataset: Dataset) -> pd.DataFrame:
    """Forecasts from every complete window of `dataset`, one row per (window, lead, target).

    Columns: issued (time of the last input), valid (target time), lead (steps), variable,
    unit, forecast, observed (empty when the target time lies beyond the data).
    """
    model._check_fitted()
    task = model.task_for(dataset.name)
    win = inference_windows(task, dataset)
    model.check_columns(win.input_columns, win.target_columns, dataset.name)
    n_targets = len(win.target_columns)
    leads = np.repeat(np.array(task.leads), n_targets)
    targets = np.tile(np.arange(n_targets), len(task.leads))
    now = win.target_values[win.rows][:, targets]
    target_times = [pd.DatetimeIndex(win.issued + h * win.step) for h in task.leads]
    pred = model.predict_physical(win.x, now, target_times)  # (n, outputs), lead-major
    valid_rows = win.rows[:, None] + leads[None, :]
    inside = valid_rows < len(win.times)
    observed = np.full(pred.shape, np.nan)
    observed[inside] = win.target_values[
        valid_rows[inside], np.broadcast_to(targets, pred.shape)[inside]
    ]
    issued = np.repeat(win.issued, pred.shape[1])
    return pd.DataFrame(
        {
            "issued": issued,
            "valid": issued + pd.to_timedelta(np.tile(leads, len(win.rows)) * win.step),
            "lead": np.tile(leads, len(win.rows)),
            "variable": np.array(win.target_columns)[np.tile(targets, len(win.rows))],
            "unit": np.array(model.target_units_)[np.tile(targets, len(win.rows))],
            "forecast": pred.ravel(),
            "observed": observed.ravel(),
        }
    )
