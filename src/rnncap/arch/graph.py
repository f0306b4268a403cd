"""The unrolled computation graph that the capacity theory needs (theory.md section 2.9).

Unrolling an L-layer stack over k steps gives ``L*k`` cell applications per direction. Nonlinear
units per cell application and unit of width: 1 for a vanilla RNN (its activation), 3 for a GRU
(two sigmoid gates and the tanh candidate), 5 for an LSTM (three sigmoid gates, the tanh candidate
and tanh(c_t)). The elementwise products of gated cells are not counted as units; the linear head
is not a nonlinear unit either.

The longest input-to-output path, counted in cell applications: layer l at step t reads layer l-1
at step t and itself at step t-1, so a path advances one layer or one step per edge and the longest
is ``k + L - 1``. With bidirectional layers a path can run back along one layer's reverse direction
and forward along the next one's, so the longest path is ``L*k``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnncap.arch.spec import Cell, RecurrentSpec

#: Nonlinear units per hidden unit per cell application (theory.md section 2.9).
NONLINEAR_UNITS_PER_CELL = {Cell.LSTM: 5, Cell.GRU: 3, Cell.RNN_TANH: 1, Cell.RNN_RELU: 1}


@dataclass(frozen=True)
class UnrolledGraph:
    """Sizes of the feed-forward network obtained by unrolling `spec` over its `seq_len` steps."""

    cell_applications: int  # L * k * directions
    nonlinear_units: int  # U: nonlinear units of the unrolled network
    longest_path: int  # in cell applications: k + L - 1 (bidirectional: L * k)
    seq_len: int
    num_layers: int


def unrolled_graph(spec: RecurrentSpec) -> UnrolledGraph:
    """Cell applications, nonlinear units U and longest path of `spec` unrolled over k steps."""
    k, n_layers, dirs = spec.seq_len, spec.num_layers, spec.num_directions
    per_step = NONLINEAR_UNITS_PER_CELL[spec.cell] * sum(spec.hidden_sizes) * dirs
    path = n_layers * k if spec.bidirectional else k + n_layers - 1
    return UnrolledGraph(
        cell_applications=n_layers * k * dirs,
        nonlinear_units=per_step * k,
        longest_path=path,
        seq_len=k,
        num_layers=n_layers,
    )
