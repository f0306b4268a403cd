"""Generalization gaps on weather: train, validation and test error of an architecture grid.

Every (architecture, seed) pair is one engine member trained with the forecasting recipe
(`rnncap.engine.ForecastSettings`, the record `rnncap forecast train` and the study train with:
residual on persistence, dropout, weight decay, cosine schedule) on the task's training windows,
with early stopping on its validation windows (the weights of the best validation epoch are
kept), all in one batched `rnncap.engine.train` call. Errors are mean absolute errors in the
target's units (degC for temperature), as in the study; the gap is test MAE - train MAE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from rnncap.arch import RecurrentSpec, count_parameters, parse_arch
from rnncap.capacity.checks import seed_list
from rnncap.capacity.stats import summary
from rnncap.capacity.training import Progress, train_members
from rnncap.errors import require
from rnncap.plain import to_plain

SPLIT_NAMES = ("train", "val", "test")


@dataclass(frozen=True)
class GapRow:
    """One trained member's mean absolute errors on the three splits, in the target's units."""

    arch: str
    parameters: int
    seed: int
    mae: dict  # split name -> mean absolute error in the target's units
    best_epoch: int
    epochs_run: int
    status: str

    PLAIN_EXTRA: ClassVar = ("gap",)  # `rnncap.plain.to_plain` writes it after the fields

    def __post_init__(self) -> None:
        require(set(self.mae) == set(SPLIT_NAMES), "errors for train, val and test")

    @property
    def gap(self) -> float:
        """Test MAE minus train MAE (the target's units)."""
        return self.mae["test"] - self.mae["train"]


@dataclass(frozen=True)
class GeneralizationGaps:
    """Rows for every (architecture, seed), and a per-architecture summary over seeds."""

    task: dict
    units: str  # the target's units (of every error and gap)
    rows: tuple[GapRow, ...]
    training: dict = field(default_factory=dict)  # `to_plain(ForecastSettings)`

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`capacity gaps --json`)
        "task": "task",
        "units": "units",
        "training": "training",
        "summary": "summary",
        "rows": "rows",
    }

    def summary(self) -> list[dict]:
        out = []
        for arch in dict.fromkeys(r.arch for r in self.rows):
            rows = [r for r in self.rows if r.arch == arch]
            entry = {"arch": arch, "parameters": rows[0].parameters, "seeds": len(rows)}
            for split in SPLIT_NAMES:
                entry[f"{split}_mae"] = summary([r.mae[split] for r in rows])
            entry["gap"] = summary([r.gap for r in rows])
            out.append(entry)
        return out


def _specs(specs: Sequence[RecurrentSpec | str], td) -> list[RecurrentSpec]:
    """Specs fitted to the task's windows (input size, sequence length, outputs)."""
    out = []
    for s in specs:
        base = parse_arch(s) if isinstance(s, str) else s
        require(isinstance(base, RecurrentSpec), f"not an architecture: {s!r}")
        out.append(
            base.replace(input_size=td.input_size, seq_len=td.train.x.shape[1], outputs=td.outputs)
        )
    return out


def generalization_gaps(
    specs: Sequence[RecurrentSpec | str],
    task,
    seeds: int | Sequence[int] = 3,
    settings=None,
    *,
    progress: Progress | None = None,
    device: str | None = None,
) -> GeneralizationGaps:
    """Train each architecture over seeds on `task` and record train, validation and test MAE.

    Parameters
    ----------
    specs : sequence of RecurrentSpec or architecture strings
        Input size, sequence length and outputs are taken from the task's windows.
    task : rnncap.data.Task or rnncap.data.TaskData
        The forecasting task (prepared here when a `Task` is given).
    seeds : int or sequence of int
        An int n means seeds 0..n-1.
    settings : rnncap.engine.ForecastSettings, optional
        The forecasting recipe (its defaults when omitted); patience must be > 0 (early
        stopping on validation). Its ``blend`` is not applied (the record kept in the result
        says ``blend = "none"``): the gaps are the network's own (with its residual anchor),
        the capacity being the network's.
    """
    from rnncap.data import TaskData, prepare_task
    from rnncap.engine import ForecastSettings, Job
    from rnncap.forecast.anchor import fit_anchor
    from rnncap.forecast.many import training_data

    require(len(specs) >= 1, "give at least one architecture (e.g. lstm:1x32 gru:2x16)")
    run = ForecastSettings() if settings is None else settings
    require(
        isinstance(run, ForecastSettings),
        f"settings must be a rnncap.engine.ForecastSettings; got {run!r:.60}",
    )
    require(run.patience > 0, "early stopping needs patience > 0 (e.g. patience=5)")
    run = run.replace(blend="none")  # the network's own errors, recorded as such
    td = task if isinstance(task, TaskData) else prepare_task(task)
    # the recipe's anchor (fitted on the training split) is added to the network's output, as
    # in training
    anchor = fit_anchor(td, run.anchor)
    data = training_data(td, anchor)
    anchors = {s: anchor.scaled(td, s) for s in SPLIT_NAMES}
    seeds_ = seed_list(seeds)
    jobs = [
        Job(spec, seed, data, run.train_settings(), f"{spec.name} seed={seed}")
        for spec in _specs(specs, td)
        for seed in seeds_
    ]
    members = train_members(jobs, progress, device)
    rows = []
    for job, member in zip(jobs, members, strict=True):
        mae = {}
        for name in SPLIT_NAMES:
            split = td.split(name)
            pred = td.y_to_physical(member.predict(split.x, anchors[name]))
            mae[name] = float(np.mean(np.abs(pred - td.y_physical(split))))
        rows.append(
            GapRow(job.spec.name, count_parameters(job.spec).total, job.seed, mae,
                   member.best_epoch, member.epochs_run, member.status.value)
        )  # fmt: skip
    units = ", ".join(dict.fromkeys(td.target_units))
    return GeneralizationGaps(to_plain(td.task), units, tuple(rows), to_plain(run))
