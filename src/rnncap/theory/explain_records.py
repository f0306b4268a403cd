"""The records `rnncap.theory.explain` returns: the figures of each architecture, measured
capacities it quotes, the direct answer to "is VC(B) = (L_B / L_A) x VC(A)?" and the whole
explanation (`rnncap explain --json` writes them with `rnncap.plain.to_plain`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from rnncap.errors import require
from rnncap.theory.evaluate import CompareRow


@dataclass(frozen=True)
class Figures:
    """What the bounds depend on, for one architecture."""

    arch: str
    w: int
    layers: int
    units: int  # hidden units summed over layers
    min_width: int
    unrolled_units: int  # U
    path: int
    input_size: int
    seq_len: int
    first_layer_w: int  # parameters of layer 1 (all directions)
    later_layer_w: int  # parameters of each later layer (0 for one layer), head excluded


@dataclass(frozen=True)
class Measured:
    """A capacity measured for A and for B (e.g. VC-dimension estimates h from
    `rnncap.capacity`), quoted by the direct answer as the ratio h(B) / h(A)."""

    what: str  # "VC-dimension estimate (Vapnik–Levin–LeCun fit)"
    a: float
    b: float
    source: str = ""  # how it was measured: command, budget, seed

    def __post_init__(self) -> None:
        require(bool(self.what), "a measured value needs a name, e.g. 'VC-dimension estimate'")
        for name in ("a", "b"):
            v = getattr(self, name)
            require(
                isinstance(v, (int, float)) and math.isfinite(v) and v > 0,
                f"measured {self.what} of {name.upper()} must be a number > 0; got {v!r}",
            )

    PLAIN_EXTRA: ClassVar = ("ratio",)  # `rnncap.plain.to_plain` writes them after the fields

    @property
    def ratio(self) -> float:
        return self.b / self.a


@dataclass(frozen=True)
class DirectAnswer:
    """ "Is VC(B) = (L_B / L_A) x VC(A)?", answered from the pair's figures."""

    question: str
    established: bool  # always False: no published result states such a law
    layer_factor: float
    w_ratio: float
    units_ratio: float
    path_ratio: float
    #: W·L·log W of the untied unrolled ReLU networks, B over A (DERIVED); None when the depth
    #: results do not cover A or B (not piecewise linear, or a layering that is not derived)
    feedforward_ratio: float | None
    lower: dict[str, float]  # bound key -> ratio of its expression
    upper: dict[str, float]
    measured: tuple[Measured, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    a: Figures
    b: Figures
    lines: tuple[str, ...]
    rows: tuple[CompareRow, ...]
    answer: DirectAnswer

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rnncap explain --json`)
        "a": "a",
        "b": "b",
        "answer": "lines",
        "direct_answer": "answer",
        "bounds": "rows",
    }
