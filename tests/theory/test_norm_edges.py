"""Norm-based bounds at their edges (theory.md 3): widths where d or m is the largest, norms and
input norms below 1, float32 weights of a real torch.nn.RNN, and the records' exact messages."""

import math

import numpy as np
import pytest
import torch

from rnncap.errors import InvalidInput
from rnncap.theory import (
    RecurrentWeights,
    chen_li_zhao_order,
    fisher_rao_norm,
    tu_he_tao_bound,
    zhang_lei_dhillon_order,
)

RNG = np.random.default_rng(11)


def _with_norm(a: np.ndarray, norm: float) -> np.ndarray:
    """`a` rescaled to the spectral norm `norm`."""
    return a * norm / np.linalg.norm(a, 2)


def _message(call) -> str:
    with pytest.raises(InvalidInput) as info:
        call()
    return str(info.value)


def test_one_sequence_is_enough_and_zero_steps_are_not():
    u, w, v = np.ones((2, 3)), np.eye(2), np.ones((1, 2))
    one = RecurrentWeights(u, w, v, np.ones((1, 4, 3)))  # n = 1: "at least one sequence"
    assert one.matrices()[3].shape == (1, 4, 3)
    assert _message(lambda: RecurrentWeights(u, w, v, np.ones((5, 0, 3)))) == (
        "inputs need at least one sequence and step"
    )


@pytest.mark.parametrize("which", ["U", "V", "inputs"])
def test_non_finite_entries_are_named(which):
    arrays = {"U": np.ones((2, 3)), "W": np.eye(2), "V": np.ones((1, 2))}
    arrays["inputs"] = np.ones((4, 5, 3))
    arrays[which] = arrays[which] * np.nan
    args = (arrays["U"], arrays["W"], arrays["V"], arrays["inputs"])
    assert _message(lambda: RecurrentWeights(*args)) == f"{which} has non-finite entries"


def test_missing_entries_are_bad_input_not_a_traceback():
    u = np.array([[1.0, None], [0.5, 2.0]], dtype=object)  # e.g. weights read with a gap
    x = np.ones((3, 2, 2))
    assert _message(lambda: RecurrentWeights(u, np.eye(2), np.ones((1, 2)), x)) == (
        "U has non-finite entries"
    )


def test_float32_torch_weights_are_evaluated_in_double_precision():
    torch.manual_seed(0)
    rnn, head = torch.nn.RNN(3, 5, nonlinearity="relu"), torch.nn.Linear(5, 2)
    u, w = rnn.weight_ih_l0.detach().numpy(), rnn.weight_hh_l0.detach().numpy()
    v = head.weight.detach().numpy()
    x = torch.randn(64, 4, 3).numpy()  # float32 inputs, as a torch data loader gives them
    assert u.dtype == x.dtype == np.float32
    # ‖θ‖_fs (Tu et al. eq. 2) from explicit matrix powers, in float64 on the same float32 values
    u64, w64, v64, x64 = (a.astype(np.float64) for a in (u, w, v, x))
    outs = []
    for xi in x64:
        s = sum(
            (4 + 2 - j) * v64 @ np.linalg.matrix_power(w64, 4 - j) @ u64 @ xi[j - 1]
            for j in range(1, 5)
        )
        outs.append(np.max(s**2))
    expected = math.sqrt(np.mean(outs))
    weights = RecurrentWeights(u, w, v, x)
    assert all(a.dtype == np.float64 for a in weights.matrices())
    assert tu_he_tao_bound(weights).fisher_rao == pytest.approx(expected, rel=1e-12)
    assert fisher_rao_norm(*weights.matrices()) == pytest.approx(expected, rel=1e-12)


def test_tu_he_tao_and_chen_li_zhao_refuse_the_other_activation_in_one_line():
    x = np.ones((3, 2, 2))
    tanh = RecurrentWeights(np.ones((4, 2)), np.eye(4), np.ones((1, 4)), x, nonlinearity="tanh")
    relu = RecurrentWeights(np.ones((4, 2)), np.eye(4), np.ones((1, 4)), x)
    assert _message(lambda: tu_he_tao_bound(tanh)) == "Tu, He & Tao cover ReLU RNNs only; got tanh"
    assert _message(lambda: chen_li_zhao_order(relu)) == (
        "Chen, Li & Zhao need a bounded activation (tanh)"
    )


@pytest.mark.parametrize(
    ("d", "m", "k"),
    [(5, 3, 2), (2, 6, 1), (2, 3, 4)],  # the input size, the width, then the classes largest
)
def test_zhang_lei_dhillon_width_is_max_of_d_m_k(d, m, k):
    n, length = 30, 4
    u = _with_norm(RNG.normal(size=(m, d)), 0.5)  # ‖U‖₂ < 1 and ‖V‖₂ < 1 count as they are
    w = _with_norm(RNG.normal(size=(m, m)), 1.5)
    v = _with_norm(RNG.normal(size=(k, m)), 0.25)
    x = RNG.normal(size=(n, length, d))
    r = zhang_lei_dhillon_order(RecurrentWeights(u, w, v, x, margin=2.0))
    # Õ(max{d, m, k}·L²·‖U‖₂·‖V‖₂·max{1, ‖W‖₂^L}/(√n·α)), theory.md 3.2
    expected = max(d, m, k) * length**2 * 0.5 * 0.25 * 1.5**length / (math.sqrt(n) * 2.0)
    assert r.log10 == pytest.approx(math.log10(expected))
    assert f"= Õ({max(d, m, k)}·{length}²·0.5·0.25·max{{1, 1.5^{length}}}/(√{n}·2))" in r.text


def test_chen_li_zhao_with_small_inputs_substitutes_b_x():
    # inputs scaled so that B_x = max_t ‖x_t‖ = 0.1 < 1: the order is B_x·d, not d
    x = RNG.normal(size=(20, 5, 2))
    x = x * 0.1 / np.max(np.linalg.norm(x, axis=2))
    u, v = RNG.normal(size=(3, 2)), RNG.normal(size=(1, 3))
    w = _with_norm(RNG.normal(size=(3, 3)), 0.5)
    r = chen_li_zhao_order(RecurrentWeights(u, w, v, x, nonlinearity="tanh"))
    assert r.log10 == pytest.approx(math.log10(0.1 * 3))
    assert r.text.startswith("O(B_x·d) = O(0.1·3) (regime ‖W_hh‖₂ = 0.5 < 1)")
