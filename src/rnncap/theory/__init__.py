"""Theory: a cited catalog of capacity bounds, evaluated for any architecture (pure math).

>>> from rnncap.arch import parse_arch
>>> from rnncap.theory import bounds, ratio
>>> spec = parse_arch("lstm:2x64", input_size=10, seq_len=120)
>>> rows = bounds(spec, m=20_000, task="classification")
>>> round(ratio("collins17-bits", parse_arch("lstm:1x128", input_size=10, seq_len=120),
...             spec, task="classification").value, 3)
0.736
>>> ratio("ks98-sigmoid-lower", parse_arch("lstm:1x128", input_size=10, seq_len=120),
...       spec).reason  # Koiran–Sontag's results are for vanilla RNNs
'not a bound for this cell'
"""

# isort: off
from rnncap.theory import families  # noqa: F401  (registers the catalog, in its order, first)

# isort: on
from rnncap.theory.cells import Activation
from rnncap.theory.context import Context, Task, context
from rnncap.theory.core import (
    Bound,
    Citation,
    Direction,
    Form,
    Kind,
    Quantity,
    Result,
    Status,
    catalog,
    get_bound,
)
from rnncap.theory.empirical import collins_bits, expected_bits, vll_phi
from rnncap.theory.evaluate import (
    CompareRow,
    Evaluation,
    Ratio,
    bounds,
    compare_bounds,
    ratio,
    ratios,
)
from rnncap.theory.explain import Explanation, explain
from rnncap.theory.feedforward_formulas import bhlm_thm7_vc, bhlm_thm10_log10, goldberg_jerrum_vc
from rnncap.theory.koiran_sontag import dasgupta_sontag_vc
from rnncap.theory.learning import (
    SampleSizes,
    blumer_samples,
    mohri_pdim_gap,
    mohri_pdim_samples,
    mohri_rademacher_gap,
    mohri_vc_gap,
    sample_sizes,
    sauer_log10,
    uml_agnostic_gap,
    uml_agnostic_lower_samples,
    uml_agnostic_samples,
    uml_realizable_samples,
)
from rnncap.theory.norms import (
    RecurrentWeights,
    TuHeTaoBound,
    chen_li_zhao_order,
    fisher_rao_norm,
    tu_he_tao_bound,
    zhang_lei_dhillon_order,
)

__all__ = [
    "Activation",
    "Bound",
    "Citation",
    "CompareRow",
    "Context",
    "Direction",
    "Evaluation",
    "Explanation",
    "Form",
    "Kind",
    "Quantity",
    "Ratio",
    "RecurrentWeights",
    "Result",
    "SampleSizes",
    "Status",
    "Task",
    "TuHeTaoBound",
    "bhlm_thm10_log10",
    "bhlm_thm7_vc",
    "blumer_samples",
    "bounds",
    "catalog",
    "chen_li_zhao_order",
    "collins_bits",
    "compare_bounds",
    "context",
    "dasgupta_sontag_vc",
    "expected_bits",
    "explain",
    "fisher_rao_norm",
    "get_bound",
    "goldberg_jerrum_vc",
    "mohri_pdim_gap",
    "mohri_rademacher_gap",
    "mohri_pdim_samples",
    "mohri_vc_gap",
    "ratio",
    "ratios",
    "sample_sizes",
    "sauer_log10",
    "tu_he_tao_bound",
    "uml_agnostic_gap",
    "uml_agnostic_lower_samples",
    "uml_agnostic_samples",
    "uml_realizable_samples",
    "vll_phi",
    "zhang_lei_dhillon_order",
]
