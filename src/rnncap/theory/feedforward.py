"""Feed-forward VC bounds applied to the unrolled recurrent network (theory.md 2.3-2.5, 2.7, 2.9).

How rnncap applies them (DERIVED, derivations in docs/theory.md):

* results that count *distinct* parameters (Goldberg–Jerrum, BHLM Theorem 10, Karpinski–Macintyre)
  hold with the weights shared across time: W = the spec's w, U = the unrolled graph's units;
* results argued layer by layer (BHLM Theorem 7, Bartlett–Maiorov–Meir) assume one parameter per
  edge; they are applied to the *untied* unrolled network, whose class contains the weight-shared
  one, so its bound also bounds the RNN. Layer j of the untied network holds the cell
  applications (l, t) with t + l - 1 = j, then the head: k + L layers in all (unidirectional).

This module holds their catalog rows; the closed forms are `rnncap.theory.feedforward_formulas`,
the untied network `rnncap.theory.untied`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import partial

from rnncap.arch import Cell
from rnncap.theory.cells import GATED, Activation, activation_classes
from rnncap.theory.context import Context
from rnncap.theory.core import (
    DERIVED_LABEL,
    PDIM_LOWER_NOTE,
    PDIM_UPPER_NOTE,
    Bound,
    Citation,
    Direction,
    Form,
    Quantity,
    Result,
    Status,
    explicit,
    not_applicable,
    order,
    register,
)
from rnncap.theory.feedforward_formulas import bhlm_thm7_vc, bhlm_thm10_log10
from rnncap.theory.numbers import fmt_count, fmt_log10
from rnncap.theory.untied import unsupported_layering, untied_layers

GJ95 = Citation(
    "Goldberg & Jerrum",
    1995,
    "Bounding the Vapnik-Chervonenkis dimension of concept classes parameterized by real numbers",
    "Machine Learning 18:131-148",
    "Theorem 2.2 (as Theorem 19 of Bartlett et al. 2019)",
)
KM97 = Citation(
    "Karpinski & Macintyre",
    1997,
    "Polynomial bounds for VC dimension of sigmoidal and general Pfaffian neural networks",
    "DIMACS TR 96-44; J. Computer and System Sciences 54(1), 1997 (volume/pages UNVERIFIED)",
    "abstract",
)
BMM98 = Citation(
    "Bartlett, Maiorov & Meir",
    1998,
    "Almost linear VC dimension bounds for piecewise polynomial networks",
    "NIPS 11 (1998), pp. 190-196 (journal version UNVERIFIED)",
    "Theorems 1 and 2 (as cited by Bartlett et al. 2019)",
)


GJ95_CONSEQUENCE = replace(
    GJ95,
    locator="consequence for piecewise-polynomial networks (as quoted by Bartlett, Maiorov & Meir "
    "1998)",
)
BHLM19 = Citation(
    "Bartlett, Harvey, Liaw & Mehrabian",
    2019,
    "Nearly-tight VC-dimension and pseudodimension bounds for piecewise linear neural networks",
    "JMLR 20(63):1-17",
    "Theorem 7",
)


_RELU = (Cell.RNN_RELU,)


def _scalar_units(ctx: Context) -> int:
    """Computation units for one scalar output: U + the output unit (+1 for regression)."""
    return ctx.units + (1 if ctx.spec.outputs else 0) + (1 if ctx.regression else 0)


def _lower_depth(ctx: Context) -> int:
    """Longest path in units of the unrolled ReLU network (one stage per cell application), for
    lower bounds: regression adds a layer for upper bounds only (theory.md 4.6)."""
    return ctx.path + (1 if ctx.spec.outputs else 0)


def _quantity(ctx: Context) -> Quantity | None:
    return Quantity.PDIM if ctx.regression else None


def _notes(ctx: Context, *more: str, upper: bool = True) -> tuple[str, ...]:
    pdim = PDIM_UPPER_NOTE if upper else PDIM_LOWER_NOTE
    return (*more, *((pdim,) if ctx.regression else ()))


# -- evaluation rules ----------------------------------------------------------------------------
_EXISTENCE = (
    "existence: some feed-forward ReLU network with <= W parameters and <= L layers reaches it; "
    "not a lower bound for this RNN"
)
_UNROLLED_CAVEAT = "worst case over data and weights, usually vacuous"


def _gj(ctx: Context) -> Result:
    return not_applicable(
        "stated for Boolean formulas of polynomial predicates; a ReLU RNN enters through "
        "bhlm19-thm10-unrolled, whose proof applies this theorem"
    )


_MIXED_REASON = (
    "hard-sigmoid gates are piecewise linear: affine sign conditions select each piece, on which "
    "the network is Pfaffian, and Karpinski–Macintyre's method extends to Pfaffian formulas "
    "(theory.md 2.4, abstract only)"
)


def _km(ctx: Context) -> Result:
    w, u = ctx.w_eff, _scalar_units(ctx)
    notes = ["unrolled network: W = distinct (shared) parameters, U = its units; " + DERIVED_LABEL]
    caveat = ""
    if Activation.MIXED in activation_classes(ctx.spec):
        notes.append(_MIXED_REASON + ", " + DERIVED_LABEL)
        caveat = _MIXED_REASON + "; order of growth, constants unknown; worst case"
    elif ctx.spec.cell in GATED:
        notes.append("gates are products of Pfaffian functions, hence Pfaffian (theory.md 2.4)")
    text = f"O((W·U)²) = O(({fmt_count(w)} · {fmt_count(u)})²)"
    log10 = 2 * (math.log10(w) + math.log10(u))
    return order(text, log10, quantity=_quantity(ctx), notes=_notes(ctx, *notes), caveat=caveat)


_GATED_PIECEWISE_REASON = (
    "gated cells with piecewise-linear gates and candidate: the gate products are polynomials of "
    "degree 2 in unit outputs, so the unrolled network stays piecewise polynomial with a bounded "
    "degree per unit; the product units change only the constant (theory.md 2.9 leaves the "
    "gated case open; docs/theory.md has the reasoning)"
)


def _gj_consequence(ctx: Context) -> Result:
    w, u = ctx.w_eff, _scalar_units(ctx)
    notes = [
        "unrolled network: W = distinct (shared) parameters, which Goldberg–Jerrum count; "
        "U = its computation units; " + DERIVED_LABEL
    ]
    caveat = ""
    if ctx.spec.cell in GATED:
        notes.append(_GATED_PIECEWISE_REASON + ", " + DERIVED_LABEL)
        caveat = _GATED_PIECEWISE_REASON + "; order of growth, constants unknown"
    text = f"O(W² + W·U) = O({fmt_count(w)}² + {fmt_count(w)} · {fmt_count(u)})"
    log10 = math.log10(w) + math.log10(w + u)
    return order(text, log10, quantity=_quantity(ctx), notes=_notes(ctx, *notes), caveat=caveat)


def _bmm_upper(ctx: Context) -> Result:
    if (why := unsupported_layering(ctx)) is not None:
        return not_applicable(why)
    units, params = untied_layers(ctx)
    w, n_layers = float(params.sum()), len(units)
    log_w = math.log10(w)
    first = log_w + math.log10(n_layers) + math.log10(math.log(w))
    second = log_w + 2 * math.log10(n_layers)
    top = max(first, second)
    log10 = top + math.log10(10 ** (first - top) + 10 ** (second - top))
    text = f"O(W·L·log W + W·L²) at W = {fmt_count(w)}, L = {n_layers:,}"
    note = "untied unrolled network (W = parameters of all cell applications); " + DERIVED_LABEL
    return order(text, log10, quantity=_quantity(ctx), notes=_notes(ctx, note))


def _existence_lower(expression: str, with_log: bool, ctx: Context) -> Result:
    """An existence reference at the spec's W and depth (bound with `functools.partial`)."""
    w, depth = ctx.w, _lower_depth(ctx)
    if with_log and w <= depth:
        return not_applicable(f"needs W > L; got W = {w}, L = {depth}")
    log10 = math.log10(w) + math.log10(depth)
    if with_log:
        log10 += math.log10(math.log(w / depth))
    subst = f"{fmt_count(w)} · {fmt_count(depth)}"
    subst += f" · log({fmt_count(w)}/{fmt_count(depth)})" if with_log else ""
    note = _EXISTENCE + " (W, L of this spec's unrolled network), " + DERIVED_LABEL
    return order(
        f"{expression} = Ω({subst})",
        log10,
        quantity=_quantity(ctx),
        notes=_notes(ctx, note, upper=False),
    )


def _thm7(ctx: Context) -> Result:
    if (why := unsupported_layering(ctx)) is not None:
        return not_applicable(why)
    units, params = untied_layers(ctx)
    bound, lbar = bhlm_thm7_vc(units, params)  # ReLU: the defaults p = 1, d = 1
    note = (
        f"untied unrolled network: {len(units):,} layers, W = {fmt_count(params.sum())} "
        f"(all cell applications), L̄ = {lbar:.4g}; " + DERIVED_LABEL
    )
    log10 = math.log10(bound)
    return explicit(
        log10,
        f"<= {fmt_log10(log10)}",
        quantity=_quantity(ctx),
        notes=_notes(ctx, note, "worst case, usually vacuous"),
    )


def _thm10(ctx: Context) -> Result:
    if not ctx.spec.outputs and not ctx.regression:
        return not_applicable("the network model ends in a linear output unit: give a head")
    w, u = ctx.w_eff, _scalar_units(ctx)
    log10 = bhlm_thm10_log10(w, u)  # ReLU: the defaults d = 1, p = 2
    note = (
        f"unrolled network: W = {fmt_count(w)} distinct parameters (valid with sharing: the "
        f"Goldberg–Jerrum argument counts distinct parameters), U = {fmt_count(u)}; "
        + DERIVED_LABEL
    )
    return explicit(
        log10,
        f"<= {fmt_log10(log10)}",
        quantity=_quantity(ctx),
        notes=_notes(ctx, note, "worst case, usually vacuous"),
    )


_PWL = (Activation.PIECEWISE_POLYNOMIAL,)
_UNROLL = "applied to the unrolled ReLU RNN (docs/theory.md), " + DERIVED_LABEL
_UNTIED = "applied to the untied unrolled ReLU RNN (its class contains the RNN's), " + DERIVED_LABEL
_FF = ("feed-forward network, one sink; W counts weights and biases; sign of the output",)

for _bound in (
    Bound(
        "gj95-thm2.2",
        "Goldberg–Jerrum Theorem 2.2",
        GJ95,
        Quantity.VC,
        Direction.UPPER,
        Form.EXPLICIT,
        (Activation.POLYNOMIAL, Activation.PIECEWISE_POLYNOMIAL),
        _RELU,
        (
            "class defined by a Boolean formula of s polynomial predicates of degree <= d",
            "k real parameters (distinct; sharing allowed)",
        ),
        Status.STATED_SECONDARY,
        "VCdim <= 2·k·log2(8·e·d·s)",
        "through BHLM Theorem 10; standalone: goldberg_jerrum_vc(k, d, s)",
        Status.DERIVED,
        _gj,
        caveat="stated for Boolean formulas of polynomial predicates; reaches RNNs via Theorem 10",
        variables=("k parameters", "d", "s"),
    ),
    Bound(
        "km97-pfaffian-unrolled",
        "Karpinski–Macintyre sigmoid/Pfaffian bound",
        KM97,
        Quantity.VC,
        Direction.UPPER,
        Form.ORDER,
        (Activation.STANDARD_SIGMOID, Activation.PFAFFIAN),
        (Cell.RNN_TANH, *GATED),
        ("l programmable parameters, m computation nodes, standard sigmoid or Pfaffian units",),
        Status.ABSTRACT_ONLY,
        "O((l·m)²)",
        "unrolled network: W = w (shared parameters), U = its units + output units (the "
        "abstract's parameter and node counts), " + DERIVED_LABEL,
        Status.DERIVED,
        _km,
        caveat="order of growth from the abstract, constants unknown; worst case",
        variables=("w", "U"),
        gated_classes=(Activation.PFAFFIAN, Activation.MIXED),
    ),
    Bound(
        "gj95-pwpoly-consequence",
        "Goldberg–Jerrum consequence for piecewise-polynomial networks",
        GJ95_CONSEQUENCE,
        Quantity.VC,
        Direction.UPPER,
        Form.ORDER,
        (Activation.PIECEWISE_POLYNOMIAL, Activation.GATED_PIECEWISE),
        (Cell.RNN_RELU, *GATED),
        (
            "network of piecewise-polynomial units, W real parameters, k computation units",
            "Goldberg–Jerrum Theorem 2.2 counts distinct parameters (sharing allowed)",
        ),
        Status.STATED_SECONDARY,
        "VCdim <= c1·(W² + W·k) = O(W²)",
        "unrolled network: W = w (shared parameters), U = its units + output units (the "
        "theorem's computation units), " + DERIVED_LABEL,
        Status.DERIVED,
        _gj_consequence,
        caveat="order of growth, constants unknown; worst case over data and weights",
        variables=("w", "U"),
        gated_classes=(Activation.GATED_PIECEWISE,),
    ),
    Bound(
        "bmm98-upper-untied",
        "Bartlett–Maiorov–Meir upper bound",
        BMM98,
        Quantity.VC,
        Direction.UPPER,
        Form.ORDER,
        _PWL,
        _RELU,
        (*_FF, "piecewise polynomial activations with a bounded number of pieces"),
        Status.STATED_SECONDARY,
        "O(W·L·log W + W·L²)",
        _UNTIED,
        Status.DERIVED,
        _bmm_upper,
        caveat="order of growth, constants unknown; worst case over data and weights",
        variables=("w", "k", "path"),
    ),
    Bound(
        "bmm98-lower",
        "Bartlett–Maiorov–Meir lower bound",
        BMM98,
        Quantity.VC,
        Direction.LOWER,
        Form.ORDER,
        _PWL,
        _RELU,
        (*_FF, "existence ('bit extraction'): some network with W parameters and L layers"),
        Status.STATED_SECONDARY,
        "Ω(W·L)",
        "reference at the RNN's W and depth, " + DERIVED_LABEL,
        Status.DERIVED,
        partial(_existence_lower, "Ω(W·L)", False),
        existence=True,
        caveat=_EXISTENCE,
        variables=("w", "path"),
    ),
    Bound(
        "bhlm19-thm3",
        "BHLM Theorem 3 (lower bound)",
        replace(BHLM19, locator="Theorem 3"),
        Quantity.VC,
        Direction.LOWER,
        Form.ORDER,
        _PWL,
        _RELU,
        (*_FF, "ReLU units; universal constant C with W > C·L > C²; existence"),
        Status.STATED_VERIFIED,
        "some ReLU net with <= L layers, <= W parameters has VCdim >= W·L·log(W/L)/C",
        "reference at the RNN's W and depth (longest path), " + DERIVED_LABEL,
        Status.DERIVED,
        partial(_existence_lower, "Ω(W·L·log(W/L))", True),
        existence=True,
        caveat=_EXISTENCE,
        variables=("w", "path"),
    ),
    Bound(
        "bhlm19-thm7-untied",
        "BHLM Theorem 7 (explicit upper bound)",
        BHLM19,
        Quantity.VC,
        Direction.UPPER,
        Form.EXPLICIT,
        _PWL,
        _RELU,
        (*_FF, "p + 1 pieces, degree d (ReLU: p = 1, d = 1); linear output unit; U > 2"),
        Status.STATED_VERIFIED,
        "VCdim <= L + L̄·W·log2(4·e·p·R·log2(2·e·p·R)), R = Σ k_i·(1 + (i−1)·d^(i−1))",
        _UNTIED,
        Status.DERIVED,
        _thm7,
        caveat=_UNROLLED_CAVEAT,
        variables=("w", "k", "path", "U"),
    ),
    Bound(
        "bhlm19-thm10-unrolled",
        "BHLM Theorem 10 (explicit, in units)",
        replace(BHLM19, locator="Theorem 10 (explicit value from its proof)"),
        Quantity.VC,
        Direction.UPPER,
        Form.EXPLICIT,
        _PWL,
        _RELU,
        (*_FF, "p pieces, degree <= d (ReLU: p = 2, d = 1)"),
        Status.STATED_VERIFIED,
        "VCdim <= 2·W·log2(16·e·max{U+1, 2·d·U}·(1+p)^U) = O(W·U·log((d+1)·p))",
        _UNROLL,
        Status.DERIVED,
        _thm10,
        caveat=_UNROLLED_CAVEAT,
        variables=("w", "U"),
    ),
):
    register(_bound)
