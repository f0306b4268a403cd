"""Ratios between architectures, `compare_bounds` and `explain`."""

import pytest

from rnncap.arch import parse_arch
from rnncap.errors import InvalidInput
from rnncap.theory import compare_bounds, explain, ratio


def _s(arch, d=10, k=120, **kw):
    return parse_arch(arch, input_size=d, seq_len=k, **kw)


def test_ratios_chain_and_invert():
    a, b, c = _s("lstm:1x128"), _s("lstm:2x64"), _s("lstm:4x45")
    ab = ratio("ks98-sigmoid-upper", a, b).log10
    bc = ratio("ks98-sigmoid-upper", b, c).log10
    ac = ratio("ks98-sigmoid-upper", a, c).log10
    assert ab + bc == pytest.approx(ac)
    assert ratio("ks98-sigmoid-upper", b, a).log10 == pytest.approx(-ab)


def test_ratio_only_when_assumptions_hold_for_both():
    r = ratio("ks98-sigmoid-lower", _s("lstm:1x128"), _s("rnn_relu:1x128"))
    assert r.value is None and r.reason == "does not apply to both"
    r = ratio("km97-pfaffian-unrolled", _s("lstm:1x128"), _s("rnn_tanh:1x128"))
    assert r.value is None and r.reason == "different activation classes"
    r = ratio("ks98-sigmoid-lower", _s("lstm:1x128"), _s("lstm:1x128", k=60))
    assert r.value is None and r.reason == "different sequence lengths"


def test_compare_rows_use_the_first_spec_as_reference():
    rows = compare_bounds([_s("lstm:1x128"), _s("lstm:2x64")], task="classification")
    by_key = {r.bound.key: r for r in rows}
    assert by_key["ks98-sigmoid-lower"].ratios[0].value == 1
    assert by_key["ks98-sigmoid-lower"].ratios[1].value == pytest.approx(52_736 / 71_680)
    assert "bhlm19-thm10-unrolled" not in by_key  # applies to neither LSTM
    with pytest.raises(InvalidInput, match="at least two"):
        compare_bounds([_s("lstm:1x128")])


def test_explain_is_computed_from_the_figures():
    e = explain(_s("lstm:1x128"), _s("lstm:2x64"), task="classification")
    text = " ".join(e.lines)
    assert "71,680 → 52,736" in text and "down 26%" in text
    upper = " ".join(e.answer.lines)
    assert "×0.736 of w·k" in upper and "×0.293 of w⁴·k²" in upper
    assert "not established" in upper and e.answer.established is False
    e2 = explain(_s("lstm:2x64"), _s("lstm:1x128"), task="classification")
    assert "up 36%" in " ".join(e2.lines)  # 52,736 → 71,680
    narrow = explain(_s("lstm:1x128", d=30), _s("lstm:8x16", d=30))
    assert any("16 units < 30 inputs" in line for line in narrow.lines)
