"""Kendall's tau against scipy, granulated tau and Psi against a hand-computed example."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from rnncap.errors import InvalidInput
from rnncap.measures.rank import MIN_MODELS, MeasureRanking, kendall_tau_b, rank_measures
from rnncap.measures.records import GAP_IID, GAP_SHIFT, ModelPoint
from rnncap.plain import from_plain, to_plain


@pytest.mark.filterwarnings("ignore:After omitting NaNs")
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4) | st.just(-1)), min_size=2, max_size=25)
)
def test_tau_is_scipys_tau_b_with_ties_and_missing_values(pairs):
    x = np.array([a for a, _ in pairs], float)
    y = np.array([np.nan if b < 0 else b for _, b in pairs], float)
    expected = stats.kendalltau(x, y, nan_policy="omit").statistic
    got = kendall_tau_b(x, y)
    if expected is None or np.isnan(expected):
        assert got is None
    else:
        assert got == pytest.approx(float(expected), abs=1e-12)


def _point(key, a, b, m, g, shift=None):
    gaps = {GAP_IID: g} if shift is None else {GAP_IID: g, GAP_SHIFT: shift}
    return ModelPoint(key, {"a": a, "b": b, "cell": "lstm"}, gaps, {"mu": m})


#: Axes a in {0, 1, 2} and b in {0, 1}; "7" repeats the axes of "1" (another seed).
HAND = [
    _point("1", 0, 0, 1.0, 1.0),
    _point("2", 1, 0, 2.0, 3.0),
    _point("3", 2, 0, 3.0, 3.5),
    _point("4", 0, 1, 5.0, 4.0),
    _point("5", 1, 1, 1.5, 5.0),
    _point("6", 2, 1, 6.0, 6.0),
    _point("7", 0, 0, 10.0, 0.0),
]


def test_granulated_tau_and_psi_by_hand():
    """Axis a: group b=0 is {1, 2, 3, 7}; its pairs that differ in a are (1,2) +, (1,3) +,
    (2,3) +, (7,2) -, (7,3) -: tau 1/5 ((1,7) differ only by seed and do not count). Group b=1,
    {4, 5, 6}: (4,5) -, (4,6) +, (5,6) +: 1/3. psi_a = (1/5 + 1/3) / 2 = 4/15.
    Axis b: group a=0 {1, 4, 7}: (1,4) +, (7,4) -: 0; a=1: (2,5) -: -1; a=2: (3,6) +: 1.
    psi_b = 0. Psi = (4/15 + 0) / 2 = 2/15. The axis "cell" never varies: not an axis here."""
    result = rank_measures(HAND, resamples=50, seed=1)
    assert result.axes == ("a", "b") and result.gaps == (GAP_IID,)
    (row,) = result.rows
    assert row.granulated[GAP_IID]["a"].value == pytest.approx(4 / 15)
    assert row.granulated[GAP_IID]["b"].value == pytest.approx(0.0, abs=1e-12)
    assert row.psi[GAP_IID].value == pytest.approx(2 / 15)
    m = [p.measures["mu"] for p in HAND]
    g = [p.gaps[GAP_IID] for p in HAND]
    assert row.overall[GAP_IID].value == pytest.approx(stats.kendalltau(m, g).statistic)


def test_overall_tau_matches_scipy_over_the_models_that_have_the_measure():
    rng = np.random.default_rng(4)
    points = [
        ModelPoint(
            str(i),
            {"units": int(rng.integers(1, 4))},
            {GAP_IID: float(rng.normal()), GAP_SHIFT: float(rng.normal())},
            {"mu": float(rng.normal())} if i % 4 else {"other": 1.0},
        )
        for i in range(30)
    ]
    result = rank_measures(points, resamples=20)
    row = next(r for r in result.rows if r.measure == "mu")
    have = [p for p in points if "mu" in p.measures]
    assert row.models == len(have)
    for gap in (GAP_IID, GAP_SHIFT):
        expected = stats.kendalltau([p.measures["mu"] for p in have], [p.gaps[gap] for p in have])
        assert row.overall[gap].value == pytest.approx(expected.statistic, abs=1e-12)


def test_bootstrap_intervals_are_seeded_and_hold_the_estimate():
    rng = np.random.default_rng(0)
    points = []
    for i in range(40):
        gap = float(rng.normal())
        good, noise = gap + 0.1 * float(rng.normal()), float(rng.normal())
        points.append(
            ModelPoint(str(i), {"lr": i % 4}, {GAP_IID: gap}, {"good": good, "noise": noise})
        )
    a = rank_measures(points, resamples=200, seed=3)
    assert a == rank_measures(points, resamples=200, seed=3)
    assert a != rank_measures(points, resamples=200, seed=4)
    rows = {r.measure: r for r in a.rows}
    good = rows["good"].overall[GAP_IID]
    assert good.low <= good.value <= good.high and good.evidence and good.low > 0.5
    assert rows["noise"].overall[GAP_IID].low < 0 < rows["noise"].overall[GAP_IID].high
    assert not rows["noise"].overall[GAP_IID].evidence


def test_too_few_models_is_one_line():
    with pytest.raises(InvalidInput, match=f"at least {MIN_MODELS}"):
        rank_measures(HAND[: MIN_MODELS - 1])


def test_an_undefined_tau_is_none_not_zero():
    """A measure equal for every model ties every pair: tau-b is 0/0, undefined."""
    points = [ModelPoint(str(i), {"a": i}, {GAP_IID: float(i)}, {"flat": 1.0}) for i in range(6)]
    (row,) = rank_measures(points, resamples=10).rows
    assert row.overall[GAP_IID].value is None
    assert row.granulated[GAP_IID]["a"].value is None and row.psi[GAP_IID].value is None


def test_the_ranking_round_trips_through_plain_json():
    result = rank_measures(HAND, resamples=20)
    plain = to_plain(result)
    assert plain["rows"][0]["overall"][GAP_IID]["evidence"] is False
    assert from_plain(MeasureRanking, json.loads(json.dumps(plain))) == result


def test_granulated_tau_is_the_mean_of_scipys_tau_per_group_on_a_factorial_grid():
    """One model per cell of a 3 x 4 x 2 grid (no seed replicates): every pair in a group of
    axis k differs in k, so psi_k is the mean over groups of scipy's tau on each group."""
    rng = np.random.default_rng(7)
    points = [
        ModelPoint(f"{a}{b}{c}", {"a": a, "b": b, "c": c}, {GAP_IID: float(rng.normal())},
                   {"mu": float(rng.integers(0, 4))})  # ties too
        for a in range(3) for b in range(4) for c in range(2)
    ]  # fmt: skip
    (row,) = rank_measures(points, resamples=10).rows
    for axis in ("a", "b", "c"):
        others = [x for x in ("a", "b", "c") if x != axis]
        groups: dict[tuple, list[ModelPoint]] = {}
        for p in points:
            groups.setdefault(tuple(p.axes[o] for o in others), []).append(p)
        taus = [
            stats.kendalltau([p.measures["mu"] for p in g], [p.gaps[GAP_IID] for p in g]).statistic
            for g in groups.values()
        ]
        expected = np.nanmean(taus)
        assert row.granulated[GAP_IID][axis].value == pytest.approx(expected, abs=1e-12)
