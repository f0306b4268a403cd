"""Norm-based bounds on a non-degenerate network, every term recomputed here from theory.md 3.

Shapes are all different (d = 2 inputs, m = 3 units, k = 4 classes, T = 3 steps, n = 40) and the
norms are not 1, so that no term can be swapped or dropped without changing the result.
"""

import math

import numpy as np
import pytest

from rnncap.arch import parse_arch
from rnncap.plain import to_plain
from rnncap.theory import (
    RecurrentWeights,
    bounds,
    chen_li_zhao_order,
    tu_he_tao_bound,
    zhang_lei_dhillon_order,
)

RNG = np.random.default_rng(7)
U = RNG.normal(size=(3, 2)) * 0.7
W = RNG.normal(size=(3, 3)) * 0.3
V = RNG.normal(size=(4, 3)) * 1.3
X = RNG.normal(size=(40, 3, 2)) * 1.5


def _independent_tu(u, w, v, x, delta, margin):
    """Theorem 2 of Tu, He & Tao (theory.md 3.3), written out with explicit matrix powers."""
    n, length, _ = x.shape
    beta = [float(np.max(np.sum(np.abs(a), axis=1))) for a in (u, w, v)]  # ‖Aᵀ‖₁
    outs = []
    for xi in x:
        s = sum(
            (length + 2 - j) * v @ np.linalg.matrix_power(w, length - j) @ u @ xi[j - 1]
            for j in range(1, length + 1)
        )
        outs.append(np.max(s**2))
    r = math.sqrt(np.mean(outs))
    big_x = np.stack([xi.reshape(-1) for xi in x], axis=1)  # (T·d, n)
    lam = float(np.min(np.linalg.eigvalsh(big_x @ big_x.T / n)))
    x_fro = float(np.sqrt(np.sum(big_x**2)))
    x_t_one = float(np.max(np.sum(np.abs(big_x), axis=1)))
    lam_big = sum(j * beta[1] ** (j - 1) for j in range(1, length + 1))
    rad = r * x_fro / (2 * n) / math.sqrt(lam) + beta[2] * beta[0] * x_t_one * lam_big / n
    conf = 3 * math.sqrt(math.log(2 / delta) / (2 * n))
    k = v.shape[0]
    return dict(
        n=n, length=length, classes=k, margin=margin, delta=delta, beta_u=beta[0],
        beta_w=beta[1], beta_v=beta[2], fisher_rao=r, x_frobenius=x_fro, x_t_one=x_t_one,
        lambda_min=lam, big_lambda=lam_big, rademacher=rad, confidence=conf,
        gap=4 * k / margin * rad + conf, bias_folded=False,
    )  # fmt: skip


def test_tu_he_tao_every_term():
    b = tu_he_tao_bound(RecurrentWeights(U, W, V, X, margin=2.0), delta=0.1)
    expected = _independent_tu(U, W, V, X, delta=0.1, margin=2.0)
    got = to_plain(b)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-9), name
    assert got["vacuous"] is (expected["gap"] >= 1)


def test_tu_row_in_the_catalog():
    weights = RecurrentWeights(U, W, V, X)
    spec = parse_arch("rnn_relu:3", input_size=2, seq_len=3, outputs=4)
    row = bounds(spec, weights=weights, keys=("tu20-fisher-rao",))[0].result
    gap = _independent_tu(U, W, V, X, delta=0.05, margin=1.0)["gap"]
    assert row.value == pytest.approx(gap) and row.vacuous is (gap >= 1)
    assert row.text.startswith(f"{gap:.4g}")
    assert row.notes[0] == "classification margin bound: P[M <= 0] <= margin loss + gap"
    # singular E[xxᵀ] (n < T·d): infinite, with the reason; biases folded say so too
    few = RecurrentWeights(U, W, V, X[:2])
    r = bounds(spec, weights=few, keys=("tu20-fisher-rao",))[0].result
    assert (r.kind.value, r.text, r.vacuous) == (
        "explicit", "vacuous: infinite (λ_min(E[xxᵀ]) = 0)", True,
    )  # fmt: skip
    folded = RecurrentWeights(U, W, V, X, input_bias=np.ones(3))
    r = bounds(spec, weights=folded, keys=("tu20-fisher-rao",))[0].result
    assert r.text == "vacuous: infinite (λ_min(E[xxᵀ]) = 0, folded biases repeat a constant)"
    # δ reaches the row
    r10 = bounds(spec, weights=weights, delta=0.1, keys=("tu20-fisher-rao",))[0].result
    assert r10.value == pytest.approx(_independent_tu(U, W, V, X, 0.1, 1.0)["gap"])


def test_zhang_lei_dhillon_every_factor():
    # Õ(max{d, m, k}·L²·‖U‖₂·‖V‖₂·max{1, ‖W‖₂^L}/(√n·α)), theory.md 3.2
    for scale in (0.5, 3.0):  # ‖W‖₂ below and above 1
        w = W * scale / np.linalg.norm(W, 2)
        weights = RecurrentWeights(U, w, V, X, margin=0.5)
        su, sv = np.linalg.norm(U, 2), np.linalg.norm(V, 2)
        expected = 4 * 9 * su * sv * max(1.0, scale**3) / (math.sqrt(40) * 0.5)
        r = zhang_lei_dhillon_order(weights)
        assert r.log10 == pytest.approx(math.log10(expected))
        assert r.text.startswith("Õ(max{d,m,k}·L²·‖U‖₂·‖V‖₂·max{1,‖W‖₂^L}/(√n·α)) = Õ(4·3²·")
        assert r.text.endswith("/(√40·0.5)), constant unknown")
    spec = parse_arch("rnn_relu:3", input_size=2, seq_len=3, outputs=4)
    row = bounds(spec, weights=RecurrentWeights(U, W, V, X), keys=("zld18-pac-bayes",))[0]
    assert row.result.log10 == pytest.approx(
        zhang_lei_dhillon_order(RecurrentWeights(U, W, V, X)).log10
    )


@pytest.mark.parametrize("scale", [0.4, 1.0, 2.5])
def test_chen_li_zhao_with_width_length_and_input_norm(scale):
    w = W * scale / np.linalg.norm(W, 2)
    weights = RecurrentWeights(U, w, V, X, nonlinearity="tanh")
    b_x = float(np.max(np.linalg.norm(X, axis=2)))
    expected = {0.4: 3 * b_x, 1.0: 3 * 3 * b_x, 2.5: 3**1.5 * 3 * b_x}[scale]
    r = chen_li_zhao_order(weights)
    assert r.log10 == pytest.approx(math.log10(expected))
    regime = {0.4: "< 1", 1.0: "= 1", 2.5: "> 1"}[scale]
    assert r.text.endswith(f"(regime ‖W_hh‖₂ = {scale:.3g} {regime}), constant unknown")
    assert r.notes == ("log factors in d and B_x omitted; compare models only within one regime",)
    spec = parse_arch("rnn_tanh:3", input_size=2, seq_len=3, outputs=4)
    row = bounds(spec, weights=weights, keys=("clz20-vanilla-order",))[0].result
    assert row.log10 == pytest.approx(r.log10) and row.text == r.text


def test_chen_li_zhao_regime_tolerance():
    near = W * (1 + 5e-7) / np.linalg.norm(W, 2)
    assert "= 1)" in chen_li_zhao_order(RecurrentWeights(U, near, V, X, nonlinearity="tanh")).text
    off = W * (1 + 5e-6) / np.linalg.norm(W, 2)
    assert "> 1)" in chen_li_zhao_order(RecurrentWeights(U, off, V, X, nonlinearity="tanh")).text


def test_weight_rows_need_one_layer_and_weights():
    weights = RecurrentWeights(U, W, V, X)
    two = parse_arch("rnn_relu:3,3", input_size=2, seq_len=3, outputs=4)
    rows = {r.bound.key: r.result for r in bounds(two, weights=weights)}
    assert rows["tu20-fisher-rao"].text == "single-layer unidirectional vanilla RNN only"
    bidi = parse_arch("rnn_relu:3", input_size=2, seq_len=3, outputs=4, bidirectional=True)
    rows = {r.bound.key: r.result for r in bounds(bidi, weights=weights)}
    assert rows["zld18-pac-bayes"].text == "single-layer unidirectional vanilla RNN only"
    one = parse_arch("rnn_tanh:3", input_size=2, seq_len=3, outputs=4)
    rows = {r.bound.key: r.result for r in bounds(one)}
    assert rows["clz20-vanilla-order"].text == (
        "needs trained weights: evaluate with weights=RecurrentWeights(...)"
    )


def test_tu_row_text_says_vacuous_only_when_the_gap_reaches_1():
    spec = parse_arch("rnn_relu:3", input_size=2, seq_len=3, outputs=4)
    # n = 40, α = 1: the gap is far above 1, printed with four digits and the mark
    gap = _independent_tu(U, W, V, X, delta=0.05, margin=1.0)["gap"]
    assert gap >= 1
    row = bounds(spec, weights=RecurrentWeights(U, W, V, X), keys=("tu20-fisher-rao",))[0]
    assert row.result.text == f"{gap:.4g} (vacuous: >= 1)" and row.result.vacuous
    # n = 2,000 and a wide margin α = 10⁴: below 1, the number alone
    x = np.random.default_rng(3).normal(size=(2_000, 3, 2))
    gap = _independent_tu(U, W, V, x, delta=0.05, margin=1e4)["gap"]
    assert gap < 1
    weights = RecurrentWeights(U, W, V, x, margin=1e4)
    row = bounds(spec, weights=weights, keys=("tu20-fisher-rao",))[0]
    assert row.result.text == f"{gap:.4g}" and not row.result.vacuous


def test_tu_row_notes_name_the_folded_biases_as_derived():
    spec = parse_arch("rnn_relu:3", input_size=2, seq_len=1, outputs=4)
    folded = RecurrentWeights(U, W, V, X[:, :1], input_bias=np.ones(3))  # T = 1: λ_min > 0
    r = bounds(spec, weights=folded, keys=("tu20-fisher-rao",))[0].result
    assert r.notes == (
        "classification margin bound: P[M <= 0] <= margin loss + gap",
        "biases folded into U with a constant input, derived by rnncap (not a published theorem)",
    )
