"""Koiran–Sontag rows: the w²k expression, quantity by task, DERIVED notes; Collins notes."""

import math

import pytest

from rnncap.arch import parse_arch
from rnncap.theory import bounds, dasgupta_sontag_vc
from rnncap.theory.cells import single_recurrence_reason
from rnncap.theory.context import context
from rnncap.theory.core import DERIVED_LABEL, get_bound
from rnncap.theory.koiran_sontag import ks_pwpoly_upper_log10


def _spec(arch, **kw):
    return parse_arch(arch, input_size=10, seq_len=120, outputs=1, **kw)


def test_pwpoly_upper_is_w_squared_k():
    # theory.md 1: ks_pwpoly_upper(w, k) = w**2 * k
    assert ks_pwpoly_upper_log10(100, 10) == pytest.approx(math.log10(100**2 * 10), abs=1e-12)
    assert ks_pwpoly_upper_log10(7, 3) == pytest.approx(math.log10(147), abs=1e-12)


def test_classification_rows_bound_the_vc_dimension():
    keys = ("ks98-pwpoly-upper", "ks98-pwpoly-lower")
    cls = bounds(_spec("rnn_relu:1x8"), task="classification", keys=keys)
    assert [r.quantity for r in cls] == ["VC dimension", "VC dimension"]
    reg = bounds(_spec("rnn_relu:1x8"), task="regression", keys=keys)
    assert [r.quantity for r in reg] == ["pseudo-dimension", "pseudo-dimension"]


def test_stacked_rows_note_why_they_are_derived():
    spec = _spec("rnn_tanh:3x8")
    why = single_recurrence_reason(context(spec))
    assert why.startswith("stacked network")
    row = bounds(spec, task="classification", keys=("ks98-sigmoid-lower",))[0].result
    assert row.notes == (why + ", " + DERIVED_LABEL,)


def test_quadratic_row_is_an_existence_reference():
    bound = get_bound("ks97-quadratic-vc")
    for task, quantity in (("classification", "VC dimension"), ("regression", "pseudo-dimension")):
        row = bounds(_spec("rnn_tanh:1x8"), task=task, keys=(bound.key,))[0]
        assert row.quantity == quantity
        assert row.result.notes == (bound.caveat + ", " + DERIVED_LABEL,)
        # w = 8·(10 + 8 + 2) + (8 + 1) = 169 (theory.md 6.1, with a Dense(1) head): Ω(w²)
        assert row.result.log10 == pytest.approx(2 * math.log10(169), abs=1e-12)


def test_dasgupta_sontag_tight_regime_raises_the_lower_bound_only():
    # theory.md 2.1, n = 2, q = 100 > max{6, 32}: lower = max(2, log2 100) = 6.644, upper =
    # min{102, 36 + 8·log2 101} = 89.26 (8n·log q = 106.3 does not bind)
    lower, upper = dasgupta_sontag_vc(2, 100)
    assert lower == pytest.approx(math.log2(100), abs=1e-12)
    assert upper == pytest.approx(36 + 8 * math.log2(101), abs=1e-12)
    assert 16 * math.log2(100) > upper


def test_collins_row_notes():
    # theory.md 5.1: bits/parameter equal at depths 1, 2, 4 and capacity tracks parameters, not
    # units; an untuned model stores less; applying it to a spec's w is rnncap's step
    row = bounds(_spec("lstm:2x16"), keys=("collins17-bits",))[0].result
    assert row.notes == (
        "empirical estimate, after extensive tuning: an untuned model stores less",
        "bits/parameter was flat across depths 1, 2, 4: capacity tracks w, not units",
        "applied to this spec's w, " + DERIVED_LABEL,
    )
