"""Hypothesis strategies for random recurrent architectures (shared by the arch tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from rnncap.arch import Cell, RecurrentSpec


@st.composite
def torch_specs(draw, max_layers: int = 4, max_units: int = 24, seq_len: int = 1) -> RecurrentSpec:
    """Any torch-convention spec: cell, per-layer widths, bidirectional, proj_size, bias, head."""
    cell = draw(st.sampled_from(list(Cell)))
    sizes = draw(st.lists(st.integers(1, max_units), min_size=1, max_size=max_layers))
    proj = 0
    if cell is Cell.LSTM and min(sizes) > 1 and draw(st.booleans()):
        proj = draw(st.integers(1, min(sizes) - 1))
    return RecurrentSpec(
        cell=cell,
        input_size=draw(st.integers(1, 16)),
        hidden_sizes=tuple(sizes),
        seq_len=seq_len,
        bidirectional=draw(st.booleans()),
        proj_size=proj,
        bias=draw(st.booleans()),
        outputs=draw(st.integers(0, 3)),
    )
