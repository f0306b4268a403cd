"""The Vapnik–Levin–LeCun curve Phi(tau) and the least-squares fit of a VC dimension h.

Vapnik, Levin and Le Cun (1994), "Measuring the VC-dimension of a learning machine", Neural
Computation 6(5):851–876. The curve (theory.md section 5.2, STATED-SECONDARY) gives the expected
maximal deviation between the error rates on two half-samples of size n as a function of
tau = n / h::

    Phi(tau) = 1                                                          tau < 0.5
    Phi(tau) = a (ln(2 tau) + 1) / (tau - k) (sqrt(1 + b (tau - k) / (ln(2 tau) + 1)) + 1)
    a = 0.16, b = 1.2, k = 0.14928
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnncap.errors import require

PHI_A = 0.16
PHI_B = 1.2
PHI_K = 0.14928


def phi(tau: float | np.ndarray) -> float | np.ndarray:
    """Expected maximal deviation Phi(tau) of Vapnik, Levin and Le Cun, tau = n / h >= 0.

    Parameters
    ----------
    tau : float or array of shape (m,)
        Ratio of half-sample size to VC dimension.

    Returns
    -------
    float or array of shape (m,)
        1 below tau = 0.5 (the 2n points can be shattered), decreasing towards 0 after.
    """
    t = np.asarray(tau, dtype=float)
    require(bool(np.all(t >= 0)), f"tau = n / h must be >= 0; got {tau!r}")
    out = np.ones_like(t)
    hi = t >= 0.5
    th = t[hi]
    log_term = np.log(2.0 * th) + 1.0
    out[hi] = (
        PHI_A * log_term / (th - PHI_K) * (np.sqrt(1.0 + PHI_B * (th - PHI_K) / log_term) + 1.0)
    )
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class VCFit:
    """The h minimising sum_l (xi_l - Phi(n_l / h))^2 over the design points.

    ``bracketed`` is False when the design cannot pin h: every n_l / h < 0.5 (all deviations 1,
    h is only known to exceed 2 max n: a lower bound) or every n_l / h > 20 (only an upper
    estimate, the curve is flat there).
    """

    h: float
    rms_residual: float
    bracketed: bool
    note: str

    def __post_init__(self) -> None:
        require(self.h > 0, f"fitted VC dimension must be > 0; got {self.h}")


def _sse(h: float, n: np.ndarray, xi: np.ndarray) -> float:
    return float(np.sum((xi - phi(n / h)) ** 2))


def fit_vc_dimension(sample_sizes: Sequence[int], mean_deviations: Sequence[float]) -> VCFit:
    """Least-squares estimate of h from measured mean deviations xi(n_l) (Vapnik et al. 1994).

    Parameters
    ----------
    sample_sizes : sequence of int, shape (m,)
        Half-sample sizes n_l of the design; at least 3 distinct values.
    mean_deviations : sequence of float, shape (m,)
        Mean over repetitions of |E1 - E2| at each n_l, in [0, 1].

    Returns
    -------
    VCFit
        h found by a log-spaced scan over [min n / 100, 4 max n] refined by golden section.
    """
    n = np.asarray(sample_sizes, dtype=float)
    xi = np.asarray(mean_deviations, dtype=float)
    require(n.shape == xi.shape and n.ndim == 1, "sample sizes and deviations must pair up")
    require(len(set(n.tolist())) >= 3, "the VC fit needs at least 3 distinct sample sizes")
    require(bool(np.all(n >= 1)), "sample sizes must be >= 1")
    require(bool(np.all((xi >= 0) & (xi <= 1))), "mean deviations must lie in [0, 1]")
    lo, hi = n.min() / 100.0, 4.0 * n.max()
    grid = np.exp(np.linspace(np.log(lo), np.log(hi), 801))
    sse = np.array([_sse(h, n, xi) for h in grid])
    i = int(np.argmin(sse))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    golden = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(60):  # golden-section refinement inside the bracketing grid cells
        c, d = b - golden * (b - a), a + golden * (b - a)
        if _sse(c, n, xi) <= _sse(d, n, xi):
            b = d
        else:
            a = c
    h = float((a + b) / 2.0)
    rms = float(np.sqrt(_sse(h, n, xi) / n.size))
    if n.max() / h < 0.5 + 1e-6:
        return VCFit(h, rms, False, f"all n/h < 0.5: h > {2 * n.max():g} (a lower bound)")
    if n.min() / h > 20.0:
        return VCFit(h, rms, False, "all n/h > 20: the curve is flat there, h is poorly pinned")
    return VCFit(h, rms, True, "")
