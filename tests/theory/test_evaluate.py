"""Ratios between architectures, `compare_bounds` and `explain`."""

import pytest

from rnncap.arch import parse_arch
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain
from rnncap.theory import compare_bounds, explain, ratio, ratios
from rnncap.theory.explain import Measured


def _s(arch, d=10, k=120, **kw):
    return parse_arch(arch, input_size=d, seq_len=k, **kw)


def test_ratios_chain_and_invert():
    a, b, c = _s("rnn_tanh:1x128"), _s("rnn_tanh:2x64"), _s("rnn_tanh:4x45")
    ab = ratio("ks98-sigmoid-upper", a, b).log10
    bc = ratio("ks98-sigmoid-upper", b, c).log10
    ac = ratio("ks98-sigmoid-upper", a, c).log10
    assert ab + bc == pytest.approx(ac)
    assert ratio("ks98-sigmoid-upper", b, a).log10 == pytest.approx(-ab)


def test_ratio_takes_a_record_or_its_key():
    from rnncap.theory import get_bound

    a, b = _s("rnn_tanh:1x128"), _s("rnn_tanh:2x64")
    by_key = ratio("ks98-sigmoid-lower", a, b)
    by_record = ratio(get_bound("ks98-sigmoid-lower"), a, b)
    assert by_record == by_key and by_record.key == "ks98-sigmoid-lower"


def test_ratio_only_when_assumptions_hold_for_both():
    r = ratio("ks98-sigmoid-lower", _s("lstm:1x128"), _s("rnn_relu:1x128"))
    assert r.value is None and r.reason == "does not apply to both"
    r = ratio("km97-pfaffian-unrolled", _s("lstm:1x128"), _s("rnn_tanh:1x128"))
    assert r.value is None and r.reason == "different activation classes"
    r = ratio("ks98-sigmoid-lower", _s("rnn_tanh:1x128"), _s("rnn_tanh:1x128", k=60))
    assert r.value is None and r.reason == "different sequence lengths"
    # a vanilla-RNN result is no bound for an LSTM: no ratio of it (issue 25)
    r = ratio("ks98-sigmoid-lower", _s("lstm:1x128"), _s("lstm:2x64"))
    assert r.value is None and r.reason == "not a bound for this cell"


def test_compare_rows_use_the_first_spec_as_reference():
    rows = compare_bounds([_s("rnn_tanh:1x128"), _s("rnn_tanh:2x64")], task="classification")
    by_key = {r.bound.key: r for r in rows}
    w1, w2 = 128 * (10 + 128 + 2), 64 * (10 + 64 + 2) + 64 * (64 + 64 + 2)  # torch.nn.RNN
    assert by_key["ks98-sigmoid-lower"].ratios[0].value == 1
    assert by_key["ks98-sigmoid-lower"].ratios[1].value == pytest.approx(w2 / w1)
    assert "bhlm19-thm10-unrolled" not in by_key  # applies to neither tanh RNN
    with pytest.raises(InvalidInput, match="at least two"):
        compare_bounds([_s("lstm:1x128")])


def test_compare_keeps_other_cells_results_apart():
    specs = [_s("lstm:1x128"), _s("lstm:2x64")]
    main = {r.bound.key: r for r in compare_bounds(specs)}
    assert not any(k.startswith("ks98") for k in main)
    assert {r.section for r in main.values()} == {"main"}
    rows = compare_bounds(specs, other_cells=True)
    other = [r for r in rows if r.section == "other cell"]
    assert [r.bound.key for r in other] == [
        "ks98-sigmoid-lower", "ks98-sigmoid-upper", "ks98-thm5-arbitrary-sigmoid-lower"
    ]  # fmt: skip
    assert rows[: len(main)] == list(main.values())  # the main rows first, unchanged
    for r in other:
        assert all(not label.derived and label.other_cell for label in r.labels)
        assert r.ratios[1].value is None and r.ratios[1].reason == "not a bound for this cell"
    # a tanh RNN beside an LSTM: the row covers the tanh RNN (main) and is a reference for the
    # LSTM (other cell); each section shows only its own results
    mixed = compare_bounds([_s("rnn_tanh:1x64"), _s("lstm:1x64")], other_cells=True)
    ks = [r for r in mixed if r.bound.key == "ks98-sigmoid-lower"]
    assert [r.section for r in ks] == ["main", "other cell"]
    assert ks[0].results[0].covers and ks[0].results[1].text == (
        "a vanilla-RNN result, not this cell"
    )
    assert ks[1].results[0].text == "covered: in the main table" and ks[1].results[1].other_cell


def test_explain_is_computed_from_the_figures():
    e = explain(_s("lstm:1x128"), _s("lstm:2x64"), task="classification")
    text = " ".join(e.lines)
    assert "71,680 → 52,736" in text and "down 26%" in text
    upper = " ".join(e.answer.lines)
    # U = 5 · 128 · 120 for both (no head): (W·U)² moves as w², (52,736 / 71,680)² = 0.541
    assert "km97-pfaffian-unrolled (ABSTRACT-ONLY, DERIVED): ×0.541 of (W·U)²" in upper
    assert "ks98" not in upper and "ks98" not in text  # vanilla-RNN results: not for an LSTM
    assert "not established" in upper and e.answer.established is False
    e2 = explain(_s("lstm:2x64"), _s("lstm:1x128"), task="classification")
    assert "up 36%" in " ".join(e2.lines)  # 52,736 → 71,680
    narrow = explain(_s("lstm:1x128", d=30), _s("lstm:8x16", d=30))
    assert any("16 units < 30 inputs" in line for line in narrow.lines)


def test_ratios_are_the_formable_ratios_as_plain_floats():
    a, b = _s("lstm:1x128"), _s("lstm:2x64")
    out = ratios(a, b, task="classification")
    # theory.md "How to use this file": 52,736 / 71,680; U is the same for both (5 · 128 · 120)
    assert out["collins17-bits"] == pytest.approx(52_736 / 71_680, rel=1e-12)
    assert out["km97-pfaffian-unrolled"] == pytest.approx((52_736 / 71_680) ** 2, rel=1e-12)
    assert out["ks97-quadratic-vc"] == pytest.approx((52_736 / 71_680) ** 2, rel=1e-12)
    assert set(out) == {"collins17-bits", "km97-pfaffian-unrolled", "ks97-quadratic-vc"}
    assert all(isinstance(v, float) for v in out.values())
    assert ratios(a, a) == {k: pytest.approx(1.0) for k in ratios(a, a)}
    # different activation classes: no ratio at all, not even of the empirical reference
    assert ratios(a, _s("rnn_relu:1x64"), task="classification") == {}
    tanh = ratios(_s("rnn_tanh:1x128"), _s("rnn_tanh:2x64"), task="classification")
    w1, w2 = 128 * (10 + 128 + 2), 64 * (10 + 64 + 2) + 64 * (64 + 64 + 2)
    assert tanh["ks98-sigmoid-upper"] == pytest.approx((w2 / w1) ** 4, rel=1e-12)


def test_explain_quotes_measured_ratios_when_given():
    m = Measured("VC-dimension estimate", 120.0, 300.0, "rnncap capacity vc, seed 0")
    assert m.ratio == 2.5 and to_plain(m)["ratio"] == 2.5 and to_plain(m)["source"]
    e = explain(_s("lstm:1x64"), _s("lstm:4x64"), measured=[m])
    line = next(s for s in e.answer.lines if s.startswith("Measured:"))
    assert "120 → 300 (×2.5, against ×4)" in line and "seed 0" in line
    assert to_plain(e)["direct_answer"]["measured"][0]["ratio"] == 2.5
    none = explain(_s("lstm:1x64"), _s("lstm:4x64"))
    assert any("none given" in s for s in none.answer.lines)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(InvalidInput, match="must be a number > 0"):
            Measured("VC-dimension estimate", bad, 10.0)
    with pytest.raises(InvalidInput, match="needs a name"):
        Measured("", 1.0, 2.0)


def test_direct_answer_figures_for_one_to_four_layers():
    # lstm:1x64 -> lstm:4x64, d = 10, k = 120, no head: w = 4·64·76 = 19,456 and
    # 19,456 + 3·8·64·65 = 119,296 (theory.md 6.1 vector for (4, 64)); path 120 -> 123
    e = explain(_s("lstm:1x64"), _s("lstm:4x64"), task="classification")
    d = e.answer
    assert d.established is False and d.layer_factor == 4
    assert d.w_ratio == pytest.approx(119_296 / 19_456)
    assert d.path_ratio == pytest.approx(123 / 120) and d.units_ratio == 4
    w1, w4 = 19_456, 119_296
    # the depth results cover piecewise-linear networks only: no figure from an LSTM's w
    assert d.feedforward_ratio is None
    assert d.lower == {}  # Koiran–Sontag's lower bounds are for vanilla RNNs
    assert d.upper["km97-pfaffian-unrolled"] == pytest.approx((w4 / w1 * 4) ** 2)  # (W·U)²
    assert set(d.upper) == {"km97-pfaffian-unrolled"}
    text = " ".join(d.lines)
    assert "Answer: not established" in text and "(w moves ×6.13)" in text
    assert (
        "No lower bound applies to both architectures. Koiran & Sontag's lower bounds are "
        "stated for vanilla RNNs, not for LSTM cells" in text
    )
    assert "They cover neither lstm:1x64 (not a piecewise-linear network) nor lstm:4x64" in text


def test_direct_answer_compares_dimension_bounds_only():
    # sample sizes and gaps derived from a VC bound are not VC bounds (theory.md 4)
    e = explain(
        _s("rnn_relu:1x32", outputs=1), _s("rnn_relu:3x32", outputs=1), task="classification"
    )
    keys = set(e.answer.lower) | set(e.answer.upper)
    assert "bhlm19-thm10-unrolled" in e.answer.upper and "ks98-pwpoly-lower" in e.answer.lower
    assert not keys & {"ks98-agnostic-lower-samples", "uml-agnostic-samples", "collins17-bits",
                       "bhlm19-thm3", "bmm98-lower", "mohri-cor3.19-gap"}  # fmt: skip


def test_every_ratio_takes_the_first_architecture_as_a():
    # a tanh RNN first, an LSTM second: the first column's own ratio is 1, the second's is not
    # formed (different activation classes), whichever row
    rows = compare_bounds([_s("rnn_tanh:1x8"), _s("lstm:1x8")])
    collins = next(r for r in rows if r.bound.key == "collins17-bits")
    assert collins.ratios[0].value == 1 and collins.ratios[0].reason == ""
    assert collins.ratios[1].reason == "different activation classes"
