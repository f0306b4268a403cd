"""Equal-budget frontier: at each depth, the width whose exact count is closest to a budget.

A uniform stack at depth L has widths ``(h,) * L``; a tapering stack halves the width at each
layer, ``(h, h // 2, h // 4, ...)`` with a floor of 1. In both cases the exact count grows
strictly with the first width h, so an exponential then binary search over integers finds the
two widths around the budget exactly; the closer one wins (ties go to the smaller model, which
stays within budget).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rnncap.arch.counts import total_parameters
from rnncap.arch.spec import MAX_LAYERS, RecurrentSpec
from rnncap.errors import check_int, check_int_list, require


def taper_widths(first: int, layers: int) -> tuple[int, ...]:
    """``(h, h // 2, h // 4, ...)`` over `layers` layers, never below 1."""
    return tuple(max(1, first >> i) for i in range(layers))


@dataclass(frozen=True)
class FrontierPoint:
    """The architecture at one depth whose parameter count is closest to the budget."""

    spec: RecurrentSpec
    budget: int
    parameters: int

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rnncap frontier --json`)
        "arch": "spec.name",
        "layers": "layers",
        "hidden_sizes": "spec.hidden_sizes",
        "parameters": "parameters",
        "difference": "difference",
        "relative_difference": "relative_difference",
    }

    def __post_init__(self) -> None:
        require(self.parameters == total_parameters(self.spec), "frontier count must be exact")

    @property
    def layers(self) -> int:
        return self.spec.num_layers

    @property
    def difference(self) -> int:
        """``parameters - budget`` (negative: under budget)."""
        return self.parameters - self.budget

    @property
    def relative_difference(self) -> float:
        return self.difference / self.budget


def _count(template: RecurrentSpec, layers: int, first: int, taper: bool) -> int:
    sizes = taper_widths(first, layers) if taper else (first,) * layers
    return total_parameters(template.replace(hidden_sizes=sizes))


def closest_width(template: RecurrentSpec, budget: int, layers: int, taper: bool = False) -> int:
    """The first-layer width h >= 1 at depth `layers` whose count is closest to `budget`."""
    low = 1  # invariant once the search starts: count(low) <= budget < count(high)
    if _count(template, layers, low, taper) >= budget:
        return low
    high = 2
    while _count(template, layers, high, taper) <= budget:
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        if _count(template, layers, mid, taper) <= budget:
            low = mid
        else:
            high = mid
    below = budget - _count(template, layers, low, taper)
    above = _count(template, layers, high, taper) - budget
    return low if below <= above else high


def frontier(
    template: RecurrentSpec, budget: int, depths: Iterable[int], taper: bool = False
) -> tuple[FrontierPoint, ...]:
    """For each depth, the stack like `template` (cell, d, head, convention...) closest to `budget`.

    Raises `InvalidInput` when the budget is below the smallest model (width 1) at a depth.
    """
    depths = tuple(depths)
    check_int(budget, "budget", low=1, hint="e.g. budget=50000")
    require(template.proj_size == 0, "the frontier searches stacks without proj size; drop it")
    require(len(depths) >= 1, "give at least one depth (e.g. depths=(1, 2, 3))")
    check_int_list(depths, "depths", low=1, high=MAX_LAYERS, hint="e.g. depths=(1, 2, 3)")
    points = []
    for depth in depths:
        smallest = _count(template, depth, 1, taper)
        require(
            budget >= smallest,
            f"budget {budget:,} is below the smallest {template.cell.value} model at depth "
            f"{depth} ({smallest:,} parameters at width 1); raise budget= to at least "
            f"{smallest:,} or use fewer layers",
        )
        first = closest_width(template, budget, depth, taper)
        sizes = taper_widths(first, depth) if taper else (first,) * depth
        spec = template.replace(hidden_sizes=sizes)
        points.append(FrontierPoint(spec, budget, total_parameters(spec)))
    return tuple(points)
