"""`run_unit`: train one ensemble chunk and measure every member (runs in any worker process).

The function is pure in the sense that matters for the store: its result depends only on its
JSON payload (architecture, seeds, task, training settings, measures), so any executor may run it
anywhere and the driver records what comes back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from rnncap.arch import RecurrentSpec
from rnncap.errors import InvalidInput


def default_device() -> str:
    """``cuda`` when a GPU is present, else ``cpu``: studies use a GPU automatically."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def make_task(task: dict) -> Any:
    """`rnncap.data.Task` from a study's ``[task]`` table, with unknown keys as `InvalidInput`."""
    import dataclasses

    from rnncap.data import Task

    known = {f.name for f in dataclasses.fields(Task)}
    unknown = sorted(set(task) - known)
    if unknown:
        raise InvalidInput(
            f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in [task] of the "
            f"study file; known keys: {', '.join(sorted(known))}"
        )
    return Task(**task)


@lru_cache(maxsize=4)
def _task_data(task_json: str) -> Any:
    from rnncap.data import prepare_task

    return prepare_task(make_task(json.loads(task_json)))


def task_data(task: dict) -> Any:
    """The prepared `TaskData` of ``task``, cached per process (workers reuse it across units)."""
    return _task_data(json.dumps(task, sort_keys=True))


def _mae(td: Any, pred: np.ndarray, y: np.ndarray) -> float:
    """Mean absolute error in physical units (scaled predictions and targets mapped back)."""
    return float(np.mean(np.abs(td.y_to_physical(pred) - td.y_to_physical(y))))


def _forecast_sample(td: Any, pred: np.ndarray, points: int) -> dict | None:
    if points <= 0:
        return None
    n = min(points, len(pred))
    truth = td.y_to_physical(td.test.y[:n])[:, 0]
    return {"truth": truth.tolist(), "pred": td.y_to_physical(pred[:n])[:, 0].tolist()}


def _norm_measures(member: Any) -> dict:
    """Weight measures of a trained member from the capacity room (empty if it is absent)."""
    try:
        from rnncap.capacity import weight_measures
    except ImportError:
        return {}
    return dict(weight_measures(member))


def _memorization(spec: RecurrentSpec, seeds: list[int], options: dict, device: str) -> dict:
    """Bits per parameter from the capacity room (empty if it is absent)."""
    try:
        from rnncap.capacity import memorization_study_measure
    except ImportError:
        return {}
    return dict(memorization_study_measure(spec, seeds=seeds, device=device, **options))


def run_unit(
    payload: dict,
    *,
    device: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Train the payload's seeds of one architecture as one ensemble and measure each member.

    Returns
    -------
    dict
        ``arch``, ``device``, ``seconds``, ``runs`` (one dict per seed: ``seed``, ``metrics``,
        ``forecast``) and ``arch_measures`` (measures of the architecture, e.g. memorization).
    """
    from rnncap.engine import Job, MemberData, TrainSettings, train

    start = time.perf_counter()
    device = device or default_device()
    spec = RecurrentSpec.from_dict(payload["spec"])
    seeds = [int(s) for s in payload["seeds"]]
    measures = set(payload["measures"])
    runs: list[dict] = [{"seed": s, "metrics": {}, "forecast": None} for s in seeds]
    if "forecast" in measures or "norms" in measures:
        td = task_data(payload["task"])
        settings = TrainSettings(**payload["training"])
        data = MemberData(td.train.x, td.train.y, td.val.x, td.val.y)
        jobs = [Job(spec, s, data, settings, key=f"{spec.name}/{s}") for s in seeds]
        members = train(jobs, device=device, progress=progress)
        for run, m in zip(runs, members, strict=True):
            metrics = run["metrics"]
            metrics.update(status=m.status, best_epoch=m.best_epoch, epochs=len(m.history))
            if "forecast" in measures:
                split_mae = {
                    name: _mae(td, m.predict(part.x), part.y)
                    for name, part in (("train", td.train), ("val", td.val), ("test", td.test))
                }
                metrics.update({f"{k}_mae": v for k, v in split_mae.items()})
                metrics["gap"] = split_mae["test"] - split_mae["train"]
                metrics["val_gap"] = split_mae["val"] - split_mae["train"]
                run["forecast"] = _forecast_sample(
                    td, m.predict(td.test.x[: payload["forecast_points"]]),
                    payload["forecast_points"],
                )  # fmt: skip
            if "norms" in measures:
                metrics.update(_norm_measures(m))
    arch_measures: dict = {}
    if "memorization" in measures:
        arch_measures = _memorization(spec, seeds, payload.get("memorization", {}), device)
    return {
        "arch": spec.name,
        "device": device,
        "seconds": time.perf_counter() - start,
        "runs": runs,
        "arch_measures": arch_measures,
    }
