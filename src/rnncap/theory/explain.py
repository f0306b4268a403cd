"""`explain(a, b)`: what changes in capacity from architecture A to B, in plain language.

Every sentence is computed from the figures (w, units, depth, U, path, the catalog's ratios); the
only fixed statements are the literature's: no result separates depth from w for recurrent nets,
and the feed-forward depth results (Bartlett et al. 2019), quoted in their own form (an upper bound
for every piecewise-linear network, a lower bound reached by some), are the nearest thing to one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rnncap.arch import Cell, RecurrentSpec, count_parameters
from rnncap.theory.cells import GATED
from rnncap.theory.context import Context, context
from rnncap.theory.core import DERIVED_LABEL, Direction, Quantity
from rnncap.theory.empirical import expected_bits
from rnncap.theory.evaluate import MAIN, CompareRow, compare_bounds
from rnncap.theory.explain_records import DirectAnswer, Explanation, Figures, Measured
from rnncap.theory.legend import LegendEntry, expression_of
from rnncap.theory.untied import untied_size

#: Defaults of `rnncap explain`: the inputs of the default nyc2013 task (33 station variables,
#: wind direction as sine and cosine, + 4 hour/day-of-year features = 37; a test ties this to
#: `rnncap.data`) and its default history of 120 hourly steps.
DEFAULT_INPUT_SIZE = 37
DEFAULT_SEQ_LEN = 120
DEFAULT_PAIR = ("lstm:1x128", "lstm:2x64")

BHLM19 = "Bartlett, Harvey, Liaw & Mehrabian 2019, eq. 2 and Theorem 3; STATED-VERIFIED"
#: The source's own form: an upper bound for every piecewise-linear network, a lower bound
#: reached by some networks (eq. 2 bounds the largest VC dimension at W parameters, L layers).
DEPTH_LAW = (
    f"Feed-forward depth results ({BHLM19}): every piecewise-linear network with W parameters "
    "and L layers has VCdim = O(W·L·log W), an upper bound; some ReLU network of that size has "
    "VCdim = Ω(W·L·log(W/L)), a lower bound for some networks, not for every one. So the largest "
    "VC dimension at W parameters grows with L; no given network is shown to gain capacity from "
    "depth."
)


def _figures(spec: RecurrentSpec) -> Figures:
    ctx = context(spec)
    per_layer = count_parameters(spec).per_layer
    layer_w = [per_layer[k] for k in per_layer if k.startswith("layer")]
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
        first_layer_w=layer_w[0],
        later_layer_w=layer_w[1] if len(layer_w) > 1 else 0,
    )


def _change(x: float, y: float) -> str:
    if x == y:
        return "unchanged"
    pct = abs(100 * (y - x) / x)
    return f"{'up' if y > x else 'down'} {pct:.{1 if pct < 10 else 0}f}% ({x:,} → {y:,})"


def _x(value: float) -> str:
    """A factor: ×4.78, ×0.736, ×1.2e+03."""
    return f"×{value:.3g}"


def _tag(label: LegendEntry) -> str:
    return label.status + (", DERIVED" if label.derived and label.status != "DERIVED" else "")


def _status_of(r: CompareRow, fa: Figures, fb: Figures) -> str:
    """A's and B's status: one tag when they agree, both (named) when they differ."""
    ta, tb = (_tag(label) for label in r.labels)
    return ta if ta == tb else f"{fa.arch}: {ta}; {fb.arch}: {tb}"


def _item(r: CompareRow, fa: Figures, fb: Figures) -> str:
    return (
        f"{r.bound.key} ({_status_of(r, fa, fb)}): {_x(r.ratios[1].value)} of "
        f"{expression_of(r.bound, r.results[1])}"
    )


def _ratio_rows(rows: Sequence[CompareRow], direction: Direction) -> list[CompareRow]:
    """Bounds on the VC (or pseudo-) dimension of the cells themselves, not existence references,
    sample sizes, gaps or other cells' results, whose ratio B / A could be formed."""
    return [
        r
        for r in rows
        if r.section == MAIN
        and r.ratios[1].value is not None
        and r.bound.direction is direction
        and r.bound.quantity is Quantity.VC
        and not r.bound.existence
    ]


def _keys(rows: Sequence[CompareRow]) -> str:
    return ", ".join(r.bound.key for r in rows) or "none"


def _upper_sentence(fa: Figures, fb: Figures, upper: list[CompareRow]) -> str:
    """What U and the path do, which applicable upper bounds depend on them, and which way each
    bound moves (the old text said "U or the path grows, which loosens the upper bounds" even
    where U was unchanged and both LSTM upper bounds fell)."""
    on_u = [r for r in upper if "U" in r.bound.variables]
    on_path = [r for r in upper if "path" in r.bound.variables]
    parts = [
        f"U {_change(fa.unrolled_units, fb.unrolled_units)} (upper bounds that depend on it "
        f"here: {_keys(on_u)}); longest path {_change(fa.path, fb.path)} (upper bounds that "
        f"depend on it here: {_keys(on_path)})."
    ]
    if not upper:
        return parts[0] + " No upper bound applies to both, so none is compared."
    rise = [r for r in upper if r.ratios[1].value > 1]
    fall = [r for r in upper if r.ratios[1].value < 1]
    if fall:
        items = "; ".join(f"{r.bound.key} {_x(r.ratios[1].value)}" for r in fall)
        parts.append(f"Upper bounds that fall: {items}.")
    if rise:
        items = "; ".join(f"{r.bound.key} {_x(r.ratios[1].value)}" for r in rise)
        parts.append(
            f"Upper bounds that rise: {items}; a rising upper bound allows more capacity but "
            "does not show it."
        )
    else:
        parts.append("No upper bound rises, so nothing in them hints at more capacity.")
    return " ".join(parts)


def _feedforward_log10(size: tuple[float, int]) -> float:
    """log10 of W·L·log W (constant unknown) for a network of W parameters and L layers."""
    w, layers = size
    return math.log10(w) + math.log10(layers) + math.log10(math.log(w))


def _depth_sentence(ca: Context, cb: Context, fa: Figures, fb: Figures) -> tuple[str, float | None]:
    """The depth results in their own form, and a figure only where they cover both networks:
    the untied unrolled ReLU RNN (a piecewise-linear network whose class contains the RNN's)."""
    uncovered = [
        f"{c.spec.name} (not a piecewise-linear network)"
        if c.spec.cell is not Cell.RNN_RELU
        else f"{c.spec.name} (the layering of its unrolled network is not derived)"
        for c in (ca, cb)
        if c.spec.cell is not Cell.RNN_RELU or untied_size(c) is None
    ]
    if uncovered:
        return (
            f"{DEPTH_LAW} They cover neither {' nor '.join(uncovered)}"
            if len(uncovered) == 2
            else f"{DEPTH_LAW} They do not cover {uncovered[0]}"
        ) + ", so no figure is computed from them.", None
    (wa, la), (wb, lb) = untied_size(ca), untied_size(cb)
    ff = 10 ** (_feedforward_log10((wb, lb)) - _feedforward_log10((wa, la)))
    factor = fb.layers / fa.layers
    return (
        f"{DEPTH_LAW} For these ReLU RNNs, applied to the untied unrolled network (its class "
        f"contains the RNN's; W = parameters of all cell applications, L = its layers; "
        f"{DERIVED_LABEL}): the upper bound's W·L·log W changes {_x(ff)} (W {wa:,.0f} → "
        f"{wb:,.0f}, L {la} → {lb}), not {_x(factor)}: the path grows only {fa.path} → "
        f"{fb.path}."
    ), ff


def _question(fa: Figures, fb: Figures) -> str:
    factor = fb.layers / fa.layers
    if fa.layers == fb.layers:
        return f"Both have {fa.layers} layer(s); is VC({fb.arch}) / VC({fa.arch}) known?"
    return (
        f"Is VC({fb.arch}) = ({fb.layers}/{fa.layers}) × VC({fa.arch}), i.e. does capacity "
        f"scale {_x(factor)} with the layer count?"
    )


def _figures_sentence(fa: Figures, fb: Figures) -> str:
    """What the figures do instead of a law: layers, w (per layer), units, U and the path."""
    later = (
        f" (layer 1: {fa.first_layer_w:,}; each later layer of {fb.arch}: {fb.later_layer_w:,})"
        if fb.later_layer_w
        else ""
    )
    return (
        f"What the figures do instead: layers {_x(fb.layers / fa.layers)}; parameters w "
        f"{_x(fb.w / fa.w)}{later}; hidden units {_x(fb.units / fa.units)}; unrolled units U "
        f"{_x(fb.unrolled_units / fa.unrolled_units)}; unrolled depth k + L − 1 "
        f"{fa.path} → {fb.path} ({_x(fb.path / fa.path)}): stacking adds L − 1 steps to a path "
        "of k."
    )


def _lower_sentence(
    ca: Context, cb: Context, fa: Figures, fb: Figures, lower: list[CompareRow]
) -> str:
    """The lower bounds' ratios, which follow w, or why none applies to both."""
    factor, w_ratio = fb.layers / fa.layers, fb.w / fa.w
    if lower:
        items = "; ".join(_item(r, fa, fb) for r in lower)
        return (
            f"Lower bounds (ratios of the expression, constants unknown, not ratios of "
            f"capacities): {items}. They follow w, not the layer count"
            + (
                f" ({_x(w_ratio)} against {_x(factor)})."
                if not math.isclose(w_ratio, factor, rel_tol=1e-3)
                else "; here w happens to scale with it."
            )
        )
    return "No lower bound applies to both architectures." + (
        " Koiran & Sontag's lower bounds are stated for vanilla RNNs, not for "
        f"{' or '.join(sorted({c.spec.cell.value.upper() for c in (ca, cb)}))} cells "
        "(--all lists them apart, as references)."
        if ca.spec.cell in GATED and cb.spec.cell in GATED
        else ""
    )


def _measured_sentence(measured: Sequence[Measured], factor: float) -> str:
    if not measured:
        return (
            "Measured: none given for this pair (no VC estimate was measured); a measured ratio "
            "h(B)/h(A) would be quoted here."
        )
    items = "; ".join(
        f"{m.what}: {m.a:,.4g} → {m.b:,.4g} ({_x(m.ratio)}, against {_x(factor)})"
        + (f" [{m.source}]" if m.source else "")
        for m in measured
    )
    return f"Measured: {items}."


def _conclusion(fa: Figures, fb: Figures, lower: list[CompareRow], upper: list[CompareRow]) -> str:
    """Neither established nor implied: what moves with w, and which upper bounds grow faster."""
    w_ratio = fb.w / fa.w
    rising = [r.bound.key for r in upper if r.ratios[1].value > max(w_ratio, 1.0)]
    return (
        f"So VC({fb.arch}) = ({fb.layers}/{fa.layers}) × VC({fa.arch}) is neither established "
        "nor implied by any result found: "
        + (
            f"the lower bounds' expressions move with w ({_x(w_ratio)})"
            if lower
            else f"no lower bound covers these cells (w moves {_x(w_ratio)})"
        )
        + (
            f", and only upper bounds ({', '.join(rising)}), which allow but do not show "
            "capacity, grow faster."
            if rising
            else "; no upper bound grows faster than w."
        )
    )


def _direct_answer(
    ca: Context,
    cb: Context,
    fa: Figures,
    fb: Figures,
    lower: list[CompareRow],
    upper: list[CompareRow],
    measured: Sequence[Measured],
) -> DirectAnswer:
    factor = fb.layers / fa.layers
    question = _question(fa, fb)
    lines = [
        question,
        "Answer: not established. No published result gives a multiplicative or an additive law "
        "for the VC dimension of recurrent depth: every recurrent VC bound (Koiran & Sontag 1998) "
        "is in w and k only, and none is stated for stacked, LSTM or GRU networks.",
        _figures_sentence(fa, fb),
        _lower_sentence(ca, cb, fa, fb, lower),
    ]
    if upper:
        items = "; ".join(_item(r, fa, fb) for r in upper)
        lines.append(
            f"Upper bounds (ratios of the bounds, not of capacities): {items}. An upper bound "
            "that grows allows more capacity; it does not show it."
        )
    depth, ff = _depth_sentence(ca, cb, fa, fb)
    lines += [depth, _measured_sentence(measured, factor), _conclusion(fa, fb, lower, upper)]
    return DirectAnswer(
        question=question,
        established=False,
        layer_factor=factor,
        w_ratio=fb.w / fa.w,
        units_ratio=fb.units / fa.units,
        path_ratio=fb.path / fa.path,
        feedforward_ratio=ff,
        lower={r.bound.key: r.ratios[1].value for r in lower},
        upper={r.bound.key: r.ratios[1].value for r in upper},
        measured=tuple(measured),
        lines=tuple(lines),
    )


def explain(
    spec_a: RecurrentSpec,
    spec_b: RecurrentSpec,
    measured: Sequence[Measured] = (),
    other_cells: bool = False,
    **setting: Any,
) -> Explanation:
    """Compare A with B: the figures, each bound's change, what theory leaves open, and the
    direct answer to "is VC(B) = (L_B / L_A) x VC(A)?" (quoting `measured` capacities if any).
    With `other_cells`, the rows also hold vanilla-RNN results beside LSTM/GRU (references in
    their own section, which no sentence uses)."""
    fa, fb = _figures(spec_a), _figures(spec_b)
    rows = tuple(compare_bounds([spec_a, spec_b], other_cells=other_cells, **setting))
    ca, cb = context(spec_a, **setting), context(spec_b, **setting)
    lines = [
        f"From {fa.arch} to {fb.arch} (input size {fb.input_size}, k = {fb.seq_len} steps): "
        f"parameters w {_change(fa.w, fb.w)}; layers "
        f"{_change(fa.layers, fb.layers)}; hidden units {_change(fa.units, fb.units)}; unrolled "
        f"nonlinear units U {_change(fa.unrolled_units, fb.unrolled_units)}; longest path in "
        f"cell applications {_change(fa.path, fb.path)}.",
    ]
    lower = _ratio_rows(rows, Direction.LOWER)
    upper = _ratio_rows(rows, Direction.UPPER)
    lines.append(_upper_sentence(fa, fb, upper))
    no_ratio = [r for r in rows if r.ratios[1].log10 is None]  # each with its reason
    if no_ratio and spec_a.cell != spec_b.cell:
        lines.append("Different cells: bounds are compared only within one activation class.")
    bits_a, bits_b = expected_bits(spec_a.cell, fa.w)[0], expected_bits(spec_b.cell, fb.w)[0]
    lines.append(
        f"Empirical reference (Collins et al. 2017, ≈ 5 bits per parameter, flat in depth; "
        f"STATED-VERIFIED, applied to these w: DERIVED): expected memorised capacity "
        f"{_x(bits_b / bits_a)}; capacity tracks w, not units, and an untuned model stores less."
    )
    for f in (fa, fb):
        if f.min_width < f.input_size:
            lines.append(
                f"{f.arch} has a layer of {f.min_width} units < {f.input_size} inputs: per "
                "Collins et al. a layer needs at least as many units as the features it must "
                "carry across time."
            )
    answer = _direct_answer(ca, cb, fa, fb, lower, upper, measured)
    return Explanation(fa, fb, tuple(lines), rows, answer)
