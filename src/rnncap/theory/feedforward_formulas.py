"""The feed-forward VC bounds as standalone closed forms (the test vectors of theory.md section
7): Goldberg–Jerrum Theorem 2.2 and Bartlett, Harvey, Liaw & Mehrabian Theorems 7 and 10."""

from __future__ import annotations

import math

import numpy as np

from rnncap.errors import require


def goldberg_jerrum_vc(parameters: float, degree: int, predicates: float) -> float:
    """Theorem 2.2: VCdim <= 2·k·log2(8·e·d·s) for k real parameters, s predicates of degree d."""
    require(parameters >= 1, f"parameters must be >= 1; got {parameters!r}")
    require(degree >= 1 and predicates >= 1, "degree and predicates must be >= 1")
    return 2 * parameters * math.log2(8 * math.e * degree * predicates)


def bhlm_thm10_log10(w: float, units: float, degree: int = 1, pieces: int = 2) -> float:
    """log10 of Theorem 10's explicit value 2·W·log2(16e·max{U+1, 2dU}·(1+p)^U), in log space."""
    require(w >= 1 and units >= 1, f"W and U must be >= 1; got W={w!r}, U={units!r}")
    inner = math.log2(16 * math.e * max(units + 1, 2 * degree * units)) + units * math.log2(
        1 + pieces
    )
    return math.log10(2 * w) + math.log10(inner)


def bhlm_thm7_vc(
    layer_units: np.ndarray, layer_params: np.ndarray, pieces: int = 1, degree: int = 1
) -> tuple[float, float]:
    """Theorem 7: VCdim <= L + L̄·W·log2(4·e·p·R·log2(2·e·p·R)); returns ``(bound, L̄)``.

    Parameters
    ----------
    layer_units : array (L,)
        k_i, computation units in layer i (the last layer is the single linear output unit).
    layer_params : array (L,)
        Parameters (weights and biases) at the inputs of the units of layer i.
    pieces : int
        p, so that activations have p + 1 pieces (ReLU: p = 1).
    degree : int
        d, 0 (piecewise constant) or 1 (piecewise linear).
    """
    k = np.asarray(layer_units, dtype=float)
    p_i = np.asarray(layer_params, dtype=float)
    require(k.shape == p_i.shape and k.ndim == 1, "layer_units and layer_params: same length")
    require(degree in (0, 1), f"degree must be 0 or 1 here; got {degree!r}")
    require(k.sum() > 2, "Theorem 7 needs more than 2 computation units")
    n_layers = len(k)
    index = np.arange(1, n_layers + 1)
    w_i = np.cumsum(p_i) if degree else p_i  # W_i: layers 1..i if d > 0, else layer i
    w = p_i.sum()
    lbar = w_i.sum() / w
    # R = Σ k_i·(1 + (i−1)·d^(i−1)); for d in {0, 1}, (i−1)·d^(i−1) = (i−1)·d (d = 0: R = Σ k_i)
    r = float((k * (1 + (index - 1) * degree)).sum())
    inner = 4 * math.e * pieces * r * math.log2(2 * math.e * pieces * r)
    return n_layers + w_i.sum() * math.log2(inner), float(lbar)
