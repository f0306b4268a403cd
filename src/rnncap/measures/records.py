"""`ModelPoint`: one trained model as the measure ranking sees it (torch-free)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: The gaps a measure is ranked against, in the target's units (MAE, e.g. degrees C).
GAP_IID = "gap_iid"  # same-season holdout weeks MAE minus train MAE
GAP_SHIFT = "gap_shift"  # test split (later months) MAE minus train MAE

#: Measure names the ranking's sentence singles out (docs/measures.md lists every measure).
LOG_PARAMS = "log_params"  # natural log of the parameter count
BOUND_PREFIX = "log10_bound:"  # + a catalog bound's key: log10 of that bound's value


@dataclass(frozen=True)
class ModelPoint:
    """A trained model: its hyperparameter values, its generalization gaps and its measures.

    ``axes`` holds every hyperparameter a study can vary (cell, layers, units, lr, batch_size,
    dropout, weight_decay, train_fraction, epochs), for every model, also those held fixed.
    ``measures`` leaves out a measure that cannot be computed for the model: missing, never 0.
    """

    key: str
    axes: Mapping[str, float | int | str]
    gaps: Mapping[str, float]
    measures: Mapping[str, float] = field(default_factory=dict)
