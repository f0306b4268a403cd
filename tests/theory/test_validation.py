"""Domains and boundaries of the theory formulas and records, with their one-line messages.

Each boundary comes from the statement in theory.md (e.g. DasGupta–Sontag's tight regime starts
at q > max{2 + n², 32}); each message must name what is wrong.
"""

import math

import numpy as np
import pytest

from rnncap.arch import Cell
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain
from rnncap.theory import (
    Activation,
    Bound,
    Citation,
    Direction,
    Form,
    Quantity,
    Status,
    bhlm_thm7_vc,
    bhlm_thm10_log10,
    collins_bits,
    dasgupta_sontag_vc,
    expected_bits,
    goldberg_jerrum_vc,
    mohri_rademacher_gap,
    sample_sizes,
    uml_agnostic_gap,
    uml_agnostic_lower_samples,
    uml_realizable_samples,
    vll_phi,
)
from rnncap.theory.core import not_applicable
from rnncap.theory.numbers import fmt_approx, fmt_count, fmt_log10


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: collins_bits(0, 0.5), "b must be an integer >= 1; got 0"),
        (lambda: collins_bits(2.0, 0.5), "b must be an integer >= 1; got 2.0"),
        (lambda: collins_bits(10, -0.1), "p must lie in [0, 1]; got -0.1"),
        (lambda: collins_bits(10, 1.1), "p must lie in [0, 1]; got 1.1"),
        (lambda: vll_phi(0.0), "tau must be > 0; got 0.0"),
        (lambda: vll_phi(math.inf), "tau must be > 0; got inf"),
        (lambda: dasgupta_sontag_vc(0, 5), "order n must be an integer >= 1; got 0"),
        (lambda: dasgupta_sontag_vc(1.0, 5), "order n must be an integer >= 1; got 1.0"),
        (lambda: dasgupta_sontag_vc(2, 0), "q must be an integer >= 1; got 0"),
        (lambda: dasgupta_sontag_vc(2, 3.0), "q must be an integer >= 1; got 3.0"),
        (lambda: goldberg_jerrum_vc(0.5, 2, 10), "parameters must be >= 1; got 0.5"),
        (lambda: goldberg_jerrum_vc(10, 0, 10), "degree and predicates must be >= 1"),
        (lambda: goldberg_jerrum_vc(10, 2, 0), "degree and predicates must be >= 1"),
        (lambda: bhlm_thm10_log10(0, 5), "W and U must be >= 1; got W=0, U=5"),
        (lambda: bhlm_thm10_log10(5, 0), "W and U must be >= 1; got W=5, U=0"),
        (lambda: bhlm_thm7_vc(np.array([2, 1]), np.array([3])), "same length"),
        (lambda: bhlm_thm7_vc(np.array([[2, 1]]), np.array([[3, 4]])), "same length"),
        (lambda: bhlm_thm7_vc(np.array([2, 1]), np.array([3, 4]), degree=2), "degree must be"),
        (lambda: bhlm_thm7_vc(np.array([1, 1]), np.array([3, 4])), "more than 2 computation"),
        (lambda: mohri_rademacher_gap(-0.01, 100, 0.05), "lies in [0, 1]; got -0.01"),
        (lambda: mohri_rademacher_gap(1.01, 100, 0.05), "lies in [0, 1]; got 1.01"),
        (lambda: mohri_rademacher_gap(0.5, 0, 0.05), "m must be >= 1; got 0"),
        (lambda: uml_agnostic_gap(10, 9, 0.05), "needs m >= d; got m = 9 < d = 10"),
        (lambda: uml_agnostic_gap(0, 9, 0.05), "VC dimension must be a number > 0; got 0"),
        (lambda: uml_agnostic_gap(math.nan, 9, 0.05), "VC dimension must be a number > 0"),
        (lambda: uml_realizable_samples(10, 1.0, 0.05), "needs epsilon < 1; got 1.0"),
        (lambda: uml_realizable_samples(10, 0.1, 0.25), "needs delta < 1/4; got 0.25"),
        (lambda: uml_agnostic_lower_samples(0.71, 0.05), "needs epsilon < 1/sqrt(2); got 0.71"),
        (lambda: uml_agnostic_lower_samples(0.1, 0.25), "needs delta < 1/4; got 0.25"),
        (lambda: sample_sizes(10, 1.0, 0.05, realizable=True), "need epsilon < 1; got 1.0"),
        (lambda: sample_sizes(10, 0.1, 0.3, realizable=True), "needs delta < 1/4; got 0.3"),
    ],
)
def test_bad_arguments_raise_one_clear_line(call, message):
    with pytest.raises(InvalidInput) as info:
        call()
    text = str(info.value)
    assert message in text and "\n" not in text
    assert not text.startswith("XX") and not text.endswith("XX")  # the message itself, unmangled


def test_boundaries_that_are_allowed():
    assert collins_bits(1, 0.0) == 1 and collins_bits(1, 1.0) == 1  # p at both ends
    assert vll_phi(0.4999) == 1.0 and vll_phi(0.5) == pytest.approx(1.0, abs=1e-6)
    assert goldberg_jerrum_vc(1, 1, 1) == pytest.approx(2 * math.log2(8 * math.e))
    assert mohri_rademacher_gap(0.0, 1, 0.5) == pytest.approx(3 * math.sqrt(math.log(4) / 2))
    assert mohri_rademacher_gap(1.0, 8, 0.5) == pytest.approx(2 + 3 * math.sqrt(math.log(4) / 16))
    assert uml_agnostic_gap(10, 10, 0.05) == pytest.approx(
        math.sqrt(8 * math.log(math.e)) + math.sqrt(2 * math.log(80) / 10)
    )
    assert uml_agnostic_lower_samples(0.7, 0.2) == pytest.approx(0.5 * math.log(1.25) / 0.49)
    s = sample_sizes(10, 0.1, 0.05)
    assert s.uml_agnostic_lower == pytest.approx(0.5 * math.log(5) / 0.01)
    assert sample_sizes(10, 0.75, 0.05).uml_agnostic_lower is None  # ε >= 1/√2: not stated
    assert sample_sizes(10, 0.1, 0.3).uml_agnostic_lower is None  # δ >= 1/4
    r = sample_sizes(10, 0.1, 0.05, realizable=True)
    assert r.uml_agnostic is None and r.mohri_pdim is None and r.blumer is not None


def test_dasgupta_sontag_tight_regime_starts_strictly_above_max():
    # theory.md 2.1: the tight regime needs q > max{2 + n², 32}; n = 1: q = 32 is outside
    lower, upper = dasgupta_sontag_vc(1, 32)
    assert (lower, upper) == (1.0, 33.0)  # min{n + q, 18n + 4n·log2(q+1)} = 33
    lower, upper = dasgupta_sontag_vc(1, 33)
    assert lower == pytest.approx(0.5 * math.log2(33))
    assert upper == pytest.approx(min(34, 18 + 4 * math.log2(34), 8 * math.log2(33)))
    # n = 6: max{2 + 36, 32} = 38 decides
    assert dasgupta_sontag_vc(6, 38)[0] == 6.0
    assert dasgupta_sontag_vc(6, 39)[0] == pytest.approx(max(6, 3 * math.log2(39)))


def test_expected_bits_per_cell():
    # Collins et al.: ≈ 5 bits/param (3–6), ReLU ≈ 3.5 (its low end is then 3)
    assert expected_bits(Cell.LSTM, 100) == (500.0, 300.0, 600.0)
    assert expected_bits(Cell.RNN_RELU, 100) == (350.0, 300.0, 600.0)


def test_bhlm_theorem_7_piecewise_constant_counts_layer_parameters_alone():
    # d = 0: W_i = parameters of layer i only, R = Σ k_i; bound = L + W·log2(4e·p·R·log2(2e·p·R))
    units, params = np.array([3, 2, 1]), np.array([10, 8, 3])
    bound, lbar = bhlm_thm7_vc(units, params, pieces=1, degree=0)
    r = 6
    assert lbar == 1.0
    assert bound == pytest.approx(3 + 21 * math.log2(4 * math.e * r * math.log2(2 * math.e * r)))


def test_number_formats():
    assert fmt_approx(428_165) == "430,000" and fmt_approx(0.0123) == "0.012"
    assert fmt_approx(565) == "560" or fmt_approx(565) == "570"
    assert fmt_approx(3.14159) == "3.1" and fmt_approx(99.4) == "99"
    assert fmt_approx(2.5e9) == "2.5×10^9"
    assert fmt_count(120) == "120" and fmt_count(71_680) == "71,680"
    assert fmt_count(12.5) == "12.5" and fmt_count(2.5e9) == "2.50e9"
    assert fmt_log10(math.inf) == "∞" and fmt_log10(-math.inf) == "0"
    assert fmt_log10(math.log10(9.996e12)) == "1.00×10^13"
    assert fmt_log10(math.log10(0.5)) == "0.5"


def _citation(**kw):
    base = dict(authors="A, B & C", year=2000, title="T", venue="V", locator="Theorem 1 (p. 3)")
    return Citation(**{**base, **kw})


def test_citation_short_and_full():
    c = _citation()
    assert c.short() == "A et al. 2000, Theorem 1"
    assert str(c) == 'A, B & C (2000). "T." V. Theorem 1 (p. 3).'
    assert _citation(authors="A & B", locator="Lemma 2; also 3").short() == "A & B 2000, Lemma 2"
    for field in ("authors", "title", "venue", "locator"):
        with pytest.raises(InvalidInput) as info:
            _citation(**{field: ""})
        assert str(info.value) == f"citation needs a {field}"


def _bound(**kw):
    base = dict(
        key="x-key", name="X", citation=_citation(), quantity=Quantity.VC,
        direction=Direction.UPPER, form=Form.ORDER, activations=(Activation.ANY,),
        cells=(Cell.RNN_TANH,), assumptions=("a",), status=Status.ABSTRACT_ONLY, formula="O(w)",
        application="directly", application_status=Status.ABSTRACT_ONLY,
        evaluate_fn=lambda ctx: not_applicable("test"), caveat="worst case",
    )  # fmt: skip
    return Bound(**{**base, **kw})


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"key": ""}, "a bound needs a key"),
        ({"key": " x"}, "a bound needs a key"),
        ({"citation": "Koiran"}, "x-key: citation missing"),
        ({"quantity": "VC dimension"}, "x-key: quantity must be"),
        ({"direction": "upper"}, "x-key: direction must be"),
        ({"form": "order"}, "x-key: form must be"),
        ({"status": "DERIVED"}, "x-key: status must be"),
        ({"application_status": "DERIVED"}, "x-key: application_status must be"),
        ({"activations": ()}, "x-key: activation classes missing"),
        ({"formula": ""}, "x-key: formula missing"),
        ({"application": ""}, "x-key: formula missing"),
        ({"caveat": ""}, "x-key: the decisive caveat is missing"),
    ],
)
def test_bound_records_refuse_missing_fields(kw, message):
    with pytest.raises(InvalidInput) as info:
        _bound(**kw)
    assert str(info.value).startswith(message)


def test_bound_derived_flags():
    assert not _bound().derived
    assert _bound(status=Status.DERIVED).derived
    assert _bound(application_status=Status.DERIVED).derived
    d = to_plain(_bound(variables=("w", "k")))
    assert d["caveat"] == "worst case" and d["variables"] == ["w", "k"] and d["derived"] is False


def test_a_key_registers_once():
    from rnncap.theory import catalog, get_bound
    from rnncap.theory.core import _REGISTRY, register

    with pytest.raises(InvalidInput) as info:
        register(get_bound("ks98-sigmoid-lower"))
    assert str(info.value) == "bound key 'ks98-sigmoid-lower' registered twice"
    fresh = _bound(key="test-only-key")
    try:
        assert register(fresh) is fresh
        assert get_bound("test-only-key") is fresh and catalog()[-1] is fresh
    finally:
        _REGISTRY.pop("test-only-key", None)


def test_exact_messages():
    from rnncap.theory.explain import Measured

    cases = [
        (lambda: goldberg_jerrum_vc(10, 0, 10), "degree and predicates must be >= 1"),
        (lambda: Measured("", 1.0, 2.0),
         "a measured value needs a name, e.g. 'VC-dimension estimate'"),
        (lambda: Measured("h", 0.0, 2.0), "measured h of A must be a number > 0; got 0.0"),
        (lambda: Measured("h", 1.0, -2.0), "measured h of B must be a number > 0; got -2.0"),
        (lambda: _bound(key=""), "a bound needs a key"),
    ]  # fmt: skip
    for call, message in cases:
        with pytest.raises(InvalidInput) as info:
            call()
        assert str(info.value) == message
    assert Measured("h", 0.5, 0.25).ratio == 0.5  # any positive value, below 1 too


def test_small_domains_at_their_edges():
    from rnncap.theory.koiran_sontag import ks_threshold_lower_log10

    assert dasgupta_sontag_vc(1, 1) == (1.0, 2.0)  # q = 1 is allowed: upper = n + q
    assert ks_threshold_lower_log10(100, 100) is None  # meaningful for k > w only
    assert ks_threshold_lower_log10(100, 101) == pytest.approx(2 + math.log10(math.log(1.01)))


def test_recurrent_weights_messages():
    from rnncap.theory import RecurrentWeights

    x = np.ones((3, 2, 2))
    cases = [
        ((np.ones(4), np.eye(4), np.ones((1, 4)), x), "input_weight must be (m, d); got shape"),
        ((np.ones((4, 2)), np.eye(4), np.ones(4), x), "output_weight must be (k, 4); got"),
        ((np.ones((4, 2)), np.eye(4), np.ones((1, 3)), x), "output_weight must be (k, 4); got"),
        ((np.ones((4, 2)), np.eye(4), np.ones((1, 4)), np.ones((3, 2))),
         "inputs must be (n, T, 2); got"),
        ((np.ones((4, 2)), np.eye(4), np.ones((1, 4)), np.ones((3, 2, 3))),
         "inputs must be (n, T, 2); got"),
        ((np.ones((4, 2)), np.eye(4), np.ones((1, 4)), np.ones((0, 2, 2))),
         "inputs need at least one sequence and step"),
        ((np.ones((4, 2)), np.eye(4) * np.nan, np.ones((1, 4)), x), "W has non-finite entries"),
    ]  # fmt: skip
    for args, message in cases:
        with pytest.raises(InvalidInput) as info:
            RecurrentWeights(*args)
        assert str(info.value).startswith(message), str(info.value)
    for kw, message in [
        ({"nonlinearity": "gelu"}, "nonlinearity must be 'relu' or 'tanh'"),
        ({"margin": 0.0}, "margin must be > 0; got 0.0"),
        ({"input_bias": np.ones(3)}, "input_bias must be (4,); got (3,)"),
    ]:
        with pytest.raises(InvalidInput) as info:
            RecurrentWeights(np.ones((4, 2)), np.eye(4), np.ones((1, 4)), x, **kw)
        assert str(info.value) == message


def test_branches_that_the_vectors_do_not_reach():
    from rnncap.theory import blumer_samples
    from rnncap.theory.koiran_sontag import ks_threshold_upper_log10

    # Blumer et al.: for a tiny d the confidence term (4/ε)·log2(2/δ) is the larger one
    assert blumer_samples(0.001, 0.1, 0.05) == pytest.approx(40 * math.log2(40))
    # Koiran–Sontag threshold upper: min{wk·log(wk), w² + w·log(wk)}; w = 10, k = 1000 takes
    # the second (192.1 against 92,103)
    ln = math.log(10_000)
    assert ks_threshold_upper_log10(10, 1000) == pytest.approx(math.log10(100 + 10 * ln))
    assert ks_threshold_upper_log10(1000, 2) == pytest.approx(math.log10(2000 * math.log(2000)))


def test_more_edges():
    from rnncap.arch import parse_arch
    from rnncap.theory import bounds, sauer_log10

    assert fmt_log10(3.0) == "1,000" and fmt_log10(7.0) == "1.00×10^7"
    assert fmt_log10(math.log10(999.0)) == "999" and fmt_log10(math.log10(5e7)) == "5.00×10^7"
    assert sauer_log10(11, 10) == pytest.approx(11 * math.log10(2))  # m = d + 1: trivial 2^m
    assert sauer_log10(12, 10) == pytest.approx(10 * math.log10(math.e * 1.2))
    units, params = np.array([3, 2, 1]), np.array([10, 8, 3])
    bound, _ = bhlm_thm7_vc(units, params, pieces=2, degree=1)
    r = 3 * 1 + 2 * 2 + 1 * 3  # Σ k_i·(1 + (i − 1)·d^(i−1)) with d = 1
    inner = 4 * math.e * 2 * r * math.log2(2 * math.e * 2 * r)
    assert bound == pytest.approx(3 + (10 + 18 + 21) * math.log2(inner))
    assert sample_sizes(10, 1 / math.sqrt(2), 0.05).uml_agnostic_lower is None
    assert sample_sizes(10, 0.1, 0.25).uml_agnostic_lower is None
    assert sample_sizes(10, 0.1, 0.2499).uml_agnostic_lower is not None
    with pytest.raises(InvalidInput, match="Theorem 28.3 needs delta < 1/4; got 0.25"):
        sample_sizes(10, 0.1, 0.25, realizable=True)
    # layering of the untied network: bidirectional not derived; a head needed for VC
    bidi = parse_arch("rnn_relu:1x8", input_size=3, seq_len=10, outputs=1, bidirectional=True)
    row = {r.bound.key: r.result for r in bounds(bidi)}["bhlm19-thm7-untied"]
    assert row.text == "layering of the bidirectional unrolled network is not derived"
    headless = parse_arch("rnn_relu:1x8", input_size=3, seq_len=10, outputs=0)
    rows = {r.bound.key: r.result for r in bounds(headless, task="classification")}
    assert rows["bhlm19-thm7-untied"].text == (
        "the network model ends in a linear output unit: give the spec a head (outputs >= 1)"
    )
    assert {r.bound.key: r.result for r in bounds(headless)}["bhlm19-thm7-untied"].applicable
    # existence rows at the spec's depth: the path, plus the head when there is one
    w0 = 8 * (3 + 8 + 2)
    rows = {r.bound.key: r.result for r in bounds(headless)}
    assert rows["bmm98-lower"].text.startswith(f"Ω(W·L) = Ω({w0} · 10)")
    head = parse_arch("rnn_relu:1x8", input_size=3, seq_len=10, outputs=1)
    rows = {r.bound.key: r.result for r in bounds(head)}
    assert rows["bmm98-lower"].text.startswith(f"Ω(W·L) = Ω({w0 + 9} · 11)")
