"""The VC estimator on linear classifiers in R^d (VC dimension d + 1): the small, fast version."""

import numpy as np
import pytest

from rnncap.capacity.vc import VCDesign, default_design, growth_table, measure_vc_linear
from rnncap.errors import InvalidInput

# One design for every d, so nothing about d + 1 leaks into the measurement.
FIXED = VCDesign(tuple(int(n) for n in np.unique(np.geomspace(1, 256, 10).round())), 20)


@pytest.fixture(scope="module")
def linear():
    return {d: measure_vc_linear(d, FIXED, seed=0, steps=300) for d in (5, 10, 20)}


@pytest.mark.parametrize("d", [5, 10, 20])
@pytest.mark.slow  # trains models
def test_linear_vc_dimension_is_recovered_within_25_percent(linear, d):
    est = linear[d]
    assert est.known_vc == d + 1
    assert est.fit.bracketed
    assert abs(est.relative_error) <= 0.25, (d, est.h)


@pytest.mark.slow  # trains models
def test_linear_deviation_is_one_while_2n_points_fit_d_plus_1_weights(linear):
    by_n = {p.n: p.mean_deviation for p in linear[10].points}
    # 2n <= d + 1 = 11 points in general position are separable in every labelling
    assert by_n[1] == 1.0 and by_n[2] == 1.0 and by_n[3] == 1.0
    assert by_n[256] < 0.25


@pytest.mark.slow  # trains models
def test_growth_table_divides_by_the_first_estimate(linear):
    a, b = linear[5], linear[10]
    rows = growth_table([a, b])
    assert rows[0]["h_ratio"] == 1.0 and rows[0]["wk_ratio"] == 1.0
    assert rows[1]["h_ratio"] == pytest.approx(b.h / a.h)
    assert rows[1]["wk_ratio"] == pytest.approx(11 / 6)


def test_default_design_spans_one_to_eight_times_the_scale():
    design = default_design(11)
    assert design.sample_sizes[0] == 1 and design.sample_sizes[-1] == 88


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ((), "grid is empty"),
        ((8, 16), "too few for the fit"),
        ((0, 4, 8), "must be an integer >= 1"),
    ],
)
def test_bad_designs_are_rejected(sizes, message):
    with pytest.raises(InvalidInput, match=message):
        VCDesign(sizes)


@pytest.mark.parametrize(
    ("first", "second", "covered"),
    [("rnn_tanh:1x4", "rnn_relu:2x4", True), ("linear", "rnn_tanh:1x4", True),
     ("rnn_tanh:1x4", "lstm:1x4", False), ("gru:1x4", "rnn_tanh:1x4", False)],
)  # fmt: skip
def test_the_wk_ratio_is_given_only_where_koiran_and_sontag_cover_both_models(
    first, second, covered
):
    from rnncap.capacity.vc import VCEstimate, VCPoint
    from rnncap.capacity.vc_fit import VCFit

    points = tuple(VCPoint(n, 2, 0.5, 0.1) for n in (1, 2, 4))
    est = [
        VCEstimate(model, 3, k, w, points, VCFit(5.0, 0.1, True, ""))
        for model, k, w in ((first, 2, 10), (second, 3, 20))
    ]
    rows = growth_table(est)
    assert rows[1]["h_ratio"] == 1.0
    assert rows[1]["wk_ratio"] == (60 / 20 if covered else None)
