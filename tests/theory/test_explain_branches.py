"""`explain` branch by branch: every sentence computed from the pair, checked against the figures
(w from theory.md 6.1: PyTorch LSTM 4h(d + h + 2) + 8h(h + 1)(L − 1), GRU 3h(...), RNN h(...))."""

import math

import pytest

from rnncap.arch import parse_arch
from rnncap.plain import to_plain
from rnncap.theory import explain
from rnncap.theory.explain import Measured


def _s(arch, d=10, k=120, **kw):
    return parse_arch(arch, input_size=d, seq_len=k, **kw)


def _text(e):
    return " ".join(e.lines), " ".join(e.answer.lines)


def test_two_to_four_layers_uses_the_layer_ratio_not_the_count():
    e = explain(_s("lstm:2x64"), _s("lstm:4x64"), task="classification")
    assert e.answer.layer_factor == 2  # 4 / 2, not 4 · 2
    w2, w4 = 52_736, 119_296  # theory.md 6.1 vectors
    assert e.answer.w_ratio == pytest.approx(w4 / w2)
    _, answer = _text(e)
    assert e.answer.question.startswith("Is VC(lstm:4x64) = (4/2) × VC(lstm:2x64)")
    assert "scale ×2 with the layer count" in e.answer.question
    assert f"(w moves ×{w4 / w2:.3g})" in answer  # no lower bound covers an LSTM
    tanh = explain(_s("rnn_tanh:2x64"), _s("rnn_tanh:4x64"), task="classification")
    t2, t4 = 64 * 76 + 64 * 130, 64 * 76 + 3 * 64 * 130  # torch.nn.RNN: h(d + h + 2) per layer
    assert f"×{t4 / t2:.3g} against ×2" in _text(tanh)[1]


def test_same_depth_asks_the_width_question():
    e = explain(_s("lstm:1x128"), _s("lstm:1x64"))
    assert e.answer.question == "Both have 1 layer(s); is VC(lstm:1x64) / VC(lstm:1x128) known?"
    _, answer = _text(e)
    assert "each later layer" not in answer  # one-layer B: no later layers to describe


def test_different_cells_compare_nothing_across_classes():
    e = explain(_s("lstm:1x64"), _s("rnn_relu:1x64"), task="classification")
    text, answer = _text(e)
    assert "Different cells: bounds are compared only within one activation class." in text
    assert "No lower bound applies to both architectures." in answer
    assert "No upper bound applies to both, so none is compared." in text
    assert e.answer.lower == {} and e.answer.upper == {}
    same = explain(_s("lstm:1x64"), _s("lstm:2x64"))
    assert not any(s.startswith("Different cells") for s in same.lines)


def _depth(e):
    return next(s for s in e.answer.lines if s.startswith("Feed-forward depth results"))


def test_depth_results_are_quoted_in_their_own_form():
    # theory.md 2.7, eq. 2: C·W·L·log W bounds every piecewise-linear network from above; the
    # lower bound c·W·L·log(W/L) is reached by some networks (Theorem 3), not by every one
    law = _depth(explain(_s("lstm:1x64"), _s("lstm:4x64")))
    assert (
        "every piecewise-linear network with W parameters and L layers has VCdim = "
        "O(W·L·log W), an upper bound" in law
    )
    assert (
        "some ReLU network of that size has VCdim = Ω(W·L·log(W/L)), a lower bound for "
        "some networks, not for every one" in law
    )
    assert "Θ(" not in law and "multiplies capacity" not in law
    # no figure from a network the results do not cover (an LSTM's w is no ReLU network's)
    assert "×" not in law and law.endswith("so no figure is computed from them.")


def test_relu_pairs_get_the_figure_of_the_untied_unrolled_network():
    e = explain(_s("rnn_relu:1x32", outputs=1), _s("rnn_relu:2x32", outputs=1))
    law = _depth(e)
    assert "applied to the untied unrolled network" in law and "cover neither" not in law
    # untied network (docs/theory.md): every step's cell application has its own copy of its
    # layer's parameters (torch.nn.RNN: h(d + h + 2)), then the head row (33) and, for
    # regression, one more parameter; its layers: k + L − 1 cell stages, the head, one more
    layer1, layer2, head = 32 * (10 + 32 + 2), 32 * (32 + 32 + 2), 33
    wa, la = 120 * layer1 + head + 1, 120 + 2
    wb, lb = 120 * (layer1 + layer2) + head + 1, 121 + 2
    ff = (wb * lb * math.log(wb)) / (wa * la * math.log(wa))
    assert e.answer.feedforward_ratio == pytest.approx(ff)
    assert (
        f"W·L·log W changes ×{ff:.3g} (W {wa:,} → {wb:,}, L {la} → {lb}), not ×2: the "
        "path grows only 120 → 121." in law
    )
    mixed = explain(_s("rnn_relu:1x32"), _s("rnn_tanh:2x32"))
    law = _depth(mixed)
    assert "They do not cover rnn_tanh:2x32 (not a piecewise-linear network)" in law
    assert mixed.answer.feedforward_ratio is None
    bidi = explain(_s("rnn_relu:1x32", bidirectional=True), _s("rnn_relu:2x32"))
    assert "rnn_relu:1x32 (the layering of its unrolled network is not derived)" in _depth(bidi)


def test_measured_without_source_and_the_conclusion():
    m = Measured("VC-dimension estimate", 10.0, 25.0)
    e = explain(_s("lstm:1x64"), _s("lstm:4x64"), measured=[m])
    line = next(s for s in e.answer.lines if s.startswith("Measured:"))
    assert line == "Measured: VC-dimension estimate: 10 → 25 (×2.5, against ×4)."
    last = e.answer.lines[-1]
    assert last.startswith("So VC(lstm:4x64) = (4/1) × VC(lstm:1x64) is neither established")
    assert "no lower bound covers these cells (w moves ×6.13)" in last
    assert "only upper bounds (km97-pfaffian-unrolled), which allow" in last
    fewer = explain(_s("lstm:1x128"), _s("lstm:2x64"))
    assert fewer.answer.lines[-1].endswith("; no upper bound grows faster than w.")


def test_upper_sentence_rise_and_fall():
    up = explain(_s("lstm:1x64"), _s("lstm:4x64"))
    text, _ = _text(up)
    assert "Upper bounds that rise: km97-pfaffian-unrolled ×" in text
    assert "No upper bound rises" not in text and "Upper bounds that fall" not in text
    same = explain(_s("lstm:1x64"), _s("lstm:1x64"))
    text, _ = _text(same)
    assert "Upper bounds that fall" not in text and "No upper bound rises" in text


def test_changes_and_narrow_layers():
    e = explain(_s("lstm:1x128"), _s("lstm:2x64"), task="classification")
    text, _ = _text(e)
    assert "parameters w down 26% (71,680 → 52,736)" in text
    assert "layers up 100% (1 → 2)" in text and "hidden units unchanged" in text
    small = explain(_s("lstm:1x100"), _s("lstm:1x105"))
    assert "up 5.0% (100 → 105)" in " ".join(small.lines)  # one decimal below 10 %
    even = explain(_s("lstm:1x10"), _s("lstm:1x12"))  # width equal to d = 10 is not narrow
    assert not any("units < 10 inputs" in s for s in even.lines)
    narrow = explain(_s("lstm:1x9"), _s("lstm:1x12"))
    assert any(s.startswith("lstm:1x9 has a layer of 9 units < 10 inputs") for s in narrow.lines)


def test_items_name_status_and_derived():
    e = explain(_s("rnn_tanh:1x32"), _s("rnn_tanh:1x64"), task="classification")
    lower = next(s for s in e.answer.lines if s.startswith("Lower bounds"))
    assert "ks98-sigmoid-lower (ABSTRACT-ONLY):" in lower  # one-layer tanh RNN: not derived
    deep = explain(_s("rnn_tanh:1x32"), _s("rnn_tanh:2x32"), task="classification")
    lower = next(s for s in deep.answer.lines if s.startswith("Lower bounds"))
    # A is one layer (stated), B is stacked (DERIVED): both are named (issue 25)
    assert (
        "ks98-sigmoid-lower (rnn_tanh:1x32: ABSTRACT-ONLY; rnn_tanh:2x32: ABSTRACT-ONLY, "
        "DERIVED):" in lower
    )
    upper = next(s for s in deep.answer.lines if s.startswith("Upper bounds"))
    assert "km97-pfaffian-unrolled (ABSTRACT-ONLY, DERIVED)" in upper
    e_json = to_plain(deep)
    assert e_json["answer"] == list(deep.lines) and e_json["bounds"]
    assert "measured" in e_json["direct_answer"] and "lines" in e_json["direct_answer"]


def test_depth_figure_compares_the_layer_ratio_and_the_task_of_the_pair():
    # two to four layers: the factor is 4 / 2, not 4 · 2; classification: no regression layer
    e = explain(
        _s("rnn_relu:2x32", outputs=1), _s("rnn_relu:4x32", outputs=1), task="classification"
    )
    layer1, layer2, head = 32 * (10 + 32 + 2), 32 * (32 + 32 + 2), 33
    wa, la = 120 * (layer1 + layer2) + head, 121 + 1
    wb, lb = 120 * (layer1 + 3 * layer2) + head, 123 + 1
    ff = (wb * lb * math.log(wb)) / (wa * la * math.log(wa))
    assert e.answer.feedforward_ratio == pytest.approx(ff)
    law = _depth(e)
    assert f"(W {wa:,} → {wb:,}, L {la} → {lb}), not ×2: the path grows only 121 → 123." in law


def test_lower_items_are_joined_by_semicolons_and_gated_pairs_named_once():
    e = explain(_s("rnn_tanh:1x32"), _s("rnn_tanh:1x64"), task="classification")
    lower = next(s for s in e.answer.lines if s.startswith("Lower bounds"))
    w32, w64 = 32 * (10 + 32 + 2), 64 * (10 + 64 + 2)
    assert (
        f"ks98-sigmoid-lower (ABSTRACT-ONLY): ×{w64 / w32:.3g} of w·k; "
        "ks98-thm5-arbitrary-sigmoid-lower (STATED-SECONDARY):" in lower
    )
    mixed = explain(_s("gru:1x32"), _s("lstm:1x32"))
    text = " ".join(mixed.answer.lines)
    assert "stated for vanilla RNNs, not for GRU or LSTM cells (--all lists them apart" in text
    assert all(r.section == "main" for r in mixed.rows)  # other cells only when asked for
    assert any(r.section == "other cell" for r in explain(
        _s("gru:1x32"), _s("lstm:1x32"), other_cells=True).rows)  # fmt: skip
