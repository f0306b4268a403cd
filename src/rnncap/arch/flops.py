"""Multiply-accumulates and FLOPs of one sequence through a recurrent stack, from closed forms.

Convention (documented in docs/accounting.md)
---------------------------------------------
Per sequence of k steps, batch 1, every layer and direction, plus the head on the last step.

* **Matrix products** (MACs): per cell application ``G*h*in + G*h*s`` (input and recurrent
  products; ``s`` is the state width, p with an LSTM projection) plus ``p*h`` for the projection.
  A MAC is one multiply and one add, so matrix FLOPs are ``2 * MACs`` (the same convention as
  ``torch.utils.flop_counter.FlopCounterMode``: ``mm`` of (m, k) by (k, n) is ``2*m*k*n``).
  The head adds ``outputs * width`` MACs once per sequence.
* **Element-wise work** (FLOPs, not MACs): every add, multiply and activation (sigmoid, tanh, relu)
  counts one FLOP per element. Per hidden unit and cell application: LSTM 13 (4 sums of the two
  products, 4 activations, ``f*c + i*g`` = 3, ``tanh(c)`` = 1, ``o*tanh(c)`` = 1); GRU 10 (2 sums
  for r and z, ``r*(W_hn h)`` and its sum = 2, 3 activations, ``n + z*(h - n)`` = 3); vanilla RNN 2
  (one sum, one activation). Every bias element adds one FLOP per application (so PyTorch's two
  bias vectors cost twice Keras' one). The head's bias adds ``outputs``.
* **Training step** = forward + backward. Backward matrix work is counted as exactly twice the
  forward (one product for the weight gradient, one for the input gradient, including the first
  layer's input and the initial state): this is what FlopCounterMode measures when the input
  requires a gradient. Backward element-wise work is counted as twice the forward element-wise
  work, a convention (approximate, not measured).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rnncap.arch.counts import count_parameters
from rnncap.arch.spec import Cell, RecurrentSpec

#: Element-wise FLOPs per hidden unit per cell application, biases excluded (see module doc).
ELEMENTWISE_PER_UNIT = {Cell.LSTM: 13, Cell.GRU: 10, Cell.RNN_TANH: 2, Cell.RNN_RELU: 2}

#: Backward work as a multiple of the forward work (matrix products exactly; element-wise by
#: convention).
BACKWARD_FACTOR = 2


@dataclass(frozen=True)
class LayerFlops:
    """Work of one layer (both directions) or of the head, over one sequence.

    ``matmul_macs``: multiply-accumulates of the matrix products; ``elementwise_flops``: gate
    arithmetic, activations and bias adds.
    """

    layer: str  # "layer 1", ..., or "head"
    matmul_macs: int
    elementwise_flops: int

    PLAIN_EXTRA: ClassVar = ("forward_flops",)  # `rnncap.plain.to_plain` writes it after the fields

    def __post_init__(self) -> None:
        if self.matmul_macs < 0 or self.elementwise_flops < 0:
            raise ValueError("work counts must be >= 0")

    @property
    def forward_flops(self) -> int:
        return 2 * self.matmul_macs + self.elementwise_flops


@dataclass(frozen=True)
class FlopCount:
    """FLOPs of one sequence (batch 1) through `spec`: forward, backward and training step."""

    spec: RecurrentSpec
    layers: tuple[LayerFlops, ...]

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rnncap count --json`)
        "arch": "spec.name",
        "seq_len": "spec.seq_len",
        "matmul_macs": "matmul_macs",
        "matmul_flops": "matmul_flops",
        "elementwise_flops": "elementwise_flops",
        "forward_flops": "forward_flops",
        "backward_flops": "backward_flops",
        "training_flops": "training_flops",
        "per_layer": "layers",
    }

    @property
    def matmul_macs(self) -> int:
        return sum(r.matmul_macs for r in self.layers)

    @property
    def matmul_flops(self) -> int:
        return 2 * self.matmul_macs

    @property
    def elementwise_flops(self) -> int:
        return sum(r.elementwise_flops for r in self.layers)

    @property
    def forward_flops(self) -> int:
        return self.matmul_flops + self.elementwise_flops

    @property
    def backward_flops(self) -> int:
        return BACKWARD_FACTOR * self.forward_flops

    @property
    def training_flops(self) -> int:
        """Forward plus backward of one sequence (the optimizer update is not included)."""
        return self.forward_flops + self.backward_flops


def cell_matmul_macs(spec: RecurrentSpec, layer: int) -> int:
    """MACs of one cell application (one step, one direction) of `layer` (0-based)."""
    g, h = spec.cell.gates, spec.hidden_sizes[layer]
    macs = g * h * (spec.layer_input_size(layer) + spec.state_size(layer))
    return macs + spec.proj_size * h


def count_flops(spec: RecurrentSpec) -> FlopCount:
    """Matrix MACs and element-wise FLOPs of one sequence of ``spec.seq_len`` steps, batch 1."""
    params = count_parameters(spec)
    k, dirs = spec.seq_len, spec.num_directions
    rows = []
    for layer in range(spec.num_layers):
        name = f"layer {layer + 1}"
        bias_elements = sum(
            t.count for t in params.tensors if t.layer == name and t.tensor.startswith("bias")
        )  # both directions
        per_unit = ELEMENTWISE_PER_UNIT[spec.cell] * spec.hidden_sizes[layer]
        rows.append(
            LayerFlops(
                layer=name,
                matmul_macs=k * dirs * cell_matmul_macs(spec, layer),
                elementwise_flops=k * (dirs * per_unit + bias_elements),
            )
        )
    if spec.outputs:
        width = spec.layer_output_size(spec.num_layers - 1)
        rows.append(LayerFlops("head", spec.outputs * width, spec.outputs))
    return FlopCount(spec, tuple(rows))
