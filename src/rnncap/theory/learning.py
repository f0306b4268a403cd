"""Learning-theory glue with explicit constants (theory.md section 4), natural logs unless stated.

The catalog rows evaluate these at a VC / pseudo-dimension ``d``: the user's proxy (``vc=``) when
given, else the smallest explicit upper bound that applies to the spec (BHLM Theorems 7 and 10 for
ReLU RNNs). Without either (LSTM, GRU, tanh RNN) they are not applicable and say so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from rnncap.arch import Cell
from rnncap.errors import require
from rnncap.theory.core import (
    DERIVED_LABEL,
    Activation,
    Bound,
    Citation,
    Context,
    Direction,
    Form,
    Kind,
    Quantity,
    Result,
    Status,
    check_delta,
    check_epsilon,
    explicit,
    fmt_count,
    fmt_log10,
    get_bound,
    not_applicable,
    order,
    register,
)

UML = "Shalev-Shwartz & Ben-David"
UML_TITLE = "Understanding Machine Learning: From Theory to Algorithms"
UML_VENUE = "Cambridge University Press"
MOHRI = "Mohri, Rostamizadeh & Talwalkar"
MOHRI_TITLE = "Foundations of Machine Learning, 2nd ed."
MOHRI_VENUE = "MIT Press"


def _check_d(d: float) -> float:
    require(d > 0 and math.isfinite(d), f"VC dimension must be a number > 0; got {d!r}")
    return float(d)


def _check_m(m: float, d: float) -> float:
    require(m >= d, f"the bound needs m >= d; got m = {m:g} < d = {d:g}")
    return float(m)


# -- formulas --------------------------------------------------------------------------------------
def sauer_log10(m: float, d: float) -> float:
    """log10 of the growth-function bound: (e·m/d)^d for m > d + 1, else the trivial 2^m."""
    _check_d(d)
    if m > d + 1:
        return d * math.log10(math.e * m / d)
    return m * math.log10(2)


def uml_agnostic_gap(d: float, m: float, delta: float) -> float:
    """UML 28.1: sup_h |L_D(h) − L_S(h)| <= sqrt(8·d·log(e·m/d)/m) + sqrt(2·log(4/δ)/m)."""
    d, delta = _check_d(d), check_delta(delta)
    m = _check_m(m, d)
    return math.sqrt(8 * d * math.log(math.e * m / d) / m) + math.sqrt(2 * math.log(4 / delta) / m)


def uml_agnostic_samples(d: float, epsilon: float, delta: float) -> float:
    """UML 28.1 sufficient m: (128·d/ε²)·log(64·d/ε²) + (8/ε²)·(8·d·log(e/d) + 2·log(4/δ))."""
    d, eps, delta = _check_d(d), check_epsilon(epsilon), check_delta(delta)
    return (128 * d / eps**2) * math.log(64 * d / eps**2) + (8 / eps**2) * (
        8 * d * math.log(math.e / d) + 2 * math.log(4 / delta)
    )


def uml_realizable_samples(d: float, epsilon: float, delta: float) -> float:
    """UML Theorem 28.3: m >= (8/ε)·(2·d·log(16e/ε) + log(2/δ)), for ε in (0,1), δ in (0,1/4)."""
    d, eps, delta = _check_d(d), check_epsilon(epsilon), check_delta(delta)
    require(eps < 1, f"Theorem 28.3 needs epsilon < 1; got {eps}")
    require(delta < 0.25, f"Theorem 28.3 needs delta < 1/4; got {delta}")
    return (8 / eps) * (2 * d * math.log(16 * math.e / eps) + math.log(2 / delta))


def uml_agnostic_lower_samples(epsilon: float, delta: float) -> float:
    """UML 28.2: any agnostic learner needs m >= 0.5·log(1/(4δ))/ε² (ε < 1/√2, δ < 1/4)."""
    eps, delta = check_epsilon(epsilon), check_delta(delta)
    require(eps < 1 / math.sqrt(2), f"the lower bound needs epsilon < 1/sqrt(2); got {eps}")
    require(delta < 0.25, f"the lower bound needs delta < 1/4; got {delta}")
    return 0.5 * math.log(1 / (4 * delta)) / eps**2


def blumer_samples(d: float, epsilon: float, delta: float) -> float:
    """Blumer et al. 1989: max((4/ε)·log2(2/δ), (8d/ε)·log2(13/ε)) for a consistent learner."""
    d, eps, delta = _check_d(d), check_epsilon(epsilon), check_delta(delta)
    return max((4 / eps) * math.log2(2 / delta), (8 * d / eps) * math.log2(13 / eps))


def mohri_vc_gap(d: float, m: float, delta: float) -> float:
    """Mohri Corollary 3.19: sqrt(2·d·log(e·m/d)/m) + sqrt(log(1/δ)/(2m)), m >= d."""
    d, delta = _check_d(d), check_delta(delta)
    m = _check_m(m, d)
    return math.sqrt(2 * d * math.log(math.e * m / d) / m) + math.sqrt(
        math.log(1 / delta) / (2 * m)
    )


def mohri_pdim_gap(d: float, m: float, delta: float, loss_bound: float = 1.0) -> float:
    """Mohri Theorem 11.8: M·sqrt(2·d·log(e·m/d)/m) + M·sqrt(log(1/δ)/(2m)), Pdim d, loss <= M."""
    require(loss_bound > 0, f"loss bound M must be > 0; got {loss_bound!r}")
    return loss_bound * mohri_vc_gap(d, m, delta)


def mohri_pdim_samples(d: float, epsilon: float, delta: float) -> float:
    """Smallest m (>= d) with Theorem 11.8's gap <= ε·M, by bisection (the gap falls with m)."""
    d, eps, delta = _check_d(d), check_epsilon(epsilon), check_delta(delta)
    lo, hi = d, max(2 * d, 2.0)
    while mohri_vc_gap(d, hi, delta) > eps:
        lo, hi = hi, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mohri_vc_gap(d, mid, delta) > eps else (lo, mid)
        if hi - lo < 1e-9 * hi:
            break
    return hi


@dataclass(frozen=True)
class SampleSizes:
    """Sample sizes for VC dimension ``vc`` at (epsilon, delta); None where a result is not used."""

    vc: float
    epsilon: float
    delta: float
    realizable: bool
    uml_agnostic: float | None
    uml_agnostic_lower: float | None
    uml_realizable: float | None
    blumer: float | None
    mohri_pdim: float | None  # regression: smallest m with Theorem 11.8's gap <= ε·M (derived)

    def to_dict(self) -> dict:
        return asdict(self)


def sample_sizes(vc: float, epsilon: float, delta: float, realizable: bool = False) -> SampleSizes:
    """The explicit sample-size bounds of theory.md 4.3-4.4 for one VC dimension."""
    _check_d(vc)
    check_epsilon(epsilon)
    check_delta(delta)
    if realizable:
        require(epsilon < 1, f"realizable bounds need epsilon < 1; got {epsilon}")
        require(delta < 0.25, f"Theorem 28.3 needs delta < 1/4; got {delta}")
    lower = (
        uml_agnostic_lower_samples(epsilon, delta)
        if epsilon < 1 / math.sqrt(2) and delta < 0.25
        else None
    )
    return SampleSizes(
        vc=float(vc),
        epsilon=float(epsilon),
        delta=float(delta),
        realizable=realizable,
        uml_agnostic=None if realizable else uml_agnostic_samples(vc, epsilon, delta),
        uml_agnostic_lower=None if realizable else lower,
        uml_realizable=uml_realizable_samples(vc, epsilon, delta) if realizable else None,
        blumer=blumer_samples(vc, epsilon, delta) if realizable else None,
        mohri_pdim=None if realizable else mohri_pdim_samples(vc, epsilon, delta),
    )


# -- catalog rows ----------------------------------------------------------------------------------
EXPLICIT_VC_KEYS = ("bhlm19-thm7-untied", "bhlm19-thm10-unrolled")


def vc_for_samples(ctx: Context) -> tuple[float, str] | None:
    """The d that the glue rows use: the user's proxy, else the smallest explicit upper bound."""
    if ctx.vc is not None:
        return ctx.vc, "user-supplied proxy"
    best: tuple[float, str] | None = None
    for key in EXPLICIT_VC_KEYS:
        result = get_bound(key).evaluate(ctx)
        if (
            result.applicable
            and result.log10 is not None
            and (best is None or result.log10 < best[0])
        ):
            best = (result.log10, key)
    if best is None:
        return None
    name = "Pdim" if ctx.regression else "VCdim"
    value = 10.0 ** best[0] if best[0] < 300 else math.inf
    return value, f"{name} <= {fmt_log10(best[0])} from {best[1]} ({DERIVED_LABEL})"


def _no_d(ctx: Context) -> Result:
    return not_applicable(
        f"no explicit VC/pseudo-dimension bound is known for {ctx.spec.cell.value}; "
        "pass a proxy (vc=..., --vc D) to evaluate"
    )


def _wrong_task(ctx: Context, for_regression: bool) -> Result:
    stated = "regression (pseudo-dimension)" if for_regression else "classification (0-1 loss)"
    return not_applicable(f"stated for {stated}; the task is {ctx.task.value}")


def _gap_row(fn, for_regression: bool):
    def evaluate(ctx: Context) -> Result:
        if ctx.regression != for_regression:
            return _wrong_task(ctx, for_regression)
        if ctx.m is None:
            return not_applicable("needs the number of training samples (m=..., --samples M)")
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

    return evaluate


def _samples_row(fn, for_regression: bool):
    def evaluate(ctx: Context) -> Result:
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

    return evaluate


def _sauer(ctx: Context) -> Result:
    if ctx.m is None:
        return not_applicable("needs the number of training samples (m=..., --samples M)")
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
    w, k = ctx.w_eff, ctx.k
    log10 = math.log10(w * 1.0) + math.log10(k) - 2 * math.log10(ctx.epsilon)
    text = f"Ω(w·k/ε²) = Ω({fmt_count(w)} · {fmt_count(k)} / {ctx.epsilon:g}²) samples needed"
    note = (
        "agnostic lower bound Ω((d + log(1/δ))/ε²) (UML 6.8) at the Koiran–Sontag lower bound "
        "d = Ω(w·k); LSTM/GRU by analogy only; " + DERIVED_LABEL
    )
    return order(text, log10, notes=(note,))


_ALL = (Cell.LSTM, Cell.GRU, Cell.RNN_TANH, Cell.RNN_RELU)
_ANY = (Activation.ANY,)
_D = "d = user proxy or the smallest explicit VC/Pdim upper bound for the spec"


def _row(key, name, cite, quantity, direction, formula, assumptions, status, fn):
    register(
        Bound(
            key,
            name,
            cite,
            quantity,
            direction,
            Form.EXPLICIT,
            _ANY,
            _ALL,
            assumptions,
            status,
            formula,
            _D,
            Status.DERIVED,
            fn,
        )
    )


_c = Citation
_row(
    "sauer-growth",
    "Sauer–Shelah–Perles lemma",
    _c(UML, 2014, UML_TITLE, UML_VENUE, "Lemma 6.10; Mohri et al. Corollary 3.18"),
    Quantity.GROWTH,
    Direction.UPPER,
    "Π_H(m) <= (e·m/d)^d for m > d + 1",
    ("VCdim(H) <= d",),
    Status.STATED_SECONDARY,
    _sauer,
)
_row(
    "uml-agnostic-gap",
    "Fundamental theorem, agnostic (uniform convergence)",
    _c(UML, 2014, UML_TITLE, UML_VENUE, "Section 28.1, p. 393"),
    Quantity.GAP,
    Direction.UPPER,
    "sup_h |L_D(h) − L_S(h)| <= sqrt(8·d·log(e·m/d)/m) + sqrt(2·log(4/δ)/m)",
    ("0-1 loss, VCdim d, m >= d, i.i.d. samples",),
    Status.STATED_VERIFIED,
    _gap_row(uml_agnostic_gap, for_regression=False),
)
_row(
    "uml-agnostic-samples",
    "Fundamental theorem, agnostic sample size",
    _c(UML, 2014, UML_TITLE, UML_VENUE, "Section 28.1, p. 393"),
    Quantity.SAMPLES,
    Direction.UPPER,
    "m >= (128·d/ε²)·log(64·d/ε²) + (8/ε²)·(8·d·log(e/d) + 2·log(4/δ))",
    ("0-1 loss, VCdim d",),
    Status.STATED_VERIFIED,
    _samples_row(uml_agnostic_samples, for_regression=False),
)
_row(
    "uml-realizable-samples",
    "Fundamental theorem, realizable sample size",
    _c(UML, 2014, UML_TITLE, UML_VENUE, "Theorem 28.3"),
    Quantity.SAMPLES,
    Direction.UPPER,
    "m >= (8/ε)·(2·d·log(16e/ε) + log(2/δ))",
    ("0-1 loss, VCdim d, realizable, ε in (0,1), δ in (0,1/4)",),
    Status.STATED_VERIFIED,
    _samples_row(uml_realizable_samples, for_regression=False),
)
_row(
    "blumer89-samples",
    "Blumer et al. consistent-learner sample size",
    _c(
        "Blumer, Ehrenfeucht, Haussler & Warmuth",
        1989,
        "Learnability and the Vapnik-Chervonenkis dimension",
        "JACM 36(4):929-965",
        "main sample-size theorem (logs base 2)",
    ),
    Quantity.SAMPLES,
    Direction.UPPER,
    "m = max((4/ε)·log2(2/δ), (8d/ε)·log2(13/ε))",
    ("consistent learner, realizable, VCdim d; log base 2 (UNVERIFIED)",),
    Status.STATED_SECONDARY,
    _samples_row(blumer_samples, for_regression=False),
)
_row(
    "mohri-cor3.19-gap",
    "Mohri et al. VC generalization bound",
    _c(MOHRI, 2018, MOHRI_TITLE, MOHRI_VENUE, "Corollary 3.19, p. 42"),
    Quantity.GAP,
    Direction.UPPER,
    "R(h) <= R̂(h) + sqrt(2·d·log(e·m/d)/m) + sqrt(log(1/δ)/(2m))",
    ("binary classification, VCdim d, m >= d",),
    Status.STATED_SECONDARY,
    _gap_row(mohri_vc_gap, for_regression=False),
)
_row(
    "mohri-thm11.8-gap",
    "Mohri et al. pseudo-dimension regression bound",
    _c(MOHRI, 2018, MOHRI_TITLE, MOHRI_VENUE, "Theorem 11.8, p. 273"),
    Quantity.GAP,
    Direction.UPPER,
    "R(h) <= R̂(h) + M·sqrt(2·d·log(e·m/d)/m) + M·sqrt(log(1/δ)/(2m))",
    ("Pdim of the loss class d (Pdim(H) used: adjustment not applied), loss in [0, M]",),
    Status.STATED_SECONDARY,
    _gap_row(mohri_vc_gap, for_regression=True),
)
_row(
    "mohri-thm11.8-samples",
    "Sample size from the pseudo-dimension bound",
    _c(MOHRI, 2018, MOHRI_TITLE, MOHRI_VENUE, "Theorem 11.8, inverted by rnncap"),
    Quantity.SAMPLES,
    Direction.UPPER,
    "smallest m with sqrt(2·d·log(e·m/d)/m) + sqrt(log(1/δ)/(2m)) <= ε (gap <= ε·M)",
    ("as Theorem 11.8; the inversion is " + DERIVED_LABEL,),
    Status.DERIVED,
    _samples_row(mohri_pdim_samples, for_regression=True),
)
register(
    Bound(
        "ks98-agnostic-lower-samples",
        "Samples needed at the Koiran–Sontag lower bound",
        _c(UML, 2014, UML_TITLE, UML_VENUE, "Theorem 6.8 with Koiran & Sontag 1998"),
        Quantity.SAMPLES,
        Direction.LOWER,
        Form.ORDER,
        (Activation.STANDARD_SIGMOID, Activation.PIECEWISE_POLYNOMIAL, Activation.PFAFFIAN),
        _ALL,
        ("agnostic PAC, 0-1 loss; VCdim >= c·w·k (Koiran–Sontag lower bounds)",),
        Status.DERIVED,
        "m_H(ε, δ) >= C1·(d + log(1/δ))/ε² with d = Ω(w·k)  =>  m = Ω(w·k/ε²)",
        "vanilla RNNs directly; LSTM/GRU by analogy, " + DERIVED_LABEL,
        Status.DERIVED,
        _ks_lower_samples,
    )
)
