"""A study's results as typed records, from the store alone: one `ArchResult` per architecture.

Every figure and sentence of the report reads these records by attribute. A run that is worse
than persistence on its own training data is a *failed fit*: its architecture is flagged, and the
report keeps it out of statements about trends.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rnncap.capacity.depth import DepthMeasurement, DepthRow, group_depth_rows
from rnncap.errors import require
from rnncap.study.records import (
    ArchInfo,
    BaselineResult,
    BoundNote,
    MemorizationResult,
    MemorizationVerdict,
    RunResult,
    StudyInfo,
    TaskInfo,
)
from rnncap.study.status import run_row
from rnncap.study.store import ResultsStore


@dataclass(frozen=True)
class Spread:
    """Mean and sample standard deviation of one measure over the seeds of an architecture."""

    mean: float
    sd: float  # nan with a single seed
    n: int

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread | None:
        xs = [float(v) for v in values if v is not None and math.isfinite(v)]
        if not xs:
            return None
        mean = sum(xs) / len(xs)
        sd = (
            math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else math.nan
        )
        return cls(mean, sd, len(xs))

    @property
    def se(self) -> float:
        """Standard error of the mean (nan with a single seed)."""
        return self.sd / math.sqrt(self.n) if self.n > 1 else math.nan


def compare(a: Spread, b: Spread) -> tuple[float, bool | None]:
    """Difference b - a of the means, and whether it exceeds two standard errors of it.

    None when either side has a single seed: with no spread, no difference can be called clear.
    """
    diff = b.mean - a.mean
    se = math.hypot(a.se, b.se)
    if not math.isfinite(se):
        return diff, None
    return diff, abs(diff) > 2 * se


@dataclass(frozen=True)
class ArchResult:
    """One architecture: what was planned (``info``) and every trained model of it."""

    info: ArchInfo
    runs: tuple[RunResult, ...]
    memorization: tuple[MemorizationResult, ...]
    persistence_train_mae: float

    @property
    def name(self) -> str:
        return self.info.arch

    @property
    def in_grid(self) -> bool:
        return "grid" in self.info.groups

    @property
    def in_frontier(self) -> bool:
        return "frontier" in self.info.groups

    @cached_property
    def failed_seeds(self) -> tuple[int, ...]:
        """Seeds worse than persistence on their own training data."""
        return tuple(r.seed for r in self.runs if r.failed_fit(self.persistence_train_mae))

    @property
    def failed(self) -> bool:
        return bool(self.failed_seeds)

    def spread(self, value: Callable[[RunResult], float | None]) -> Spread | None:
        return Spread.of(value(r) for r in self.runs)

    @cached_property
    def train_mae(self) -> Spread | None:
        return self.spread(lambda r: r.errors.train if r.errors else None)

    @cached_property
    def val_mae(self) -> Spread | None:
        return self.spread(lambda r: r.errors.val if r.errors else None)

    @cached_property
    def test_mae(self) -> Spread | None:
        return self.spread(lambda r: r.errors.test if r.errors else None)

    @cached_property
    def gap(self) -> Spread | None:
        return self.spread(lambda r: r.errors.gap if r.errors else None)

    @cached_property
    def spectral_max(self) -> Spread | None:
        return self.spread(lambda r: r.norms.spectral_max if r.norms else None)

    @cached_property
    def frobenius(self) -> Spread | None:
        return self.spread(lambda r: r.norms.frobenius if r.norms else None)

    @property
    def bits_per_parameter(self) -> float | None:
        """Mean memorization over its measurements, whatever their verdict (None if unmeasured)."""
        values = [m.bits_per_parameter for m in self.memorization]
        return sum(values) / len(values) if values else None

    @property
    def memorization_converged(self) -> bool:
        """Measured, and every measurement converged: only then may the report quote it."""
        return bool(self.memorization) and all(
            m.verdict is MemorizationVerdict.CONVERGED for m in self.memorization
        )

    def best_seed(self) -> int | None:
        """The seed with the lowest validation MAE."""
        scored = [r for r in self.runs if r.errors and math.isfinite(r.errors.val)]
        return min(scored, key=lambda r: r.errors.val).seed if scored else None  # type: ignore[union-attr]


@dataclass(frozen=True)
class StudyResults:
    """Everything the report shows, typed, in plan order."""

    study: StudyInfo
    task: TaskInfo
    archs: tuple[ArchResult, ...]
    planned_runs: int
    legend: tuple[BoundNote, ...]
    baselines: tuple[BaselineResult, ...]  # one per name, as recorded with the units
    depth: tuple[DepthMeasurement, ...] = ()  # per cell: VC and memorization by depth, fixed width

    @property
    def runs(self) -> int:
        return sum(len(a.runs) for a in self.archs)

    @property
    def unit(self) -> str:
        """The target's unit as printed after numbers ("°C" for degC)."""
        return {"degC": "°C", "degF": "°F"}.get(self.task.target_unit, self.task.target_unit)

    @property
    def grid(self) -> tuple[ArchResult, ...]:
        return tuple(a for a in self.archs if a.in_grid)

    @property
    def frontier(self) -> tuple[ArchResult, ...]:
        return tuple(sorted((a for a in self.archs if a.in_frontier), key=lambda a: a.info.layers))

    @property
    def failed_runs(self) -> int:
        return sum(len(a.failed_seeds) for a in self.archs)

    def arch(self, name: str) -> ArchResult:
        return next(a for a in self.archs if a.name == name)

    def strongest_baseline(self) -> BaselineResult | None:
        """The recorded baseline with the lowest validation MAE (chosen on validation, not test)."""
        return min(self.baselines, key=lambda b: b.val_mae) if self.baselines else None

    def rows(self) -> list[dict]:
        """One flat row per trained model (the report's results.csv)."""
        return [run_row(a.info, r) for a in self.archs for r in a.runs]


def load_results(path: str | Path) -> StudyResults:
    """Read a study's store (a folder or the .sqlite file) into `StudyResults`."""
    with ResultsStore.open(path) as store:
        plan = store.plan()
        infos = store.architectures()
        units = store.units()
        study = store.study_info()
        task = store.task_info()
        legend = store.bound_legend()
    require(
        any(u.result.runs for u in units) and task is not None and study is not None,
        f"the store at {str(path)!r} holds no finished runs yet; run the study",
    )
    assert task is not None and study is not None  # for the type checker: required just above
    runs: dict[str, list[RunResult]] = {}
    memo: dict[str, list[MemorizationResult]] = {}
    baselines: dict[str, BaselineResult] = {}
    depth: dict[str, DepthRow] = {}
    for u in units:
        if u.result.depth is not None:
            depth.setdefault(u.result.depth.arch, u.result.depth)
        runs.setdefault(u.result.arch, []).extend(u.result.runs)
        if u.result.memorization is not None:
            memo.setdefault(u.result.arch, []).append(u.result.memorization)
        for b in u.result.baselines:
            baselines.setdefault(b.name, b)
    archs = tuple(
        ArchResult(
            info,
            tuple(sorted(runs[name], key=lambda r: r.seed)),
            tuple(memo.get(name, ())),
            task.persistence.train,
        )
        for name, info in infos.items()
        if runs.get(name)
    )
    return StudyResults(
        study=study,
        task=task,
        archs=archs,
        planned_runs=sum(len(p.seeds) for p in plan),
        legend=legend,
        baselines=tuple(baselines.values()),
        depth=group_depth_rows(depth.values()),
    )
