"""Activation classes of gated cells: Keras hard-sigmoid gates change which results apply.

theory.md 1: hard-sigmoid is piecewise linear (piecewise-polynomial class); 2.4: σ and tanh are
Pfaffian; 2.3: Goldberg–Jerrum counts distinct parameters, with a piecewise-polynomial consequence.
"""

import pytest

from rnncap.arch import parse_arch
from rnncap.theory import Activation, bounds, ratio
from rnncap.theory.cells import activation_classes


def _lstm(**kw):
    return parse_arch("lstm:2x16", input_size=5, seq_len=12, outputs=1, **kw)


KERAS_HS = {"convention": "keras", "recurrent_activation": "hard_sigmoid"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, Activation.PFAFFIAN),  # PyTorch: sigmoid gates, tanh candidate
        (KERAS_HS, Activation.MIXED),  # Keras 2's default LSTM: hard_sigmoid gates, tanh
        ({**KERAS_HS, "activation": "relu"}, Activation.GATED_PIECEWISE),
        ({**KERAS_HS, "activation": "linear"}, Activation.GATED_PIECEWISE),
        ({"convention": "keras", "activation": "elu"}, Activation.OTHER),
    ],
)
def test_classes_of_gated_specs(options, expected):
    assert activation_classes(_lstm(**options)) == (expected,)


def _applicable(spec):
    rows = bounds(spec, task="classification")
    return {r.bound.key: r.result for r in rows if r.result.applicable}


def test_piecewise_gated_cells_get_the_piecewise_results_as_derived():
    rows = _applicable(_lstm(**KERAS_HS, activation="relu"))
    assert "km97-pfaffian-unrolled" not in rows  # not Pfaffian: relu and hard-sigmoid
    assert "ks98-sigmoid-upper" not in rows
    gj = rows["gj95-pwpoly-consequence"]
    assert gj.text.startswith("O(W² + W·U) = O(") and gj.derived
    assert "gate products" in gj.caveat
    # Koiran–Sontag's piecewise-polynomial result is for vanilla RNNs: a reference, not a bound
    # for this LSTM, and never DERIVED (issue 25)
    ks = rows["ks98-pwpoly-upper"]
    assert not ks.derived and "LSTM gates multiply unit outputs" in ks.other_cell


def test_mixed_cells_reach_karpinski_macintyre_only_through_a_derived_step():
    rows = _applicable(_lstm(**KERAS_HS))
    km = rows["km97-pfaffian-unrolled"]
    assert km.derived and "hard-sigmoid gates are piecewise linear" in km.caveat
    assert "ks98-sigmoid-lower" not in rows and "ks98-pwpoly-lower" not in rows
    assert "gj95-pwpoly-consequence" not in rows


def test_other_activations_get_no_bound_but_the_empirical_reference():
    rows = _applicable(_lstm(convention="keras", activation="elu"))
    assert set(rows) == {"collins17-bits"}


def test_no_ratio_across_activation_classes():
    torch_lstm = _lstm(convention="keras")
    r = ratio("km97-pfaffian-unrolled", torch_lstm, _lstm(**KERAS_HS), task="classification")
    assert r.value is None and r.reason == "different activation classes"
