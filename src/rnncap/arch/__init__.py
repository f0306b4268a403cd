"""Architecture: the spec of a recurrent stack and its exact accounting (standard library only)."""

from rnncap.arch.counts import ParameterCount, TensorCount, count_parameters, total_parameters
from rnncap.arch.files import read_model_file
from rnncap.arch.flops import FlopCount, LayerFlops, count_flops
from rnncap.arch.frontier import FrontierPoint, frontier
from rnncap.arch.graph import UnrolledGraph, unrolled_graph
from rnncap.arch.keras_reader import spec_from_keras
from rnncap.arch.memory import MemoryCount, count_memory
from rnncap.arch.reader import ModuleReading, UnrecognizedModule, spec_from_module
from rnncap.arch.spec import Cell, Convention, RecurrentSpec, parse_arch
from rnncap.arch.state_dict import spec_from_state_dict

__all__ = [
    "Cell",
    "Convention",
    "FlopCount",
    "FrontierPoint",
    "LayerFlops",
    "MemoryCount",
    "ModuleReading",
    "ParameterCount",
    "RecurrentSpec",
    "TensorCount",
    "UnrecognizedModule",
    "UnrolledGraph",
    "count_flops",
    "count_memory",
    "count_parameters",
    "frontier",
    "parse_arch",
    "read_model_file",
    "spec_from_keras",
    "spec_from_module",
    "spec_from_state_dict",
    "total_parameters",
    "unrolled_graph",
]
