"""Every vacuity threshold just below, at and just above its boundary (issue 25, item 6).

A gap bounds a probability, so a gap >= 1 says nothing (theory.md 3.3 for Tu–He–Tao, 4.1-4.2 for
the glue rows); a sample-size row is vacuous when it asks for more samples than there are; a gap
row at d > m is vacuous before any arithmetic (UML 28.1 needs m >= d). The formulas themselves are
tested elsewhere: here each rule gets a value placed exactly on its boundary.
"""

import dataclasses
import math

import numpy as np
import pytest

from rnncap.arch import parse_arch
from rnncap.plain import to_plain
from rnncap.theory import bounds, norms
from rnncap.theory.context import context
from rnncap.theory.learning import sauer_log10
from rnncap.theory.learning_rows import _gap_row, _samples_row

BELOW, ONE, ABOVE = math.nextafter(1.0, 0.0), 1.0, math.nextafter(1.0, 2.0)


def _weights():
    rng = np.random.default_rng(3)
    return norms.RecurrentWeights(
        rng.normal(size=(3, 2)) * 0.3,
        rng.normal(size=(3, 3)) * 0.2,
        rng.normal(size=(1, 3)),
        rng.normal(size=(400, 2, 2)),
    )


@pytest.mark.parametrize(("gap", "vacuous"), [(BELOW, False), (ONE, True), (ABOVE, True)])
def test_tu_he_tao_is_vacuous_from_a_gap_of_one(gap, vacuous, monkeypatch):
    real = norms.tu_he_tao_bound(_weights())
    placed = dataclasses.replace(real, gap=gap)
    assert placed.vacuous is vacuous and to_plain(placed)["vacuous"] is vacuous
    monkeypatch.setattr(norms, "tu_he_tao_bound", lambda weights, delta: placed)
    spec = parse_arch("rnn_relu:3", input_size=2, seq_len=2, outputs=1)
    row = bounds(spec, weights=_weights(), keys=("tu20-fisher-rao",))[0].result
    assert row.vacuous is vacuous
    assert row.text == f"{gap:.4g}" + (" (vacuous: >= 1)" if vacuous else "")


def test_tu_he_tao_infinite_gap_is_vacuous():
    real = norms.tu_he_tao_bound(_weights())
    assert dataclasses.replace(real, gap=math.inf).vacuous
    assert dataclasses.replace(real, gap=math.nan).vacuous  # not finite: says nothing


def _ctx(m, vc, task="classification"):
    return context(parse_arch("rnn_tanh:1x4", input_size=2, seq_len=5), m=m, vc=vc, task=task)


@pytest.mark.parametrize("regression", [False, True])
@pytest.mark.parametrize(("gap", "vacuous"), [(BELOW, False), (ONE, True), (ABOVE, True)])
def test_gap_rows_are_vacuous_from_one(gap, vacuous, regression):
    task = "regression" if regression else "classification"
    result = _gap_row(lambda d, m, delta: gap, regression, _ctx(100, 10.0, task))
    assert result.vacuous is vacuous and result.log10 == pytest.approx(math.log10(gap))
    unit = " · M" if regression else ""
    assert result.text == f"{gap:.4g}{unit}" + (" (vacuous: >= 1)" if vacuous else "")


@pytest.mark.parametrize(("m", "vacuous"), [(999, True), (1000, False), (1001, False)])
def test_gap_rows_need_at_least_d_samples(m, vacuous):
    # d = 1000 (a proxy): m = 999 < d is vacuous without evaluating; m = d is evaluated
    result = _gap_row(lambda d, m, delta: 0.5, False, _ctx(m, 1000.0))
    assert (result.text == f"vacuous: m = {m:,} < d = 1,000") is vacuous
    assert result.vacuous is vacuous


@pytest.mark.parametrize(("need", "vacuous"), [(999.5, False), (1000.0, False), (1000.5, True)])
def test_sample_rows_are_vacuous_when_they_need_more_than_m(need, vacuous):
    result = _samples_row(lambda d, eps, delta: need, False, _ctx(1000, 10.0))
    assert result.vacuous is vacuous
    assert result.text.endswith(" (vacuous: only 1,000 samples)") is vacuous
    free = _samples_row(lambda d, eps, delta: need, False, _ctx(None, 10.0))
    assert free.vacuous is False  # without m, nothing to be short of


@pytest.mark.parametrize(("m", "trivial"), [(11, True), (12, False)])
def test_sauer_bound_applies_from_m_above_d_plus_one(m, trivial):
    # UML Lemma 6.10: (e·m/d)^d for m > d + 1; at m <= d + 1 only the trivial 2^m
    expected = m * math.log10(2) if trivial else 10 * math.log10(math.e * m / 10)
    assert sauer_log10(m, 10) == pytest.approx(expected, rel=1e-15)
