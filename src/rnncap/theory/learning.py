"""Learning-theory formulas with explicit constants (theory.md section 4), natural logs unless
stated. Their catalog rows, evaluated for a spec, are in `rnncap.theory.learning_rows`."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from rnncap.errors import require
from rnncap.theory.context import check_delta, check_epsilon

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


def mohri_rademacher_gap(complexity: float, m: float, delta: float) -> float:
    """Mohri Theorem 3.3 (G in [0,1]) with the empirical complexity: 2·R̂_S + 3·sqrt(log(2/δ)/(2m)).

    `complexity` is R̂_S of the class (in [0, 1]) measured on the same m samples.
    """
    require(0.0 <= complexity <= 1.0, f"an empirical Rademacher complexity lies in [0, 1]; "
            f"got {complexity!r}")  # fmt: skip
    require(m >= 1, f"m must be >= 1; got {m!r}")
    delta = check_delta(delta)
    return 2.0 * complexity + 3.0 * math.sqrt(math.log(2.0 / delta) / (2.0 * m))


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


def sample_sizes(vc: float, epsilon: float, delta: float, realizable: bool = False) -> SampleSizes:
    """The explicit sample-size bounds of theory.md 4.3-4.4 for one VC dimension."""
    _check_d(vc)
    check_epsilon(epsilon)
    check_delta(delta)
    if realizable:  # uml_realizable_samples checks delta < 1/4 itself
        require(epsilon < 1, f"realizable bounds need epsilon < 1; got {epsilon}")
    try:
        sizes = _sample_sizes(vc, epsilon, delta, realizable)
    except (ZeroDivisionError, OverflowError):
        sizes = None
    values = [] if sizes is None else [getattr(sizes, f.name) for f in fields(sizes)]
    values = [v for v in values if isinstance(v, float)]
    require(
        sizes is not None and all(math.isfinite(v) for v in values),
        f"the sample sizes for VC dimension {vc:g} at epsilon {epsilon:g} lie beyond the "
        "floating-point range (about 1.8e308); use a larger epsilon or a smaller VC dimension",
    )
    return sizes  # type: ignore[return-value]


def _sample_sizes(vc: float, epsilon: float, delta: float, realizable: bool) -> SampleSizes:
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
