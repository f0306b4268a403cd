"""Everything `arch` computes for a spec, in one record, and side-by-side comparison rows.

`summarize(spec)` bundles parameters, FLOPs, memory and the unrolled graph; `compare_rows(specs)`
turns several summaries into rows of one figure each (values and ratios to the first spec), the
data behind ``rnncap compare``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rnncap.arch.counts import ParameterCount, count_parameters
from rnncap.arch.flops import FlopCount, count_flops
from rnncap.arch.graph import UnrolledGraph, unrolled_graph
from rnncap.arch.memory import MemoryCount, count_memory
from rnncap.arch.spec import RecurrentSpec
from rnncap.errors import require


@dataclass(frozen=True)
class ArchSummary:
    """Parameters, FLOPs, memory and unrolled graph of one spec."""

    spec: RecurrentSpec
    parameters: ParameterCount
    flops: FlopCount
    memory: MemoryCount
    graph: UnrolledGraph

    def figures(self) -> list[tuple[str, str, int]]:
        """(key, label, value) of the headline figures, in display order."""
        p, f, m, g = self.parameters, self.flops, self.memory, self.graph
        return [
            ("parameters", "parameters", p.total),
            ("recurrent_parameters", "recurrent parameters", p.recurrent_total),
            ("matmul_macs", "matrix MACs/seq", f.matmul_macs),
            ("elementwise_flops", "element-wise FLOPs/seq", f.elementwise_flops),
            ("forward_flops", "forward FLOPs/seq", f.forward_flops),
            ("training_flops", "training FLOPs/seq", f.training_flops),
            ("parameter_bytes", f"parameter bytes ({m.dtype})", m.parameter_bytes),
            ("adam_bytes", "Adam state bytes", m.adam_bytes),
            ("activation_bytes", "activation bytes/seq", m.activation_bytes),
            ("cell_applications", "cell applications", g.cell_applications),
            ("nonlinear_units", "nonlinear units U", g.nonlinear_units),
            ("longest_path", "longest path (cells)", g.longest_path),
        ]


def summarize(spec: RecurrentSpec, dtype: str = "float32") -> ArchSummary:
    """All of `arch`'s exact accounting for `spec`."""
    return ArchSummary(
        spec=spec,
        parameters=count_parameters(spec),
        flops=count_flops(spec),
        memory=count_memory(spec, dtype),
        graph=unrolled_graph(spec),
    )


@dataclass(frozen=True)
class CompareRow:
    """One figure across several architectures, with each value's ratio to the first."""

    key: str
    label: str
    values: tuple[float, ...]

    PLAIN_EXTRA: ClassVar = ("ratios",)  # `rnncap.plain.to_plain` writes them too

    @property
    def ratios(self) -> tuple[float | None, ...]:
        """``value / first value`` (None where the first is 0)."""
        first = self.values[0]
        return tuple(v / first if first else None for v in self.values)


def compare_rows(specs: Sequence[RecurrentSpec], dtype: str = "float32") -> list[CompareRow]:
    """Each headline figure of `specs` side by side (the first spec is the reference)."""
    require(len(specs) >= 1, "give at least one architecture (e.g. lstm:1x128 lstm:2x64)")
    summaries = [summarize(s, dtype).figures() for s in specs]
    rows = []
    for i, (key, label, _) in enumerate(summaries[0]):
        rows.append(CompareRow(key, label, tuple(s[i][2] for s in summaries)))
    return rows
