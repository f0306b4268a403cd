"""The tuned memorization protocol: a sweep per point, and convergence read from a budget curve.

For every (b, seed), the sweep's learning rates x schedules x restarts train as members of one
engine call and I(b) is the best member's (Collins et al. tuned every point). The whole measurement
runs at 3 (``budgets``) or more budgets, each twice the last: the capacity is the last run's, and
the verdict of `rnncap.capacity.convergence` reads the last doubling over the seeds (converged,
budget-limited, unstable or unverified). With ``max_epochs`` above the last of those budgets, the
budget keeps doubling while budget-limited: the ladder of runs is the curve of capacity against
budget.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rnncap.arch import RecurrentSpec
from rnncap.capacity.checks import positive_int
from rnncap.capacity.convergence import BUDGET_LIMITED, MAX_BUDGETS, MIN_BUDGETS, Convergence
from rnncap.capacity.identifiable import identifiable_summary
from rnncap.capacity.memorize import (
    COLLINS_BITS_PER_PARAMETER,
    DENOMINATOR,
    MemorizationResult,
    default_memorization_settings,
    measure_memorization,
)
from rnncap.capacity.sweep import Sweep, encoding_label
from rnncap.capacity.training import DEFAULT_MAX_SAMPLES, Progress
from rnncap.engine.settings import MAX_EPOCHS
from rnncap.errors import check_int, require
from rnncap.plain import to_plain

#: The default sweep: three learning rates x two decaying schedules (cosine, one-cycle), once.
DEFAULT_SWEEP = Sweep((0.003, 0.01, 0.03), ("cosine", "onecycle"), 1)
DEFAULT_EPOCHS = 2000


@dataclass(frozen=True)
class TunedMemorization:
    """Memorization measured at doubling budgets; the last run is the capacity, the last two (over
    seeds, with the whole ladder) give the verdict."""

    at_budget: MemorizationResult
    at_double: MemorizationResult
    epochs: int
    sweep: Sweep
    ladder: tuple[MemorizationResult, ...] = ()  # every run, by rising budget (ends at at_double)

    DENOMINATOR: ClassVar = DENOMINATOR
    REFERENCE_BITS_PER_PARAMETER: ClassVar = COLLINS_BITS_PER_PARAMETER
    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`memorize --json`, tuned)
        "arch": "arch",
        "parameters": "parameters",
        "input_encoding": "encoding",
        "protocol": "protocol",
        "capacity_bits": "capacity",
        "bits_per_parameter": "bits_per_parameter",
        "denominator": "DENOMINATOR",
        "identifiable": "identifiable",
        "verdict": "verdict",
        "converged": "converged",
        "convergence": "convergence",
        "budget": "budget",
        "budget_curve": "curve",
        "reference_bits_per_parameter": "REFERENCE_BITS_PER_PARAMETER",
        "at_budget": "at_budget",
        "at_double_budget": "at_double",
    }

    @property
    def runs(self) -> tuple[MemorizationResult, ...]:
        return self.ladder or (self.at_budget, self.at_double)

    @property
    def convergence(self) -> Convergence:
        """The verdict from the per-seed capacity at every budget of the ladder."""
        seeds = self.at_double.seeds
        return Convergence(tuple(tuple(r.capacity_by_seed()[s] for s in seeds) for r in self.runs))

    @property
    def verdict(self) -> str:
        return self.convergence.verdict

    @property
    def converged(self) -> bool:
        return self.convergence.converged

    @property
    def arch(self) -> str:
        return self.at_double.arch

    @property
    def parameters(self) -> int:
        return self.at_double.parameters

    @property
    def identifiable(self) -> dict | None:
        """The identifiable count beside w, and bits per identifiable parameter."""
        spec = self.at_double.spec
        return None if spec is None else identifiable_summary(spec, self.capacity)

    @property
    def capacity(self) -> dict:
        """Bits over seeds (mean, std, min, max) at twice the budget."""
        return self.at_double.capacity

    @property
    def bits_per_parameter(self) -> dict:
        return self.at_double.bits_per_parameter

    def capacity_by_seed(self) -> dict[int, float]:
        return self.at_double.capacity_by_seed()

    @property
    def budget(self) -> dict:
        """Steps and grid of the measurement (full batch: one optimizer step per epoch)."""
        return {
            "epochs": self.epochs,
            "steps": self.epochs,
            "doubled_epochs": 2 * self.epochs,
            "budget_epochs": [r.training["epochs"] for r in self.runs],
            "sample_sizes": list(self.at_double.sample_sizes),
            **to_plain(self.sweep),
        }

    def curve(self) -> list[dict]:
        """Capacity against budget: per run of the ladder, its epochs and bits over seeds."""
        runs = self.runs
        return [
            {"epochs": r.training["epochs"], "capacity_bits": r.capacity,
             "bits_per_parameter": r.bits_per_parameter}
            for r in runs
        ]  # fmt: skip

    @property
    def encoding(self) -> str:
        return self.sweep.encoding

    @property
    def protocol(self) -> str:
        return encoding_label(self.sweep.encoding)


def _share(progress: Progress | None, before: int, length: int, whole: int) -> Progress | None:
    """One run's (done, total) reported as epochs per member of the whole measurement: the run
    covers `length` of `whole` epochs, after `before` already done."""
    if progress is None:
        return None
    return lambda done, total: progress(before + round(length * done / max(total, 1)), whole)


def _ladder_range(epochs: int, budgets: int, max_epochs: int | None) -> tuple[int, int, int]:
    """The first budget, the fewest budgets and the most epochs one run may train, checked
    before any training (a run past `MAX_EPOCHS` would fail half-way)."""
    epochs = positive_int(epochs, "epochs", "e.g. epochs=2000")
    budgets = check_int(budgets, "budgets", low=2, high=MAX_BUDGETS, hint="e.g. budgets=3")
    least = epochs * 2 ** (budgets - 1)
    top = least if max_epochs is None else positive_int(max_epochs, "max epochs", "max_epochs=")
    require(
        top >= least,
        f"max epochs ({top}) must reach the last of {budgets} doubling budgets ({least})",
    )
    require(
        top <= MAX_EPOCHS,
        f"the last budget would train {top:,} epochs, over the limit of {MAX_EPOCHS:,} per run; "
        "lower epochs= or max_epochs=",
    )
    return epochs, budgets, top


def _budget_limited(runs: list[MemorizationResult]) -> bool:
    """Whether the curve rule over the budgets run so far still says budget-limited."""
    seeds = runs[-1].seeds
    check = Convergence(tuple(tuple(r.capacity_by_seed()[s] for s in seeds) for r in runs))
    return check.status == BUDGET_LIMITED


def tuned_memorization(
    spec: RecurrentSpec,
    sample_sizes: Sequence[int] | None = None,
    seeds: int | Sequence[int] = 3,
    *,
    epochs: int = DEFAULT_EPOCHS,
    budgets: int = MIN_BUDGETS,
    max_epochs: int | None = None,
    time_limit: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sweep: Sweep | None = None,
    settings=None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: Progress | None = None,
    on_run: Callable[[MemorizationResult], None] | None = None,
    device: str | None = None,
) -> TunedMemorization:
    """Measure memorization with a sweep per point, at `epochs`, 2 x `epochs`, 4 x ... (and on).

    Parameters
    ----------
    spec, sample_sizes, seeds, max_samples, device
        As in `measure_memorization`.
    epochs : int
        The first budget: full-batch epochs (optimizer steps) per member.
    budgets : int, default 3
        The fewest budgets measured (epochs x 1, 2, 4, ...); the verdict needs 3.
    max_epochs : int, optional
        While budget-limited, keep doubling the budget as long as the next run's epochs stay
        within this (default: the last of the `budgets`, no further doubling).
    time_limit : float, optional
        Seconds of `clock`: start no further doubling whose run, estimated at twice the last
        run's time, would end past this.
    clock : callable, default time.monotonic
        Wall time; `time.process_time` (CPU seconds of this process) on a shared machine.
    sweep : Sweep, optional
        Default `DEFAULT_SWEEP` (learning rates 0.003, 0.01, 0.03 x constant, one-cycle).
    settings : engine TrainSettings, optional
        Everything else about training (clip, weight decay); default
        `default_memorization_settings()`. Its epochs, lr and schedule are replaced.
    on_run : callable, optional
        Called with each run of the ladder as it finishes (a long measurement's partial curve).
    """
    epochs, budgets, top = _ladder_range(epochs, budgets, max_epochs)
    sweep = sweep or DEFAULT_SWEEP
    base = settings or default_memorization_settings()
    planned = epochs * (2 ** (1 + (top // epochs).bit_length()) - 1)  # epochs of a full ladder

    def measure(length: int, done: int) -> MemorizationResult:
        return measure_memorization(
            spec, sample_sizes, seeds, settings=dataclasses.replace(base, epochs=length),
            sweep=sweep, max_samples=max_samples, device=device,
            progress=_share(progress, done, length, planned),
        )  # fmt: skip

    runs, last = _ladder(measure, epochs, budgets, top, time_limit, clock, on_run)
    return TunedMemorization(runs[-2], runs[-1], last // 2, sweep, tuple(runs))


def _ladder(
    measure: Callable[[int, int], MemorizationResult],
    epochs: int,
    budgets: int,
    top: int,
    time_limit: float | None,
    clock: Callable[[], float],
    on_run: Callable[[MemorizationResult], None] | None,
) -> tuple[list[MemorizationResult], int]:
    """`measure(length, epochs done)` at `epochs`, twice, four times ...: at least `budgets`
    runs, then on while budget-limited, within `top` epochs and the time limit; the runs and
    the last one's epochs."""
    start, runs, done, last_time = clock(), [], 0, 0.0
    length = epochs
    while True:
        began = clock()
        runs.append(measure(length, done))
        done, last_time = done + length, clock() - began
        if on_run is not None:
            on_run(runs[-1])
        if len(runs) < budgets:
            length *= 2
            continue
        late = time_limit is not None and clock() - start + 2 * last_time > time_limit
        if not _budget_limited(runs) or 2 * length > top or late:
            break
        length *= 2
    return runs, length
