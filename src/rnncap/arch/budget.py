"""Stated size limits for anything that allocates a model or trains one, checked before allocation.

Counting, FLOPs, memory and bounds are closed forms and accept any size; building weights does
not. These limits turn an out-of-memory crash or an hours-long hang into one line naming the limit.
"""

from __future__ import annotations

from rnncap.arch.counts import count_parameters
from rnncap.arch.flops import count_flops
from rnncap.arch.spec import RecurrentSpec
from rnncap.errors import require

#: Most parameters of one model rnncap will build: 50 M float32 weights are 200 MB, about 800 MB
#: with gradients and Adam's two moments, per member of an ensemble.
MAX_TRAIN_PARAMETERS = 50_000_000

#: Longest input sequence rnncap trains on (activations grow with windows x steps x units).
MAX_TRAIN_STEPS = 100_000

#: Default most training FLOPs of one measurement (all members, windows and epochs): 10 TFLOP,
#: several minutes on a 2-core CPU.
DEFAULT_MAX_TRAIN_FLOPS = 10**13


def check_trainable(spec: RecurrentSpec) -> int:
    """The parameter count of `spec`, or `InvalidInput` if it exceeds `MAX_TRAIN_PARAMETERS` or
    its sequence `MAX_TRAIN_STEPS`."""
    require(
        spec.seq_len <= MAX_TRAIN_STEPS,
        f"sequences of {spec.seq_len:,} steps are longer than rnncap trains on "
        f"({MAX_TRAIN_STEPS:,}); use a shorter history or delay",
    )
    w = count_parameters(spec.replace(outputs=max(spec.outputs, 1))).total
    require(
        w <= MAX_TRAIN_PARAMETERS,
        f"{spec.name} has {w:,} parameters, more than rnncap builds ({MAX_TRAIN_PARAMETERS:,}); "
        "use fewer layers or units",
    )
    return w


def check_training_work(
    spec: RecurrentSpec,
    *,
    windows: int,
    members: int,
    epochs: int,
    max_flops: float = DEFAULT_MAX_TRAIN_FLOPS,
    option: str = "max_flops=",
) -> float:
    """Training FLOPs of `members` models of `spec` for `epochs` passes over `windows` windows of
    ``spec.seq_len`` steps; `InvalidInput` above `max_flops`."""
    check_trainable(spec)
    flops = float(count_flops(spec).training_flops) * windows * members * epochs
    require(
        flops <= max_flops,
        f"network too large for the budget: {members} x {epochs} epochs x {windows:,} windows of "
        f"{spec.name} is {flops / 1e12:,.1f} TFLOP, over the {max_flops / 1e12:,.1f} TFLOP budget; "
        f"use a smaller network, fewer windows, draws or epochs, or raise {option}",
    )
    return flops
