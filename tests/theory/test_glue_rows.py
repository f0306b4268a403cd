"""The glue rows (theory.md section 4) for a spec: their d, texts, vacuity and exact messages.

Values are computed here from the formulas of theory.md 4.2-4.5 (natural logs, Blumer log base 2).
"""

import math
from dataclasses import replace

import pytest

from rnncap.arch import parse_arch
from rnncap.theory import bounds
from rnncap.theory.context import context
from rnncap.theory.core import DERIVED_LABEL, get_bound
from rnncap.theory.learning_rows import vc_for_samples

PDIM_NOTE = "Pdim(H)-based, loss-class adjustment not applied; M bounds the loss"  # theory.md 4.6
NEEDS_M = "needs the number of training samples (m=M)"


def _spec(arch="rnn_tanh:1x8", **kw):
    return parse_arch(arch, input_size=10, seq_len=120, outputs=1, **kw)


def _rows(spec=None, **setting):
    return {r.bound.key: r.result for r in bounds(spec or _spec(), **setting)}


def _mohri(d, m, delta):
    """Mohri Corollary 3.19 (theory.md 4.5), written out here."""
    first = math.sqrt(2 * d * math.log(math.e * m / d) / m)
    return first + math.sqrt(math.log(1 / delta) / (2 * m))


def test_wrong_task_messages_name_the_stated_task():
    reg = _rows(m=1000, vc=10, task="regression")
    cls = _rows(m=1000, vc=10, task="classification")
    for key in ("uml-agnostic-gap", "uml-agnostic-samples", "blumer89-samples"):
        assert reg[key].text == "stated for classification (0-1 loss); the task is regression"
    for key in ("mohri-thm11.8-gap", "mohri-thm11.8-samples"):
        assert cls[key].text == (
            "stated for regression (pseudo-dimension); the task is classification"
        )
    ks = _rows(m=1000, task="regression")["ks98-agnostic-lower-samples"]
    assert ks.text == "stated for classification (0-1 loss); the task is regression"


def test_rows_without_m_say_what_they_need():
    for task, key in (
        ("classification", "mohri-cor3.19-gap"),
        ("regression", "mohri-thm11.8-gap"),
        ("classification", "sauer-growth"),
    ):
        assert _rows(vc=10, task=task)[key].text == NEEDS_M


def test_gap_texts_carry_the_loss_bound_unit_for_regression_only():
    # theory.md 7: Mohri's gap at d = 10, m = 1000, delta = 0.05 is 0.37352; Theorem 11.8 scales
    # it by M, which the regression row keeps as a unit
    cls = _rows(m=1000, vc=10, task="classification")["mohri-cor3.19-gap"]
    reg = _rows(m=1000, vc=10, task="regression")["mohri-thm11.8-gap"]
    assert cls.text == "0.3735" and reg.text == "0.3735 · M"
    assert cls.vacuous is False and reg.vacuous is False
    assert cls.notes == ("d: user-supplied proxy",)
    assert reg.notes == ("d: user-supplied proxy", PDIM_NOTE)
    assert reg.value == pytest.approx(0.37352, abs=1e-5)


def test_gap_at_m_equal_d_is_evaluated_and_vacuous():
    # m = d is allowed (Cor. 3.19 needs m >= d): sqrt(2·log e) + sqrt(log 20 / 20) = 1.801 > 1
    gap = _mohri(10, 10, 0.05)
    row = _rows(m=10, vc=10, task="classification")["mohri-cor3.19-gap"]
    assert row.value == pytest.approx(gap, rel=1e-12)
    assert row.text == f"{gap:.4g} (vacuous: >= 1)" == "1.801 (vacuous: >= 1)"
    assert row.vacuous is True
    below = _rows(m=9, vc=10, task="classification")["mohri-cor3.19-gap"]
    assert below.text == "vacuous: m = 9 < d = 10" and below.vacuous is True


def test_gap_uses_delta_and_m_from_the_setting():
    row = _rows(m=5000, vc=20, delta=0.1, task="classification")["mohri-cor3.19-gap"]
    assert row.value == pytest.approx(_mohri(20, 5000, 0.1), rel=1e-12)


def test_samples_rows_value_notes_and_the_boundary_m():
    # Blumer et al. (theory.md 4.4, log base 2) at d = 13, eps = 13/16, delta = 0.05:
    # max((4/eps)·log2(40), (8·13/eps)·log2(16)) = max(26.2, 128·4) = 512 exactly
    need = max((4 / 0.8125) * math.log2(40), (8 * 13 / 0.8125) * math.log2(16))
    assert need == 512.0
    keys = ("blumer89-samples",)
    setting = {"vc": 13, "epsilon": 0.8125, "task": "classification", "keys": keys}
    enough = bounds(_spec(), m=512, **setting)[0].result
    assert enough.value == pytest.approx(512.0) and enough.vacuous is False
    assert enough.text == "m >= 512 at ε = 0.8125"
    assert enough.notes == ("d: user-supplied proxy",)
    short = bounds(_spec(), m=511, **setting)[0].result
    assert short.vacuous is True
    assert short.text == "m >= 512 at ε = 0.8125 (vacuous: only 511 samples)"


def test_sauer_row_value_and_shattering_note():
    # theory.md 4.2: for m > d + 1, log10 Π(m) <= d·log10(e·m/d); else the trivial 2^m
    trivial = _rows(m=5, vc=10, task="classification")["sauer-growth"]
    assert trivial.value == pytest.approx(2**5)
    assert trivial.notes == ("d: user-supplied proxy", "m points may be shattered")
    # m = 35, d = 10: (3.5e)^10 = 10^9.784 = 6.08e9 < 2^35 = 3.4e10: 35 points cannot be shattered
    poly = _rows(m=35, vc=10, task="classification")["sauer-growth"]
    assert 10 * math.log10(math.e * 3.5) < 35 * math.log10(2)
    assert poly.value == pytest.approx((math.e * 3.5) ** 10, rel=1e-9)
    assert poly.notes == ("d: user-supplied proxy", "cannot shatter m points")
    assert poly.text == "Π(m) <= 6.08×10^9 vs 2^m = 3.44×10^10"


def test_d_beyond_float_range_reads_vacuous():
    # a d whose value overflows (Result.value is inf from log10 >= 300) is reported, not computed
    ctx = replace(context(_spec(), m=1000, task="classification"), vc=math.inf)
    samples = get_bound("uml-agnostic-samples").evaluate(ctx)
    assert samples.kind.value == "explicit" and samples.log10 is None
    assert samples.text == "vacuous: d beyond float range" and samples.vacuous is True
    sauer = get_bound("sauer-growth").evaluate(ctx)
    assert not sauer.applicable and sauer.text == "d beyond float range"
    gap = get_bound("mohri-cor3.19-gap").evaluate(ctx)
    assert gap.vacuous is True and gap.text.startswith("vacuous: m = 1,000 < d = ")


def test_without_a_proxy_d_is_the_smallest_explicit_bound_named_by_task():
    spec = parse_arch("rnn_relu:1x2", input_size=1, seq_len=3, outputs=1)
    for task, name in (("classification", "VCdim"), ("regression", "Pdim")):
        ctx = context(spec, task=task)
        d, source = vc_for_samples(ctx)
        keys = ("bhlm19-thm7-untied", "bhlm19-thm10-unrolled")  # the explicit VC upper bounds
        values = [get_bound(k).evaluate(ctx).value for k in keys]
        assert all(v is not None for v in values)
        assert d == min(values)
        assert source.startswith(f"{name} <= ") and source.endswith(f"({DERIVED_LABEL})")


def test_ks_agnostic_lower_samples_expression_value():
    # Ω(w·k/ε²) with w = h(d + h + 2) + (h + 1) = 8·20 + 9 = 169 (theory.md 6.1, torch SimpleRNN
    # plus a Dense(1) head), k = 120, eps = 0.05
    row = _rows(m=1000, task="classification", epsilon=0.05)["ks98-agnostic-lower-samples"]
    assert row.log10 == pytest.approx(math.log10(169 * 120 / 0.05**2), rel=1e-12)
    assert row.text.startswith("Ω(w·k/ε²) = Ω(169 · 120 / 0.05²) samples needed")
