"""`explain` sentence by sentence, each figure recomputed here: w from real torch.nn modules, the
Theorem 10 ratio from its formula (theory.md 2.7), the Collins reference from its bits per
parameter (theory.md 5.1: 3.5 for ReLU RNNs, so a ReLU pair's ratio is the ratio of w)."""

import math

import torch

from rnncap.arch import parse_arch
from rnncap.plain import to_plain
from rnncap.theory import explain
from rnncap.theory.explain import Measured


def _s(arch, d=10, k=120, **kw):
    return parse_arch(arch, input_size=d, seq_len=k, **kw)


def _count(*modules: torch.nn.Module) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


def _line(lines, start):
    return next(s for s in lines if s.startswith(start))


def _thm10(w: int, u: int) -> float:
    """2·W·log2(16e·max{U+1, 2U}·3^U), ReLU: d = 1, p = 2 (theory.md 2.7)."""
    return 2 * w * (math.log2(16 * math.e * max(u + 1, 2 * u)) + u * math.log2(3))


# two one-layer ReLU RNNs with a head, classification: U = h·k + the output unit
W32 = _count(torch.nn.RNN(10, 32, nonlinearity="relu"), torch.nn.Linear(32, 1))  # 1,441
W33 = _count(torch.nn.RNN(10, 33, nonlinearity="relu"), torch.nn.Linear(33, 1))  # 1,519


def _relu():
    """Computed in each test, not at import, so that it runs the code under test each time."""
    return explain(
        _s("rnn_relu:1x32", outputs=1), _s("rnn_relu:1x33", outputs=1), task="classification"
    )


def test_upper_sentence_names_what_depends_on_the_path_and_what_rises_a_little():
    relu = _relu()
    sentence = _line(relu.lines, "U up")
    # BMM's W·L·log W + W·L² and Theorem 7 (L layers) depend on the path; Theorem 10 does not
    assert (
        "longest path unchanged (upper bounds that depend on it here: bmm98-upper-untied, "
        "bhlm19-thm7-untied)." in sentence
    )
    thm10 = _thm10(W33, 33 * 120 + 1) / _thm10(W32, 32 * 120 + 1)
    assert 1 < thm10 < 2  # a rise below ×2 is still a rise
    rise = sentence.split("Upper bounds that rise: ")[1]
    assert f"bhlm19-thm10-unrolled ×{thm10:.3g}" in rise
    # it grows faster than w (×1.05), so the conclusion names it
    assert thm10 > W33 / W32
    last = relu.answer.lines[-1]
    assert "bhlm19-thm10-unrolled" in last.split("only upper bounds (")[1]


def test_one_layer_b_has_no_later_layer_and_collins_follows_w():
    relu = _relu()
    figures = _line(relu.answer.lines, "What the figures do instead")
    assert f"parameters w ×{W33 / W32:.3g}; hidden units ×{33 / 32:.3g};" in figures
    collins = _line(relu.lines, "Empirical reference")
    assert f"expected memorised capacity ×{W33 / W32:.3g};" in collins


def test_a_pair_against_itself_has_nothing_growing_faster_than_w():
    e = explain(_s("rnn_relu:1x32", outputs=1), _s("rnn_relu:1x32", outputs=1))
    assert e.answer.lines[-1].endswith("(×1); no upper bound grows faster than w.")


def test_w_that_nearly_doubles_with_the_layers_is_said_to_scale_with_them():
    w1 = _count(torch.nn.RNN(10, 41), torch.nn.Linear(41, 1))  # 2,215
    w2 = _count(torch.nn.RNN(10, 36, num_layers=2), torch.nn.Linear(36, 1))  # 4,429
    assert 0 < abs(w2 / w1 - 2) < 1e-3 * 2  # within 0.1 % of the layer factor, not equal
    e = explain(
        _s("rnn_tanh:1x41", k=20, outputs=1),
        _s("rnn_tanh:2x36", k=20, outputs=1),
        task="classification",
    )
    assert e.answer.w_ratio == w2 / w1
    lower = _line(e.answer.lines, "Lower bounds")
    assert lower.endswith("They follow w, not the layer count; here w happens to scale with it.")


def test_several_measured_capacities_are_listed_in_order():
    measured = [
        Measured("VC-dimension estimate", 10.0, 25.0, source="vc --seed 0"),
        Measured("memorised bits", 100.0, 150.0),
    ]
    e = explain(_s("lstm:1x64"), _s("lstm:4x64"), measured=measured)
    assert _line(e.answer.lines, "Measured:") == (
        "Measured: VC-dimension estimate: 10 → 25 (×2.5, against ×4) [vc --seed 0]; "
        "memorised bits: 100 → 150 (×1.5, against ×4)."
    )


def test_change_of_exactly_ten_percent_has_no_decimal():
    e = explain(_s("rnn_relu:1x10"), _s("rnn_relu:1x11"))
    assert "hidden units up 10% (10 → 11)" in e.lines[0]


def test_sentences_of_a_pair_of_different_cells_are_exact():
    e = explain(_s("lstm:1x64"), _s("rnn_relu:1x64"), task="classification")
    assert "Different cells: bounds are compared only within one activation class." in e.lines
    assert "No lower bound applies to both architectures." in e.answer.lines
    assert _line(e.lines, "U ").endswith(
        "(upper bounds that depend on it here: none). "
        "No upper bound applies to both, so none is compared."
    )


def test_same_cell_at_other_lengths_is_not_called_a_different_cell():
    # order rows form no ratio across sequence lengths, but the cells are the same
    e = explain(_s("lstm:1x16", k=10), _s("lstm:1x16", k=20))
    assert not any(s.startswith("Different cells") for s in e.lines)


def test_a_narrow_layer_is_named_with_collins_rule():
    # theory.md 6.2: each layer needs n_h >= n_in to carry an n_in-dimensional input in time
    e = explain(_s("lstm:1x8"), _s("lstm:1x16"))
    assert (
        "lstm:1x8 has a layer of 8 units < 10 inputs: per Collins et al. a layer needs at least "
        "as many units as the features it must carry across time." in e.lines
    )


def test_a_derived_statement_is_not_tagged_derived_twice():
    # as in the legend's tag: "ABSTRACT-ONLY, DERIVED" for a derived use, "DERIVED" alone for a
    # statement that is itself rnncap's (no such VC bound is in the catalog today)
    from rnncap.arch import Cell
    from rnncap.theory import Activation, Bound, Citation, Direction, Form, Quantity, Status
    from rnncap.theory.core import order
    from rnncap.theory.evaluate import CompareRow, Ratio
    from rnncap.theory.explain import _figures, _item

    def row(status):
        bound = Bound(
            "x-key", "X", Citation("A", 2000, "T", "V", "Theorem 1"), Quantity.VC,
            Direction.UPPER, Form.ORDER, (Activation.ANY,), (Cell.RNN_TANH,), ("a",), status,
            "O(w)", "directly", Status.DERIVED, lambda ctx: order("O(w)", 1.0),
            caveat="worst case",
        )  # fmt: skip
        result = order("O(w)", 1.0, derived="why")
        ratio = Ratio("x-key", 1.5, math.log10(1.5))
        return CompareRow(bound, (result, result), (Ratio("x-key", 1.0, 0.0), ratio))

    fa, fb = _figures(_s("rnn_tanh:1x2")), _figures(_s("rnn_tanh:2x2"))
    assert _item(row(Status.DERIVED), fa, fb) == "x-key (DERIVED): ×1.5 of w"
    assert _item(row(Status.ABSTRACT_ONLY), fa, fb) == "x-key (ABSTRACT-ONLY, DERIVED): ×1.5 of w"


def test_direct_answer_json_keys_in_the_documented_order():
    # docs/theory.md, `explain --json`: direct_answer is {question, established, layer_factor,
    # w_ratio, units_ratio, path_ratio, feedforward_ratio, lower, upper, measured, lines}
    m = Measured("VC-dimension estimate", 10.0, 25.0, source="s")
    d = to_plain(explain(_s("lstm:1x64"), _s("lstm:2x64"), measured=[m]).answer)
    assert list(d) == [
        "question", "established", "layer_factor", "w_ratio", "units_ratio", "path_ratio",
        "feedforward_ratio", "lower", "upper", "measured", "lines",
    ]  # fmt: skip
    assert d["measured"] == [
        {"what": "VC-dimension estimate", "a": 10.0, "b": 25.0, "source": "s", "ratio": 2.5}
    ]
    assert d["established"] is False


def test_several_rising_upper_bounds_are_listed_with_semicolons():
    e = explain(_s("rnn_relu:1x32", outputs=1), _s("rnn_relu:3x32", outputs=1))
    sentence = _line(e.lines, "U up")
    rise = sentence.split("Upper bounds that rise: ")[1]
    keys = [item.split(" ×")[0] for item in rise.split("; a rising upper bound")[0].split("; ")]
    assert keys == ["gj95-pwpoly-consequence", "bmm98-upper-untied", "bhlm19-thm7-untied",
                    "bhlm19-thm10-unrolled", "ks98-pwpoly-upper"]  # fmt: skip
    back = explain(_s("rnn_relu:3x32", outputs=1), _s("rnn_relu:1x32", outputs=1))
    fall = _line(back.lines, "U down").split("Upper bounds that fall: ")[1].split(". No upper")[0]
    assert [item.split(" ×")[0] for item in fall.split("; ")] == keys  # the same five, falling
