"""`run_study`: plan a study into its store, skip what is done, run the rest, record each unit.

The driver alone writes the store; executors hand results back to it in batches (a transaction
each).
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rnncap.arch import count_parameters, unrolled_graph
from rnncap.plain import to_plain
from rnncap.study.config import StudyConfig
from rnncap.study.defaults import training_line
from rnncap.study.executors import Executor, Outcome, make_executor
from rnncap.study.plan import (
    PlannedArch,
    TaskRef,
    TaskShape,
    Unit,
    plan_architectures,
    plan_units,
)
from rnncap.study.records import (
    ArchInfo,
    BaselineResult,
    BoundNote,
    BoundValue,
    FailedUnit,
    Measure,
    PhaseTimes,
    SplitErrors,
    StudyInfo,
    TaskInfo,
    UnitResult,
)
from rnncap.study.store import STORE_NAME, ResultsStore, ensure_writable_folder, study_lock
from rnncap.study.unit import default_device, make_task, task_data


@dataclass(frozen=True)
class UnitDone:
    """What the CLI prints as a unit finishes: which, how long, and its mean test MAE; on Ray
    also the node of its final attempt and the attempts; ``error`` when it failed every one."""

    arch: str
    seeds: tuple[int, ...]
    seconds: float
    test_mae: float | None
    done: int
    total: int
    node: str | None = None
    attempts: int = 1
    error: str | None = None


@dataclass(frozen=True)
class StudySummary:
    """Where the store is and how many units were planned, already done, and run now."""

    store: Path
    planned: int
    skipped: int
    ran: int
    runs: int
    seconds: float
    device: str
    failed: int = 0  # units that failed every attempt (`ResultsStore.failures` has their errors)
    phases: PhaseTimes | None = None  # where the time went (also stored: meta "phases")


def _bounds(
    arch: PlannedArch, archs: dict[str, PlannedArch], shape: TaskShape, m: int
) -> tuple[tuple[BoundValue, ...], dict[str, dict[str, float]]]:
    """The theory catalog's bounds of the spec (for m training windows) and the log10 of each
    bound's ratio to the spec's one-layer reference in each of its groups (constants cancel)."""
    from rnncap.arch import parse_arch
    from rnncap.theory import bounds, ratios

    def spec_of(name: str) -> Any:
        if name in archs:
            return archs[name].spec
        return parse_arch(
            name, input_size=shape.input_size, seq_len=shape.seq_len, outputs=shape.outputs
        )

    values = tuple(
        BoundValue(
            key=e.bound.key,
            status=e.bound.status.value,
            derived=bool(e.result.derived) if e.result.applicable else e.bound.derived,
            citation=e.bound.citation.short(),
            text=e.result.text,
            log10=e.result.log10,
            vacuous=bool(e.result.vacuous),
        )
        for e in bounds(arch.spec, m=m)
        if not e.result.other_cell  # a vanilla-RNN result is no bound for an LSTM or GRU
    )
    ratio_by_group = {
        group: {k: math.log10(r) for k, r in ratios(spec_of(ref), arch.spec).items() if r > 0}
        for group, ref in arch.references.items()
    }
    return values, ratio_by_group


def bound_legend() -> tuple[BoundNote, ...]:
    """Per catalog bound: name, short citation, status, DERIVED marker and decisive caveat
    (`rnncap.theory.legend`, the general entry of each key)."""
    from rnncap.theory import catalog
    from rnncap.theory.legend import legend

    entries = legend()
    return tuple(
        BoundNote(b.key, b.name, entries[b.key].citation, entries[b.key].status,
                  entries[b.key].derived, entries[b.key].footnote)
        for b in catalog()
    )  # fmt: skip


def _arch_info(
    arch: PlannedArch,
    archs: dict[str, PlannedArch],
    shape: TaskShape,
    measures: tuple[str, ...],
    m: int,
) -> ArchInfo:
    spec = arch.spec
    counts = count_parameters(spec)
    graph = unrolled_graph(spec)
    values, ratio_by_group = (), {}
    if Measure.BOUNDS in measures:
        values, ratio_by_group = _bounds(arch, archs, shape, m)
    return ArchInfo(
        arch=spec.name,
        spec=to_plain(spec),
        cell=spec.cell.value,
        layers=spec.num_layers,
        units=tuple(spec.hidden_sizes),
        groups=tuple(arch.groups),
        references=dict(arch.references),
        budget=arch.budget,
        params=counts.total,
        recurrent_params=counts.recurrent_total,
        per_layer=tuple(counts.per_layer.values()),  # parameters per layer
        nonlinear_units=graph.nonlinear_units,
        longest_path=graph.longest_path,
        bounds=values,
        ratios=ratio_by_group,
    )


def _task_info(task: Any, td: Any, *, forecast: bool) -> TaskInfo:
    """Sizes of the splits and the persistence baseline's MAE (the bar a forecaster must beat)."""
    from rnncap.forecast.baselines import Persistence, missing_baselines

    windows = {s: int(len(getattr(td, s).y)) for s in ("train", "val", "test")}
    target = ", ".join(td.target_columns)
    pers = Persistence().fit(td)
    errors = SplitErrors(
        *(
            float(np.mean(np.abs(pers.predict(td, s) - td.y_physical(td.split(s)))))
            for s in ("train", "val", "test")
        )
    )
    return TaskInfo(
        description=(
            f"{target} {task.horizon} steps ahead from {task.history} steps of "
            f"{td.input_size} inputs ({task.dataset}); windows train/val/test "
            f"{windows['train']:,}/{windows['val']:,}/{windows['test']:,}"
        ),
        target=target,
        target_unit=td.target_units[0] if len(set(td.target_units)) == 1 else "",
        input_size=int(td.input_size),
        outputs=int(td.outputs),
        windows=windows,
        persistence=errors,
        task={k: v for k, v in getattr(task, "__dict__", {}).items() if _plain(v)},
        missing_baselines=missing_baselines() if forecast else (),  # no baselines without it
    )


@lru_cache(maxsize=4)
def task_baselines(task: TaskRef) -> tuple[BaselineResult, ...]:
    """Every baseline of `rnncap.forecast.baseline_results` on ``task`` (persistence, daily
    persistence, climatology, ridge, lagged ridge, LightGBM when installed), cached per process:
    the driver fits them once per task (`TaskBaselines`), never a unit."""
    from rnncap.forecast import baseline_results

    scored = baseline_results(task_data(task))
    return tuple(BaselineResult(r.name, r.val.mae, r.test.mae) for r in scored)


class TaskBaselines:
    """The task's baselines, fitted once per task by the driver, in a background thread while the
    units train (before, every worker process fitted them again: 12-17 s each on nyc2013).

    Calling the object waits for the fit and returns the baselines (an error in the fit is
    raised there); the thread is a daemon, so an interrupted study does not wait for it.
    """

    def __init__(self, task: TaskRef, needed: bool):
        self._result: tuple[BaselineResult, ...] = ()
        self._error: BaseException | None = None
        self.seconds = 0.0  # the fit's own time (0 when not needed, or cached in this process)
        self._thread = None
        if needed:
            self._thread = threading.Thread(
                target=self._fit, args=(task,), name="rnncap-baselines", daemon=True
            )
            self._thread.start()

    def _fit(self, task: TaskRef) -> None:
        start = time.perf_counter()
        try:
            self._result = task_baselines(task)
        except BaseException as exc:  # handed to the caller, in the driver's thread
            self._error = exc
        self.seconds = time.perf_counter() - start

    def __call__(self) -> tuple[BaselineResult, ...]:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def _plain(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool, type(None))) or (
        isinstance(v, (list, tuple)) and all(_plain(x) for x in v)
    )


def _check_runnable(config: StudyConfig, archs: list[PlannedArch], units: list[Unit]) -> None:
    """Every model's size (grid and memorization networks), checked before the store or plan is
    written (the training settings were checked when the study file was read)."""
    from rnncap.arch.budget import check_trainable

    if any(m in config.measures for m in ("forecast", "norms")):
        for arch in archs:
            check_trainable(arch.spec)
    for unit in units:
        if unit.payload.memorization is not None:
            check_trainable(unit.payload.memorization.spec)


@dataclass(frozen=True)
class _Planned:
    """A study's plan before anything is written: the task, its data and shape, the units and
    every architecture's info."""

    task_ref: TaskRef
    task: Any
    td: Any
    units: list[Unit]
    infos: dict[str, ArchInfo]


def _plan(config: StudyConfig) -> _Planned:
    """The task prepared, the architectures and units planned and checked, their infos built."""
    task_ref = TaskRef.of({"dataset": "nyc2013", **config.task})
    td = task_data(task_ref)
    shape = TaskShape(int(td.input_size), int(td.train.x.shape[1]), int(td.outputs))
    archs = plan_architectures(config, shape)
    units = plan_units(config, archs, task_ref)
    by_name = {a.name: a for a in archs}
    _check_runnable(config, archs, units)
    m = int(len(td.train.y))
    infos = {a.name: _arch_info(a, by_name, shape, config.measures, m) for a in archs}
    return _Planned(task_ref, make_task(task_ref.table), td, units, infos)


class _Recorder:
    """The driver's side of a run: records each batch of outcomes in one transaction (with the
    task's baselines), counts the progress and sums the units' phase times."""

    def __init__(
        self,
        store: ResultsStore,
        units: list[Unit],
        pending: list[Unit],
        baselines: TaskBaselines | None,
        on_unit: Callable[[UnitDone], None] | None,
        on_progress: Callable[[float, float], None] | None,
    ):
        self.store, self.baselines = store, baselines
        self.on_unit, self.on_progress = on_unit, on_progress
        self.planned = len(units)
        self.total_runs = sum(len(u.seeds) for u in units)
        self.runs = float(self.total_runs - sum(len(u.seeds) for u in pending))
        self.units = len(units) - len(pending)
        self.failed = 0
        self.forecast_seconds = self.capacity_seconds = 0.0
        if on_progress:
            on_progress(self.runs, self.total_runs)

    def __call__(self, batch: list[Outcome]) -> None:
        if self.baselines is not None:  # the task's baselines, fitted once, not by each worker
            fitted = self.baselines
            batch = [(u, dataclasses.replace(r, baselines=fitted()))
                     if isinstance(r, UnitResult) else (u, r) for u, r in batch]  # fmt: skip
        done = [(u.key, u.payload.plain(), r, u.seeds) for u, r in batch
                if isinstance(r, UnitResult)]  # fmt: skip
        failed = [r for _, r in batch if isinstance(r, FailedUnit)]
        self.store.record_batch(done, failed)  # one transaction for the whole batch
        self.failed += len(failed)
        for unit, r in batch:
            if isinstance(r, UnitResult):
                self.forecast_seconds += r.seconds - r.capacity_seconds
                self.capacity_seconds += r.capacity_seconds
            self.runs += len(unit.seeds)
            self.units += 1
            if self.on_progress:
                self.on_progress(self.runs, self.total_runs)
            if self.on_unit:
                self.on_unit(_unit_done(unit, r, self.units, self.planned))

    def partial(self, unit: Unit, fraction: float) -> None:
        if self.on_progress:
            self.on_progress(self.runs + min(fraction, 0.999) * len(unit.seeds), self.total_runs)


def run_study(
    config: StudyConfig,
    out: str | Path,
    *,
    executor: Executor | None = None,
    on_unit: Callable[[UnitDone], None] | None = None,
    on_progress: Callable[[float, float], None] | None = None,
) -> StudySummary:
    """Run `config` into ``<out>/results.sqlite``, skipping units already recorded there.

    ``on_progress(done, total)`` counts trained models (fractions while a unit trains inline);
    ``on_unit`` is called as each unit is recorded.
    """
    start = time.perf_counter()
    executor = executor or make_executor(config.executor)
    plan = _plan(config)
    units = plan.units
    executor.check()  # e.g. Ray: the address answers and every node runs these versions
    folder = ensure_writable_folder(Path(out))  # only now, once the plan is known to be valid
    with study_lock(folder), ResultsStore.create(folder / STORE_NAME) as store:
        store.set_plan([(u.key, u.arch, list(u.seeds)) for u in units], plan.infos)
        info = StudyInfo(config.name, tuple(config.seeds), training_line(config))
        store.set_meta({"study": to_plain(config), "updated": time.time()})
        forecast = Measure.FORECAST in config.measures
        store.set_task(info, _task_info(plan.task, plan.td, forecast=forecast), bound_legend())
        done_keys = store.done_keys()
        pending = [u for u in units if u.key not in done_keys]
        baselines = TaskBaselines(plan.task_ref, needed=forecast and bool(pending))
        recorder = _Recorder(
            store, units, pending, baselines if forecast else None, on_unit, on_progress
        )
        units_start = time.perf_counter()
        executor.run(pending, recorder, recorder.partial)
        phases = PhaseTimes(
            setup=units_start - start,
            forecast_units=recorder.forecast_seconds,
            capacity=recorder.capacity_seconds,
            baselines=baselines.seconds,  # known once a unit was recorded (each waits for it)
            units_wall=time.perf_counter() - units_start,
        )
        store.set_meta({"phases": to_plain(phases)})
    return StudySummary(
        folder / STORE_NAME, len(units), len(units) - len(pending), len(pending),
        recorder.total_runs, time.perf_counter() - start, default_device(), recorder.failed,
        phases,
    )  # fmt: skip


def _unit_done(unit: Unit, r: UnitResult | FailedUnit, done: int, total: int) -> UnitDone:
    if isinstance(r, FailedUnit):
        return UnitDone(unit.arch, unit.seeds, 0.0, None, done, total, r.node, r.attempts, r.error)
    return UnitDone(unit.arch, unit.seeds, r.seconds, r.mean_test_mae, done, total, r.node,
                    r.attempts)  # fmt: skip
