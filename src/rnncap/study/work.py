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
from rnncap.capacity.depth import DepthRow
from rnncap.errors import InvalidInput
from rnncap.study.records import (
    BaselineResult,
    ForecastSample,
    Measure,
    MemorizationResult,
    MemorizationVerdict,
    RunResult,
    SplitErrors,
    UnitResult,
    WeightNorms,
)


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


@lru_cache(maxsize=4)
def _baselines(task_json: str) -> tuple[BaselineResult, ...]:
    from rnncap.forecast import baseline_results

    scored = baseline_results(_task_data(task_json))
    return tuple(BaselineResult(r.name, r.val.mae, r.test.mae) for r in scored)


def task_baselines(task: dict) -> tuple[BaselineResult, ...]:
    """Every baseline of `rnncap.forecast.baseline_results` on ``task`` (persistence, daily
    persistence, climatology, ridge, lagged ridge, LightGBM when installed), cached per process
    (the study's driver fits them once per task, `rnncap.study.runner.TaskBaselines`)."""
    return _baselines(json.dumps(task, sort_keys=True))


def _mae(td: Any, pred: np.ndarray, split: str) -> float:
    """Mean absolute error in physical units against the split's true targets (raw series)."""
    truth = td.y_physical(td.split(split))
    return float(np.mean(np.abs(pred - truth)))


def _forecast_sample(td: Any, pred: np.ndarray, points: int) -> ForecastSample | None:
    """The first `points` test forecasts (physical units) of output 0 with truth and times."""
    if points <= 0:
        return None
    n = min(points, len(pred))
    split = td.test
    truth = td.y_physical(split)[:n, 0]
    lead = int(td.output_leads[0])
    times = tuple(str(t) for t in np.asarray(td.times)[split.rows[:n] + lead])
    return ForecastSample(times, tuple(map(float, truth)), tuple(map(float, pred[:n, 0])))


def _norm_measures(spec: RecurrentSpec, model: Any) -> WeightNorms:
    """Summary weight measures over the whole weight matrices (capacity room's weight_norms)."""
    from rnncap.capacity.norms import weight_norms

    wn = weight_norms(spec, model.model_.state_dict(), model.initial_state_)
    whole = [r for r in wn.rows if r.gate == "all"]
    recurrent = [r for r in whole if r.tensor == "weight_hh"]
    dist = [r.distance_from_init for r in whole if r.distance_from_init is not None]
    init = [
        r.distance_from_init / r.relative_distance
        for r in whole
        if r.distance_from_init is not None and r.relative_distance
    ]
    total = relative = None
    if dist and init:
        total = float(np.sqrt(sum(d**2 for d in dist)))
        relative = total / float(np.sqrt(sum(i**2 for i in init)))
    return WeightNorms(
        spectral_max=float(max(r.spectral for r in whole)),
        recurrent_spectral_max=float(max(r.spectral for r in recurrent)),
        frobenius=float(np.sqrt(sum(r.frobenius**2 for r in whole))),
        stable_rank_mean=float(np.mean([r.stable_rank for r in whole])),
        distance_from_init=total,
        relative_distance_from_init=relative,
    )


def _memorization(seeds: list[int], options: dict, device: str) -> MemorizationResult:
    """Collins et al. bits per parameter of the payload's memorization spec, per seed: the tuned
    protocol (a sweep per point, doubling budgets, the last budget's capacity and its verdict)."""
    from rnncap.arch import count_parameters
    from rnncap.capacity.tuned import tuned_memorization

    spec = RecurrentSpec.from_dict(options["spec"])
    w = count_parameters(spec.replace(outputs=1)).total
    sizes = options.get("sample_sizes") or sorted(
        {max(2, round(f * w)) for f in options["sample_fractions"]}
    )
    seeds = seeds[: int(options["seeds"])]
    sweep = _sweep(options)
    result = tuned_memorization(
        spec, sizes, seeds, epochs=int(options["epochs"]), sweep=sweep, device=device
    )
    return MemorizationResult(
        arch=spec.name,
        parameters=int(result.parameters),
        budget=int(options["budget"]),
        epochs=2 * result.epochs,  # the run the capacity comes from
        sample_sizes=tuple(int(s) for s in sizes),
        bits_per_parameter_by_seed={
            int(s): float(b) / result.parameters for s, b in result.capacity_by_seed().items()
        },
        limited_by_grid=bool(result.at_double.limited_by_grid),
        verdict=MemorizationVerdict(result.convergence.status),
    )


def _sweep(options: dict):
    """The memorization sweep of a [memorization] or [depth] payload (a plan made before losses
    and encodings were swept has neither key: it trained cross-entropy on 0/1 inputs)."""
    from rnncap.capacity.sweep import Sweep

    losses = tuple(options.get("losses", ["bce"]))
    encodings = tuple(options.get("encodings", ["binary"]))
    return Sweep(tuple(options["lrs"]), tuple(options["schedules"]), 1, losses, encodings)


def _depth(seeds: list[int], options: dict, device: str) -> DepthRow:
    """VC dimension and memorization of the payload's fixed-width network (one depth)."""
    from rnncap.arch import count_parameters
    from rnncap.capacity.depth import DepthBudget, measure_depth_row

    spec = RecurrentSpec.from_dict(options["spec"])
    w = count_parameters(spec.replace(outputs=1)).total
    sizes = tuple(sorted({max(2, round(f * w)) for f in options["sample_fractions"]}))
    budget = DepthBudget(
        int(options["epochs"]), _sweep(options), sizes,
        vc_epochs=int(options["vc_epochs"]), vc_repetitions=int(options["vc_reps"]),
    )  # fmt: skip
    return measure_depth_row(spec, seeds[: int(options["seeds"])], budget, device=device)


def run_unit(
    payload: dict,
    *,
    device: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UnitResult:
    """Train the payload's seeds of one architecture as one ensemble and measure each member.

    The models are trained by `rnncap.forecast.fit_many` with the payload's settings: the
    forecaster's recipe, so a run equals ``rnncap forecast train --ensemble 1`` with that arch
    and seed. The task's baselines are not fitted here: the driver fits them once per task
    (`rnncap.study.runner.TaskBaselines`) and records them with every unit.
    """
    from rnncap.forecast.many import fit_many

    start = time.perf_counter()
    device = device or default_device()
    spec = RecurrentSpec.from_dict(payload["spec"])
    seeds = [int(s) for s in payload["seeds"]]
    measures = {Measure(m) for m in payload["measures"]}
    runs: list[RunResult] = []
    if Measure.FORECAST in measures or Measure.NORMS in measures:
        td = task_data(payload["task"])
        models = fit_many(
            td, [spec.name], seeds, device=device, progress=progress, **payload["training"]
        )
        points = int(payload["forecast_points"])
        for seed, m in zip(seeds, models, strict=True):
            errors = sample = None
            if Measure.FORECAST in measures:
                preds = {name: m.predict(td, name) for name in ("train", "val", "test")}
                errors = SplitErrors(*(_mae(td, preds[n], n) for n in ("train", "val", "test")))
                sample = _forecast_sample(td, preds["test"], points)
            norms = _norm_measures(spec, m) if Measure.NORMS in measures else None
            runs.append(
                RunResult(seed, m.status_, int(m.best_epoch_), len(m.history_), errors,
                          norms, sample)
            )  # fmt: skip
    memorization = None
    mem = payload.get("memorization", {})
    if Measure.MEMORIZATION in measures and mem.get("spec"):
        memorization = _memorization(seeds, mem, device)
    depth = payload.get("depth", {})
    depth_row = _depth(seeds, depth, device) if Measure.DEPTH in measures and depth else None
    return UnitResult(
        arch=spec.name,
        device=device,
        seconds=time.perf_counter() - start,
        runs=tuple(runs),
        memorization=memorization,
        depth=depth_row,
    )
