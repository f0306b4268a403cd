"""The convergence verdict from per-seed values at doubling budgets, and the intervals."""

import math

import numpy as np
import pytest
from scipy import stats

from rnncap.capacity.convergence import Convergence, t_interval
from rnncap.capacity.stats import scaled, summary
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain

FLAT = (100.0, 100.0, 100.0)


@pytest.mark.parametrize(
    ("curve", "status", "verdict"),
    [
        # a rise of 14-22 % per seed at the last doubling
        ((FLAT, (110, 112, 108), (130, 128, 132)), "budget-limited", "budget-limited (+18% at 2x)"),
        # a plateau the seeds agree on: +1 % each
        (((90, 92, 91), FLAT, (101, 101, 101)), "converged", "converged"),
        # a plateau on average (+2 %) whose interval reaches +13 %: not known to have converged
        ((FLAT, FLAT, (104, 97, 105)), "budget-limited",
         "budget-limited (+2% at 2x, 95% interval up to +13%)"),
        # a fall, large or tiny, is unstable and never converged
        ((FLAT, (110, 110, 110), (103, 102, 104)), "unstable",
         "unstable (-6% at 2x: a fall is no plateau)"),
        ((FLAT, FLAT, (99.9, 100, 100)), "unstable", "unstable (-0% at 2x: a fall is no plateau)"),
        # 5 % exactly is not "less than 5 %"
        ((FLAT, FLAT, (105, 105, 105)), "budget-limited", "budget-limited (+5% at 2x)"),
        ((FLAT, (0, 0, 0), (0, 3, 0)), "budget-limited", "budget-limited (+inf% at 2x)"),
        (((0, 0, 0), (0, 0, 0), (0, 0, 0)), "converged", "converged"),
        # a flat curve with too few budgets or seeds cannot be called converged
        ((FLAT, FLAT), "unverified",
         "unverified (+0% at 2x over 2 budgets x 3 seeds; the rule needs >= 3 of each)"),
        (((100, 100), (100, 100), (101, 101)), "unverified",
         "unverified (+1% at 2x over 3 budgets x 2 seeds; the rule needs >= 3 of each)"),
    ],
)  # fmt: skip
def test_verdict_of_hand_made_curves(curve, status, verdict):
    c = Convergence(curve)
    assert c.status == status and c.verdict == verdict
    assert c.converged is (status == "converged")
    d = to_plain(c)
    assert (d["status"], d["verdict"], d["converged"]) == (status, verdict, c.converged)


def test_the_rise_and_its_interval_are_per_seed():
    c = Convergence((FLAT, FLAT, (104, 97, 105)))
    assert c.rises == pytest.approx((0.04, -0.03, 0.05))
    lo, hi = stats.t.interval(0.95, 2, loc=0.02, scale=stats.sem([0.04, -0.03, 0.05]))
    assert c.interval == pytest.approx((lo, hi))
    assert to_plain(c)["rise_ci95"] == pytest.approx([lo, hi])


@pytest.mark.parametrize("values", [[1.0, 2.0, 3.0], [3.37, 3.29, 3.44, 3.1], [5.0, 5.0]])
def test_t_interval_against_scipy(values):
    mean, sem = float(np.mean(values)), stats.sem(values)
    expected = (mean, mean) if sem == 0 else stats.t.interval(0.95, len(values) - 1, mean, sem)
    assert t_interval(values) == pytest.approx(expected)
    assert summary(values)["ci95"] == pytest.approx(list(expected))


def test_t_interval_by_hand():
    # t_{0.975, 2} = 4.302652729911275; s = 1, n = 3
    half = 4.302652729911275 / math.sqrt(3)
    assert t_interval([1.0, 2.0, 3.0]) == pytest.approx((2 - half, 2 + half))
    assert t_interval([7.0]) is None and summary([7.0])["ci95"] is None


def test_a_scaled_summary_scales_its_interval():
    s = scaled(summary([10.0, 20.0, 30.0]), 0.1)
    assert s["mean"] == pytest.approx(2.0) and s["n"] == 3
    assert s["ci95"] == pytest.approx([x * 0.1 for x in t_interval([10.0, 20.0, 30.0])])


def test_bad_curves_are_refused():
    with pytest.raises(InvalidInput, match="at least 2 budgets"):
        Convergence((FLAT,))
    with pytest.raises(InvalidInput, match="one value per seed"):
        Convergence((FLAT, (1.0, 2.0)))
