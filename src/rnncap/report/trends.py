"""Trends with size as the report states them: Spearman's rank correlation with a 95% interval,
a trend only when the interval excludes zero, and only over at least `MIN_TREND_ARCHS`
architectures."""

from __future__ import annotations

import math

#: Fewest architectures over which the report states a trend with size.
MIN_TREND_ARCHS = 6


def rank_correlation(x: list[float], y: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties, then Pearson); nan if undefined."""

    def ranks(v: list[float]) -> list[float]:
        order = sorted(range(len(v)), key=lambda i: v[i])
        out = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return out

    rx, ry = ranks(x), ranks(y)
    n = len(x)
    if n < 3:
        return math.nan
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else math.nan


def rank_interval(r: float, n: int) -> tuple[float, float]:
    """95% interval of a Spearman correlation: Fisher z with Fieller et al.'s (1957)
    standard error 1.06 / sqrt(n - 3)."""
    if n <= 3 or not math.isfinite(r):
        return -1.0, 1.0
    z = math.atanh(max(min(r, 0.999999), -0.999999))
    half = 1.96 * 1.06 / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def trend_text(x: list[float], y: list[float], what: str) -> str:
    """`what` rises, falls or shows no clear trend with `x`: the rank correlation with its 95%
    interval, a trend only when the interval excludes zero."""
    r = rank_correlation(x, y)
    lo, hi = rank_interval(r, len(x))
    stats = f"rank correlation {r:+.2f}, 95% interval {lo:+.2f} to {hi:+.2f}"
    if not math.isfinite(r) or lo <= 0 <= hi:
        return f"{what} shows no clear trend with size ({stats})"
    return f"{what} {'rises' if r > 0 else 'falls'} with size ({stats})"
