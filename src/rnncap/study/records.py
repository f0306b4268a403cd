"""Typed records of a study's results: what a unit of work returns and what the store holds.

`rnncap.study.unit.run_unit` returns a `UnitResult`; the store writes it as JSON and reads it
back under its schema version with the one converter, `rnncap.plain` (`to_plain`, `from_plain`);
the report reads these records alone, by attribute, never by string key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from rnncap.capacity.atlas.grid import AtlasPoint
from rnncap.capacity.depth import DepthRow
from rnncap.engine.bookkeeping import Status


class Measure(str, Enum):
    """What a study can record: per architecture (counts, bounds) or per trained model."""

    COUNTS = "counts"
    BOUNDS = "bounds"
    FORECAST = "forecast"
    NORMS = "norms"
    MEMORIZATION = "memorization"
    DEPTH = "depth"  # VC and memorization of the frontier's cell at a fixed small width
    COMPLEXITY = "complexity"  # every complexity measure of each model (`rnncap.measures`)


#: Measures recorded by training (the others are computed on the driver, per architecture).
RUN_MEASURES = (
    Measure.FORECAST, Measure.NORMS, Measure.MEMORIZATION, Measure.DEPTH, Measure.COMPLEXITY,
)  # fmt: skip
#: Measures a study file must ask for (not in the default list): slow, or for a special study.
OPT_IN_MEASURES = (Measure.DEPTH, Measure.COMPLEXITY)


class MemorizationVerdict(str, Enum):
    """The convergence verdict of a memorization measurement (`rnncap.capacity.convergence`)."""

    CONVERGED = "converged"
    BUDGET_LIMITED = "budget-limited"
    UNSTABLE = "unstable"  # the last doubling of the budget fell: no plateau
    UNVERIFIED = "unverified"  # fewer than 3 budgets or 3 seeds: the rule cannot say converged
    UNCHECKED = "unchecked"  # recorded before convergence was checked: not a measurement to quote


@dataclass(frozen=True)
class SplitErrors:
    """Mean absolute error on each split, in the target's physical unit.

    ``holdout`` is the error on the same-season holdout weeks (`rnncap.data.holdout`), None
    when the task has none.
    """

    train: float
    val: float
    test: float
    holdout: float | None = None

    @property
    def gap(self) -> float:
        """Generalization gap across the change of season: test minus train MAE."""
        return self.test - self.train

    @property
    def gap_iid(self) -> float | None:
        """In-distribution generalization gap: holdout minus train MAE (None without one)."""
        return None if self.holdout is None else self.holdout - self.train

    @property
    def val_gap(self) -> float:
        return self.val - self.train


@dataclass(frozen=True)
class WeightNorms:
    """Summary weight measures of a trained model (`rnncap.capacity.norms`), whole matrices."""

    spectral_max: float
    recurrent_spectral_max: float
    frobenius: float
    stable_rank_mean: float
    distance_from_init: float | None = None
    relative_distance_from_init: float | None = None


@dataclass(frozen=True)
class ForecastSample:
    """The first test forecasts of output 0 beside the observations, in physical units."""

    times: tuple[str, ...]
    truth: tuple[float, ...]
    pred: tuple[float, ...]


@dataclass(frozen=True)
class RunResult:
    """One trained model (one seed of a unit): how training ended and what was measured.

    ``attempts`` counts initialisations tried (more than 1 when the recipe retried a failed fit).
    ``axes`` holds the model's hyperparameters as the engine used them (cell, layers, units from
    its spec; lr, batch_size, dropout, weight_decay, epochs from its settings; train_fraction of
    its recipe) and ``train_windows`` the training windows it was given.
    ``measures`` holds its complexity measures (`rnncap.measures.model_measures`; a measure
    that cannot be computed is absent, never 0), empty unless the study asked for them.
    """

    seed: int
    status: Status  # why training stopped
    best_epoch: int
    epochs: int
    errors: SplitErrors | None = None
    norms: WeightNorms | None = None
    forecast: ForecastSample | None = None
    attempts: int = 1
    axes: dict[str, float | int | str] = field(default_factory=dict)
    train_windows: int | None = None
    measures: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))  # a stored string becomes typed

    @property
    def still_improving(self) -> bool:
        """Stopped by the epoch budget with its best validation loss at the last epoch."""
        return self.status is Status.MAX_EPOCHS and self.best_epoch == self.epochs

    def failed_fit(self, persistence_train_mae: float) -> bool:
        """Worse than persistence on its own training data (or non-finite): not a fitted model."""
        if self.errors is None:
            return False
        return not math.isfinite(self.errors.train) or self.errors.train > persistence_train_mae


@dataclass(frozen=True)
class BaselineResult:
    """A reference forecaster scored on the same windows (e.g. persistence, climatology)."""

    name: str
    val_mae: float
    test_mae: float


@dataclass(frozen=True)
class MemorizationResult:
    """Collins et al. memorization of a network of the unit's cell and depth at a small budget."""

    arch: str  # the memorization network (not the forecaster)
    parameters: int
    budget: int
    epochs: int
    sample_sizes: tuple[int, ...]
    bits_per_parameter_by_seed: dict[int, float]
    limited_by_grid: bool
    verdict: MemorizationVerdict = MemorizationVerdict.UNCHECKED

    @property
    def bits_per_parameter(self) -> float:
        values = list(self.bits_per_parameter_by_seed.values())
        return sum(values) / len(values) if values else math.nan


@dataclass(frozen=True)
class UnitResult:
    """What one unit of work (an architecture x a chunk of seeds) returns to the driver.

    ``node`` is the Ray node id that ran the final attempt (None outside Ray); ``attempts`` counts
    the times the executor started the unit (more than 1 when a node was lost or a try failed).
    """

    arch: str
    device: str
    seconds: float
    runs: tuple[RunResult, ...]
    memorization: MemorizationResult | None = None
    baselines: tuple[BaselineResult, ...] = ()
    depth: DepthRow | None = None  # this depth of the fixed-width depth measurement
    node: str | None = None
    attempts: int = 1
    capacity_seconds: float = 0.0  # of `seconds`: the memorization and depth measurements
    atlas_points: tuple[AtlasPoint, ...] = ()  # a capacity-atlas unit's, one per seed

    @property
    def mean_test_mae(self) -> float | None:
        maes = [r.errors.test for r in self.runs if r.errors and math.isfinite(r.errors.test)]
        return sum(maes) / len(maes) if maes else None


@dataclass(frozen=True)
class FailedUnit:
    """A unit that failed on every one of its attempts: the last error (one line), where it ran.

    ``node`` is None when the last attempt was lost with its node or worker (no node answered).
    """

    key: str
    arch: str
    seeds: tuple[int, ...]
    error: str
    attempts: int
    node: str | None = None


@dataclass(frozen=True)
class BoundValue:
    """One catalog bound evaluated for an architecture (for m training windows)."""

    key: str
    status: str
    derived: bool
    citation: str  # short form: "Koiran & Sontag 1998, Theorem 5"
    text: str  # the evaluated result as the theory room writes it
    log10: float | None
    vacuous: bool


@dataclass(frozen=True)
class ArchInfo:
    """One planned architecture: exact counts, unrolled graph, bounds and bound ratios.

    ``ratios[group][key]`` is log10 of bound ``key`` over the group's one-layer reference.
    """

    arch: str
    spec: dict  # the RecurrentSpec as plain values (`rnncap.plain.to_plain`)
    cell: str
    layers: int
    units: tuple[int, ...]
    groups: tuple[str, ...]
    references: dict[str, str]
    budget: int | None
    params: int
    recurrent_params: int
    per_layer: tuple[int, ...]
    nonlinear_units: int
    longest_path: int
    bounds: tuple[BoundValue, ...] = ()
    ratios: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class BoundNote:
    """What the report's legend says about a bound key: where it is from and how sure it is."""

    key: str
    name: str
    citation: str
    status: str
    derived: bool
    caveat: str = ""


@dataclass(frozen=True)
class TaskInfo:
    """The study's task as the report describes it, and persistence's errors on its splits."""

    description: str
    target: str
    target_unit: str
    input_size: int
    outputs: int
    windows: dict[str, int]
    persistence: SplitErrors
    task: dict  # the resolved rnncap.data.Task fields (plain values)
    missing_baselines: tuple[str, ...] = ()  # one line per baseline left out (package missing)


@dataclass(frozen=True)
class StudyInfo:
    """How the study was run, in words the report prints as they are."""

    name: str
    seeds: tuple[int, ...]
    training: str  # ForecastSettings.describe(): "Adam on mean squared error (mse), learning ..."


@dataclass(frozen=True)
class PhaseTimes:
    """Where a study run's time went, in seconds, for docs/study.md and `rnncap study`'s last
    lines. The units' phases are summed over the units run now (across workers, so they may
    exceed the wall time, `units_wall`); the baselines are fitted on the driver beside them."""

    setup: float  # the task, the plan and the theory's bounds, before any unit starts
    forecast_units: float  # the units' training, forecasts and weight norms
    capacity: float  # the units' memorization and depth measurements
    baselines: float  # the task's baselines (0 when none were needed or cached)
    units_wall: float  # from the first unit started to the last one recorded
