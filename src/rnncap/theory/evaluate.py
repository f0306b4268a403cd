"""Evaluate the catalog for a spec, and compare two architectures through ratios.

A ratio divides the same expression evaluated for B by its value for A, so an unknown constant
cancels. It is formed only when the bound applies to both, both have the same activation class and,
for orders of growth, the same sequence length (theory.md, "How to use this file").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rnncap.arch import RecurrentSpec
from rnncap.errors import InvalidInput
from rnncap.theory.cells import activation_classes
from rnncap.theory.context import Context, Task, context
from rnncap.theory.core import Bound, Kind, Result, catalog, get_bound, not_applicable
from rnncap.theory.legend import LegendEntry, entry

#: Sections of the tables and JSON: bounds for the spec's own cell, and (with ``--all``) results
#: for vanilla RNNs shown beside an LSTM or GRU as references only.
MAIN, OTHER_CELL = "main", "other cell"


@dataclass(frozen=True)
class Evaluation:
    """One catalog row evaluated for one context."""

    bound: Bound
    result: Result

    @property
    def quantity(self) -> str:
        return (self.result.quantity or self.bound.quantity).value

    @property
    def label(self) -> LegendEntry:
        """What a table prints for this row: citation, status, DERIVED, what it bounds, caveat."""
        return entry(self.bound, self.result)

    @property
    def section(self) -> str:
        return OTHER_CELL if self.result.other_cell else MAIN

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes: the bound's, then
        "**bound": "bound",
        "quantity": "quantity",
        "derived": "label.derived",  # for this spec, as the result says
        "section": "section",
        "label": "label",
        "result": "result",
    }


def bounds(
    spec: RecurrentSpec,
    *,
    m: int | None = None,
    delta: float = 0.05,
    epsilon: float = 0.1,
    task: Task | str = Task.REGRESSION,
    vc: float | None = None,
    weights: Any = None,
    keys: tuple[str, ...] | None = None,
) -> list[Evaluation]:
    """Every catalog bound (or those in `keys`) evaluated for `spec`.

    Asking for a key whose bound does not cover the spec's cell raises `InvalidInput`; in the full
    list such rows are kept as "not applicable" with the reason.
    """
    ctx = context(spec, m=m, delta=delta, epsilon=epsilon, task=task, vc=vc, weights=weights)
    if keys:
        rows = [Evaluation(b, b.evaluate(ctx)) for b in (get_bound(k) for k in keys)]
        for row in rows:
            if not row.result.applicable:
                raise InvalidInput(f"{row.bound.key} does not cover {spec.name}: {row.result.text}")
        return rows
    return [Evaluation(b, b.evaluate(ctx)) for b in catalog()]


@dataclass(frozen=True)
class Ratio:
    """B's value of one bound's expression over A's; ``None`` with the reason when not formed."""

    key: str
    value: float | None
    log10: float | None
    reason: str = ""

    PLAIN_VIEW: ClassVar = {"key": "key", "ratio": "value", "log10": "log10", "reason": "reason"}


def _ratio_of(bound: Bound, a: Context, b: Context) -> Ratio:
    return _ratio_from(bound.key, bound.evaluate(a), bound.evaluate(b), a, b)


def _ratio_from(key: str, ra: Result, rb: Result, a: Context, b: Context) -> Ratio:
    """B / A of one bound's two results; None with the reason when it cannot be formed."""
    if not (ra.applicable and rb.applicable):
        return Ratio(key, None, None, "does not apply to both")
    if ra.other_cell or rb.other_cell:
        return Ratio(key, None, None, "not a bound for this cell")
    if activation_classes(a.spec) != activation_classes(b.spec):
        return Ratio(key, None, None, "different activation classes")
    if ra.kind is Kind.ORDER and a.k != b.k:
        return Ratio(key, None, None, "different sequence lengths")
    if ra.log10 is None or rb.log10 is None:
        return Ratio(key, None, None, "no finite value")
    log10 = rb.log10 - ra.log10
    return Ratio(key, 10.0**log10 if abs(log10) < 300 else None, log10)


def ratio(
    bound: Bound | str, spec_a: RecurrentSpec, spec_b: RecurrentSpec, **setting: Any
) -> Ratio:
    """Expression(B) / expression(A) for one bound; the unknown constant cancels. Not formed
    (``value`` None, with the reason) for a result stated for another cell class."""
    bound = get_bound(bound) if isinstance(bound, str) else bound
    return _ratio_of(bound, context(spec_a, **setting), context(spec_b, **setting))


def ratios(spec_a: RecurrentSpec, spec_b: RecurrentSpec, **setting: Any) -> dict[str, float]:
    """B / A for every bound whose ratio can be formed (plain floats, for stores and plots)."""
    a, b = context(spec_a, **setting), context(spec_b, **setting)
    out = {}
    for bound in catalog():
        r = _ratio_of(bound, a, b)
        if r.value is not None:
            out[bound.key] = r.value
    return out


@dataclass(frozen=True)
class CompareRow:
    """One bound across several architectures: each result, and the ratio of each to the first.

    ``section`` is "main" (the bound covers at least one of the cells; results for a cell it does
    not cover are not applicable there) or "other cell" (vanilla-RNN results beside an LSTM/GRU,
    references only: no ratio, never DERIVED).
    """

    bound: Bound
    results: tuple[Result, ...]
    ratios: tuple[Ratio, ...]  # ratios[i]: spec i over spec 0 (ratios[0] is 1 when formed)
    section: str = MAIN

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rnncap compare --json`)
        "key": "bound.key",
        "citation": "bound.citation.short",
        "status": "bound.status",
        "form": "bound.form",
        "direction": "bound.direction",
        "existence": "bound.existence",
        "quantity": "quantity",
        "section": "section",
        "derived": "derived",
        "labels": "labels",
        "results": "results",
        "ratios": "ratios",
    }

    @property
    def labels(self) -> tuple[LegendEntry, ...]:
        """Per architecture: status, DERIVED marker, caveat (they differ with cell and depth)."""
        return tuple(entry(self.bound, r) for r in self.results)

    def ratio_text(self, i: int) -> str:
        r = self.ratios[i]
        if r.log10 is None:
            return "—"
        shown = None if r.value is None else f"{r.value:.3g}"
        # a value that rounds to 1e+04 (9995 and up) is written as a power of ten like larger ones
        return shown if shown and 1e-3 <= float(shown) < 1e4 else f"10^{r.log10:.3g}"

    @property
    def quantity(self) -> str:
        return self.labels[0].quantity

    @property
    def derived(self) -> list[bool]:
        """Per architecture, as the results say."""
        return [label.derived for label in self.labels]


def _only(results: tuple[Result, ...], other_cell: bool) -> tuple[Result, ...]:
    """The results of one section; the others become "not applicable" with the reason."""
    return tuple(
        r
        if not r.applicable or bool(r.other_cell) == other_cell
        else not_applicable(
            "a vanilla-RNN result, not this cell" if r.other_cell else "covered: in the main table"
        )
        for r in results
    )


def compare_bounds(
    specs: list[RecurrentSpec] | tuple[RecurrentSpec, ...],
    m: int | None = None,
    delta: float = 0.05,
    other_cells: bool = False,
    **setting: Any,
) -> list[CompareRow]:
    """For each bound that covers at least one spec: results and ratios to the first spec; with
    `other_cells`, then the vanilla-RNN results beside LSTM/GRU specs (section "other cell")."""
    if len(specs) < 2:
        raise InvalidInput("compare needs at least two architectures, e.g. lstm:1x128 lstm:2x64")
    ctxs = [context(s, m=m, delta=delta, **setting) for s in specs]
    main, other = [], []
    for bound in catalog():
        evaluated = tuple(bound.evaluate(c) for c in ctxs)
        for section, rows, results in (
            (MAIN, main, _only(evaluated, other_cell=False)),
            (OTHER_CELL, other, _only(evaluated, other_cell=True)),
        ):
            if any(r.applicable for r in results):
                ratios = tuple(
                    _ratio_from(bound.key, results[0], r, ctxs[0], c)
                    for r, c in zip(results, ctxs, strict=True)
                )
                rows.append(CompareRow(bound, results, ratios, section))
    return main + (other if other_cells else [])
