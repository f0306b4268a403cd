"""Empirical capacity: memorization in bits per parameter, empirical Rademacher complexity, a
measured VC dimension, generalization gaps on weather, weight norms of trained models, and
capacity by depth at a fixed width.

Every recurrent training runs batched through `rnncap.engine.train`. Names are imported on first
use (PEP 562), so that records such as `rnncap.capacity.depth.DepthRow` load without torch.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "gaps": ("GapRow", "GeneralizationGaps", "generalization_gaps"),
    "memorize": (
        "COLLINS_BITS_PER_PARAMETER", "MemorizationPoint", "MemorizationResult", "binary_entropy",
        "measure_memorization", "memorization_task", "mutual_information_bits",
    ),
    "tuned": ("TunedMemorization", "tuned_memorization"),
    "sweep": ("Sweep",),
    "convergence": ("Convergence",),
    "depth": ("DepthBudget", "DepthMeasure", "DepthMeasurement", "DepthRow"),
    "depth_measure": ("depth_specs", "measure_depth", "measure_depth_row"),
    "norms": (
        "MatrixNorms", "WeightNorms", "checkpoint_norms", "matrix_norms", "norm_bounds",
        "weight_norms",
    ),
    "rademacher": ("RademacherEstimate", "empirical_rademacher", "task_windows"),
    "vc": (
        "VCDesign", "VCEstimate", "VCPoint", "default_design", "growth_table",
        "measure_vc_linear", "measure_vc_recurrent",
    ),
    "vc_fit": ("VCFit", "fit_vc_dimension", "phi"),
}  # fmt: skip
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'rnncap.capacity' has no attribute {name!r}")
    return getattr(importlib.import_module(f"rnncap.capacity.{_MODULE_OF[name]}"), name)


def __dir__() -> list[str]:
    return __all__
