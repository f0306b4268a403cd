"""Empirical references: Collins et al. 2017 bits per parameter, Vapnik–Levin–LeCun's Φ(τ).

These are not bounds: Collins et al. measured ≈ 5 bits per parameter (3–6 across cells and depths
1, 2, 4; about 3.5 with ReLU), which rnncap shows as the capacity one should expect (theory.md 5.1).
"""

from __future__ import annotations

import math

from rnncap.arch import Cell
from rnncap.errors import require
from rnncap.theory.cells import ALL_GATED_CLASSES, Activation
from rnncap.theory.context import Context
from rnncap.theory.core import (
    DERIVED_LABEL,
    Bound,
    Citation,
    Direction,
    Form,
    Quantity,
    Result,
    Status,
    explicit,
    register,
)
from rnncap.theory.numbers import fmt_approx

_CAVEAT = "empirical estimate, after extensive tuning: an untuned model stores less"

COLLINS17 = Citation(
    "Collins, Sohl-Dickstein & Sussillo",
    2017,
    "Capacity and trainability in recurrent neural networks",
    "ICLR 2017",
    "Section 2 and Figure 1 (per-parameter capacity)",
)

#: Bits per parameter measured by Collins et al.: typical, range, and ReLU vanilla RNNs.
BITS_PER_PARAMETER = 5.0
BITS_RANGE = (3.0, 6.0)
BITS_RELU = 3.5


def collins_bits(b: int, p: float) -> float:
    """Mutual information I = b·(1 − H2(p)) in bits, for b random labels classified p correct."""
    require(isinstance(b, int) and b >= 1, f"b must be an integer >= 1; got {b!r}")
    require(0 <= p <= 1, f"p must lie in [0, 1]; got {p!r}")
    h2 = 0.0 if p in (0, 1) else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))
    return b * (1 - h2)


def expected_bits(cell: Cell, w: int) -> tuple[float, float, float]:
    """(typical, low, high) memorised bits for w parameters per Collins et al."""
    per = BITS_RELU if cell is Cell.RNN_RELU else BITS_PER_PARAMETER
    low, high = BITS_RANGE
    return per * w, min(low, per) * w, high * w


def vll_phi(tau: float) -> float:
    """Vapnik–Levin–LeCun's expected maximal deviation Φ(τ), τ = n / h (theory.md 5.2)."""
    require(tau > 0 and math.isfinite(tau), f"tau must be > 0; got {tau!r}")
    a, b, k = 0.16, 1.2, 0.14928
    if tau < 0.5:
        return 1.0
    lg = math.log(2 * tau) + 1
    return a * lg / (tau - k) * (math.sqrt(1 + b * (tau - k) / lg) + 1)


def _collins(ctx: Context) -> Result:
    typical, low, high = expected_bits(ctx.spec.cell, ctx.w)
    per = typical / ctx.w
    # an empirical ≈ 5 bits/param (3–6) supports two significant figures at most
    text = (
        f"≈ {fmt_approx(typical)} bits ({per:g} bits/param × w; range "
        f"{fmt_approx(low)}–{fmt_approx(high)})"
    )
    notes = [
        _CAVEAT,
        "bits/parameter was flat across depths 1, 2, 4: capacity tracks w, not units",
        "applied to this spec's w, " + DERIVED_LABEL,
    ]
    return explicit(math.log10(typical), text, notes=tuple(notes))


register(
    Bound(
        "collins17-bits",
        "Collins et al. memorised bits per parameter",
        COLLINS17,
        Quantity.MEMORY,
        Direction.ESTIMATE,
        Form.EXPLICIT,
        (Activation.ANY,),
        (Cell.LSTM, Cell.GRU, Cell.RNN_TANH, Cell.RNN_RELU),
        (
            "random binary inputs and labels, mutual information maximised over the sample count",
            "architectures at depths 1, 2, 4 with a parameter budget; hyper-parameters tuned",
        ),
        Status.STATED_VERIFIED,
        "≈ 5 bits per parameter (3–6; ReLU ≈ 3.5); I = b·(1 − H2(p))",
        "expected capacity: the measured bits per parameter (≈ 5; ReLU ≈ 3.5) times the spec's w",
        Status.DERIVED,
        _collins,
        caveat=_CAVEAT,
        variables=("w",),
        gated_classes=ALL_GATED_CLASSES,
    )
)
