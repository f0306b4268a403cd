"""Unrolled graph: longest path against a search over the explicit DAG, U from theory.md 2.9."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncap.arch import parse_arch, unrolled_graph


def _longest_path_by_search(layers: int, steps: int, bidirectional: bool) -> int:
    """Cell applications on the longest path of the explicit unrolled DAG into the last step.

    Node (l, direction, t) reads (l - 1, any direction, t) and its own direction's previous step:
    t - 1 forward, t + 1 reverse. The head reads every direction of the last layer at t = k - 1.
    """
    directions = (0, 1) if bidirectional else (0,)

    @cache
    def longest_into(layer: int, direction: int, t: int) -> int:
        before = [0]
        prev = t - 1 if direction == 0 else t + 1
        if 0 <= prev < steps:
            before.append(longest_into(layer, direction, prev))
        if layer > 0:
            before += [longest_into(layer - 1, d, t) for d in directions]
        return 1 + max(before)

    return max(longest_into(layers - 1, d, steps - 1) for d in directions)


@settings(max_examples=60)
@given(st.integers(1, 6), st.integers(1, 12), st.booleans())
def test_longest_path_matches_search(layers, steps, bidirectional):
    spec = parse_arch(f"gru:{layers}x3", input_size=2, seq_len=steps, bidirectional=bidirectional)
    graph = unrolled_graph(spec)
    assert graph.longest_path == _longest_path_by_search(layers, steps, bidirectional)
    assert graph.cell_applications == layers * steps * (2 if bidirectional else 1)


@pytest.mark.parametrize(
    ("arch", "per_unit"),
    [("lstm:2x64", 5), ("gru:2x64", 3), ("rnn_tanh:2x64", 1), ("rnn_relu:2x64", 1)],
)
def test_nonlinear_units_follow_theory(arch, per_unit):
    # theory.md 2.9: U = c_cell * L * h * k with c = 5 (LSTM), 3 (GRU), 1 (vanilla)
    graph = unrolled_graph(parse_arch(arch, input_size=10, seq_len=120))
    assert graph.nonlinear_units == per_unit * 2 * 64 * 120
    assert graph.longest_path == 120 + 2 - 1
