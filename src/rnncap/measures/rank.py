"""How well each measure ranks the generalization gaps: Jiang et al. (2020)'s statistics.

- **Kendall's tau** between a measure and a gap over all models: tau-b, as
  `scipy.stats.kendalltau` computes it (pairs tied in either variable count in the denominator's
  tie correction), over the models that have both numbers.
- **Granulated tau** for an axis k: models that agree on every other axis form a group; within a
  group, tau-b over the pairs that differ in k (pairs that differ only by seed do not count);
  ``psi_k`` is the mean over the groups that have such a pair. **Psi** is the mean of psi_k over
  the axes that vary.
- **Bootstrap**: models are resampled with replacement (`resamples` times, seeded) and every
  statistic is recomputed; the 95 % interval is the 2.5th to 97.5th percentile.

Sign convention: a good measure rises with the gap (tau > 0), as in Jiang et al.; nothing is
flipped, so a measure that falls as the gap grows shows a negative tau. Pure numpy, torch-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from rnncap.errors import require
from rnncap.measures.records import GAP_IID, GAP_SHIFT, ModelPoint

#: The fewest models with measures that a ranking is computed for.
MIN_MODELS = 5


@dataclass(frozen=True)
class Tau:
    """One rank correlation with its bootstrap 95 % interval; ``value`` None when no pair of
    models could be compared."""

    value: float | None
    low: float | None = None
    high: float | None = None

    PLAIN_EXTRA: ClassVar = ("evidence",)

    @property
    def evidence(self) -> bool:
        """True when the interval lies on one side of 0 ("no evidence" otherwise)."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


@dataclass(frozen=True)
class MeasureRank:
    """How one measure ranks each gap: overall, per axis (granulated) and Psi."""

    measure: str
    models: int  # models that have this measure
    overall: Mapping[str, Tau]  # gap -> tau
    granulated: Mapping[str, Mapping[str, Tau]]  # gap -> axis -> psi_k
    psi: Mapping[str, Tau]  # gap -> Psi


@dataclass(frozen=True)
class MeasureRanking:
    """Every measure against every gap, over `models` trained models."""

    models: int
    gaps: tuple[str, ...]
    axes: tuple[str, ...]  # the axes that take two or more values
    resamples: int
    seed: int
    rows: tuple[MeasureRank, ...]


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float | None:
    """Kendall's tau-b of two vectors (NaN: the model is left out); None with no usable pair."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    i, j = np.triu_indices(len(x), k=1)
    value = _ratio(*_Signs(np.sign(x[i] - x[j])[:, None]).sums(np.sign(y[i] - y[j])))[0]
    return None if np.isnan(value) else float(value)


class _Signs:
    """The signs s_m of every pair for every measure column (NaN: a model lacks the measure),
    kept as the three arrays the tau-b sums need, so each gap costs three weighted sums."""

    def __init__(self, sm: np.ndarray):
        known = ~np.isnan(sm)
        self.a = np.where(known, sm, 0.0)
        self.abs_a = np.abs(self.a)
        self.known = known.astype(float)

    def sums(self, sg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per column: sum of s_m s_g, of s_m^2 and of s_g^2 over the pairs where both are known
        (signs are -1, 0, 1, so s^2 = |s|)."""
        known_g = ~np.isnan(sg)
        b = np.where(known_g, sg, 0.0)
        # einsum's own loops: BLAS threads, woken for each small product, cost more on a busy CPU
        return (
            np.einsum("pc,p->c", self.a, b),
            np.einsum("pc,p->c", self.abs_a, known_g.astype(float)),
            np.einsum("pc,p->c", self.known, np.abs(b)),
        )


def _ratio(num: np.ndarray, dm: np.ndarray, dg: np.ndarray) -> np.ndarray:
    den = np.sqrt(dm * dg)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


class _Groups:
    """The pairs that differ in one axis alone, sorted by their group (the other axes' values),
    with the signs of every measure on them: ready for the per-group sums of each gap."""

    def __init__(self, sm: np.ndarray, labels: np.ndarray):
        keep = np.flatnonzero(labels >= 0)
        self.pairs = keep[np.argsort(labels[keep], kind="stable")]
        lab = labels[self.pairs]
        self.starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]]) if len(lab) else lab
        part = sm[self.pairs]
        self.known_m = ~np.isnan(part)
        self.a = np.where(self.known_m, part, 0.0)
        self.abs_a = np.abs(self.a)

    def psi(self, sg: np.ndarray) -> np.ndarray:
        """Mean over the groups of each group's tau-b, per measure column; NaN when no group
        has a comparable pair."""
        if not len(self.pairs):
            return np.full(self.a.shape[1], np.nan)
        part = sg[self.pairs]
        known_g = ~np.isnan(part)
        b = np.where(known_g, part, 0.0)[:, None]
        terms = (self.a * b, self.abs_a * known_g[:, None], self.known_m * np.abs(b))
        per_group = _ratio(*(np.add.reduceat(t, self.starts, axis=0) for t in terms))
        with np.errstate(invalid="ignore"):
            counted = (~np.isnan(per_group)).sum(0)
            return np.where(counted > 0, np.nansum(per_group, 0) / np.maximum(counted, 1), np.nan)


def _codes(points: Sequence[ModelPoint], axes: Sequence[str]) -> np.ndarray:
    """Integer codes (models x axes) of each axis's values (a missing value is its own code)."""
    cols = []
    for axis in axes:
        values = [repr(p.axes.get(axis)) for p in points]
        cols.append(np.unique(values, return_inverse=True)[1])
    return np.stack(cols, axis=1) if cols else np.zeros((len(points), 0), int)


def _groups(codes: np.ndarray) -> np.ndarray:
    """(models x axes): for axis k, the id of the model's values on every other axis."""
    out = np.zeros_like(codes)
    for k in range(codes.shape[1]):
        others = np.delete(codes, k, axis=1)
        if others.shape[1]:
            out[:, k] = np.unique(others, axis=0, return_inverse=True)[1].reshape(-1)
    return out


def _statistics(m: np.ndarray, g: np.ndarray, codes: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(gaps, 2 + axes, measures): overall tau, Psi, then psi_k per axis (NaN: undefined).
    A pair counts for axis k when the two models share their group for k and differ in k."""
    i, j = np.triu_indices(len(m), k=1)
    sm = np.sign(m[i] - m[j])
    signs = _Signs(sm)
    per_axis = []
    for k in range(codes.shape[1]):
        ok = (groups[i, k] == groups[j, k]) & (codes[i, k] != codes[j, k])
        per_axis.append(_Groups(sm, np.where(ok, groups[i, k], -1)))
    out = np.full((g.shape[1], 2 + len(per_axis), m.shape[1]), np.nan)
    for gi in range(g.shape[1]):
        sg = np.sign(g[i, gi] - g[j, gi])
        out[gi, 0] = _ratio(*signs.sums(sg))
        for k, axis in enumerate(per_axis):
            out[gi, 2 + k] = axis.psi(sg)
        if per_axis:
            with np.errstate(invalid="ignore"):
                psis = out[gi, 2:]
                n = (~np.isnan(psis)).sum(0)
                out[gi, 1] = np.where(n > 0, np.nansum(psis, 0) / np.maximum(n, 1), np.nan)
    return out


def _tau_of(value: float, boot: np.ndarray) -> Tau:
    if np.isnan(value):
        return Tau(None)
    finite = boot[~np.isnan(boot)]
    if len(finite) < 2:
        return Tau(float(value))
    low, high = np.percentile(finite, [2.5, 97.5])
    return Tau(float(value), float(low), float(high))


def rank_measures(
    points: Sequence[ModelPoint], *, resamples: int = 1000, seed: int = 0
) -> MeasureRanking:
    """Kendall's tau, granulated tau per axis and Psi of every measure against every gap, with
    bootstrap 95 % intervals over models (module docstring)."""
    points = [p for p in points if p.measures]
    require(
        len(points) >= MIN_MODELS,
        f"{len(points)} models have measures; ranking measures needs at least {MIN_MODELS}: "
        "run a study with more models (e.g. examples/measures.toml)",
    )
    names = sorted({name for p in points for name in p.measures})
    present = {gap for p in points for gap in p.gaps}
    gaps = [g for g in (GAP_IID, GAP_SHIFT) if g in present]
    gaps += sorted(present - set(gaps))
    require(bool(gaps), "the models record no generalization gap; nothing to rank against")
    all_axes = sorted({axis for p in points for axis in p.axes})
    varying = [a for a in all_axes if len({repr(p.axes.get(a)) for p in points}) > 1]
    m = np.array([[p.measures.get(n, np.nan) for n in names] for p in points], float)
    g = np.array([[p.gaps.get(gap, np.nan) for gap in gaps] for p in points], float)
    codes = _codes(points, varying)
    groups = _groups(codes)
    stats = _statistics(m, g, codes, groups)
    rng = np.random.default_rng(seed)
    boot = np.full((resamples, *stats.shape), np.nan)
    for r in range(resamples):
        idx = rng.integers(0, len(points), len(points))
        boot[r] = _statistics(m[idx], g[idx], codes[idx], groups[idx])
    rows = []
    for c, name in enumerate(names):

        def tau(gi: int, s: int, c: int = c) -> Tau:
            return _tau_of(stats[gi, s, c], boot[:, gi, s, c])

        rows.append(
            MeasureRank(
                measure=name,
                models=int((~np.isnan(m[:, c])).sum()),
                overall={gap: tau(gi, 0) for gi, gap in enumerate(gaps)},
                granulated={
                    gap: {axis: tau(gi, 2 + k) for k, axis in enumerate(varying)}
                    for gi, gap in enumerate(gaps)
                },
                psi={gap: tau(gi, 1) for gi, gap in enumerate(gaps)},
            )
        )
    return MeasureRanking(len(points), tuple(gaps), tuple(varying), resamples, seed, tuple(rows))
