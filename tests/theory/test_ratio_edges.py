"""Ratios that cannot be formed, ratios beyond float range, and how `compare` prints them."""

import math

import pytest

from rnncap.arch import parse_arch
from rnncap.errors import InvalidInput
from rnncap.theory import compare_bounds, ratio
from rnncap.theory.context import context
from rnncap.theory.core import get_bound
from rnncap.theory.evaluate import CompareRow, Ratio, _ratio_of


def _s(arch, d=10, k=120):
    return parse_arch(arch, input_size=d, seq_len=k, outputs=1)


def test_unformed_ratios_keep_their_key_and_reason():
    lstm, tanh = _s("lstm:1x128"), _s("rnn_tanh:1x128")
    cases = [
        (lstm, "ks98-sigmoid-lower", _s("rnn_relu:1x128"), "does not apply to both"),
        (lstm, "km97-pfaffian-unrolled", tanh, "different activation classes"),
        (tanh, "ks98-sigmoid-lower", _s("rnn_tanh:1x128", k=60), "different sequence lengths"),
        # a vanilla-RNN result is no bound for an LSTM, even where both are LSTMs (issue 25)
        (lstm, "ks98-sigmoid-lower", _s("lstm:2x64"), "not a bound for this cell"),
        (tanh, "ks98-sigmoid-upper", lstm, "not a bound for this cell"),
    ]
    for a, key, b, reason in cases:
        assert ratio(key, a, b) == Ratio(key, None, None, reason)


def test_a_vacuous_gap_has_no_value_to_divide():
    # rnn_relu:1x1 (d = 1, k = 2) has an explicit VC bound below m = 1000, rnn_relu:1x4 (d = 2,
    # k = 5) above it: B's gap row says "vacuous: m < d" and has no value, so no ratio is formed
    a, b = _s("rnn_relu:1x1", d=1, k=2), _s("rnn_relu:1x4", d=2, k=5)
    setting = {"m": 1000, "task": "classification"}
    ra = get_bound("mohri-cor3.19-gap").evaluate(context(a, **setting))
    rb = get_bound("mohri-cor3.19-gap").evaluate(context(b, **setting))
    assert ra.log10 is not None and rb.log10 is None and rb.text.startswith("vacuous: m = 1,000 <")
    for x, y in ((a, b), (b, a)):
        assert ratio("mohri-cor3.19-gap", x, y, **setting) == Ratio(
            "mohri-cor3.19-gap", None, None, "no finite value"
        )
    rows = {r.bound.key: r for r in compare_bounds([a, b], **setting)}
    assert rows["mohri-cor3.19-gap"].ratio_text(1) == "—"


def test_ratio_beyond_ten_to_the_300_keeps_only_its_log():
    # UML 28.1 sufficient m at d = 1 (about 10^5) and at d = 1e299 / 1e300 (about 10^305.6 /
    # 10^306.6): the ratios' log10 are about 300.6 and 301.6, beyond the 10^±300 that values are
    # kept for (as Result.value); d = 1e297 gives a ratio near 10^298.6, kept as a number
    spec = _s("rnn_tanh:1x8")
    key = "uml-agnostic-samples"
    a = context(spec, vc=1.0, task="classification")
    la = get_bound(key).evaluate(a).log10
    for vc, kept in ((1e297, True), (1e299, False), (1e300, False)):
        b = context(spec, vc=vc, task="classification")
        r = _ratio_of(get_bound(key), a, b)
        assert r.log10 == pytest.approx(get_bound(key).evaluate(b).log10 - la)
        if kept:
            assert 298 < r.log10 < 300 and r.value == pytest.approx(10**r.log10)
        else:
            assert r.log10 > 300 and r.value is None


def test_ratio_text_is_plain_from_a_thousandth_up_to_ten_thousand():
    # `.3g` prints 1e4 as "1e+04": from 1e4 on (and below 1e-3) a power of ten is shown instead
    ratios = (Ratio("k", 1e-3, -3.0), Ratio("k", 1e4, 4.0), Ratio("k", 0.5, math.log10(0.5)))
    row = CompareRow(get_bound("ks98-sigmoid-lower"), (), ratios)
    assert [row.ratio_text(i) for i in range(3)] == ["0.001", "10^4", "0.5"]
    # 9,996 rounds to 1e+04 at 3 digits: it is written as a power of ten too, 9,994 plainly
    near = (Ratio("k", 9996.0, math.log10(9996.0)), Ratio("k", 9994.0, math.log10(9994.0)))
    row = CompareRow(get_bound("ks98-sigmoid-lower"), (), near)
    assert [row.ratio_text(i) for i in range(2)] == ["10^4", "9.99e+03"]


def test_compare_passes_m_and_delta_to_every_context():
    # theory.md 7: Mohri's gap at d = 10, m = 1000, δ = 0.05 is 0.37352; at δ = 0.1 by hand
    specs = [_s("lstm:1x8"), _s("lstm:2x8")]
    rows = {r.bound.key: r for r in compare_bounds(specs, m=1000, vc=10, task="classification")}
    assert rows["mohri-cor3.19-gap"].results[0].value == pytest.approx(0.37352, abs=1e-5)
    rows = {
        r.bound.key: r
        for r in compare_bounds(specs, m=1000, delta=0.1, vc=10, task="classification")
    }
    gap = math.sqrt(20 * (1 + math.log(100)) / 1000) + math.sqrt(math.log(10) / 2000)
    assert rows["mohri-cor3.19-gap"].results[1].value == pytest.approx(gap, rel=1e-12)
    with pytest.raises(
        InvalidInput,
        match=r"^compare needs at least two architectures, e\.g\. lstm:1x128 lstm:2x64$",
    ):
        compare_bounds(specs[:1])
