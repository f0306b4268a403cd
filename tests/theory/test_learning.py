"""Learning-theory formulas: theory.md section 7 vectors and closed forms."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnncap.errors import InvalidInput
from rnncap.theory import (
    blumer_samples,
    mohri_pdim_gap,
    mohri_pdim_samples,
    mohri_vc_gap,
    sample_sizes,
    sauer_log10,
    uml_agnostic_gap,
    uml_agnostic_samples,
    uml_realizable_samples,
)


def test_theory_md_vectors():
    assert uml_agnostic_samples(10, 0.1, 0.05) == pytest.approx(1_340_175.5, abs=0.1)
    assert uml_realizable_samples(10, 0.1, 0.05) == pytest.approx(10_015.39, abs=0.01)
    assert blumer_samples(10, 0.1, 0.05) == pytest.approx(5_617.89, abs=0.01)
    assert mohri_vc_gap(10, 1000, 0.05) == pytest.approx(0.37352, abs=1e-5)


def test_uml_gap_closed_form():
    d, m, delta = 10, 10_000, 0.05
    expected = math.sqrt(8 * d * math.log(math.e * m / d) / m) + math.sqrt(2 * math.log(80) / m)
    assert uml_agnostic_gap(d, m, delta) == pytest.approx(expected)


def test_sauer_is_trivial_below_d_and_polynomial_above():
    assert sauer_log10(5, 10) == pytest.approx(5 * math.log10(2))
    assert sauer_log10(1000, 10) == pytest.approx(10 * math.log10(math.e * 100))


@given(d=st.floats(1, 1e6), eps=st.floats(0.01, 0.5), delta=st.floats(0.001, 0.2))
def test_pdim_inversion_meets_epsilon(d, eps, delta):
    m = mohri_pdim_samples(d, eps, delta)
    assert mohri_vc_gap(d, m, delta) <= eps * (1 + 1e-9)
    assert mohri_vc_gap(d, m * 0.99, delta) > eps or m * 0.99 < d


@given(d=st.floats(1, 1e9), f=st.floats(1.01, 10))
def test_sample_sizes_grow_with_d(d, f):
    assert uml_agnostic_samples(d * f, 0.1, 0.05) > uml_agnostic_samples(d, 0.1, 0.05)
    assert uml_realizable_samples(d * f, 0.1, 0.05) > uml_realizable_samples(d, 0.1, 0.05)


def test_sample_sizes_record():
    s = sample_sizes(10, 0.1, 0.05)
    assert s.uml_agnostic == pytest.approx(1_340_175.5, abs=0.1)
    assert s.uml_agnostic_lower == pytest.approx(0.5 * math.log(5) / 0.01)
    r = sample_sizes(10, 0.1, 0.05, realizable=True)
    assert r.blumer == pytest.approx(5_617.89, abs=0.01) and r.uml_agnostic is None
    with pytest.raises(InvalidInput, match="delta < 1/4"):
        sample_sizes(10, 0.1, 0.3, realizable=True)


def test_mohri_rademacher_gap_hand_vector():
    from rnncap.theory import mohri_rademacher_gap

    # 2 * 0.5 + 3 * sqrt(log(2 / 0.05) / 2000) = 1 + 3 * sqrt(3.6888795 / 2000), by hand
    assert mohri_rademacher_gap(0.5, 1000, 0.05) == pytest.approx(1.1288408, abs=1e-7)
    with pytest.raises(InvalidInput, match="lies in \\[0, 1\\]"):
        mohri_rademacher_gap(1.5, 1000, 0.05)


def test_mohri_pdim_gap_scales_the_vc_gap_by_the_loss_bound():
    # theory.md 7: Mohri's gap at d = 10, m = 1000, δ = 0.05 is 0.37352; Theorem 11.8 multiplies
    # both terms by M
    assert mohri_pdim_gap(10, 1000, 0.05) == pytest.approx(0.37352, abs=1e-5)
    assert mohri_pdim_gap(10, 1000, 0.05, loss_bound=4.0) == pytest.approx(4 * 0.37352, abs=4e-5)
    with pytest.raises(InvalidInput, match="loss bound M must be > 0"):
        mohri_pdim_gap(10, 1000, 0.05, loss_bound=0.0)
