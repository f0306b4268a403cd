"""Norm-based generalization bounds for vanilla RNNs, evaluated from trained weights (theory.md 3).

Tu, He & Tao 2020 is evaluated explicitly; Zhang, Lei & Dhillon 2018 and Chen, Li & Zhao 2020 only
as the orders of growth that theory.md verifies (STATED-SECONDARY), never as numbers of samples.
Weights come in as numpy arrays (the capacity room reads them from trained torch models).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np

from rnncap.arch import Cell
from rnncap.errors import require
from rnncap.theory.cells import Activation
from rnncap.theory.context import Context, check_delta
from rnncap.theory.core import (
    DERIVED_LABEL,
    Bound,
    Citation,
    Direction,
    Form,
    Kind,
    Quantity,
    Result,
    Status,
    explicit,
    not_applicable,
    order,
    register,
)


@dataclass(frozen=True, eq=False)
class RecurrentWeights:
    """A trained single-layer vanilla RNN h_t = ρ(U·x_t + W·h_{t−1} [+ b]), y = V·h_T.

    Parameters
    ----------
    input_weight : array (m, d)
        U, PyTorch ``weight_ih_l0``.
    recurrent_weight : array (m, m)
        W, ``weight_hh_l0``.
    output_weight : array (k, m)
        V, the head's weight (its bias is not covered by the bounds).
    inputs : array (n, T, d)
        The training sequences, as scaled for training.
    nonlinearity : {"relu", "tanh"}
    input_bias : array (m,) or None
        ``bias_ih_l0 + bias_hh_l0``; when given it is folded into U by appending a constant 1 to
        every x_t (``derived by rnncap``, reported in the result).
    margin : float, default=1.0
        α, the ramp-loss margin of the classification bounds.
    """

    input_weight: np.ndarray
    recurrent_weight: np.ndarray
    output_weight: np.ndarray
    inputs: np.ndarray
    nonlinearity: str = "relu"
    input_bias: np.ndarray | None = None
    margin: float = 1.0

    def __post_init__(self) -> None:
        u, w, v, x = (np.asarray(a, dtype=float) for a in self._arrays())
        require(u.ndim == 2, f"input_weight must be (m, d); got shape {u.shape}")
        m, d = u.shape
        require(w.shape == (m, m), f"recurrent_weight must be ({m}, {m}); got {w.shape}")
        require(v.ndim == 2 and v.shape[1] == m, f"output_weight must be (k, {m}); got {v.shape}")
        require(x.ndim == 3 and x.shape[2] == d, f"inputs must be (n, T, {d}); got {x.shape}")
        require(x.shape[0] >= 1 and x.shape[1] >= 1, "inputs need at least one sequence and step")
        require(self.nonlinearity in ("relu", "tanh"), "nonlinearity must be 'relu' or 'tanh'")
        require(self.margin > 0, f"margin must be > 0; got {self.margin!r}")
        if self.input_bias is not None:
            b = np.asarray(self.input_bias, dtype=float)
            require(b.shape == (m,), f"input_bias must be ({m},); got {b.shape}")
        for name, a in zip(("U", "W", "V", "inputs"), (u, w, v, x), strict=True):
            require(bool(np.isfinite(a).all()), f"{name} has non-finite entries")

    def _arrays(self) -> tuple:
        return self.input_weight, self.recurrent_weight, self.output_weight, self.inputs

    def matrices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """U, W, V and inputs (n, T, d'), with the bias folded into U when one is given."""
        u, w, v, x = (np.asarray(a, dtype=float) for a in self._arrays())
        if self.input_bias is not None:
            u = np.hstack([u, np.asarray(self.input_bias, dtype=float)[:, None]])
            x = np.concatenate([x, np.ones((*x.shape[:2], 1))], axis=2)
        return u, w, v, x


def _inf_norm_t(a: np.ndarray) -> float:
    """‖Aᵀ‖₁ = the maximum absolute row sum of A."""
    return float(np.abs(a).sum(axis=1).max())


def tu_lambda(beta_w: float, length: int) -> float:
    """Λ of Tu et al. Theorem 1 (= Σ_{j=1}^{L} j·β_W^{j−1}); inf on overflow."""
    if abs(beta_w - 1) < 1e-12:
        return (length + length**2) / 2
    try:
        power = beta_w**length
        return (1 / (1 - beta_w)) * ((1 - power) / (1 - beta_w) - length * power)
    except OverflowError:
        return math.inf


def fisher_rao_norm(u: np.ndarray, w: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    """‖θ‖_fs = sqrt(mean_i max_c ((Σ_j (L+2−j)·V·W^{L−j}·U·x_ij)_c)²) (Tu et al. eq. 2)."""
    length = x.shape[1]
    acc = np.zeros((u.shape[0], x.shape[0]))
    for j in range(1, length + 1):  # Horner: acc <- W·acc + c_j·U·x_j
        acc = w @ acc + (length + 2 - j) * (u @ x[:, j - 1, :].T)
    out = v @ acc  # (k, n)
    return float(np.sqrt(np.mean(np.max(out**2, axis=0))))


@dataclass(frozen=True)
class TuHeTaoBound:
    """Every term of Tu, He & Tao's Theorem 2 for one trained ReLU RNN (classification margin α)."""

    n: int
    length: int
    classes: int
    margin: float
    delta: float
    beta_u: float
    beta_w: float
    beta_v: float
    fisher_rao: float  # r
    x_frobenius: float
    x_t_one: float  # ‖Xᵀ‖₁
    lambda_min: float  # of the empirical E[x xᵀ]
    big_lambda: float  # Λ
    rademacher: float
    confidence: float  # 3·sqrt(log(2/δ)/(2n))
    gap: float  # (4k/α)·R̂ + confidence
    bias_folded: bool

    PLAIN_EXTRA: ClassVar = ("vacuous",)  # `rnncap.plain.to_plain` writes them after the fields

    @property
    def vacuous(self) -> bool:
        return not math.isfinite(self.gap) or self.gap >= 1


def tu_he_tao_bound(weights: RecurrentWeights, delta: float = 0.05) -> TuHeTaoBound:
    """Tu, He & Tao (ICLR 2020) Theorem 2: P[M <= 0] <= margin loss + the returned ``gap``.

    r is the trained network's own ‖θ‖_fs and λ_min is estimated by X·Xᵀ/n; a class-wide union
    over r is not applied. λ_min = 0 (fewer samples than T·d, collinear inputs) makes it infinite.
    """
    check_delta(delta)
    require(weights.nonlinearity == "relu", "Tu, He & Tao cover ReLU RNNs only; got tanh")
    u, w, v, x = weights.matrices()
    n, length, _ = x.shape
    flat = x.reshape(n, -1).T  # X: (T·d', n), samples as columns
    beta_u, beta_w, beta_v = _inf_norm_t(u), _inf_norm_t(w), _inf_norm_t(v)
    r = fisher_rao_norm(u, w, v, x)
    lam_min = float(np.linalg.eigvalsh(flat @ flat.T / n)[0])
    x_fro = float(np.linalg.norm(flat))
    x_t_one = float(np.abs(flat).sum(axis=1).max())
    big_lambda = tu_lambda(beta_w, length)
    first = math.inf if lam_min <= 1e-12 else r * x_fro / (2 * n) * math.sqrt(1 / lam_min)
    rademacher = first + beta_v * beta_u * x_t_one * big_lambda / n
    confidence = 3 * math.sqrt(math.log(2 / delta) / (2 * n))
    classes = v.shape[0]
    return TuHeTaoBound(
        n=n,
        length=length,
        classes=classes,
        margin=weights.margin,
        delta=delta,
        beta_u=beta_u,
        beta_w=beta_w,
        beta_v=beta_v,
        fisher_rao=r,
        x_frobenius=x_fro,
        x_t_one=x_t_one,
        lambda_min=lam_min,
        big_lambda=big_lambda,
        rademacher=rademacher,
        confidence=confidence,
        gap=4 * classes / weights.margin * rademacher + confidence,
        bias_folded=weights.input_bias is not None,
    )


def zhang_lei_dhillon_order(weights: RecurrentWeights) -> Result:
    """Õ(max{d, m, k}·L²·‖U‖₂·‖V‖₂·max{1, ‖W‖₂^L}/(√n·α)), order only (as quoted by Tu et al.)."""
    u, w, v, x = weights.matrices()
    n, length, d = x.shape
    su, sw, sv = (float(np.linalg.norm(a, 2)) for a in (u, w, v))
    width = max(d, u.shape[0], v.shape[0])
    log10 = (
        math.log10(width)
        + 2 * math.log10(length)
        + math.log10(max(su, 1e-300))
        + math.log10(max(sv, 1e-300))
        + max(0.0, length * math.log10(max(sw, 1e-300)))
        - 0.5 * math.log10(n)
        - math.log10(weights.margin)
    )
    text = (
        f"Õ(max{{d,m,k}}·L²·‖U‖₂·‖V‖₂·max{{1,‖W‖₂^L}}/(√n·α)) = Õ({width}·{length}²·{su:.3g}·"
        f"{sv:.3g}·max{{1, {sw:.3g}^{length}}}/(√{n}·{weights.margin:g}))"
    )
    return order(text, log10)


def chen_li_zhao_order(weights: RecurrentWeights, tol: float = 1e-6) -> Result:
    """Order of growth in (T, d, B_x) of Chen, Li & Zhao's vanilla-RNN bound, by regime of ‖W‖₂."""
    require(weights.nonlinearity == "tanh", "Chen, Li & Zhao need a bounded activation (tanh)")
    _, w, _, x = weights.matrices()
    n, length, _ = x.shape
    hidden = w.shape[0]
    rho_u = float(np.linalg.norm(w, 2))  # ρ_h = 1 for tanh
    b_x = float(np.linalg.norm(x, axis=2).max())
    bx = f"{b_x:.3g}"
    if abs(rho_u - 1) < tol:
        regime, expr = "= 1", f"O(B_x·d·T) = O({bx}·{hidden}·{length})"
        log10 = math.log10(hidden) + math.log10(length)
    elif rho_u < 1:
        regime, expr, log10 = "< 1", f"O(B_x·d) = O({bx}·{hidden})", math.log10(hidden)
    else:
        regime, expr = "> 1", f"O(B_x·d^1.5·T) = O({bx}·{hidden}^1.5·{length})"
        log10 = 1.5 * math.log10(hidden) + math.log10(length)
    log10 += math.log10(max(b_x, 1e-300))
    text = f"{expr} (regime ‖W_hh‖₂ = {rho_u:.3g} {regime})"
    notes = ("log factors in d and B_x omitted; compare models only within one regime",)
    return order(text, log10, notes=notes)


_NEEDS = "needs trained weights: evaluate with weights=RecurrentWeights(...)"


def _weights_row(fn, ctx: Context) -> Result:
    """A weight-based row: one-layer vanilla RNNs with weights only (bound with `partial`)."""
    if ctx.spec.num_layers != 1 or ctx.spec.bidirectional or ctx.spec.proj_size:
        return not_applicable("single-layer unidirectional vanilla RNN only")
    if ctx.weights is None:
        return not_applicable(_NEEDS)
    return fn(ctx)


def _zld_row(ctx: Context) -> Result:
    return zhang_lei_dhillon_order(ctx.weights)


def _clz_row(ctx: Context) -> Result:
    return chen_li_zhao_order(ctx.weights)


def _tu_row(ctx: Context) -> Result:
    b = tu_he_tao_bound(ctx.weights, ctx.delta)
    if not math.isfinite(b.gap):
        why = "λ_min(E[xxᵀ]) = 0" + (", folded biases repeat a constant" if b.bias_folded else "")
        return Result(Kind.EXPLICIT, f"vacuous: infinite ({why})", vacuous=True)
    notes = ["classification margin bound: P[M <= 0] <= margin loss + gap"]
    if b.bias_folded:
        notes.append("biases folded into U with a constant input, " + DERIVED_LABEL)
    text = f"{b.gap:.4g}" + (" (vacuous: >= 1)" if b.vacuous else "")
    return explicit(math.log10(b.gap), text, vacuous=b.vacuous, notes=tuple(notes))


_TU_APPLICATION = (
    "from trained weights (tu_he_tao_bound) at the trained network's own norms r, β (the theorem "
    "bounds a class fixed in advance: no union bound over norm levels is applied) and the "
    "sample's λ_min (the theorem uses the population E[xxᵀ]); " + DERIVED_LABEL
)

TU20 = Citation(
    "Tu, He & Tao",
    2020,
    "Understanding generalization in recurrent neural networks",
    "ICLR 2020",
    "Theorem 2 (review version)",
)
ZLD18 = Citation(
    "Zhang, Lei & Dhillon",
    2018,
    "Stabilizing gradients for deep neural networks via efficient SVD parameterization",
    "ICML 2018, PMLR 80",
    "PAC-Bayes margin bound, as summarised by Tu et al. 2020",
)
CLZ20 = Citation(
    "Chen, Li & Zhao",
    2020,
    "On generalization bounds of a family of recurrent neural networks",
    "AISTATS 2020, PMLR 108:1233-1243",
    "vanilla-RNN bound, order per Honarpisheh et al. 2025 Table 1",
)

for _b in (
    Bound(
        "tu20-fisher-rao",
        "Tu–He–Tao Fisher–Rao-norm bound",
        TU20,
        Quantity.GAP,
        Direction.UPPER,
        Form.EXPLICIT,
        (Activation.PIECEWISE_POLYNOMIAL,),
        (Cell.RNN_RELU,),
        (
            "single-layer ReLU RNN without biases, linear read-out of the last step",
            "k-class margin classifier, ramp loss with margin α; E[x xᵀ] positive definite",
        ),
        Status.STATED_VERIFIED,
        "(4k/α)·[(r‖X‖_F/(2n))·sqrt(1/λ_min) + β_V·β_U·‖Xᵀ‖₁·Λ/n] + 3·sqrt(log(2/δ)/(2n))",
        _TU_APPLICATION,
        Status.DERIVED,
        partial(_weights_row, _tu_row),
        caveat="at the trained net's own norms and the sample λ_min: not the theorem's guarantee",
        variables=("trained weights", "inputs"),
    ),
    Bound(
        "zld18-pac-bayes",
        "Zhang–Lei–Dhillon PAC-Bayes bound (order)",
        ZLD18,
        Quantity.GAP,
        Direction.UPPER,
        Form.ORDER,
        (Activation.PIECEWISE_POLYNOMIAL, Activation.STANDARD_SIGMOID),
        (Cell.RNN_RELU, Cell.RNN_TANH),
        ("vanilla RNN, margin α, n samples; exact statement and constants UNVERIFIED",),
        Status.STATED_SECONDARY,
        "Õ(max{d, m, k}·L²·‖U‖₂·‖V‖₂·max{1, ‖W‖₂^L}/(√n·α))",
        "order only, from trained weights (zhang_lei_dhillon_order)",
        Status.STATED_SECONDARY,
        partial(_weights_row, _zld_row),
        caveat="order only (constants unknown); exact statement UNVERIFIED",
        variables=("trained weights", "inputs"),
    ),
    Bound(
        "clz20-vanilla-order",
        "Chen–Li–Zhao vanilla-RNN bound (order)",
        CLZ20,
        Quantity.GAP,
        Direction.UPPER,
        Form.ORDER,
        (Activation.STANDARD_SIGMOID,),
        (Cell.RNN_TANH,),
        (
            "vanilla RNN with a bounded, Lipschitz activation (tanh); not ReLU",
            "theorem statement UNVERIFIED; MGU/LSTM theorems UNVERIFIED (not implemented)",
        ),
        Status.STATED_SECONDARY,
        "O(B_x·d) if ‖W_hh‖₂ < 1; O(B_x·d·T) if = 1; O(B_x·d^1.5·T) if > 1",
        "order only, from trained weights (chen_li_zhao_order)",
        Status.STATED_SECONDARY,
        partial(_weights_row, _clz_row),
        caveat="order only (constants, log factors unknown); compare within one regime",
        variables=("trained weights", "inputs"),
    ),
):
    register(_b)
