"""Whether a capacity measurement converged: the same point at twice the training budget.

An under-trained network memorizes fewer bits and shatters fewer points, so a measurement at one
budget is a lower bound that may still be far from the architecture's capacity. The rule (issue
11): measure again with twice the epochs; "converged" when the figure rises by less than 5 %,
otherwise "budget-limited (+x% at 2x)". Every output that states a capacity carries this verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rnncap.errors import require

#: The relative rise at twice the budget below which a measurement counts as converged.
CONVERGED_BELOW = 0.05
CONVERGED = "converged"


@dataclass(frozen=True)
class Convergence:
    """A measured value at a budget and at twice that budget, and the verdict they give."""

    value: float
    doubled: float

    def __post_init__(self) -> None:
        for name in ("value", "doubled"):
            v = getattr(self, name)
            require(math.isfinite(v) and v >= 0, f"a measured {name} is finite and >= 0; got {v}")

    @property
    def rise(self) -> float:
        """(doubled - value) / value; +inf when the budget measured 0 and twice it more."""
        if self.value == 0:
            return math.inf if self.doubled > 0 else 0.0
        return (self.doubled - self.value) / self.value

    @property
    def converged(self) -> bool:
        return self.rise < CONVERGED_BELOW

    @property
    def verdict(self) -> str:
        """'converged' or 'budget-limited (+x% at 2x)'."""
        if self.converged:
            return CONVERGED
        rise = "+inf%" if math.isinf(self.rise) else f"+{100 * self.rise:.0f}%"
        return f"budget-limited ({rise} at 2x)"

    def to_dict(self) -> dict:
        return {
            "at_budget": self.value,
            "at_double_budget": self.doubled,
            "rise": None if math.isinf(self.rise) else self.rise,
            "converged": self.converged,
            "verdict": self.verdict,
            "rule": f"converged when the value rises by less than {CONVERGED_BELOW:.0%} "
            "at twice the budget",
        }
