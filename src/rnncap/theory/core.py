"""The records of the bound catalog: citations, bounds, evaluation contexts and results.

Every bound family lives in its own module and registers its `Bound` records here with `register`;
`catalog()` returns them all. A bound's `evaluate(ctx)` returns a `Result` that is one of:

* ``explicit``: a number, kept as log10 so that w = 1e9, k = 1e6 cannot overflow;
* ``order``: an order-of-growth expression with the numbers substituted, never a number of points
  (its log10 is kept only to form ratios between architectures, where the constant cancels);
* ``not_applicable``: with the reason (activation not covered, missing weights...).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, ClassVar

from rnncap.arch import Cell, RecurrentSpec, count_parameters, unrolled_graph
from rnncap.errors import InvalidInput, check_int, require


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


class Activation(str, Enum):
    """Activation classes the results are stated for (Koiran & Sontag's taxonomy and more)."""

    POLYNOMIAL = "nonlinear polynomial"
    PIECEWISE_POLYNOMIAL = "piecewise polynomial"
    THRESHOLD = "threshold"
    STANDARD_SIGMOID = "standard sigmoid / tanh"
    ARBITRARY_SIGMOID = "arbitrary sigmoid"
    PFAFFIAN = "Pfaffian (sigmoid/tanh, gated)"
    GATED_PIECEWISE = "piecewise polynomial, gated (hard-sigmoid gates, piecewise-linear candidate)"
    MIXED = "Pfaffian candidate with piecewise-linear (hard-sigmoid) gates"
    OTHER = "other (no published result)"
    LINEAR = "linear"
    ANY = "any (learning-theory glue)"


#: Activation classes of each rnncap cell. LSTM/GRU gates multiply sigmoid and tanh outputs, which
#: no VC result for recurrent nets covers; the unrolled network is Pfaffian (theory.md 2.4).
CELL_ACTIVATIONS: dict[Cell, tuple[Activation, ...]] = {
    Cell.RNN_TANH: (Activation.STANDARD_SIGMOID, Activation.ARBITRARY_SIGMOID, Activation.PFAFFIAN),
    Cell.RNN_RELU: (Activation.PIECEWISE_POLYNOMIAL,),
    Cell.LSTM: (Activation.PFAFFIAN,),
    Cell.GRU: (Activation.PFAFFIAN,),
}

GATED = (Cell.LSTM, Cell.GRU)
#: Gated-cell activations by class: piecewise linear (Keras' hard_sigmoid is piecewise linear in
#: Keras 2 and 3 alike) and Pfaffian (theory.md 2.4: σ and tanh are Pfaffian).
PIECEWISE_LINEAR_ACTIVATIONS = frozenset({"relu", "linear", "hard_sigmoid"})
PFAFFIAN_ACTIVATIONS = frozenset({"tanh", "sigmoid"})


#: Every class a gated spec can have: for rows that apply to any activation (glue, Collins).
ALL_GATED_CLASSES = (
    Activation.PFAFFIAN,
    Activation.GATED_PIECEWISE,
    Activation.MIXED,
    Activation.OTHER,
)


def activation_classes(spec: RecurrentSpec) -> tuple[Activation, ...]:
    """The activation classes of `spec`: its cell's, refined for gated cells by the spec's
    candidate ``activation`` and gate ``recurrent_activation`` (e.g. Keras hard_sigmoid)."""
    if spec.cell not in GATED:
        return CELL_ACTIVATIONS[spec.cell]
    used = {spec.activation, spec.recurrent_activation}  # RecurrentSpec fills in the defaults
    if used <= PFAFFIAN_ACTIVATIONS:
        return (Activation.PFAFFIAN,)
    if used <= PIECEWISE_LINEAR_ACTIVATIONS:
        return (Activation.GATED_PIECEWISE,)
    if used <= PIECEWISE_LINEAR_ACTIVATIONS | PFAFFIAN_ACTIVATIONS:
        return (Activation.MIXED,)
    return (Activation.OTHER,)


DERIVED_LABEL = "derived by rnncap (not a published theorem)"
#: Regression notes (theory.md 4.6): the adjustment carries over to upper bounds only.
PDIM_UPPER_NOTE = (
    "pseudo-dimension: Pdim <= VCdim of the net with one more parameter and one more layer "
    "(theory.md 4.6), so evaluated at w + 1"
)
PDIM_LOWER_NOTE = (
    "pseudo-dimension: VCdim <= Pdim, so a VC lower bound is a Pdim lower bound (at w)"
)


def single_recurrence_reason(ctx: Context) -> str | None:
    """Why a result for single-recurrence vanilla RNNs (Koiran–Sontag) is DERIVED for `ctx`: a
    stacked or bidirectional vanilla RNN. LSTM/GRU are not covered (`vanilla_only_reason`)."""
    spec = ctx.spec
    if spec.cell in GATED or not (spec.num_layers > 1 or spec.bidirectional):
        return None
    shape = "stacked" if spec.num_layers > 1 else "bidirectional"
    return (
        f"{shape} network: stated for one recurrence; no bound for stacked or bidirectional "
        "RNNs is known (theory.md 0.3)"
    )


#: Title of the separate section that `--all` shows for results of another cell class.
OTHER_CELL_TITLE = "results for vanilla RNNs, not this cell"


def vanilla_only_reason(ctx: Context) -> str | None:
    """Why a vanilla-RNN result does not cover `ctx` at all (LSTM/GRU): such a row is no bound
    for the cell, neither stated nor DERIVED, and is shown only in a separate reference section."""
    if ctx.spec.cell not in GATED:
        return None
    return (
        f"stated for vanilla RNNs of single-recurrence units σ(affine combination); "
        f"{ctx.spec.cell.value.upper()} gates multiply unit outputs, so it is not covered: the "
        "expression in this cell's w is a reference, not a bound"
    )


class Task(str, Enum):
    """Classification uses VC dimension; regression (forecasting) uses pseudo-dimension."""

    REGRESSION = "regression"
    CLASSIFICATION = "classification"


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


@dataclass(frozen=True)
class Context:
    """Everything a bound may need: the architecture's figures and the learning setting.

    ``w`` is ``count_parameters(spec).total``; ``units`` and ``path`` come from
    ``unrolled_graph(spec)`` (nonlinear units U and longest path, in cell applications).
    """

    spec: RecurrentSpec
    w: int
    units: int
    path: int
    m: int | None = None  # available training samples
    delta: float = 0.05
    epsilon: float = 0.1
    task: Task = Task.REGRESSION
    vc: float | None = None  # a user-supplied VC / Pdim proxy for the sample-size entries
    weights: Any = None  # a `RecurrentWeights` record for the norm-based bounds

    @property
    def k(self) -> int:
        return self.spec.seq_len

    @property
    def regression(self) -> bool:
        return self.task is Task.REGRESSION

    @property
    def w_eff(self) -> int:
        """Parameters after the pseudo-dimension adjustment (regression: W + 1, theory.md 4.6)."""
        return self.w + 1 if self.regression else self.w

    @property
    def path_eff(self) -> int:
        return self.path + 1 if self.regression else self.path


def context(
    spec: RecurrentSpec,
    *,
    m: int | None = None,
    delta: float = 0.05,
    epsilon: float = 0.1,
    task: Task | str = Task.REGRESSION,
    vc: float | None = None,
    weights: Any = None,
) -> Context:
    """Validate the learning setting and take w, U and the path from the arch room."""
    require(isinstance(spec, RecurrentSpec), "spec must be a RecurrentSpec (see parse_arch)")
    check_delta(delta)
    check_epsilon(epsilon)
    if m is not None:
        check_int(m, "samples", low=1, hint="e.g. m=20000")
    if vc is not None:
        require(vc > 0 and math.isfinite(vc), f"vc must be a number > 0; got {vc!r} (e.g. vc=10)")
    try:
        task = Task(task.value if isinstance(task, Enum) else task)
    except ValueError:
        raise InvalidInput(
            f"unknown task {task!r}; choose one of: regression, classification"
        ) from None
    graph = unrolled_graph(spec)
    return Context(
        spec=spec,
        w=count_parameters(spec).total,
        units=graph.nonlinear_units,
        path=graph.longest_path,
        m=m,
        delta=float(delta),
        epsilon=float(epsilon),
        task=task,
        vc=vc,
        weights=weights,
    )


def check_delta(delta: float) -> float:
    ok = isinstance(delta, (int, float)) and 0.0 < delta < 1.0
    require(ok, f"delta must lie in (0, 1); got {delta!r} (e.g. delta=0.05)")
    return float(delta)


def check_epsilon(epsilon: float) -> float:
    ok = isinstance(epsilon, (int, float)) and epsilon > 0 and math.isfinite(epsilon)
    require(ok, f"epsilon must be > 0; got {epsilon!r} (e.g. epsilon=0.1)")
    return float(epsilon)


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

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind.value, "text": self.text}
        if self.kind is Kind.EXPLICIT:
            out["value"] = self.value
            out["log10"] = self.log10
        out["vacuous"] = self.vacuous
        out["notes"] = list(self.notes)
        out["derived"] = bool(self.derived)
        out["derived_reason"] = self.derived
        out["caveat"] = self.caveat
        out["other_cell"] = self.other_cell
        return out


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


# -- numbers in log space -------------------------------------------------------------------------
def fmt_log10(log10: float, digits: int = 4) -> str:
    """A positive number given by its log10: plain below 1e7, else a power of ten."""
    if not math.isfinite(log10):
        return "∞" if log10 > 0 else "0"
    if log10 < 7:
        value = 10.0**log10
        if value >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}g}"
    exponent = math.floor(log10)
    mantissa = 10.0 ** (log10 - exponent)
    if mantissa >= 9.995:
        mantissa, exponent = 1.0, exponent + 1
    return f"{mantissa:.2f}×10^{exponent}"


def fmt_approx(value: float, digits: int = 2) -> str:
    """An empirical figure without false precision: 428,165 -> "430,000", 0.0123 -> "0.012"."""
    if not math.isfinite(value) or value <= 0:
        return fmt_log10(math.log10(value)) if value > 0 else f"{value:g}"
    if value >= 1e7:
        exponent = math.floor(math.log10(value))
        return f"{value / 10**exponent:.{digits - 1}f}×10^{exponent}"
    rounded = float(f"{value:.{digits}g}")
    return f"{rounded:,.0f}" if rounded >= 100 else f"{rounded:g}"


def fmt_count(n: float) -> str:
    """An input figure substituted into an expression: 120, 71,680 or 1.0e9."""
    if n < 1e7 and float(n).is_integer():
        return f"{int(n):,}"
    if n < 1e7:
        return f"{n:.4g}"
    return f"{n:.2e}".replace("e+0", "e").replace("e+", "e")
