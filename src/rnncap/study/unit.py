"""`run_unit`: train one ensemble chunk and measure every member (runs in any worker process).

The function is pure in the sense that matters for the store: its result depends only on its
`UnitPayload` (architecture, seeds, task, training settings, measures), so any executor may run
it anywhere and the driver records what comes back. It trains and forecasts through one
call into the forecast room (`rnncap.forecast.many.train_and_forecast`) and scores the
`TrainedMember`s it returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from rnncap.capacity.depth import DepthRow
from rnncap.data.task import HOLDOUT
from rnncap.errors import InvalidInput
from rnncap.study.axes import AXES
from rnncap.study.plan import SideMeasure, TaskRef, UnitPayload
from rnncap.study.records import (
    ForecastSample,
    Measure,
    MemorizationResult,
    MemorizationVerdict,
    RunResult,
    SplitErrors,
    UnitResult,
    WeightNorms,
)

if TYPE_CHECKING:  # the forecast room imports torch: only when a unit trains
    from rnncap.forecast.many import ForecastMember


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
def task_data(task: TaskRef) -> Any:
    """The prepared `TaskData` of ``task``, cached per process (workers reuse it across units)."""
    from rnncap.data import prepare_task

    return prepare_task(make_task(task.table))


def _mae(td: Any, pred: np.ndarray, split: str, rows: np.ndarray | None = None) -> float:
    """Mean absolute error in physical units against the split's true targets (raw series), over
    the windows `rows` of the split when given (a model's training subset)."""
    truth = td.y_physical(td.split(split))
    error = np.abs(pred - truth)
    return float(np.mean(error if rows is None else error[rows]))


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


def _norm_measures(member: Any) -> WeightNorms:
    """Summary weight measures of a `TrainedMember` over the whole weight matrices (the
    capacity room's `weight_norms`, against its weights at initialisation)."""
    from rnncap.capacity.norms import weight_norms

    wn = weight_norms(member.spec, member.state_dict, member.initial_state_dict)
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


def _memorization(seeds: tuple[int, ...], side: SideMeasure, device: str) -> MemorizationResult:
    """Collins et al. bits per parameter of the payload's memorization spec, per seed: the tuned
    protocol (a sweep per point, doubling budgets, the last budget's capacity and its verdict)."""
    from rnncap.capacity.checks import fraction_sizes, logit_parameters
    from rnncap.capacity.tuned import tuned_memorization

    spec, options = side.spec, side.options
    sizes = options.get("sample_sizes") or fraction_sizes(
        logit_parameters(spec), options["sample_fractions"]
    )
    seeds = list(seeds[: int(options["seeds"])])
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


def _sweep(options: Any):
    """The memorization sweep of a [memorization] or [depth] payload (a plan made before losses
    and encodings were swept has neither key: it trained cross-entropy on 0/1 inputs)."""
    from rnncap.capacity.sweep import Sweep

    losses = tuple(options.get("losses", ["bce"]))
    encodings = tuple(options.get("encodings", ["binary"]))
    return Sweep(tuple(options["lrs"]), tuple(options["schedules"]), 1, losses, encodings)


def _depth(seeds: tuple[int, ...], side: SideMeasure, device: str) -> DepthRow:
    """VC dimension and memorization of the payload's fixed-width network (one depth)."""
    from rnncap.capacity.checks import fraction_sizes, logit_parameters
    from rnncap.capacity.depth import DepthBudget
    from rnncap.capacity.depth_measure import measure_depth_row

    spec, options = side.spec, side.options
    sizes = fraction_sizes(logit_parameters(spec), options["sample_fractions"])
    budget = DepthBudget(
        int(options["epochs"]), _sweep(options), sizes,
        vc_epochs=int(options["vc_epochs"]), vc_repetitions=int(options["vc_reps"]),
    )  # fmt: skip
    return measure_depth_row(spec, list(seeds[: int(options["seeds"])]), budget, device=device)


def model_axes(trained: ForecastMember) -> dict[str, float | int | str]:
    """The hyperparameters a member was trained with, read from what the engine returned: the
    architecture from its spec, the engine settings from its `TrainSettings`; the share of the
    training windows is the recipe's, which chose its data (the run's ``train_windows`` counts
    the windows the engine was given)."""
    member = trained.member
    spec, settings = member.spec, member.settings
    sizes = spec.hidden_sizes
    units: int | str = sizes[0] if spec.is_uniform else ",".join(map(str, sizes))
    axes: dict[str, float | int | str] = {
        "cell": spec.cell.value, "layers": spec.num_layers, "units": units,
    }  # fmt: skip
    for name in AXES:
        axes[name] = trained.train_fraction if name == "train_fraction" else getattr(settings, name)
    return axes


def _run_result(td: Any, trained: ForecastMember, measures: set[Measure], points: int) -> RunResult:
    """One trained member scored: MAE per split in the target's units (the training MAE on the
    windows it was given; the holdout weeks too, when the task has them), forecasts, weight
    norms, its axes and its complexity measures."""
    member, preds = trained.member, trained.forecasts
    errors = sample = None
    if Measure.FORECAST in measures:
        splits = ("train", "val", "test") + ((HOLDOUT,) if td.holdout is not None else ())
        errors = SplitErrors(
            *(_mae(td, preds[s], s, trained.train_rows if s == "train" else None) for s in splits)
        )
        sample = _forecast_sample(td, preds["test"], points)
    norms = _norm_measures(member) if Measure.NORMS in measures else None
    complexity: dict[str, float] = {}
    if Measure.COMPLEXITY in measures:
        from rnncap.measures.compute import model_measures

        complexity = model_measures(member, trained.data, seed=0)
    return RunResult(member.seed, member.status, int(member.best_epoch), member.epochs_run,
                     errors, norms, sample, axes=model_axes(trained),
                     train_windows=len(trained.data.x_train), measures=complexity)  # fmt: skip


def run_unit(
    payload: UnitPayload,
    *,
    device: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UnitResult:
    """Train the payload's seeds of one architecture as one ensemble and measure each member.

    The forecast room is entered once, `rnncap.forecast.many.train_and_forecast`: one
    `rnncap.engine.Job` per seed, with the payload's `ForecastSettings` and the task's data (the
    recipe's residual anchor, fitted on the task's training split), exactly the jobs
    `rnncap.forecast.fit_many` builds,
    so a run equals ``rnncap forecast train --ensemble 1`` with that arch and seed; it returns
    each `TrainedMember` with its forecasts. The task's baselines are not fitted here: the driver
    fits them once per task (`rnncap.study.runner.TaskBaselines`) and records them with every
    unit.
    """
    from rnncap.forecast.many import train_and_forecast

    start = time.perf_counter()
    device = device or default_device()
    measures = set(payload.measures)
    runs: tuple[RunResult, ...] = ()
    if measures & {Measure.FORECAST, Measure.NORMS, Measure.COMPLEXITY}:
        td = task_data(payload.task)
        splits: tuple[str, ...] = ()
        if Measure.FORECAST in measures:
            splits = ("train", "val", "test") + ((HOLDOUT,) if td.holdout is not None else ())
        members = [(payload.spec, seed) for seed in payload.seeds]
        trained = train_and_forecast(
            td, members, payload.training, splits, device=device, progress=progress
        )
        runs = tuple(_run_result(td, t, measures, payload.forecast_points) for t in trained)
    memorization = depth = None
    capacity_seconds = 0.0  # the memorization and depth measurements' part of the unit's time
    if Measure.MEMORIZATION in measures and payload.memorization is not None:
        capacity_start = time.perf_counter()
        memorization = _memorization(payload.seeds, payload.memorization, device)
        capacity_seconds += time.perf_counter() - capacity_start
    if Measure.DEPTH in measures and payload.depth is not None:
        capacity_start = time.perf_counter()
        depth = _depth(payload.seeds, payload.depth, device)
        capacity_seconds += time.perf_counter() - capacity_start
    atlas = ()
    if payload.atlas is not None:  # capacity-atlas points: one network and budget, its seeds
        from rnncap.capacity.atlas.grid import measure_points

        capacity_start = time.perf_counter()
        options = dict(payload.atlas.options)
        atlas = tuple(measure_points(payload.atlas.spec, payload.seeds, options, device))
        capacity_seconds += time.perf_counter() - capacity_start
    return UnitResult(
        arch=payload.spec.name,
        device=device,
        seconds=time.perf_counter() - start,
        runs=runs,
        memorization=memorization,
        depth=depth,
        capacity_seconds=capacity_seconds,
        atlas_points=atlas,
    )
