"""`spec_from_state_dict`: the recurrent stacks of a PyTorch ``state_dict``, from names and shapes.

A state_dict holds no module types, so the reader infers them from PyTorch's tensor names:
``{prefix}weight_ih_l{k}[_reverse]``, ``weight_hh``, ``bias_ih``, ``bias_hh`` and ``weight_hr``
belong to one ``nn.LSTM/GRU/RNN`` called ``prefix``; the gate count G = rows of ``weight_hh`` / h
tells the cell (4 LSTM, 3 GRU, 1 RNN). Every inferred module is checked tensor by tensor against
the closed forms of `count_parameters`, so a wrong guess is refused rather than miscounted.
Modules follow each other in registration order (the order of the dict), chained as in
`spec_from_module`; a ``weight`` (2-D) + ``bias`` pair right after a stack, reading its output
width, is its head. Everything else is listed by module name. An ``nn.RNN``'s nonlinearity is not
stored: it is read as tanh (PyTorch's default) and said so in `ModuleReading.notes`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from rnncap.arch.counts import count_parameters
from rnncap.arch.reader import ModuleReading, UnrecognizedModule, add_to_stacks
from rnncap.arch.spec import Cell, RecurrentSpec

_RECURRENT = re.compile(
    r"^(?P<prefix>.*?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)"
    r"_l(?P<layer>\d+)(?P<reverse>_reverse)?$"
)
#: Buffers, not parameters: not counted by ``sum(p.numel() for p in model.parameters())``.
_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")
_GATES = {4: Cell.LSTM, 3: Cell.GRU, 1: Cell.RNN_TANH}


def _shape(tensor) -> tuple[int, ...]:
    return tuple(int(s) for s in tensor.shape)


def _module_of(key: str) -> str:
    m = _RECURRENT.match(key)
    if m:
        return m.group("prefix").rstrip(".")
    return key.rsplit(".", 1)[0] if "." in key else ""


def _infer(shapes: dict[str, tuple[int, ...]]) -> RecurrentSpec | str:
    """The one-module spec whose PyTorch tensors are exactly `shapes`, or why there is none."""
    hh, ih = shapes.get("weight_hh_l0"), shapes.get("weight_ih_l0")
    if hh is None or ih is None or len(hh) != 2 or len(ih) != 2:
        return "recurrent tensor names without weight_ih_l0 and weight_hh_l0 matrices"
    hr = shapes.get("weight_hr_l0")
    hidden = hr[1] if hr is not None and len(hr) == 2 else hh[1]
    gates, rest = divmod(hh[0], hidden) if hidden else (0, 1)
    if rest or gates not in _GATES:
        return f"weight_hh_l0 of shape {hh} fits no nn.LSTM, nn.GRU or nn.RNN"
    indices = [_RECURRENT.match(k) for k in shapes]
    layers = 1 + max(int(m.group("layer")) for m in indices if m)
    try:
        spec = RecurrentSpec(
            cell=_GATES[gates],
            input_size=ih[1],
            hidden_sizes=(hidden,) * layers,
            bidirectional=any(k.endswith("_reverse") for k in shapes),
            proj_size=hr[0] if hr is not None else 0,
            bias="bias_ih_l0" in shapes,
        )
    except Exception as exc:  # an impossible combination: say why
        return f"tensors fit no nn.LSTM, nn.GRU or nn.RNN ({exc})"
    expected = {t.tensor: t.shape for t in count_parameters(spec).tensors}
    if expected != shapes:
        return "tensor names or shapes differ from those of an nn.LSTM, nn.GRU or nn.RNN"
    return spec


def spec_from_state_dict(state: Mapping) -> ModuleReading:
    """Read every recurrent stack (with its linear head) out of a PyTorch ``state_dict``."""
    groups: dict[str, dict[str, tuple[int, ...]]] = {}
    recurrent: set[str] = set()
    buffers = 0
    for key, tensor in state.items():
        if str(key).rsplit(".", 1)[-1] in _BUFFERS:
            buffers += 1
            continue
        module = _module_of(str(key))
        local = str(key)[len(module) + 1 :] if module else str(key)
        groups.setdefault(module, {})[local] = _shape(tensor)
        if _RECURRENT.match(str(key)):
            recurrent.add(module)
    stacks: list[RecurrentSpec] = []
    unknown: list[UnrecognizedModule] = []
    notes: list[str] = []
    open_stack = False
    for module, shapes in groups.items():
        own = sum(math.prod(s) for s in shapes.values())
        name = module or "(root)"
        if module in recurrent:
            spec = _infer(shapes)
            if isinstance(spec, str):
                unknown.append(UnrecognizedModule(name, "recurrent?", own, spec))
                open_stack = False
                continue
            if spec.cell is Cell.RNN_TANH:
                notes.append(
                    f"{name}: an nn.RNN's nonlinearity is not stored in a state_dict; read as "
                    "tanh (PyTorch's default)"
                )
            add_to_stacks(stacks, spec, open_stack)
            open_stack = True
            continue
        w, b = shapes.get("weight"), shapes.get("bias")
        linear = set(shapes) == {"weight", "bias"} and len(w or ()) == 2 and len(b or ()) == 1
        if open_stack and linear:
            last = stacks[-1]
            rows, width = w  # type: ignore[misc]
            if width == last.layer_output_size(last.num_layers - 1) and b == (rows,):
                stacks[-1] = last.replace(outputs=rows)
                open_stack = False
                continue
        why = (
            "linear layer after a stack, but not its head (width or bias differs)"
            if open_stack and "weight" in shapes
            else "not a recurrent layer or the linear head of one"
        )
        unknown.append(UnrecognizedModule(name, "tensors: " + ", ".join(shapes), own, why))
        open_stack = False
    if buffers:
        notes.append(f"{buffers} buffers (running statistics) are not parameters: not counted")
    total = sum(math.prod(s) for g in groups.values() for s in g.values())
    return ModuleReading(tuple(stacks), tuple(unknown), total, "state_dict", (), tuple(notes))
