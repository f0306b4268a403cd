"""Library I/O around a trained forecaster: its task on other data, the training summary, CSV.

Command-line parsing (tasks from flags) lives in `rnncap.cli.task_options`; nothing here names
a flag.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rnncap.atomic import atomic_path
from rnncap.data.dataset import Dataset
from rnncap.data.task import HOLDOUT, Task, TaskData, prepare_task, resolve_columns
from rnncap.errors import InvalidInput
from rnncap.forecast.baselines import Persistence
from rnncap.forecast.forecaster import Forecaster
from rnncap.forecast.metrics import mae, skill
from rnncap.plain import to_plain


def train_summary(model: Forecaster, td: TaskData, out: Path | str) -> dict:
    """What `forecast train` reports: settings, stopping, losses and MAE against persistence
    (on the holdout weeks too, with their gap to the training MAE, when the task has them)."""
    from rnncap.arch.counts import count_parameters

    splits = ("train", "val", "test") + ((HOLDOUT,) if td.holdout is not None else ())
    summary: dict = {
        "arch": model.spec_.name,
        "parameters": count_parameters(model.spec_).total,
        "checkpoint": str(out),
        "task": to_plain(td.task),
        "windows": {s: len(td.split(s)) for s in splits},
        "epochs_run": len(model.history_),
        "best_epoch": model.best_epoch_,
        "status": model.status_,
        "train_seconds": round(model.train_seconds_, 1),
        "loss": model.losses_,
        "ensemble": model.ensemble,
        "members": list(getattr(model, "members_", ())),
        "blend": None if model.blend_ is None else {
            "baseline": model.blend_.partner.kind,
            "network_share": model.blend_.weight.tolist(),
            "val_mae": model.blend_.val_mae,
        },
    }  # fmt: skip
    persistence = Persistence().fit(td)
    for split in splits if td.holdout is not None else ("val", "test"):
        truth = td.y_physical(td.split(split))
        m = mae(model.predict(td, split), truth)
        p = mae(persistence.predict(td, split), truth)
        summary[f"{split}_mae"] = {"model": m, "persistence": p, "skill": skill(m, p)}
    if td.holdout is not None:  # the same-season gap (`rnncap.data.holdout`), target units
        summary["gap_iid"] = summary["holdout_mae"]["model"] - summary["train_mae"]["model"]
    summary["history"] = model.history_
    return summary


def _for_model(model: Forecaster, data: str, build):
    try:
        return build(model.task_for(data))
    except InvalidInput as exc:
        targets = ", ".join(model.target_columns_)
        raise InvalidInput(
            f"{data} cannot feed this model (it forecasts {targets} from "
            f"{len(model.input_columns_)} inputs): {exc}"
        ) from None


def task_data_for(model: Forecaster, data: str = "") -> TaskData:
    """The model's task prepared on `data` (default: the data it was trained on)."""
    if not data:
        return prepare_task(model.task_)
    return _for_model(model, data, prepare_task)


def dataset_for(model: Forecaster, data: str) -> Dataset:
    """`data` loaded with the model's loader options and checked to hold its columns."""
    return _for_model(model, data, lambda task: _checked(task, task.load()))


def _checked(task: Task, ds: Dataset) -> Dataset:
    resolve_columns(ds, task)
    return ds


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write `frame` to `path` atomically (temp file in the same folder, then rename)."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)
    return Path(path)
