"""Feed-forward bounds: theory.md section 7 vectors and the unrolled network against torch."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnncap.arch import parse_arch
from rnncap.theory import bhlm_thm7_vc, bhlm_thm10_log10, bounds, goldberg_jerrum_vc
from rnncap.theory.context import context
from rnncap.theory.untied import untied_layers


def test_goldberg_jerrum_vector():
    assert goldberg_jerrum_vc(100, 2, 1000) == pytest.approx(3081.70, abs=0.01)


def test_bhlm_theorem_10_vector():
    assert 10 ** bhlm_thm10_log10(1000, 50, degree=1, pieces=2) == pytest.approx(
        182_669.35, abs=0.01
    )


def test_bhlm_theorem_7_vector_10_20_20_1():
    bound, lbar = bhlm_thm7_vc(np.array([20, 20, 1]), np.array([220, 420, 21]), 1, 1)
    assert lbar == pytest.approx(2.30106, abs=1e-5)
    assert bound == pytest.approx(19_006.06, abs=0.01)


def test_theorem_10_does_not_overflow():
    log10 = bhlm_thm10_log10(1e9, 5e12)
    assert math.isfinite(log10) and log10 > 21


def test_untied_layers_match_torch_parameters():
    spec = parse_arch("rnn_relu:16,8", input_size=4, seq_len=7, outputs=1)
    units, params = untied_layers(context(spec, task="classification"))
    stack = [torch.nn.RNN(4, 16, nonlinearity="relu"), torch.nn.RNN(16, 8, nonlinearity="relu")]
    per_cell = [sum(p.numel() for p in m.parameters()) for m in stack]
    head = sum(p.numel() for p in torch.nn.Linear(8, 1).parameters())
    assert len(units) == 7 + 2 - 1 + 1  # k + L - 1 hidden layers, then the head
    assert params.sum() == 7 * sum(per_cell) + head
    assert units[0] == 16 and units[1] == 24 and units[6] == 24 and units[7] == 8
    assert units[-1] == 1


def test_relu_rnn_rows_are_explicit_and_labelled_derived():
    spec = parse_arch("rnn_relu:2x32", input_size=30, seq_len=120, outputs=1)
    rows = {r.bound.key: r for r in bounds(spec, task="classification")}
    thm10 = rows["bhlm19-thm10-unrolled"]
    w = 32 * (30 + 32 + 2) + 32 * (32 + 32 + 2) + 33
    u = 32 * 2 * 120 + 1
    assert thm10.result.value == pytest.approx(
        2 * w * (math.log2(16 * math.e * max(u + 1, 2 * u)) + u * math.log2(3)), rel=1e-9
    )
    assert thm10.bound.derived and "derived by rnncap" in thm10.result.notes[0]
    assert rows["bhlm19-thm7-untied"].result.value > 0
    assert "existence" in rows["bhlm19-thm3"].result.notes[0]
    assert not rows["km97-pfaffian-unrolled"].result.applicable  # ReLU is not Pfaffian


@given(w=st.floats(1, 1e9), u=st.floats(1, 1e12), f=st.floats(1.001, 100))
def test_theorem_10_is_monotone_in_w_and_u(w, u, f):
    assert bhlm_thm10_log10(w * f, u) > bhlm_thm10_log10(w, u)
    assert bhlm_thm10_log10(w, u * f) > bhlm_thm10_log10(w, u)
