"""Collins et al. bits and Vapnik–Levin–LeCun's Φ: theory.md section 7 vectors."""

import pytest

from rnncap.arch import parse_arch
from rnncap.theory import bounds, collins_bits, vll_phi


def test_collins_mutual_information_vector():
    assert collins_bits(1000, 0.9) == pytest.approx(531.0044, abs=1e-4)
    assert collins_bits(10, 1.0) == 10 and collins_bits(10, 0.5) == 0


@pytest.mark.parametrize(
    ("tau", "phi"),
    [(0.5, 1.0), (1, 0.721609), (2, 0.492956), (5, 0.289994), (10, 0.194024), (50, 0.079454)],
)
def test_vll_phi_vector(tau, phi):
    assert vll_phi(tau) == pytest.approx(phi, abs=1e-6)


def test_collins_row_is_five_bits_per_parameter():
    spec = parse_arch("lstm:2x64", input_size=10, seq_len=120)
    row = bounds(spec, keys=("collins17-bits",))[0]
    assert row.result.value == pytest.approx(5 * 52_736)
