"""What every human-readable row of a bound must carry: citation, status, DERIVED, the caveat.

Terminal tables (`bounds`, `explain`, `compare`) and the study report print bound keys; a
`LegendEntry` says, for one key, where the result comes from, how far it was checked, whether rnncap
applies it beyond its statement, and the caveat that decides how to read it. `legend()` returns them
per key, for one spec (DERIVED and the caveat can depend on the cell and the depth) or for the
catalog in general; `footnotes()` numbers the caveats of a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rnncap.arch import RecurrentSpec
from rnncap.theory.context import context
from rnncap.theory.core import (
    DERIVED_LABEL,
    Bound,
    Form,
    Kind,
    Quantity,
    Result,
    Status,
    catalog,
    get_bound,
)

#: Short names of the quantities, for narrow table columns.
QUANTITY_SHORT = {
    Quantity.VC: "VC",
    Quantity.PDIM: "Pdim",
    Quantity.GAP: "gap",
    Quantity.SAMPLES: "samples",
    Quantity.MEMORY: "bits",
    Quantity.GROWTH: "growth",
}


@dataclass(frozen=True)
class LegendEntry:
    """How to read one bound row: the one schema that tables, JSON and the report legend share.

    ``citation`` (short), ``status`` (tag of the statement), ``derived`` (rnncap applies it beyond
    its statement, for this spec), ``derived_reason``, ``existence`` ("some network reaches it"),
    ``quantity`` and ``direction`` (what it bounds), ``caveat``, and ``other_cell`` (why the
    statement is for another cell class: a reference only, never DERIVED).
    """

    key: str
    citation: str
    status: str
    derived: bool
    derived_reason: str
    existence: bool
    quantity: str
    direction: str
    caveat: str
    other_cell: str = ""

    PLAIN_EXTRA: ClassVar = ("tag", "what", "footnote")  # `rnncap.plain.to_plain` writes them too

    @property
    def tag(self) -> str:
        """ "ABSTRACT-ONLY · DERIVED" when a checked statement is applied beyond its setting."""
        if self.status == Status.DERIVED.value or not self.derived:
            return self.status
        return f"{self.status} · DERIVED"

    @property
    def what(self) -> str:
        """ "Pdim lower", "VC upper", "bits estimate", "VC lower (existence)"."""
        short = QUANTITY_SHORT[Quantity(self.quantity)]
        kind = "estimate" if self.direction == "empirical estimate" else self.direction
        return f"{short} {kind}" + (" (existence)" if self.existence else "")

    @property
    def footnote(self) -> str:
        """The decisive caveat, preceded by why the use is DERIVED when it is (or why the
        statement does not cover this cell)."""
        reason = self.derived_reason.replace(", " + DERIVED_LABEL, "").replace(
            "; " + DERIVED_LABEL, ""
        )
        parts = [
            f"not this cell: {self.other_cell}" if self.other_cell else "",
            f"DERIVED: {reason}" if self.derived and reason else "",
            self.caveat,
        ]
        return "; ".join(p for p in parts if p)


def entry(bound: Bound, result: Result | None = None) -> LegendEntry:
    """The legend of `bound` for one evaluated `result`, else (None) for any spec. A result that
    does not apply has nothing applied: not DERIVED, only the record's status and caveat."""
    caveat, other = bound.caveat, ""
    quantity = (result.quantity if result is not None else None) or bound.quantity
    if result is not None:
        derived, reason = bool(result.derived), result.derived
        caveat = (result.caveat if result.applicable else "") or caveat
        other = result.other_cell
    else:
        derived = bound.derived
        reason = bound.application if derived else ""
        if not derived and bound.derived_if is not None:
            reason = "DERIVED for some cells or depths: " + bound.application
    return LegendEntry(
        key=bound.key,
        citation=bound.citation.short(),
        status=bound.status.value,
        derived=derived,
        derived_reason=reason,
        existence=bound.existence,
        quantity=quantity.value,
        direction=bound.direction.value,
        caveat=caveat,
        other_cell=other,
    )


def legend(
    keys: list[str] | tuple[str, ...] | None = None,
    spec: RecurrentSpec | None = None,
    **setting: Any,
) -> dict[str, LegendEntry]:
    """Per bound key (all, or `keys` in that order): citation, status, DERIVED and caveat.

    With `spec` (and the setting of `bounds`, e.g. ``m=``, ``task=``) the DERIVED marker and the
    caveat are those of that spec; rows that do not apply to it keep the catalog's general entry.
    """
    bounds = catalog() if keys is None else tuple(get_bound(k) for k in keys)
    ctx = context(spec, **setting) if spec is not None else None
    out = {}
    for b in bounds:
        result = b.evaluate(ctx) if ctx is not None else None
        out[b.key] = entry(b, result if result is not None and result.applicable else None)
    return out


def what(bound: Bound, result: Result | None = None) -> str:
    """ "Pdim lower", "VC upper", "bits estimate", "VC lower (existence)": what a row bounds."""
    return entry(bound, result).what


def expression_of(bound: Bound, result: Result) -> str:
    """The bare expression whose ratio a row shows ("w·k", "(W·U)²"), or what explicit rows
    compare ("the bound's value", "expected bits")."""
    if result.kind is Kind.ORDER and bound.form is Form.ORDER:
        expr = result.text.split(" = ")[0].split(" at ")[0].split(", constant")[0]
        for prefix in ("Ω(", "O(", "Θ(", "Õ("):
            inner = expr[len(prefix) : -1]
            if expr.startswith(prefix) and expr.endswith(")") and _balanced(inner):
                return inner
        return expr
    if bound.quantity is Quantity.MEMORY:
        return "expected bits"
    return "the bound's value"


def _balanced(text: str) -> bool:
    """No bracket in `text` closes one opened before it: "w)·log(k" is not balanced, so the
    brackets of "Ω(w)·log(k)" are not one pair around the whole expression."""
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


class Footnotes:
    """Numbered caveats under a table; identical texts share one number."""

    def __init__(self) -> None:
        self._texts: list[str] = []

    def mark(self, text: str) -> str:
        """ "[n]" for `text` (registered on first use); "" for an empty text."""
        if not text:
            return ""
        if text not in self._texts:
            self._texts.append(text)
        return f"[{self._texts.index(text) + 1}]"

    def lines(self) -> list[str]:
        return [f"[{i}] {t}" for i, t in enumerate(self._texts, start=1)]
