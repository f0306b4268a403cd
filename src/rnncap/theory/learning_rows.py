"""Catalog rows of the learning-theory glue (theory.md section 4), evaluated for a spec.

The rows evaluate the formulas of `rnncap.theory.learning` at a VC / pseudo-dimension ``d``: the
user's proxy (``vc=``) when given, else the smallest explicit upper bound that applies to the spec
(BHLM Theorems 7 and 10 for ReLU RNNs). Without either (LSTM, GRU, tanh RNN) they are not
applicable and say so.
"""

from __future__ import annotations

import math
from functools import partial

from rnncap.arch import Cell
from rnncap.theory.cells import ALL_GATED_CLASSES, Activation, single_recurrence_reason
from rnncap.theory.context import Context
from rnncap.theory.core import (
    DERIVED_LABEL,
    Bound,
    Citation,
    Direction,
    Form,
    Kind,
    Quantity,
    Result,
    Status,
    explicit,
    get_bound,
    not_applicable,
    order,
    register,
)
from rnncap.theory.learning import (
    MOHRI,
    MOHRI_TITLE,
    MOHRI_VENUE,
    UML,
    UML_TITLE,
    UML_VENUE,
    blumer_samples,
    mohri_pdim_samples,
    mohri_vc_gap,
    sauer_log10,
    uml_agnostic_gap,
    uml_agnostic_samples,
    uml_realizable_samples,
)
from rnncap.theory.numbers import fmt_count, fmt_log10

# -- catalog rows ----------------------------------------------------------------------------------
EXPLICIT_VC_KEYS = ("bhlm19-thm7-untied", "bhlm19-thm10-unrolled")


def vc_for_samples(ctx: Context) -> tuple[float, str] | None:
    """The d that the glue rows use: the user's proxy, else the smallest explicit upper bound."""
    if ctx.vc is not None:
        return ctx.vc, "user-supplied proxy"
    best: tuple[Result, str] | None = None
    for key in EXPLICIT_VC_KEYS:
        result = get_bound(key).evaluate(ctx)
        if result.value is not None and (best is None or result.log10 < best[0].log10):
            best = (result, key)
    if best is None:
        return None
    (result, key), name = best, "Pdim" if ctx.regression else "VCdim"
    return result.value, f"{name} <= {fmt_log10(result.log10)} from {key} ({DERIVED_LABEL})"


def _no_d(ctx: Context) -> Result:
    return not_applicable(
        f"no explicit VC/pseudo-dimension bound is known for {ctx.spec.cell.value}; "
        "pass a proxy (vc=D) to evaluate"
    )


def _wrong_task(ctx: Context, for_regression: bool) -> Result:
    stated = "regression (pseudo-dimension)" if for_regression else "classification (0-1 loss)"
    return not_applicable(f"stated for {stated}; the task is {ctx.task.value}")


def _gap_row(fn, for_regression: bool, ctx: Context) -> Result:
    """A generalization-gap row at d (bound to its formula with `functools.partial`)."""
    if ctx.regression != for_regression:
        return _wrong_task(ctx, for_regression)
    if ctx.m is None:
        return not_applicable("needs the number of training samples (m=M)")
    found = vc_for_samples(ctx)
    if found is None:
        return _no_d(ctx)
    d, source = found
    unit = " · M" if for_regression else ""
    if not math.isfinite(d) or ctx.m < d:
        text = f"vacuous: m = {ctx.m:,} < d = {fmt_count(d)}"
        return Result(Kind.EXPLICIT, text, vacuous=True, notes=(f"d: {source}",))
    gap = fn(d, ctx.m, ctx.delta)
    vacuous = gap >= 1
    text = f"{gap:.4g}{unit}" + (" (vacuous: >= 1)" if vacuous else "")
    notes = [f"d: {source}"]
    if for_regression:
        notes.append("Pdim(H)-based, loss-class adjustment not applied; M bounds the loss")
    return explicit(math.log10(gap), text, vacuous=vacuous, notes=tuple(notes))


def _samples_row(fn, for_regression: bool, ctx: Context) -> Result:
    """A sample-size row at d (bound to its formula with `functools.partial`)."""
    if ctx.regression != for_regression:
        return _wrong_task(ctx, for_regression)
    found = vc_for_samples(ctx)
    if found is None:
        return _no_d(ctx)
    d, source = found
    if not math.isfinite(d):
        return Result(Kind.EXPLICIT, "vacuous: d beyond float range", vacuous=True)
    need = fn(d, ctx.epsilon, ctx.delta)
    vacuous = ctx.m is not None and need > ctx.m
    text = f"m >= {fmt_log10(math.log10(need))} at ε = {ctx.epsilon:g}"
    if vacuous:
        text += f" (vacuous: only {ctx.m:,} samples)"
    return explicit(math.log10(need), text, vacuous=vacuous, notes=(f"d: {source}",))


def _sauer(ctx: Context) -> Result:
    if ctx.m is None:
        return not_applicable("needs the number of training samples (m=M)")
    found = vc_for_samples(ctx)
    if found is None:
        return _no_d(ctx)
    d, source = found
    if not math.isfinite(d):
        return not_applicable("d beyond float range")
    log10 = sauer_log10(ctx.m, d)
    shatter = log10 >= ctx.m * math.log10(2) - 1e-12
    text = f"Π(m) <= {fmt_log10(log10)} vs 2^m = {fmt_log10(ctx.m * math.log10(2))}"
    note = "m points may be shattered" if shatter else "cannot shatter m points"
    return explicit(log10, text, notes=(f"d: {source}", note))


def _ks_lower_samples(ctx: Context) -> Result:
    if ctx.regression:  # a 0-1-loss result: it says nothing about squared or absolute loss
        return _wrong_task(ctx, for_regression=False)
    w, k = ctx.w, ctx.k
    log10 = math.log10(w) + math.log10(k) - 2 * math.log10(ctx.epsilon)
    text = f"Ω(w·k/ε²) = Ω({fmt_count(w)} · {fmt_count(k)} / {ctx.epsilon:g}²) samples needed"
    note = (
        "agnostic lower bound Ω((d + log(1/δ))/ε²) (UML 6.8, 0-1 loss) at the Koiran–Sontag "
        "lower bound d = Ω(w·k); " + DERIVED_LABEL
    )
    return order(text, log10, notes=(note,))


_ALL = (Cell.LSTM, Cell.GRU, Cell.RNN_TANH, Cell.RNN_RELU)
_ANY = (Activation.ANY,)
_D = "d = user proxy or the smallest explicit VC/Pdim upper bound for the spec"


_WORST = "worst case over data and weights, usually vacuous"
_c = Citation
# key, name, citation, quantity, direction, formula, assumptions, status, rule, caveat
_GLUE: list[tuple] = []
_GLUE.append(
    (
        "sauer-growth",
        "Sauer–Shelah–Perles lemma",
        _c(UML, 2014, UML_TITLE, UML_VENUE, "Lemma 6.10; Mohri et al. Corollary 3.18"),
        Quantity.GROWTH,
        Direction.UPPER,
        "Π_H(m) <= (e·m/d)^d for m > d + 1",
        ("VCdim(H) <= d",),
        Status.STATED_SECONDARY,
        _sauer,
        _WORST,
    )
)
_GLUE.append(
    (
        "uml-agnostic-gap",
        "Fundamental theorem, agnostic (uniform convergence)",
        _c(UML, 2014, UML_TITLE, UML_VENUE, "Section 28.1, p. 393"),
        Quantity.GAP,
        Direction.UPPER,
        "sup_h |L_D(h) − L_S(h)| <= sqrt(8·d·log(e·m/d)/m) + sqrt(2·log(4/δ)/m)",
        ("0-1 loss, VCdim d, m >= d, i.i.d. samples",),
        Status.STATED_VERIFIED,
        partial(_gap_row, uml_agnostic_gap, False),
        "0-1 loss; " + _WORST,
    )
)
_GLUE.append(
    (
        "uml-agnostic-samples",
        "Fundamental theorem, agnostic sample size",
        _c(UML, 2014, UML_TITLE, UML_VENUE, "Section 28.1, p. 393"),
        Quantity.SAMPLES,
        Direction.UPPER,
        "m >= (128·d/ε²)·log(64·d/ε²) + (8/ε²)·(8·d·log(e/d) + 2·log(4/δ))",
        ("0-1 loss, VCdim d",),
        Status.STATED_VERIFIED,
        partial(_samples_row, uml_agnostic_samples, False),
        "0-1 loss; " + _WORST,
    )
)
_GLUE.append(
    (
        "uml-realizable-samples",
        "Fundamental theorem, realizable sample size",
        _c(UML, 2014, UML_TITLE, UML_VENUE, "Theorem 28.3"),
        Quantity.SAMPLES,
        Direction.UPPER,
        "m >= (8/ε)·(2·d·log(16e/ε) + log(2/δ))",
        ("0-1 loss, VCdim d, realizable, ε in (0,1), δ in (0,1/4)",),
        Status.STATED_VERIFIED,
        partial(_samples_row, uml_realizable_samples, False),
        "0-1 loss, realizable case; " + _WORST,
    )
)
_GLUE.append(
    (
        "blumer89-samples",
        "Blumer et al. consistent-learner sample size",
        _c(
            "Blumer, Ehrenfeucht, Haussler & Warmuth",
            1989,
            "Learnability and the Vapnik-Chervonenkis dimension",
            "JACM 36(4), 1989 (pages and journal details UNVERIFIED)",
            "main sample-size theorem (logs base 2)",
        ),
        Quantity.SAMPLES,
        Direction.UPPER,
        "m = max((4/ε)·log2(2/δ), (8d/ε)·log2(13/ε))",
        ("consistent learner, realizable, VCdim d; log base 2 (UNVERIFIED)",),
        Status.STATED_SECONDARY,
        partial(_samples_row, blumer_samples, False),
        "consistent learner, realizable; log base UNVERIFIED; " + _WORST,
    )
)
_GLUE.append(
    (
        "mohri-cor3.19-gap",
        "Mohri et al. VC generalization bound",
        _c(MOHRI, 2018, MOHRI_TITLE, MOHRI_VENUE, "Corollary 3.19, p. 42"),
        Quantity.GAP,
        Direction.UPPER,
        "R(h) <= R̂(h) + sqrt(2·d·log(e·m/d)/m) + sqrt(log(1/δ)/(2m))",
        ("binary classification, VCdim d, m >= d",),
        Status.STATED_SECONDARY,
        partial(_gap_row, mohri_vc_gap, False),
        "binary classification; " + _WORST,
    )
)
_GLUE.append(
    (
        "mohri-thm11.8-gap",
        "Mohri et al. pseudo-dimension regression bound",
        _c(MOHRI, 2018, MOHRI_TITLE, MOHRI_VENUE, "Theorem 11.8, p. 273"),
        Quantity.GAP,
        Direction.UPPER,
        "R(h) <= R̂(h) + M·sqrt(2·d·log(e·m/d)/m) + M·sqrt(log(1/δ)/(2m))",
        ("Pdim of the loss class d (Pdim(H) used: adjustment not applied), loss in [0, M]",),
        Status.STATED_SECONDARY,
        partial(_gap_row, mohri_vc_gap, True),
        "Pdim(H)-based, loss-class adjustment not applied; " + _WORST,
    )
)
_GLUE.append(
    (
        "mohri-thm11.8-samples",
        "Sample size from the pseudo-dimension bound",
        _c(MOHRI, 2018, MOHRI_TITLE, MOHRI_VENUE, "Theorem 11.8, inverted by rnncap"),
        Quantity.SAMPLES,
        Direction.UPPER,
        "smallest m with sqrt(2·d·log(e·m/d)/m) + sqrt(log(1/δ)/(2m)) <= ε (gap <= ε·M)",
        ("as Theorem 11.8; the inversion is " + DERIVED_LABEL,),
        Status.DERIVED,
        partial(_samples_row, mohri_pdim_samples, True),
        "Pdim(H)-based, loss-class adjustment not applied; " + _WORST,
    )
)
for _key, _name, _cite, _q, _dir, _formula, _assume, _status, _fn, _caveat in _GLUE:
    register(
        Bound(
            _key,
            _name,
            _cite,
            _q,
            _dir,
            Form.EXPLICIT,
            _ANY,
            _ALL,
            _assume,
            _status,
            _formula,
            _D,
            Status.DERIVED,
            _fn,
            caveat=_caveat,
            variables=("d", "m", "ε", "δ"),
            gated_classes=ALL_GATED_CLASSES,
        )
    )

register(
    Bound(
        "ks98-agnostic-lower-samples",
        "Samples needed at the Koiran–Sontag lower bound",
        _c(UML, 2014, UML_TITLE, UML_VENUE, "Theorem 6.8 with Koiran & Sontag 1998"),
        Quantity.SAMPLES,
        Direction.LOWER,
        Form.ORDER,
        (Activation.STANDARD_SIGMOID, Activation.PIECEWISE_POLYNOMIAL),
        (Cell.RNN_TANH, Cell.RNN_RELU),
        ("agnostic PAC, 0-1 loss; VCdim >= c·w·k (Koiran–Sontag lower bounds)",),
        Status.DERIVED,
        "m_H(ε, δ) >= C1·(d + log(1/δ))/ε² with d = Ω(w·k)  =>  m = Ω(w·k/ε²)",
        "vanilla RNNs, classification (0-1 loss) only, " + DERIVED_LABEL,
        Status.DERIVED,
        _ks_lower_samples,
        caveat="0-1-loss classification and vanilla RNNs only; order, constant unknown",
        derived_if=single_recurrence_reason,
        variables=("w", "k", "ε"),
    )
)
