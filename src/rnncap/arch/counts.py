"""Exact parameter counts from closed forms, per tensor, per layer and in total.

Conventions
-----------
PyTorch (`torch.nn.LSTM/GRU/RNN`): per layer and direction ``weight_ih (G*h, in)``,
``weight_hh (G*h, p or h)``, two bias vectors ``bias_ih``, ``bias_hh`` of ``G*h`` each, and for an
LSTM with ``proj_size=p`` also ``weight_hr (p, h)``. G is 4 (LSTM), 3 (GRU) or 1 (RNN).

Keras 3 (`keras.layers.LSTM/GRU/SimpleRNN`): ``kernel (in, G*h)``, ``recurrent_kernel (h, G*h)`` and
one ``bias (G*h)``, except a GRU with ``reset_after=True`` whose bias is ``(2, 3h)``.

The head is ``nn.Linear`` / ``Dense`` with its bias (whatever ``spec.bias`` says of the recurrent
layers): ``weight (n, width)`` / ``kernel (width, n)`` and ``bias (n)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from rnncap.arch.spec import Cell, Convention, RecurrentSpec


@dataclass(frozen=True)
class TensorCount:
    """One parameter tensor: where it sits, its name in the framework, its shape and size."""

    layer: str  # "layer 1", ..., or "head"
    direction: str  # "forward", "reverse" or "" (head)
    tensor: str  # framework name, e.g. "weight_ih_l0" or "kernel"
    shape: tuple[int, ...]

    PLAIN_EXTRA: ClassVar = ("count",)  # `rnncap.plain.to_plain` writes it after the fields

    @property
    def count(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class ParameterCount:
    """All tensors of a spec, with per-layer subtotals and the total."""

    spec: RecurrentSpec
    tensors: tuple[TensorCount, ...]

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rnncap count --json`)
        "arch": "spec.name",
        "convention": "spec.convention",
        "total": "total",
        "recurrent": "recurrent_total",
        "per_layer": "per_layer",
        "tensors": "tensors",
    }

    @property
    def total(self) -> int:
        return sum(t.count for t in self.tensors)

    @property
    def per_layer(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.tensors:
            out[t.layer] = out.get(t.layer, 0) + t.count
        return out

    @property
    def recurrent_total(self) -> int:
        """Parameters of the recurrent stack alone (head excluded)."""
        return sum(t.count for t in self.tensors if t.layer != "head")


def _torch_tensors(spec: RecurrentSpec, layer: int, reverse: bool) -> list[tuple[str, tuple]]:
    g, h = spec.cell.gates, spec.hidden_sizes[layer]
    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    out = [
        (f"weight_ih{sfx}", (g * h, spec.layer_input_size(layer))),
        (f"weight_hh{sfx}", (g * h, spec.state_size(layer))),
    ]
    if spec.bias:
        out += [(f"bias_ih{sfx}", (g * h,)), (f"bias_hh{sfx}", (g * h,))]
    if spec.proj_size:
        out.append((f"weight_hr{sfx}", (spec.proj_size, h)))
    return out


def _keras_tensors(spec: RecurrentSpec, layer: int) -> list[tuple[str, tuple]]:
    g, h = spec.cell.gates, spec.hidden_sizes[layer]
    out = [
        ("kernel", (spec.layer_input_size(layer), g * h)),
        ("recurrent_kernel", (h, g * h)),
    ]
    if spec.bias:
        two_rows = spec.cell is Cell.GRU and spec.reset_after
        out.append(("bias", (2, g * h) if two_rows else (g * h,)))
    return out


def count_parameters(spec: RecurrentSpec) -> ParameterCount:
    """Every parameter tensor of `spec` in its convention, from closed forms (no model is built)."""
    rows: list[TensorCount] = []
    for layer in range(spec.num_layers):
        for direction in range(spec.num_directions):
            dname = "reverse" if direction else "forward"
            if spec.convention is Convention.TORCH:
                tensors = _torch_tensors(spec, layer, bool(direction))
            else:
                tensors = _keras_tensors(spec, layer)
            rows += [TensorCount(f"layer {layer + 1}", dname, n, s) for n, s in tensors]
    if spec.outputs:
        width = spec.layer_output_size(spec.num_layers - 1)
        keras = spec.convention is Convention.KERAS
        rows.append(
            TensorCount(
                "head",
                "",
                "kernel" if keras else "weight",
                (width, spec.outputs) if keras else (spec.outputs, width),
            )
        )
        rows.append(TensorCount("head", "", "bias", (spec.outputs,)))  # a head always has a bias
    return ParameterCount(spec, tuple(rows))


def total_parameters(spec: RecurrentSpec) -> int:
    """Shorthand for ``count_parameters(spec).total``."""
    return count_parameters(spec).total
