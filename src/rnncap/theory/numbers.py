"""Numbers in log space as the catalog writes them: 10^x for huge values, plain counts."""

from __future__ import annotations

import math


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
