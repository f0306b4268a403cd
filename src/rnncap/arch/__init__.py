"""Architecture: the spec of a recurrent stack and its exact accounting (standard library only)."""

from rnncap.arch.counts import ParameterCount, TensorCount, count_parameters, total_parameters
from rnncap.arch.graph import UnrolledGraph, unrolled_graph
from rnncap.arch.spec import Cell, Convention, RecurrentSpec, parse_arch

__all__ = [
    "Cell",
    "Convention",
    "ParameterCount",
    "RecurrentSpec",
    "TensorCount",
    "UnrolledGraph",
    "count_parameters",
    "parse_arch",
    "total_parameters",
    "unrolled_graph",
]
