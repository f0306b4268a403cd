"""Bytes of parameters, gradients, Adam state and saved activations, from closed forms.

What is counted
---------------
* **Parameters** and **gradients**: one value per parameter of `count_parameters(spec)` (so the
  convention matters: PyTorch's two bias vectors), at the chosen dtype.
* **Adam state** (``torch.optim.Adam``, default options): ``exp_avg`` and ``exp_avg_sq`` (two
  values per parameter, same dtype) plus one float32 ``step`` counter per parameter tensor.
* **Activations saved for backward**, per sequence (batch 1; multiply by the batch size): the
  distinct storages that autograd keeps for the backward pass of the plain unrolled implementation
  (``F.linear`` per product, ``chunk``, ``sigmoid``/``tanh``/``relu``, products as in torch's cell
  equations; each layer's outputs stacked into one ``(k, width)`` sequence; zero initial states;
  the head reads the last step of the last layer's sequence, which keeps that whole sequence alive).
  Parameters are not activations and are excluded. Per sequence of k steps:

  - the input sequence: ``k*d``; every layer's output sequence that a later layer or the head
    reads: ``k * width_l`` (the last layer's only with a head);
  - per layer and direction: LSTM ``k*(s + 6h)`` (previous h, previous c, four gate activations,
    ``tanh(c)``), plus ``k*h`` with a projection (the unprojected output); GRU ``k*8h`` (previous
    h, the whole recurrent product ``W_hh h + b_hh`` of 3h, kept alive by its candidate slice,
    r, z, n and ``h - n``); vanilla RNN ``(k + 1)*h`` (the activations, which are also the next
    step's inputs, and the zero initial state).

  Fused kernels (cuDNN, oneDNN) save different workspaces; this is the figure for the unrolled
  cell, checked against ``torch.autograd.graph.saved_tensors_hooks`` in the tests. The activation
  figure follows torch's cell equations whatever `spec.convention` says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rnncap.arch.counts import count_parameters
from rnncap.arch.spec import Cell, RecurrentSpec
from rnncap.errors import require

#: Bytes per value of the dtypes the accounting knows.
DTYPE_BYTES = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2}

#: torch.optim.Adam keeps its `step` counter as a float32 scalar tensor per parameter tensor.
ADAM_STEP_BYTES = 4


def saved_activation_values(spec: RecurrentSpec) -> int:
    """Values autograd saves for backward for one sequence (batch 1); see the module doc."""
    k = spec.seq_len
    values = k * spec.input_size
    for layer in range(spec.num_layers):
        h, s = spec.hidden_sizes[layer], spec.state_size(layer)
        read_later = layer < spec.num_layers - 1 or spec.outputs > 0
        if read_later:
            values += k * spec.layer_output_size(layer)
        if spec.cell is Cell.LSTM:
            per_direction = k * (s + 6 * h + (h if spec.proj_size else 0))
        elif spec.cell is Cell.GRU:
            per_direction = k * 8 * h
        else:
            per_direction = (k + 1) * h
        values += spec.num_directions * per_direction
    return values


@dataclass(frozen=True)
class MemoryCount:
    """Memory of `spec` at one dtype, in bytes; activations are per sequence (batch 1)."""

    spec: RecurrentSpec
    dtype: str
    parameters: int  # number of parameter values
    parameter_tensors: int
    activation_values: int  # per sequence

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rnncap count --json`)
        "arch": "spec.name",
        "dtype": "dtype",
        "bytes_per_value": "bytes_per_value",
        "parameter_bytes": "parameter_bytes",
        "gradient_bytes": "gradient_bytes",
        "adam_bytes": "adam_bytes",
        "activation_values": "activation_values",
        "activation_bytes": "activation_bytes",
        "training_bytes_batch_1": "training_bytes_batch_1",
    }

    def __post_init__(self) -> None:
        require(
            self.dtype in DTYPE_BYTES,
            f"unknown dtype {self.dtype!r}; choose one of: {', '.join(DTYPE_BYTES)}",
        )

    @property
    def bytes_per_value(self) -> int:
        return DTYPE_BYTES[self.dtype]

    @property
    def parameter_bytes(self) -> int:
        return self.parameters * self.bytes_per_value

    @property
    def gradient_bytes(self) -> int:
        return self.parameter_bytes

    @property
    def adam_bytes(self) -> int:
        return 2 * self.parameter_bytes + ADAM_STEP_BYTES * self.parameter_tensors

    @property
    def activation_bytes(self) -> int:
        """Saved for backward, per sequence of ``spec.seq_len`` steps."""
        return self.activation_values * self.bytes_per_value

    def training_bytes(self, batch_size: int) -> int:
        """Parameters + gradients + Adam state + activations of one batch."""
        require(batch_size >= 1, f"batch size must be >= 1; got {batch_size}")
        fixed = self.parameter_bytes + self.gradient_bytes + self.adam_bytes
        return fixed + batch_size * self.activation_bytes

    @property
    def training_bytes_batch_1(self) -> int:
        return self.training_bytes(1)


def count_memory(spec: RecurrentSpec, dtype: str = "float32") -> MemoryCount:
    """Parameter, gradient, Adam and saved-activation bytes of `spec` at `dtype`."""
    params = count_parameters(spec)
    return MemoryCount(
        spec=spec,
        dtype=dtype,
        parameters=params.total,
        parameter_tensors=len(params.tensors),
        activation_values=saved_activation_values(spec),
    )
