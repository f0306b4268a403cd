"""The records of the bound catalog: citations, bounds and results, and the catalog itself.

Every bound family lives in its own module and registers its `Bound` records here with `register`;
`catalog()` returns them all. A bound's `evaluate(ctx)` returns a `Result` that is one of:

* ``explicit``: a number, kept as log10 so that w = 1e9, k = 1e6 cannot overflow;
* ``order``: an order-of-growth expression with the numbers substituted, never a number of points
  (its log10 is kept only to form ratios between architectures, where the constant cancels);
* ``not_applicable``: with the reason (activation not covered, missing weights...).

The context a bound is evaluated in is `rnncap.theory.context`, the activation classes of the
cells `rnncap.theory.cells`, the log-space number formats `rnncap.theory.numbers`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, ClassVar

from rnncap.arch import Cell
from rnncap.errors import InvalidInput, require
from rnncap.theory.cells import GATED, Activation, activation_classes
from rnncap.theory.context import Context
from rnncap.theory.numbers import fmt_log10


class Status(str, Enum):
    """How far a statement was checked (theory.md section 0.1)."""

    STATED_VERIFIED = "STATED-VERIFIED"
    STATED_SECONDARY = "STATED-SECONDARY"
    ABSTRACT_ONLY = "ABSTRACT-ONLY"
    UNVERIFIED = "UNVERIFIED"
    DERIVED = "DERIVED"


class Quantity(str, Enum):
    VC = "VC dimension"
    PDIM = "pseudo-dimension"
    GAP = "generalization gap"
    SAMPLES = "sample size"
    MEMORY = "memorization capacity"
    GROWTH = "growth function"


class Direction(str, Enum):
    LOWER = "lower"
    UPPER = "upper"
    TIGHT = "tight"
    ESTIMATE = "empirical estimate"


class Form(str, Enum):
    EXPLICIT = "explicit"  # constants known: may be printed as a number
    ORDER = "order"  # unknown constants: printed as an expression only


DERIVED_LABEL = "derived by rnncap (not a published theorem)"
#: Regression notes (theory.md 4.6): the adjustment carries over to upper bounds only.
PDIM_UPPER_NOTE = (
    "pseudo-dimension: Pdim <= VCdim of the net with one more parameter and one more layer "
    "(theory.md 4.6), so evaluated at w + 1"
)
PDIM_LOWER_NOTE = (
    "pseudo-dimension: VCdim <= Pdim, so a VC lower bound is a Pdim lower bound (at w)"
)


@dataclass(frozen=True)
class Citation:
    """Where a result is stated: authors, year, title, venue and the theorem or equation."""

    authors: str
    year: int
    title: str
    venue: str
    locator: str  # "Theorem 2.2", "Corollary 3.19", "abstract"...

    def __post_init__(self) -> None:
        for name in ("authors", "title", "venue", "locator"):
            require(bool(getattr(self, name)), f"citation needs a {name}")

    def short(self) -> str:
        """ "Koiran & Sontag 1998, Theorem 5"; three or more authors become "First et al."."""
        authors = self.authors
        if "," in authors:
            authors = authors.split(",")[0] + " et al."
        locator = self.locator.split(" (")[0].split(";")[0]
        return f"{authors} {self.year}, {locator}"

    def __str__(self) -> str:
        return f'{self.authors} ({self.year}). "{self.title}." {self.venue}. {self.locator}.'


class Kind(str, Enum):
    EXPLICIT = "explicit"
    ORDER = "order"
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class Result:
    """What one bound says about one context.

    ``log10`` is the value for explicit results; for order results it is the log10 of the bare
    expression (constant excluded), used only for ratios and never shown as a value.
    """

    kind: Kind
    text: str  # the value with its unit, the expression, or the reason it does not apply
    log10: float | None = None
    quantity: Quantity | None = None  # when the context changes it (VC -> pseudo-dimension)
    vacuous: bool = False
    notes: tuple[str, ...] = ()
    derived: str = ""  # why rnncap's application to this spec is DERIVED ("" when it is not)
    caveat: str = ""  # the decisive caveat for this spec (set by `Bound.evaluate`)
    #: Why the statement covers another cell class than the spec's ("" when it covers it): the
    #: row is a reference only, never DERIVED, and kept out of tables unless asked for.
    other_cell: str = ""

    def __post_init__(self) -> None:
        require(isinstance(self.kind, Kind), f"result kind must be a Kind; got {self.kind!r}")
        require(bool(self.text), "a result needs its text")
        if self.kind is Kind.ORDER:
            require(self.log10 is not None, "an order result keeps its log10 for ratios")

    @property
    def applicable(self) -> bool:
        return self.kind is not Kind.NOT_APPLICABLE

    @property
    def covers(self) -> bool:
        """Applicable, and stated for (or DERIVED for) the spec's own cell class."""
        return self.applicable and not self.other_cell

    @property
    def value(self) -> float | None:
        """The number of an explicit result (inf if beyond float range); None otherwise."""
        if self.kind is not Kind.EXPLICIT or self.log10 is None:
            return None
        return 10.0**self.log10 if self.log10 < 300 else math.inf

    @property
    def explicit_figures(self) -> dict[str, float | None]:
        """``value`` and ``log10`` for an explicit result (its JSON has them); {} otherwise."""
        return {"value": self.value, "log10": self.log10} if self.kind is Kind.EXPLICIT else {}

    @property
    def is_derived(self) -> bool:
        return bool(self.derived)

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rnncap bounds --json`)
        "kind": "kind",
        "text": "text",
        "**figures": "explicit_figures",  # value and log10, for an explicit result only
        "vacuous": "vacuous",
        "notes": "notes",
        "derived": "is_derived",
        "derived_reason": "derived",
        "caveat": "caveat",
        "other_cell": "other_cell",
    }


def explicit(log10: float, text: str | None = None, **kw: Any) -> Result:
    return Result(Kind.EXPLICIT, text or fmt_log10(log10), log10=log10, **kw)


def order(expression: str, log10: float, **kw: Any) -> Result:
    return Result(Kind.ORDER, expression + ", constant unknown", log10=log10, **kw)


def not_applicable(reason: str) -> Result:
    return Result(Kind.NOT_APPLICABLE, reason)


@dataclass(frozen=True)
class Bound:
    """One published result (or a DERIVED application of one) with its evaluation rule."""

    key: str
    name: str
    citation: Citation
    quantity: Quantity
    direction: Direction
    form: Form
    activations: tuple[Activation, ...]
    cells: tuple[Cell, ...]  # rnncap cells it is evaluated for (others: not applicable)
    assumptions: tuple[str, ...]
    status: Status  # of the statement itself
    formula: str  # as stated, in the catalog's notation
    application: str  # how rnncap applies it to its cells
    application_status: Status  # DERIVED when applied beyond the statement
    evaluate_fn: Callable[[Context], Result] = field(compare=False, repr=False)
    existence: bool = False  # "some network reaches it": a reference, not a bound on this spec
    caveat: str = ""  # the decisive caveat, shown under every human-readable table
    #: Why applying the result to a context goes beyond its statement (None: it does not).
    #: Bounds whose application is DERIVED for every spec need none.
    derived_if: Callable[[Context], str | None] | None = field(
        default=None, compare=False, repr=False
    )
    #: The figures the expression depends on ("w", "k", "U", "path"...), for `explain`.
    variables: tuple[str, ...] = ()

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rnncap bounds --json`)
        "key": "key",
        "name": "name",
        "citation": "citation_text",
        "citation_short": "citation.short",
        "quantity": "quantity",
        "direction": "direction",
        "form": "form",
        "activations": "activations",
        "cells": "cells",
        "assumptions": "assumptions",
        "status": "status",
        "formula": "formula",
        "application": "application",
        "application_status": "application_status",
        "derived": "derived",
        "existence": "existence",
        "caveat": "caveat",
        "variables": "variables",
    }
    #: Activation classes of LSTM/GRU specs it is evaluated for (if it lists a gated cell):
    #: PyTorch's sigmoid/tanh cells by default; Keras hard-sigmoid variants only where said.
    gated_classes: tuple[Activation, ...] = (Activation.PFAFFIAN,)
    #: Why the statement does not cover the context's cell class (a vanilla-RNN result on an
    #: LSTM): the result is then a reference only (`Result.other_cell`), never DERIVED.
    other_cell_if: Callable[[Context], str | None] | None = field(
        default=None, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        require(bool(self.key) and self.key == self.key.strip(), "a bound needs a key")
        require(isinstance(self.citation, Citation), f"{self.key}: citation missing")
        for name, enum in (
            ("quantity", Quantity),
            ("direction", Direction),
            ("form", Form),
            ("status", Status),
            ("application_status", Status),
        ):
            require(isinstance(getattr(self, name), enum), f"{self.key}: {name} must be {enum}")
        require(bool(self.activations), f"{self.key}: activation classes missing")
        require(bool(self.formula) and bool(self.application), f"{self.key}: formula missing")
        require(bool(self.caveat), f"{self.key}: the decisive caveat is missing")

    @property
    def derived(self) -> bool:
        """True when rnncap's use of the result is DERIVED for every spec it evaluates."""
        return Status.DERIVED in (self.status, self.application_status)

    def derived_reason(self, ctx: Context) -> str:
        """Why evaluating this bound for `ctx` is DERIVED; "" when the statement covers it."""
        if self.status is Status.DERIVED:
            return "a combination of published results made by rnncap"
        if self.application_status is Status.DERIVED:
            return self.application
        if self.derived_if is not None:
            return self.derived_if(ctx) or ""
        return ""

    def evaluate(self, ctx: Context) -> Result:
        """Evaluate for `ctx`; cells outside `cells` are not applicable, with the reason."""
        have = activation_classes(ctx.spec)
        gated_ok = ctx.spec.cell not in GATED or set(have) & set(self.gated_classes)
        if ctx.spec.cell not in self.cells or not gated_ok:
            classes = ", ".join(a.value for a in self.activations)
            return not_applicable(
                f"stated for {classes} activations; {ctx.spec.name} is "
                + ", ".join(a.value for a in have)
            )
        result = self.evaluate_fn(ctx)
        if not result.applicable:
            return result
        caveat = result.caveat or self.caveat
        other = self.other_cell_if(ctx) if self.other_cell_if is not None else None
        if other:
            return replace(result, derived="", caveat=caveat, other_cell=other)
        return replace(result, derived=self.derived_reason(ctx), caveat=caveat)

    @property
    def citation_text(self) -> str:
        return str(self.citation)


_REGISTRY: dict[str, Bound] = {}


def register(bound: Bound) -> Bound:
    require(bound.key not in _REGISTRY, f"bound key {bound.key!r} registered twice")
    _REGISTRY[bound.key] = bound
    return bound


def catalog() -> tuple[Bound, ...]:
    """Every bound of every family, in registration order."""
    from rnncap.theory import families  # noqa: F401  (importing registers the families)

    return tuple(_REGISTRY.values())


def get_bound(key: str) -> Bound:
    by_key = {b.key: b for b in catalog()}
    if key not in by_key:
        raise InvalidInput(f"unknown bound {key!r}; list them with `rnncap bounds --list`")
    return by_key[key]
