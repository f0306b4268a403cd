"""The glue rows for a spec: which d they use, and when they say they are vacuous."""

import pytest

from rnncap.arch import parse_arch
from rnncap.theory import bounds


def test_spec_rows_say_when_they_are_vacuous():
    spec = parse_arch("rnn_relu:2x32", input_size=30, seq_len=120, outputs=1)
    rows = {r.bound.key: r.result for r in bounds(spec, m=20_000)}
    assert rows["mohri-thm11.8-gap"].vacuous and "vacuous" in rows["mohri-thm11.8-gap"].text
    assert rows["mohri-thm11.8-samples"].vacuous
    assert "only 20,000 samples" in rows["mohri-thm11.8-samples"].text
    assert not rows["uml-agnostic-gap"].applicable  # classification result, regression task


def test_user_proxy_reproduces_the_vector_for_a_spec():
    spec = parse_arch("lstm:2x64", input_size=10, seq_len=120)
    rows = {r.bound.key: r.result for r in bounds(spec, m=1000, vc=10, task="classification")}
    assert rows["mohri-cor3.19-gap"].value == pytest.approx(0.37352, abs=1e-5)
    assert not rows["mohri-cor3.19-gap"].vacuous
    no_proxy = {r.bound.key: r.result for r in bounds(spec, m=1000, task="classification")}
    assert "no explicit VC" in no_proxy["uml-agnostic-samples"].text
