"""Phi(tau) against theory.md section 7 and the least-squares fit on exact curves."""

import numpy as np
import pytest

from rnncap.capacity.vc_fit import fit_vc_dimension, phi
from rnncap.errors import InvalidInput

# theory.md section 7: Vapnik-Levin-LeCun Phi(tau)
PHI_VECTORS = [
    (0.5, 1.000000),
    (1, 0.721609),
    (2, 0.492956),
    (5, 0.289994),
    (10, 0.194024),
    (50, 0.079454),
]


@pytest.mark.parametrize(("tau", "expected"), PHI_VECTORS)
def test_phi_matches_theory_vectors(tau, expected):
    assert phi(tau) == pytest.approx(expected, abs=5e-7)


def test_phi_is_one_below_half_and_vectorised():
    values = phi(np.array([0.0, 0.1, 0.49, 1.0]))
    assert values[:3].tolist() == [1.0, 1.0, 1.0]
    assert values[3] == pytest.approx(0.721609, abs=5e-7)


@pytest.mark.parametrize("h", [3.0, 11.0, 47.5])
def test_fit_recovers_h_of_an_exact_curve(h):
    n = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256])
    fit = fit_vc_dimension(n, phi(n / h))
    assert fit.h == pytest.approx(h, rel=1e-4)
    assert fit.bracketed
    assert fit.rms_residual < 1e-6


def test_fit_flags_a_design_below_h_as_a_lower_bound():
    fit = fit_vc_dimension([1, 2, 3], [1.0, 1.0, 1.0])
    assert not fit.bracketed
    assert fit.h >= 6 - 1e-6
    assert "lower bound" in fit.note


@pytest.mark.parametrize(
    ("sizes", "xis", "message"),
    [
        ([4, 8], [0.5, 0.4], "at least 3 distinct"),
        ([4, 4, 4], [0.5, 0.4, 0.3], "at least 3 distinct"),
        ([4, 8, 16], [0.5, 1.4, 0.3], "[0, 1]"),
    ],
)
def test_fit_rejects_bad_designs(sizes, xis, message):
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        fit_vc_dimension(sizes, xis)
