"""Identifiable parameters of a memorization network, beside its headline count w.

Bits per parameter divides by w, every weight PyTorch stores (`count_parameters`): that stays the
headline denominator, as in Collins et al. Two kinds of stored weight cannot carry a bit of their
own under the memorization protocol (the input at the first of k steps, zeros after, zero initial
state), and this count leaves them out:

* **one bias per gate.** PyTorch adds two biases, b_ih + b_hh, to every gate pre-activation; only
  their sum acts, so each pair is one identifiable bias. The GRU's new gate is the exception:
  n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) puts b_hn inside the reset gate's product, so
  only its reset and update gates have a redundant bias.
* **weights that get no gradient.** An LSTM's forget gate multiplies the previous cell state: at
  step 1 that is c0 = 0, and at later steps the input is zero, so the first layer's forget-gate
  input weights (forward direction) never act. With k = 1 (no delay) every hidden-to-hidden
  weight multiplies h0 = 0, and every LSTM forget gate (input weights and bias) multiplies c0 = 0.
  One bidirectional layer with k > 1 reads its reverse direction at the last step, where that
  direction has seen one zero input from a zero state: a constant, so all its weights and the
  head's weights on it act as one head bias. (Stacked bidirectional layers are not counted.)

A test compares the count with the rank of the Jacobian of a torch.nn network's outputs with
respect to its parameters, on inputs of the protocol's shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rnncap.arch import Cell, Convention, RecurrentSpec, count_parameters
from rnncap.errors import require
from rnncap.plain import to_plain


@dataclass(frozen=True)
class Unidentifiable:
    """Stored weights that carry no bit of their own: what, how many, and why."""

    what: str
    count: int
    why: str


@dataclass(frozen=True)
class IdentifiableCount:
    """w (the headline denominator) and the identifiable parameters under the protocol."""

    arch: str
    parameters: int
    left_out: tuple[Unidentifiable, ...]

    DENOMINATOR: ClassVar = "parameters (w, every stored weight, as Collins et al.)"
    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes
        "parameters": "parameters",
        "identifiable_parameters": "identifiable",
        "denominator": "DENOMINATOR",
        "left_out": "left_out",
    }

    @property
    def identifiable(self) -> int:
        return self.parameters - sum(u.count for u in self.left_out)


def _gate_biases_redundant(cell: Cell, hidden: int) -> int:
    """Biases per layer and direction that duplicate another (b_ih + b_hh acting as one)."""
    return {Cell.LSTM: 4, Cell.GRU: 2}.get(cell, 1) * hidden


def _layer_unidentifiable(
    spec: RecurrentSpec, layer: int, dirs: int, one_step: bool
) -> list[Unidentifiable]:
    """The weights of one layer (its `dirs` directions) the protocol cannot identify."""
    out: list[Unidentifiable] = []
    h, name = spec.hidden_sizes[layer], f"layer {layer + 1}"
    if spec.bias:
        out.append(
            Unidentifiable(
                f"{name}: second bias per gate (b_hh beside b_ih)",
                dirs * _gate_biases_redundant(spec.cell, h),
                "only the sum b_ih + b_hh acts on a gate",
            )
        )
    if one_step:
        out.append(
            Unidentifiable(
                f"{name}: hidden-to-hidden weights",
                dirs * spec.cell.gates * h * spec.state_size(layer),
                "k = 1: they multiply the zero initial state",
            )
        )
    if spec.cell is Cell.LSTM and (one_step or layer == 0):
        out.append(
            Unidentifiable(
                f"{name}: forget-gate input weights",
                dirs * h * spec.layer_input_size(layer),
                "the forget gate multiplies c0 = 0 where the input is seen; after it the "
                "input is zero",
            )
        )
        if one_step and spec.bias:
            out.append(
                Unidentifiable(
                    f"{name}: forget-gate bias",
                    dirs * h,
                    "k = 1: the forget gate multiplies c0 = 0",
                )
            )
    return out


def identifiable_parameters(spec: RecurrentSpec) -> IdentifiableCount:
    """w of `spec` with one output, and the weights that are not identifiable under the
    memorization protocol (input at step 1 of ``spec.seq_len``, zeros after, zero initial state).
    """
    require(
        spec.convention is Convention.TORCH,
        "the identifiable-parameter count follows PyTorch's layout; give a torch-convention spec",
    )
    require(
        not (spec.bidirectional and spec.num_layers > 1),
        "the identifiable-parameter count covers unidirectional stacks and one bidirectional "
        f"layer; {spec.name} stacks bidirectional layers",
    )
    spec = spec.replace(outputs=1)
    w = count_parameters(spec).total
    one_step = spec.seq_len == 1
    out: list[Unidentifiable] = []
    dirs = spec.num_directions
    if spec.bidirectional and not one_step:
        h = spec.hidden_sizes[0]
        reverse = sum(t.count for t in count_parameters(spec).tensors if t.direction == "reverse")
        out.append(
            Unidentifiable(
                "layer 1: the reverse direction and the head's weights on it",
                reverse + h,
                "read at the last step, the reverse direction has seen one zero input from a "
                "zero state: a constant that only shifts the head's bias",
            )
        )
        dirs = 1
    for layer in range(spec.num_layers):
        out += _layer_unidentifiable(spec, layer, dirs, one_step)
    return IdentifiableCount(spec.name, w, tuple(u for u in out if u.count))


def identifiable_summary(spec: RecurrentSpec, capacity: dict) -> dict:
    """The JSON block beside w: the count, what it leaves out and why, and `capacity` (a bits
    `summary`) per identifiable parameter; for a stack it does not cover, the reason instead."""
    from rnncap.capacity.stats import scaled

    if spec.bidirectional and spec.num_layers > 1:
        return {"identifiable_parameters": None,
                "note": "not counted for stacked bidirectional layers"}  # fmt: skip
    count = identifiable_parameters(spec)
    return {
        **to_plain(count),
        "bits_per_identifiable_parameter": scaled(capacity, 1 / max(count.identifiable, 1)),
    }
