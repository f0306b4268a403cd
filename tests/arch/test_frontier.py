"""Equal-budget frontier against a brute-force scan of every width."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncap.arch import Cell, RecurrentSpec, parse_arch, total_parameters
from rnncap.arch.frontier import frontier, taper_widths
from rnncap.errors import InvalidInput


def _brute_force(template: RecurrentSpec, budget: int, depth: int, taper: bool) -> int:
    """Smallest |count - budget| over widths 1..400 by scanning them all."""
    best = None
    for h in range(1, 401):
        sizes = taper_widths(h, depth) if taper else (h,) * depth
        gap = abs(total_parameters(template.replace(hidden_sizes=sizes)) - budget)
        best = gap if best is None else min(best, gap)
    return best


@pytest.mark.slow
@settings(max_examples=25)
@given(
    st.sampled_from(list(Cell)),
    st.integers(1, 5),
    st.integers(2_000, 60_000),
    st.booleans(),
    st.sampled_from(["torch", "keras"]),
)
def test_frontier_matches_brute_force(cell, depth, budget, taper, convention):
    template = RecurrentSpec(cell, 6, (1,), outputs=1, convention=convention)
    (point,) = frontier(template, budget, [depth], taper=taper)
    assert point.layers == depth
    assert point.parameters == total_parameters(point.spec)
    assert abs(point.difference) == _brute_force(template, budget, depth, taper)


def test_theory_budget_is_hit_exactly():
    # theory.md 6.1: lstm 1x128 and 2x64 at d = 10 have 71,680 and 52,736 parameters
    template = parse_arch("lstm:1", input_size=10)
    one, two = frontier(template, 71_680, [1, 2])
    assert one.spec.hidden_sizes == (128,) and one.difference == 0
    assert frontier(template, 52_736, [2])[0].spec.hidden_sizes == (64, 64)
    # the rule of thumb h' ~ h sqrt((2L - 1) / (2L' - 1)) = 128 / sqrt(3) = 73.9
    assert abs(two.spec.hidden_sizes[0] - 74) <= 2


def test_taper_halves_widths():
    (point,) = frontier(parse_arch("gru:1", input_size=4), 30_000, [3], taper=True)
    h = point.spec.hidden_sizes
    assert h == (h[0], h[0] // 2, h[0] // 4)


@pytest.mark.parametrize(
    ("budget", "depths", "message"),
    [
        (100, [1, 6], "budget 100 is below the smallest lstm model at depth 6"),
        (0, [1], "budget must be an integer >= 1"),
        (1000, [], "give at least one depth"),
        (1000, [0], "depths must be a list of integers >= 1"),
    ],
)
def test_bad_frontier_input(budget, depths, message):
    with pytest.raises(InvalidInput, match=message):
        frontier(parse_arch("lstm:1", input_size=3), budget, depths)
