"""`explain(a, b)`: what changes in capacity from architecture A to B, in plain language.

Every sentence is computed from the figures (w, units, depth, U, path, the catalog's ratios); the
only fixed statement is the literature's gap: no result separates depth from w for recurrent nets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rnncap.arch import RecurrentSpec
from rnncap.theory.core import Direction, Form, context
from rnncap.theory.empirical import expected_bits
from rnncap.theory.evaluate import CompareRow, compare_bounds

#: Defaults of `rnncap explain`: the inputs of the default nyc2013 task (33 station variables,
#: wind direction as sine and cosine, + 4 hour/day-of-year features = 37; a test ties this to
#: `rnncap.data`) and its default history of 120 hourly steps.
DEFAULT_INPUT_SIZE = 37
DEFAULT_SEQ_LEN = 120
DEFAULT_PAIR = ("lstm:1x128", "lstm:2x64")


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


def _figures(spec: RecurrentSpec) -> Figures:
    ctx = context(spec)
    return Figures(
        arch=spec.name,
        w=ctx.w,
        layers=spec.num_layers,
        units=sum(spec.hidden_sizes),
        min_width=min(spec.hidden_sizes),
        unrolled_units=ctx.units,
        path=ctx.path,
        input_size=spec.input_size,
        seq_len=spec.seq_len,
    )


@dataclass(frozen=True)
class Explanation:
    a: Figures
    b: Figures
    lines: tuple[str, ...]
    rows: tuple[CompareRow, ...]

    def to_dict(self) -> dict:
        return {
            "a": self.a.__dict__,
            "b": self.b.__dict__,
            "answer": list(self.lines),
            "bounds": [r.to_dict() for r in self.rows],
        }


def _change(x: float, y: float) -> str:
    if x == y:
        return "unchanged"
    pct = abs(100 * (y - x) / x)
    return f"{'up' if y > x else 'down'} {pct:.{1 if pct < 10 else 0}f}% ({x:,} → {y:,})"


def _expr(r: CompareRow) -> str:
    """The bare expression of an order result ("Ω(w·k)"), empty for explicit values."""
    text = r.results[0].text
    if r.bound.form is Form.ORDER and re.search(r" = [ΩOΘÕ]\(", text):
        return text.split(" = ")[0]
    return ""


def _item(r: CompareRow) -> str:
    return " ".join(part for part in (r.bound.key, _expr(r), _factor(r)) if part)


def _factor(r: CompareRow) -> str:
    return f"×{r.ratio_text(1)}"


def explain(spec_a: RecurrentSpec, spec_b: RecurrentSpec, **setting: Any) -> Explanation:
    """Compare A with B: the figures, each bound's change and what theory leaves open."""
    fa, fb = _figures(spec_a), _figures(spec_b)
    rows = tuple(compare_bounds([spec_a, spec_b], **setting))
    lines = [
        f"From {fa.arch} to {fb.arch} (d = {fb.input_size}, k = {fb.seq_len}): parameters w "
        f"{_change(fa.w, fb.w)}; layers {_change(fa.layers, fb.layers)}; hidden units "
        f"{_change(fa.units, fb.units)}; unrolled nonlinear units U "
        f"{_change(fa.unrolled_units, fb.unrolled_units)}; longest path "
        f"{_change(fa.path, fb.path)} cell applications.",
    ]
    ratios = [r for r in rows if r.ratios[1].log10 is not None]
    lower = [r for r in ratios if r.bound.direction is Direction.LOWER and not r.bound.existence]
    upper = [r for r in ratios if r.bound.direction is Direction.UPPER]
    if lower:
        items = "; ".join(_item(r) for r in lower)
        lines.append(f"Lower bounds (orders, constants cancel in the ratio): {items}.")
    if upper:
        items = "; ".join(_item(r) for r in upper)
        lines.append(f"Upper bounds change: {items} (a ratio of upper bounds compares the bounds).")
    no_ratio = [r for r in rows if r.ratios[1].log10 is None and r.ratios[1].reason]
    if no_ratio and spec_a.cell != spec_b.cell:
        lines.append("Different cells: bounds are compared only within one activation class.")
    bits_a, bits_b = expected_bits(spec_a.cell, fa.w)[0], expected_bits(spec_b.cell, fb.w)[0]
    lines.append(
        f"Empirical reference (Collins et al. 2017, ≈ bits per parameter, flat in depth): expected "
        f"memorised capacity ×{bits_b / bits_a:.3g} ({bits_a:,.0f} → {bits_b:,.0f} bits); "
        "capacity tracks w, not units."
    )
    narrow = [f for f in (fa, fb) if f.min_width < f.input_size]
    for f in narrow:
        lines.append(
            f"{f.arch} has a layer of {f.min_width} units < {f.input_size} inputs: per Collins et "
            "al. a layer needs at least as many units as the features it must carry across time."
        )
    depth_note = (
        f"depth goes {fa.layers} → {fb.layers}"
        if fa.layers != fb.layers
        else f"depth stays {fa.layers}"
    )
    lines.append(
        f"Not established by theory: {depth_note}, but no published result separates depth from w "
        "for recurrent nets (every recurrent VC bound depends on w and k only), and no lower bound "
        "grows with depth at fixed w. "
        + (
            "U or the longest path grows here, which loosens the unrolled upper bounds at a given "
            "w: that allows more capacity but does not show it."
            if fb.unrolled_units > fa.unrolled_units or fb.path > fa.path
            else "Neither U nor the longest path grows here, so nothing in the unrolled upper "
            "bounds hints at more capacity."
        )
    )
    return Explanation(fa, fb, tuple(lines), rows)
