"""`spec_from_module`: the recurrent stacks inside any `torch.nn.Module`, as `RecurrentSpec`s.

The reader walks the modules in registration order (``named_modules()``, the forward order of
``Sequential`` and ``ModuleList`` models) and chains what it understands:

* ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` (any ``num_layers``) start a stack, or extend the current
  one when the cell, direction, bias and projection agree and the input width equals the stack's
  output width (as in `RecurrentModel`'s ``ModuleList`` of single-layer modules);
* an ``nn.Linear`` with a bias right after a stack, reading its output width, is that stack's head;
* parameter-free layers (dropout, identity, activations, flatten) are understood and skipped.

Every other module that holds parameters of its own (and any ``nn.Linear`` that is not a head) is
reported by name in `ModuleReading.unrecognized`, never ignored silently. torch is imported only
inside this module. The sequence length is not part of a module: specs get ``seq_len`` 1 unless
given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rnncap.arch.counts import total_parameters
from rnncap.arch.spec import Cell, RecurrentSpec
from rnncap.errors import InvalidInput

_PARAMETER_FREE = (
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "AlphaDropout",
    "Identity",
    "Flatten",
    "Unflatten",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "GELU",
    "LeakyReLU",
    "ELU",
    "SiLU",
    "Softmax",
    "LogSoftmax",
    "Hardtanh",
    "Softplus",
)


@dataclass(frozen=True)
class UnrecognizedModule:
    """A module (by its dotted name) whose parameters no returned spec accounts for, and why."""

    name: str
    kind: str  # class name
    parameters: int  # its own parameters (not those of children)
    reason: str


@dataclass(frozen=True)
class ModuleReading:
    """What `spec_from_module` found: a spec per recurrent stack, and what it did not understand."""

    stacks: tuple[RecurrentSpec, ...]
    unrecognized: tuple[UnrecognizedModule, ...]
    module_parameters: int  # sum(p.numel()) of the whole module (model.count_params() in Keras)
    source: str = "torch module"  # "torch module", "state_dict" or "keras"
    seq_lens: tuple[int | None, ...] = ()  # per stack: the input length the model fixes, or None
    notes: tuple[str, ...] = ()  # what the reader assumed (e.g. an nn.RNN's nonlinearity)

    PLAIN_EXTRA: ClassVar = ("accounted_parameters",)  # `rnncap.plain.to_plain` writes them too

    def fixed_seq_len(self, stack: int) -> int | None:
        """The input length the model itself fixes for `stack` (None: not part of the model)."""
        return self.seq_lens[stack] if stack < len(self.seq_lens) else None

    @property
    def accounted_parameters(self) -> int:
        """Parameters covered by the specs (exact counts) plus those of unrecognized modules."""
        specs = sum(total_parameters(s) for s in self.stacks)
        return specs + sum(u.parameters for u in self.unrecognized)


def _cell_of(module) -> Cell:
    kind = type(module).__name__
    if kind == "LSTM":
        return Cell.LSTM
    if kind == "GRU":
        return Cell.GRU
    return Cell.RNN_RELU if module.nonlinearity == "relu" else Cell.RNN_TANH


def _as_spec(module, seq_len: int) -> RecurrentSpec:
    return RecurrentSpec(
        cell=_cell_of(module),
        input_size=module.input_size,
        hidden_sizes=(module.hidden_size,) * module.num_layers,
        seq_len=seq_len,
        bidirectional=module.bidirectional,
        proj_size=getattr(module, "proj_size", 0),
        bias=module.bias,
    )


def _extends(stack: RecurrentSpec, nxt: RecurrentSpec) -> bool:
    same = (stack.cell, stack.bidirectional, stack.bias, stack.proj_size) == (
        nxt.cell,
        nxt.bidirectional,
        nxt.bias,
        nxt.proj_size,
    )
    width = stack.layer_output_size(stack.num_layers - 1)
    return same and stack.outputs == 0 and nxt.input_size == width


def add_to_stacks(stacks: list[RecurrentSpec], spec: RecurrentSpec, open_stack: bool) -> None:
    """Append `spec`'s layers to the open last stack when they continue it, else start a new
    stack (shared by the module and the state_dict readers)."""
    if open_stack and _extends(stacks[-1], spec):
        last = stacks[-1]
        stacks[-1] = last.replace(hidden_sizes=last.hidden_sizes + spec.hidden_sizes)
    else:
        stacks.append(spec)


def spec_from_module(model, seq_len: int = 1) -> ModuleReading:
    """Read every recurrent stack (with its linear head) out of the torch module `model`.

    Parameters
    ----------
    model : torch.nn.Module
    seq_len : int, default=1
        Sequence length to put in the specs (a module does not fix it).
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise InvalidInput(f"expected a torch.nn.Module; got {type(model).__name__}")
    stacks: list[RecurrentSpec] = []
    open_stack = False  # whether stacks[-1] may still grow or take a head
    unknown: list[UnrecognizedModule] = []
    recurrent = (torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN)
    for name, module in model.named_modules():
        own = sum(p.numel() for p in module.parameters(recurse=False))
        if isinstance(module, recurrent):
            add_to_stacks(stacks, _as_spec(module, seq_len), open_stack)
            open_stack = True
        elif isinstance(module, torch.nn.Linear) and open_stack:
            last = stacks[-1]
            width = last.layer_output_size(last.num_layers - 1)
            if module.bias is not None and module.in_features == width:
                stacks[-1] = last.replace(outputs=module.out_features)
                open_stack = False
            else:
                why = "linear layer after a stack, but not its head (width or bias differs)"
                unknown.append(UnrecognizedModule(name, "Linear", own, why))
                open_stack = False
        elif type(module).__name__ in _PARAMETER_FREE and own == 0:
            continue
        elif own:
            why = "not a recurrent layer or the linear head of one"
            unknown.append(UnrecognizedModule(name or "(root)", type(module).__name__, own, why))
            open_stack = False
        elif not any(True for _ in module.children()):
            why = "unknown layer type (no parameters, but its effect on the stack is unknown)"
            unknown.append(UnrecognizedModule(name or "(root)", type(module).__name__, 0, why))
    total = sum(p.numel() for p in model.parameters())
    return ModuleReading(tuple(stacks), tuple(unknown), total)
