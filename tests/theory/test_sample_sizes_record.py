"""`sample_sizes`: which results each setting uses, and the domain edges of theory.md 4.3."""

import math

import pytest

from rnncap.errors import InvalidInput
from rnncap.plain import to_plain
from rnncap.theory import mohri_vc_gap, sample_sizes
from rnncap.theory.learning import uml_agnostic_lower_samples


def test_agnostic_record_uses_the_agnostic_results_only():
    s = sample_sizes(10, 0.1, 0.05)
    assert s.realizable is False and to_plain(s)["realizable"] is False
    assert s.blumer is None and s.uml_realizable is None
    # the derived inversion of Theorem 11.8: the smallest m whose gap is <= eps
    assert mohri_vc_gap(10, s.mohri_pdim, 0.05) <= 0.1 * (1 + 1e-9)
    assert mohri_vc_gap(10, s.mohri_pdim * 0.99, 0.05) > 0.1


def test_realizable_record_leaves_the_agnostic_results_out():
    r = sample_sizes(10, 0.1, 0.05, realizable=True)
    assert r.realizable is True
    assert r.uml_agnostic is None and r.uml_agnostic_lower is None and r.mohri_pdim is None
    with pytest.raises(InvalidInput, match=r"^Theorem 28.3 needs delta < 1/4; got 0.25$"):
        sample_sizes(10, 0.1, 0.25, realizable=True)


def test_agnostic_lower_bound_holds_up_to_one_over_root_two():
    # UML 28.2: m >= 0.5·log(1/(4δ))/ε² for ε < 1/√2 (0.6 < 0.7071), δ < 1/4
    s = sample_sizes(10, 0.6, 0.05)
    assert s.uml_agnostic_lower == pytest.approx(0.5 * math.log(5) / 0.36, rel=1e-12)
    assert sample_sizes(10, 0.75, 0.05).uml_agnostic_lower is None
    with pytest.raises(InvalidInput, match="the lower bound needs epsilon < 1/sqrt"):
        uml_agnostic_lower_samples(1 / math.sqrt(2), 0.05)
