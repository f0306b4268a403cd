"""The number formats of docs/theory.md ("How to read a result") at their edges.

Rules: figures below 1e7 print plainly (thousands separated), from 1e7 on as powers of ten; input
counts substituted into expressions print as ``2.54e7`` (three significant digits, no ``+0``);
empirical figures keep two significant digits; infinities print as ∞.
"""

import math

import pytest

from rnncap.theory.core import Kind, explicit
from rnncap.theory.numbers import fmt_approx, fmt_count, fmt_log10


def test_fmt_log10_keeps_four_significant_digits_by_default():
    assert fmt_log10(math.log10(1.23456)) == "1.235"
    assert fmt_log10(math.log10(0.0123456)) == "0.01235"
    assert fmt_log10(math.log10(1.23456), digits=2) == "1.2"


def test_fmt_approx_of_infinity_and_of_non_positive_figures():
    # an infinite figure is the infinity sign, like fmt_log10(inf); zero and negative figures
    # (a gap can be negative) print as they are, never through a logarithm
    assert fmt_approx(math.inf) == "∞"
    assert fmt_approx(0.0) == "0"
    assert fmt_approx(-0.5) == "-0.5"
    assert fmt_approx(-123_456.0) == "-123456"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e7, "1.0×10^7"),  # 1e7 itself is the first power of ten
        (9_999_999.0, "10,000,000"),  # below 1e7: plain, two significant digits
        (3.4e12, "3.4×10^12"),
    ],
)
def test_fmt_approx_switches_to_powers_of_ten_at_1e7(value, text):
    assert fmt_approx(value) == text


def test_fmt_approx_prints_figures_from_100_without_decimals():
    # "without false precision": with four digits, 100.4 keeps no decimal once >= 100
    assert fmt_approx(100.4, digits=4) == "100"
    assert fmt_approx(99.44, digits=4) == "99.44"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (9_999_999, "9,999,999"),
        (1e7, "1.00e7"),  # from 1e7 on: three significant digits, no "+0"
        (10_000_001, "1.00e7"),
        (2.54e7, "2.54e7"),
        (2.5e10, "2.50e10"),  # two-digit exponents lose their "+" too
        (1.0e123, "1.00e123"),
    ],
)
def test_fmt_count_switches_to_exponents_at_1e7(n, text):
    assert fmt_count(n) == text


def test_explicit_results_print_their_value_when_no_text_is_given():
    r = explicit(3.0)
    assert (r.kind, r.text, r.value) == (Kind.EXPLICIT, "1,000", 1000.0)
    assert explicit(9.0).text == "1.00×10^9"
