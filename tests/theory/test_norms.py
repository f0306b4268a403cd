"""Norm-based bounds from trained weights: a hand-computed Tu–He–Tao case and the order regimes."""

import math

import numpy as np
import pytest
import torch

from rnncap.arch import parse_arch
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain
from rnncap.theory import (
    RecurrentWeights,
    bounds,
    chen_li_zhao_order,
    fisher_rao_norm,
    tu_he_tao_bound,
    zhang_lei_dhillon_order,
)
from rnncap.theory.norms import tu_lambda


def test_tu_he_tao_hand_computed_case():
    # n = 2 sequences of length 1, d = 1, m = 1 unit, k = 2 classes, α = 1, δ = 0.05
    x = np.array([[[1.0]], [[2.0]]])
    weights = RecurrentWeights(np.array([[1.0]]), np.array([[0.5]]), np.array([[2.0], [1.0]]), x)
    b = tu_he_tao_bound(weights, delta=0.05)
    # r² = mean(max_c (2·V·U·x)_c²) = mean(16, 64) = 40; λ_min = (1 + 4)/2; ‖X‖_F = √5; ‖Xᵀ‖₁ = 3
    assert b.fisher_rao == pytest.approx(math.sqrt(40))
    assert b.lambda_min == pytest.approx(2.5)
    assert (b.beta_u, b.beta_w, b.beta_v, b.x_t_one) == (1.0, 0.5, 2.0, 3.0)
    rademacher = math.sqrt(40) * math.sqrt(5) / 4 * math.sqrt(1 / 2.5) + 0.5 * 2 * 1 * 3 * 1
    assert b.rademacher == pytest.approx(rademacher)
    assert b.gap == pytest.approx(8 * rademacher + 3 * math.sqrt(math.log(40) / 4))
    assert b.vacuous


def test_lambda_is_the_weighted_geometric_sum():
    for beta in (0.3, 0.999, 1.0, 1.7):
        assert tu_lambda(beta, 9) == pytest.approx(sum(j * beta ** (j - 1) for j in range(1, 10)))
    assert tu_lambda(3.0, 10**6) == math.inf


def test_fisher_rao_matches_explicit_matrix_powers():
    rng = np.random.default_rng(0)
    u, w, v = rng.normal(size=(5, 3)), rng.normal(size=(5, 5)) / 3, rng.normal(size=(2, 5))
    x = rng.normal(size=(4, 6, 3))
    length = x.shape[1]
    outs = []
    for xi in x:
        s = sum(
            (length + 2 - j) * v @ np.linalg.matrix_power(w, length - j) @ u @ xi[j - 1]
            for j in range(1, length + 1)
        )
        outs.append(np.max(s**2))
    assert fisher_rao_norm(u, w, v, x) == pytest.approx(math.sqrt(np.mean(outs)))


def test_weights_from_a_torch_rnn_and_bias_folding():
    rnn = torch.nn.RNN(3, 4, nonlinearity="relu", batch_first=True)
    head = torch.nn.Linear(4, 2)
    x = np.random.default_rng(1).normal(size=(50, 2, 3))
    sd = {k: v.detach().numpy() for k, v in rnn.state_dict().items()}
    weights = RecurrentWeights(
        sd["weight_ih_l0"], sd["weight_hh_l0"], head.weight.detach().numpy(), x,
        input_bias=sd["bias_ih_l0"] + sd["bias_hh_l0"],
    )  # fmt: skip
    u, _, _, xa = weights.matrices()
    # the folded input reproduces torch's pre-activation of the first step
    pre = torch.nn.functional.linear(torch.tensor(x[:, 0], dtype=torch.float32), rnn.weight_ih_l0)
    pre = pre + rnn.bias_ih_l0 + rnn.bias_hh_l0
    np.testing.assert_allclose(xa[:, 0] @ u.T, pre.detach().numpy(), rtol=1e-5, atol=1e-5)
    # folding repeats the constant 1 at every step: E[x xᵀ] is singular for T >= 2
    b = tu_he_tao_bound(weights)
    assert b.bias_folded and b.lambda_min == pytest.approx(0, abs=1e-9) and b.gap == math.inf
    one_step = RecurrentWeights(*weights._arrays()[:3], x[:, :1], input_bias=weights.input_bias)
    b1 = tu_he_tao_bound(one_step)
    assert b1.lambda_min > 0 and math.isfinite(b1.gap)
    spec = parse_arch("rnn_relu:4", input_size=3, seq_len=1, outputs=2)
    row = bounds(spec, weights=one_step, keys=("tu20-fisher-rao",))[0]
    assert row.result.value == pytest.approx(b1.gap)
    assert "derived by rnncap" in row.result.notes[-1]


@pytest.mark.parametrize(("scale", "regime"), [(0.5, "< 1"), (1.0, "= 1"), (2.0, "> 1")])
def test_chen_li_zhao_regimes(scale, regime):
    x = np.ones((3, 7, 2))
    weights = RecurrentWeights(
        np.ones((4, 2)), scale * np.eye(4), np.ones((1, 4)), x, nonlinearity="tanh"
    )
    r = chen_li_zhao_order(weights)
    assert f"{regime})" in r.text and "constant unknown" in r.text
    b_x = math.sqrt(2)
    expected = {"< 1": 4 * b_x, "= 1": 4 * 7 * b_x, "> 1": 4**1.5 * 7 * b_x}[regime]
    assert r.log10 == pytest.approx(math.log10(expected))


def test_zhang_lei_dhillon_order_in_log_space():
    x = np.ones((100, 1000, 2))
    w = RecurrentWeights(np.eye(2), 3 * np.eye(2), np.eye(2), x)
    r = zhang_lei_dhillon_order(w)
    expected = math.log10(2) + 2 * 3 + 0 + 0 + 1000 * math.log10(3) - 1
    assert r.log10 == pytest.approx(expected)


def test_bad_weights_and_uncovered_activations():
    x = np.ones((3, 2, 2))
    with pytest.raises(InvalidInput, match="recurrent_weight must be"):
        RecurrentWeights(np.ones((4, 2)), np.ones((3, 3)), np.ones((1, 4)), x)
    tanh = RecurrentWeights(np.ones((4, 2)), np.eye(4), np.ones((1, 4)), x, nonlinearity="tanh")
    with pytest.raises(InvalidInput, match="ReLU RNNs only"):
        tu_he_tao_bound(tanh)
    relu = RecurrentWeights(np.ones((4, 2)), np.eye(4), np.ones((1, 4)), x)
    with pytest.raises(InvalidInput, match="bounded activation"):
        chen_li_zhao_order(relu)
    spec = parse_arch("rnn_relu:4", input_size=2, seq_len=2, outputs=1)
    row = {r.bound.key: r.result for r in bounds(spec)}["tu20-fisher-rao"]
    assert not row.applicable and "needs trained weights" in row.text


def test_tu_he_tao_record_serialises_every_term():
    x = np.array([[[1.0]], [[2.0]]])
    weights = RecurrentWeights(np.array([[1.0]]), np.array([[0.5]]), np.array([[2.0], [1.0]]), x)
    d = to_plain(tu_he_tao_bound(weights))
    assert d["vacuous"] is True and d["lambda_min"] == pytest.approx(2.5)
    assert {"gap", "rademacher", "confidence", "fisher_rao", "bias_folded"} <= set(d)
