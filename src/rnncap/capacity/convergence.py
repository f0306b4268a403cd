"""Whether a capacity measurement converged, read from its curve against the training budget.

An under-trained network memorizes fewer bits and shatters fewer points, so a measurement at one
budget is a lower bound that may still be far from the architecture's capacity. The rule (issue
23): measure at 3 or more budgets, each twice the last, with 3 or more seeds. Per seed, the
relative rise of the last doubling; its mean is "the rise" and a Student-t interval over the
seeds says how well the seeds pin it down. The verdict:

* "converged": the rise is under 5 % and so is the upper end of its 95 % interval;
* "unstable": the last doubling fell (a mean rise below 0, however small): more training gave
  less, so the figure is not a plateau, never "converged";
* "budget-limited": the rise is 5 % or more, or its interval reaches 5 % (it may still rise);
* "unverified": otherwise, when the curve has fewer than 3 budgets or 3 seeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rnncap.errors import require

#: The relative rise of the last doubling below which (mean and interval) a measurement converged.
CONVERGED_BELOW = 0.05
#: The fewest budgets (doublings + 1) and seeds a "converged" verdict needs.
MIN_BUDGETS = 3
MIN_SEEDS = 3
#: The most budgets a measurement may ask for (its last trains 2^(budgets - 1) x the first).
MAX_BUDGETS = 8
#: The confidence of every interval the capacity measures report.
CONFIDENCE = 0.95
INTERVAL_METHOD = "Student-t 95% interval of the mean over seeds"
CONVERGED, BUDGET_LIMITED, UNSTABLE, UNVERIFIED = (
    "converged", "budget-limited", "unstable", "unverified",
)  # fmt: skip


def t_interval(
    values: Sequence[float], confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """mean -/+ t_{(1 + c)/2, n - 1} s / sqrt(n) (s: sample std); None for fewer than 2 values,
    (mean, mean) when they are all equal."""
    from scipy import stats

    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    s = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * s / math.sqrt(n)
    return mean - half, mean + half


def _rise(before: float, after: float) -> float:
    if before == 0:
        return math.inf if after > 0 else 0.0
    return (after - before) / before


def _percent(x: float) -> str:
    return "+inf%" if math.isinf(x) else f"{100 * x:+.0f}%"


@dataclass(frozen=True)
class Convergence:
    """Per-seed values at doubling budgets (``curve[i][s]``: budget i, rising, and seed s) and the
    verdict of the last doubling."""

    curve: tuple[tuple[float, ...], ...]

    RULE: ClassVar = (
        f"converged when the last of >= {MIN_BUDGETS} doubling budgets rose by less "
        f"than {CONVERGED_BELOW:.0%} (mean over >= {MIN_SEEDS} seeds) and the upper end of "
        f"the {INTERVAL_METHOD} of that rise is below {CONVERGED_BELOW:.0%}; a fall is unstable"
    )
    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes
        "curve_by_budget": "curve",
        "at_budget": "value",
        "at_double_budget": "doubled",
        "rise": "finite_rise",
        "rise_by_seed": "finite_rises",
        "rise_ci95": "interval",
        "status": "status",
        "converged": "converged",
        "verdict": "verdict",
        "rule": "RULE",
    }

    def __post_init__(self) -> None:
        curve = tuple(tuple(float(v) for v in row) for row in self.curve)
        require(len(curve) >= 2, "a convergence check needs at least 2 budgets")
        require(len({len(r) for r in curve}) == 1 and len(curve[0]) >= 1, "one value per seed")
        for row in curve:
            for v in row:
                require(math.isfinite(v) and v >= 0, f"a measured value is finite, >= 0; got {v}")
        object.__setattr__(self, "curve", curve)

    @classmethod
    def of(cls, value: float, doubled: float) -> Convergence:
        """One seed at two budgets (a record made before the curve rule)."""
        return cls(((value,), (doubled,)))

    @property
    def budgets(self) -> int:
        return len(self.curve)

    @property
    def seeds(self) -> int:
        return len(self.curve[0])

    @property
    def value(self) -> float:
        """The mean at the second-last budget."""
        return math.fsum(self.curve[-2]) / self.seeds

    @property
    def doubled(self) -> float:
        """The mean at the last budget: the reported figure."""
        return math.fsum(self.curve[-1]) / self.seeds

    @property
    def rises(self) -> tuple[float, ...]:
        """Per seed, the relative rise of the last doubling."""
        return tuple(_rise(a, b) for a, b in zip(self.curve[-2], self.curve[-1], strict=True))

    @property
    def rise(self) -> float:
        """The mean over seeds of the last doubling's relative rise."""
        rises = self.rises
        return math.inf if any(map(math.isinf, rises)) else math.fsum(rises) / len(rises)

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95 % t-interval of the rise over seeds (None: one seed, or an infinite rise)."""
        return None if math.isinf(self.rise) else t_interval(self.rises)

    @property
    def status(self) -> str:
        rise, interval = self.rise, self.interval
        if rise < 0:
            return UNSTABLE
        if rise >= CONVERGED_BELOW or (interval is not None and interval[1] >= CONVERGED_BELOW):
            return BUDGET_LIMITED
        if self.budgets < MIN_BUDGETS or self.seeds < MIN_SEEDS:
            return UNVERIFIED
        return CONVERGED

    @property
    def converged(self) -> bool:
        return self.status == CONVERGED

    @property
    def verdict(self) -> str:
        """'converged', 'unstable (-x% at 2x)', 'budget-limited (+x% at 2x[, 95% interval up to
        +y%])' or 'unverified (B budgets x S seeds; ...)'."""
        status, interval = self.status, self.interval
        if status == CONVERGED:
            return CONVERGED
        rise = _percent(self.rise)
        if status == UNSTABLE:
            return f"{UNSTABLE} ({rise} at 2x: a fall is no plateau)"
        if status == BUDGET_LIMITED:
            if self.rise < CONVERGED_BELOW and interval is not None:
                return (
                    f"{BUDGET_LIMITED} ({rise} at 2x, 95% interval up to {_percent(interval[1])})"
                )
            return f"{BUDGET_LIMITED} ({rise} at 2x)"
        return (
            f"{UNVERIFIED} ({rise} at 2x over {self.budgets} budgets x {self.seeds} seeds; "
            f"the rule needs >= {MIN_BUDGETS} of each)"
        )

    @property
    def finite_rise(self) -> float | None:
        """`rise`, None where it is infinite (JSON has no infinity)."""
        return None if math.isinf(self.rise) else self.rise

    @property
    def finite_rises(self) -> list[float | None]:
        """`rises`, None where one is infinite."""
        return [None if math.isinf(r) else r for r in self.rises]
