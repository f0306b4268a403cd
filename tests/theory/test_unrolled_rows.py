"""The feed-forward rows on the unrolled network, each value recomputed here from its formula
(theory.md 2.3-2.5, 2.7) at figures counted on real torch.nn modules, and the defaults of the
standalone formulas (ReLU: Theorem 7 with p = 1, d = 1; Theorem 10 with d = 1, p = 2)."""

import math

import numpy as np
import pytest
import torch

from rnncap.arch import parse_arch
from rnncap.errors import InvalidInput
from rnncap.theory import bhlm_thm7_vc, bhlm_thm10_log10, bounds, get_bound
from rnncap.theory.context import context
from rnncap.theory.core import DERIVED_LABEL
from rnncap.theory.untied import untied_layers


def _count(*modules: torch.nn.Module) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


def _rows(spec, task="classification"):
    return {r.bound.key: r.result for r in bounds(spec, task=task)}


# rnn_relu:1x8 with d = 3, k = 10 and a one-output head, as torch counts it
SPEC = parse_arch("rnn_relu:1x8", input_size=3, seq_len=10, outputs=1)
CELL = _count(torch.nn.RNN(3, 8, nonlinearity="relu"))  # 104
HEAD = _count(torch.nn.Linear(8, 1))  # 9
W = CELL + HEAD


def test_standalone_formulas_default_to_relu():
    # theory.md 7: Theorem 10 at W = 1000, U = 50 (d = 1, p = 2); Theorem 7 on 10-20-20-1
    assert 10 ** bhlm_thm10_log10(1000, 50) == pytest.approx(182_669.35, abs=0.01)
    bound, lbar = bhlm_thm7_vc(np.array([20, 20, 1]), np.array([220, 420, 21]))
    assert (bound, lbar) == (pytest.approx(19_006.06, abs=0.01), pytest.approx(2.30106, abs=1e-5))


def test_theorem_10_piecewise_constant_takes_u_plus_1():
    # d = 0: max{U + 1, 2·d·U} = U + 1; d = 2: 4U
    for degree, inner in ((0, 51), (2, 200)):
        expected = 2 * 1000 * math.log2(16 * math.e * inner * 3**50)
        assert 10 ** bhlm_thm10_log10(1000, 50, degree=degree) == pytest.approx(expected)


def test_theorem_7_needs_more_than_two_units_and_three_are_enough():
    # k = (2, 1), d = 1: R = 2·1 + 1·2 = 4, W_i cumulative 5, 8
    bound, lbar = bhlm_thm7_vc(np.array([2, 1]), np.array([5, 3]))
    inner = 4 * math.e * 4 * math.log2(2 * math.e * 4)
    assert bound == pytest.approx(2 + 13 * math.log2(inner)) and lbar == pytest.approx(13 / 8)
    with pytest.raises(InvalidInput) as info:
        bhlm_thm7_vc(np.array([1, 1]), np.array([5, 3]))
    assert str(info.value) == "Theorem 7 needs more than 2 computation units"


def test_the_untied_head_layer_holds_one_output_row():
    # a scalar output of a 3-output head: one row of Linear(8, 3), i.e. Linear(8, 1)
    three = parse_arch("rnn_relu:1x8", input_size=3, seq_len=10, outputs=3)
    _, params = untied_layers(context(three, task="classification"))
    assert params[-1] == HEAD and params.sum() == 10 * CELL + HEAD


@pytest.mark.parametrize(("task", "extra"), [("classification", 0), ("regression", 1)])
def test_bartlett_maiorov_meir_upper_at_the_untied_w_and_l(task, extra):
    # O(W·L·log W + W·L²) (natural log); L = k + head (+1 regression), W = all applications
    w, n_layers = 10 * CELL + HEAD + extra, 11 + extra  # L > log W: W·L² dominates
    r = _rows(SPEC, task)["bmm98-upper-untied"]
    assert r.log10 == pytest.approx(math.log10(w * n_layers * math.log(w) + w * n_layers**2))
    assert r.text.startswith(f"O(W·L·log W + W·L²) at W = {w:,}, L = {n_layers}")


def test_bartlett_maiorov_meir_upper_when_log_w_dominates():
    # rnn_relu:1x64, d = 3, k = 3: W = 3 cells + the head, L = 4 < log W
    wide = parse_arch("rnn_relu:1x64", input_size=3, seq_len=3, outputs=1)
    w = 3 * _count(torch.nn.RNN(3, 64, nonlinearity="relu")) + _count(torch.nn.Linear(64, 1))
    assert math.log(w) > 4
    r = _rows(wide)["bmm98-upper-untied"]
    assert r.log10 == pytest.approx(math.log10(w * 4 * math.log(w) + w * 16))


@pytest.mark.parametrize(("task", "extra"), [("classification", 0), ("regression", 1)])
def test_goldberg_jerrum_consequence_is_w_times_w_plus_u(task, extra):
    # O(W² + W·U): W = w (+1 regression), U = h·k units + the output unit (+1 regression)
    w, u = W + extra, 8 * 10 + 1 + extra
    r = _rows(SPEC, task)["gj95-pwpoly-consequence"]
    assert r.log10 == pytest.approx(math.log10(w * (w + u)))


def test_existence_references_at_w_and_depth():
    # Ω(W·L) and Ω(W·L·log(W/L)) at W = w and L = k + 1 (the head), natural log
    rows = _rows(SPEC)
    assert rows["bmm98-lower"].log10 == pytest.approx(math.log10(W * 11))
    assert rows["bhlm19-thm3"].log10 == pytest.approx(math.log10(W * 11 * math.log(W / 11)))


def test_theorem_3_needs_w_above_l():
    # rnn_relu:1x1, d = 1, k = 5, one output: w = 4 + 2 = 6 = L = 5 + 1 (Theorem 3: W > C·L)
    tiny = parse_arch("rnn_relu:1x1", input_size=1, seq_len=5, outputs=1)
    assert _count(torch.nn.RNN(1, 1), torch.nn.Linear(1, 1)) == 6
    rows = _rows(tiny)
    assert rows["bhlm19-thm3"].text == "needs W > L; got W = 6, L = 6"
    assert rows["bmm98-lower"].log10 == pytest.approx(math.log10(36))  # Ω(W·L) needs no W > L
    longer = parse_arch("rnn_relu:1x1", input_size=1, seq_len=4, outputs=1)
    assert _rows(longer)["bhlm19-thm3"].log10 == pytest.approx(math.log10(6 * 5 * math.log(6 / 5)))


def test_theorem_10_needs_a_head_for_classification_only():
    headless = parse_arch("rnn_relu:1x8", input_size=3, seq_len=10, outputs=0)
    r = _rows(headless)["bhlm19-thm10-unrolled"]
    assert r.text == "the network model ends in a linear output unit: give a head"
    reg = _rows(headless, "regression")["bhlm19-thm10-unrolled"]  # + 1 parameter, + 1 unit
    w, u = CELL + 1, 80 + 1
    expected = 2 * w * math.log2(16 * math.e * 2 * u * 3**u)
    assert reg.value == pytest.approx(expected)


def _keras_lstm(**kw):
    return parse_arch(
        "lstm:1x8", input_size=3, seq_len=10, outputs=1, convention="keras",
        recurrent_activation="hard_sigmoid", **kw,
    )  # fmt: skip


def test_mixed_gates_reach_karpinski_macintyre_with_a_derived_note_and_caveat():
    ctx = context(_keras_lstm(), task="classification")
    r = get_bound("km97-pfaffian-unrolled").evaluate_fn(ctx)
    reason = "hard-sigmoid gates are piecewise linear"
    assert r.notes[-1].startswith(reason) and r.notes[-1].endswith(", " + DERIVED_LABEL)
    assert r.caveat.startswith(reason)
    assert r.caveat.endswith("; order of growth, constants unknown; worst case")
    # sigmoid/tanh gates: Pfaffian as stated; the bound's own caveat applies
    plain = get_bound("km97-pfaffian-unrolled").evaluate_fn(context(parse_arch("lstm:1x8")))
    assert plain.caveat == "" and not any(n.startswith(reason) for n in plain.notes)


def test_piecewise_gates_reach_goldberg_jerrum_with_a_derived_note_and_caveat():
    ctx = context(_keras_lstm(activation="relu"), task="classification")
    r = get_bound("gj95-pwpoly-consequence").evaluate_fn(ctx)
    reason = "gated cells with piecewise-linear gates and candidate"
    assert r.notes[-1].startswith(reason) and r.notes[-1].endswith(", " + DERIVED_LABEL)
    assert r.caveat.startswith(reason) and r.caveat.endswith("; order of growth, constants unknown")
    relu = get_bound("gj95-pwpoly-consequence").evaluate_fn(context(SPEC, task="classification"))
    assert relu.caveat == "" and len(relu.notes) == 1
