"""One number per trained model for each complexity measure (Jiang et al. 2020's families).

`model_measures` returns a dict of measure name to float. A measure that cannot be computed for a
model (a bound that does not cover its cell, a flatness scale outside the searched range, a loss
the training never reached) is absent from the dict, never 0. docs/measures.md defines each one.

Weight matrices are the whole ``weight_ih``, ``weight_hh`` and ``weight_hr`` of every layer and
direction and the head's ``weight`` (`rnncap.capacity.norms` rows with gate "all"); biases are
left out of every norm, as in Jiang et al.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from rnncap.arch import count_parameters
from rnncap.engine import MemberData, TrainedMember
from rnncap.engine.bookkeeping import Loss
from rnncap.engine.trainer import batch_slices, elementwise_loss
from rnncap.measures.path_norm import log_path_norm
from rnncap.measures.records import BOUND_PREFIX, LOG_PARAMS
from rnncap.measures.sharpness import flatness_sigma

#: Measure names (docs/measures.md). A bound's measure is BOUND_PREFIX + its catalog key.
LOG_PARAMS_RECURRENT = "log_params_recurrent"
LOG_PROD_SPECTRAL = "log_prod_spectral"
LOG_SUM_SPECTRAL = "log_sum_spectral"
LOG_PROD_FROBENIUS = "log_prod_frobenius"
LOG_SUM_FROBENIUS = "log_sum_frobenius"
LOG_PATH_NORM = "log_path_norm"
DIST_INIT = "dist_init"
DIST_INIT_RATIO = "dist_init_ratio"
STABLE_RANK_MEAN = "stable_rank_mean"
PACBAYES_MAG_FLATNESS = "pacbayes_mag_flatness"
STEPS_TO_LOSS = "steps_to_loss"
ATLAS_BITS = "atlas_bits_per_param"  # the capacity atlas's memorization for this cell and widths

#: `steps_to_loss` counts the steps until the training loss reaches this fraction of the loss of
#: the zero network (the anchor alone: persistence for a residual forecaster).
STEPS_LOSS_FRACTION = 0.6


def parameter_measures(member: TrainedMember) -> dict[str, float]:
    """Natural log of the parameter count, total and of the recurrent stack (head excluded)."""
    counts = count_parameters(member.spec)
    return {
        LOG_PARAMS: math.log(counts.total),
        LOG_PARAMS_RECURRENT: math.log(counts.recurrent_total),
    }


def bound_measures(member: TrainedMember, data: MemberData) -> dict[str, float]:
    """log10 of every catalog result that covers the member's cell and has a finite value.

    Evaluated with m = the training windows and, for a single-layer vanilla RNN, the trained
    weights and training inputs (the weight-based bounds). An order-of-growth result contributes
    the log10 of its bare expression (its unknown constant shifts every model alike, so ranks are
    unchanged). Results stated for another cell class (references only) are left out.
    """
    from rnncap.capacity.norms import bound_weights
    from rnncap.theory import Task, bounds

    task = Task.REGRESSION if member.settings.loss is Loss.MSE else Task.CLASSIFICATION
    weights = bound_weights(member.spec, member.state_dict, data.x_train)
    out = {}
    for row in bounds(member.spec, m=len(data.x_train), task=task, weights=weights):
        log10 = row.result.log10
        if row.result.covers and log10 is not None and math.isfinite(log10):
            out[BOUND_PREFIX + row.bound.key] = float(log10)
    return out


def norm_measures(member: TrainedMember) -> dict[str, float]:
    """Products and sums of squared spectral and Frobenius norms over the weight matrices (as
    logs), the mean stable rank, and the distance from initialisation of all weight matrices
    together (one vector, biases left out as in Jiang et al.) with its ratio to the initial
    norm."""
    from rnncap.capacity.norms import weight_norms

    rows = [r for r in weight_norms(member.spec, member.state_dict).rows if r.gate == "all"]
    out: dict[str, float] = {}
    for name, norms in (
        ("spectral", [r.spectral for r in rows]),
        ("frobenius", [r.frobenius for r in rows]),
    ):
        squares = np.square(norms)
        if all(s > 0 for s in squares):  # a zero matrix has no log: the product is missing
            out[f"log_prod_{name}"] = float(np.sum(np.log(squares)))
        if np.sum(squares) > 0:
            out[f"log_sum_{name}"] = float(np.log(np.sum(squares)))
    out[STABLE_RANK_MEAN] = float(np.mean([r.stable_rank for r in rows]))
    keys = [k for k in member.state_dict if k.rsplit(".", 1)[-1].startswith("weight")]
    w = torch.cat([member.state_dict[k].detach().double().flatten() for k in keys])
    w0 = torch.cat([member.initial_state_dict[k].detach().double().flatten() for k in keys])
    out[DIST_INIT] = float(torch.linalg.vector_norm(w - w0))
    norm0 = float(torch.linalg.vector_norm(w0))
    if norm0 > 0:
        out[DIST_INIT_RATIO] = out[DIST_INIT] / norm0
    return out


def zero_network_loss(member: TrainedMember, data: MemberData) -> float:
    """The training loss of a network that outputs 0: the anchor alone (persistence for a
    residual forecaster), or 0 for every target without anchors."""
    y = torch.from_numpy(data.y_train)
    anchor = (
        torch.zeros_like(y) if data.anchor_train is None else torch.from_numpy(data.anchor_train)
    )
    return float(elementwise_loss(member.settings.loss, anchor, y).mean())


def steps_to_loss(member: TrainedMember, n_train: int, threshold: float) -> float | None:
    """Optimizer steps until an epoch's mean training loss first reaches `threshold`: the epochs
    up to and including that one times the steps per epoch; None when no epoch reached it."""
    per_epoch = len(batch_slices(n_train, member.settings.batch_size))
    for i, h in enumerate(member.history, start=1):
        loss = h.get("train_loss")
        if loss is not None and math.isfinite(loss) and loss <= threshold:
            return float(i * per_epoch)
    return None


def model_measures(member: TrainedMember, data: MemberData, *, seed: int = 0) -> dict[str, float]:
    """Every measure of docs/measures.md for one trained model on its training data `data` (the
    `MemberData` it was trained on); `seed` fixes the flatness measure's windows and noise."""
    out = {**parameter_measures(member), **bound_measures(member, data), **norm_measures(member)}
    log_path = log_path_norm(member.spec, member.state_dict, data.x_train.shape[1])
    if math.isfinite(log_path):
        out[LOG_PATH_NORM] = log_path
    sigma = flatness_sigma(member, data, seed=seed)
    if sigma is not None:
        out[PACBAYES_MAG_FLATNESS] = 1.0 / sigma**2
    threshold = STEPS_LOSS_FRACTION * zero_network_loss(member, data)
    steps = steps_to_loss(member, len(data.x_train), threshold)
    if steps is not None:
        out[STEPS_TO_LOSS] = steps
    from rnncap.capacity.atlas.quote import atlas_bits_per_parameter

    bits = atlas_bits_per_parameter(member.spec.cell.value, member.spec.hidden_sizes)
    if bits is not None:
        out[ATLAS_BITS] = bits
    return {k: v for k, v in out.items() if math.isfinite(v)}
