"""Generalization gaps on weather: train, validation and test error of an architecture grid.

Every (architecture, seed) pair is one engine member trained on the task's training windows with
early stopping on its validation windows (the weights of the best validation epoch are kept), all
in one batched `rnncap.engine.train` call. Errors are mean squared errors on the scaled targets
(what the network minimises) and RMSE in physical units; the gap is test MSE - train MSE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rnncap.arch import RecurrentSpec, count_parameters, parse_arch
from rnncap.capacity._common import Progress, seed_list, settings_dict, summary, train_members
from rnncap.errors import require

SPLIT_NAMES = ("train", "val", "test")


@dataclass(frozen=True)
class GapRow:
    """One trained member's errors on the three splits."""

    arch: str
    parameters: int
    seed: int
    mse: dict  # split name -> mean squared error on scaled targets
    rmse_physical: dict  # split name -> RMSE in the target's units
    best_epoch: int
    epochs_run: int
    status: str

    def __post_init__(self) -> None:
        require(set(self.mse) == set(SPLIT_NAMES), "errors for train, val and test")

    @property
    def gap(self) -> float:
        """Test MSE minus train MSE (scaled units)."""
        return self.mse["test"] - self.mse["train"]

    def to_dict(self) -> dict:
        return {**vars(self), "gap": self.gap}


@dataclass(frozen=True)
class GeneralizationGaps:
    """Rows for every (architecture, seed), and a per-architecture summary over seeds."""

    task: dict
    units: str  # the physical units of the RMSE columns
    rows: tuple[GapRow, ...]
    training: dict = field(default_factory=dict)

    def summary(self) -> list[dict]:
        out = []
        for arch in dict.fromkeys(r.arch for r in self.rows):
            rows = [r for r in self.rows if r.arch == arch]
            entry = {"arch": arch, "parameters": rows[0].parameters, "seeds": len(rows)}
            for split in SPLIT_NAMES:
                entry[f"{split}_mse"] = summary([r.mse[split] for r in rows])
                entry[f"{split}_rmse_physical"] = summary([r.rmse_physical[split] for r in rows])
            entry["gap"] = summary([r.gap for r in rows])
            out.append(entry)
        return out

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "units": self.units,
            "training": self.training,
            "summary": self.summary(),
            "rows": [r.to_dict() for r in self.rows],
        }


def default_gap_settings(epochs: int = 30):
    """Adam with early stopping on validation (patience 5): the engine's defaults."""
    from rnncap.engine import TrainSettings

    return TrainSettings(epochs=epochs, batch_size=64, lr=1e-3, patience=5, loss="mse")


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
    """Train each architecture over seeds on `task` and record train, validation and test error.

    Parameters
    ----------
    specs : sequence of RecurrentSpec or architecture strings
        Input size, sequence length and outputs are taken from the task's windows.
    task : rnncap.data.Task or rnncap.data.TaskData
        The forecasting task (prepared here when a `Task` is given).
    seeds : int or sequence of int
        An int n means seeds 0..n-1.
    settings : engine TrainSettings, optional
        Default `default_gap_settings()`; the loss must be "mse" and patience > 0 (early stopping).
    """
    from rnncap.data import TaskData, prepare_task
    from rnncap.engine import Job, MemberData

    require(len(specs) >= 1, "give at least one architecture (e.g. lstm:1x32 gru:2x16)")
    td = task if isinstance(task, TaskData) else prepare_task(task)
    run = settings or default_gap_settings()
    require(run.loss == "mse", f"forecast errors need the mse loss; got {run.loss!r}")
    require(run.patience > 0, "early stopping needs patience > 0 (e.g. patience=5)")
    seeds_ = seed_list(seeds)
    data = MemberData(td.train.x, td.train.y, td.val.x, td.val.y)  # one shared copy
    jobs = [
        Job(spec, seed, data, run, f"{spec.name} seed={seed}")
        for spec in _specs(specs, td)
        for seed in seeds_
    ]
    members = train_members(jobs, progress, device)
    rows = []
    for job, member in zip(jobs, members, strict=True):
        mse, rmse = {}, {}
        for name in SPLIT_NAMES:
            split = td.split(name)
            pred = member.predict(split.x)
            mse[name] = float(np.mean((pred - split.y) ** 2))
            err = td.y_to_physical(pred) - td.y_to_physical(split.y)
            rmse[name] = float(np.sqrt(np.mean(err**2)))
        rows.append(
            GapRow(
                job.spec.name,
                count_parameters(job.spec).total,
                job.seed,
                mse,
                rmse,
                member.best_epoch,
                member.epochs_run,
                member.status,
            )
        )
    units = ", ".join(dict.fromkeys(td.target_units))
    return GeneralizationGaps(td.task.to_dict(), units, tuple(rows), settings_dict(run))
