"""Empirical capacity: memorization in bits per parameter, empirical Rademacher complexity, a
measured VC dimension, generalization gaps on weather, and weight norms of trained models.

Every recurrent training runs batched through `rnncap.engine.train`.
"""

from rnncap.capacity.gaps import GapRow, GeneralizationGaps, generalization_gaps
from rnncap.capacity.memorize import (
    COLLINS_BITS_PER_PARAMETER,
    MemorizationPoint,
    MemorizationResult,
    binary_entropy,
    measure_memorization,
    memorization_task,
    mutual_information_bits,
)
from rnncap.capacity.norms import (
    MatrixNorms,
    WeightNorms,
    checkpoint_norms,
    matrix_norms,
    norm_bounds,
    weight_norms,
)
from rnncap.capacity.rademacher import RademacherEstimate, empirical_rademacher, task_windows
from rnncap.capacity.vc import (
    VCDesign,
    VCEstimate,
    VCPoint,
    default_design,
    growth_table,
    measure_vc_linear,
    measure_vc_recurrent,
)
from rnncap.capacity.vc_fit import VCFit, fit_vc_dimension, phi

__all__ = [
    "COLLINS_BITS_PER_PARAMETER",
    "GapRow",
    "GeneralizationGaps",
    "MatrixNorms",
    "MemorizationPoint",
    "MemorizationResult",
    "RademacherEstimate",
    "VCDesign",
    "VCEstimate",
    "VCFit",
    "VCPoint",
    "WeightNorms",
    "binary_entropy",
    "checkpoint_norms",
    "default_design",
    "empirical_rademacher",
    "fit_vc_dimension",
    "generalization_gaps",
    "growth_table",
    "matrix_norms",
    "measure_memorization",
    "measure_vc_linear",
    "measure_vc_recurrent",
    "memorization_task",
    "mutual_information_bits",
    "norm_bounds",
    "phi",
    "task_windows",
    "weight_norms",
]
