"""`RecurrentSpec`: what a recurrent stack is, validated once, with no torch object inside.

Architecture strings are the short form used by the CLI and the API::

    lstm:2x64        two LSTM layers of 64 units
    gru:64,32        a GRU layer of 64 units, then one of 32
    rnn_relu:3x16    three vanilla ReLU RNN layers of 16 units
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from enum import Enum

from rnncap.errors import InvalidInput, check_int, require, shown

#: Most layers a spec may have: per-layer tables, graphs and models grow with the depth.
MAX_LAYERS = 1000


class Cell(str, Enum):
    """Recurrent cell kinds, named as in `torch.nn` (`rnn_*` is `nn.RNN` with that nonlinearity)."""

    LSTM = "lstm"
    GRU = "gru"
    RNN_TANH = "rnn_tanh"
    RNN_RELU = "rnn_relu"

    @property
    def gates(self) -> int:
        """Number of gate blocks stacked in the weight matrices (PyTorch and Keras alike)."""
        return {"lstm": 4, "gru": 3}.get(self.value, 1)

    @property
    def is_vanilla(self) -> bool:
        return self in (Cell.RNN_TANH, Cell.RNN_RELU)


class Convention(str, Enum):
    """Whose parameter layout to count: PyTorch (two bias vectors) or Keras (one, GRU aside)."""

    TORCH = "torch"
    KERAS = "keras"


def _as_enum(enum: type[Enum], value: object, what: str) -> Enum:
    try:
        return enum(value.value if isinstance(value, Enum) else value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise InvalidInput(f"unknown {what} {value!r}; choose one of: {choices}") from None


#: Activations a gated cell's candidate/output may use (Keras allows any; these are the ones that
#: name a known activation class). A vanilla cell's activation is its cell: rnn_tanh or rnn_relu.
GATED_ACTIVATIONS = ("tanh", "relu", "sigmoid", "hard_sigmoid", "linear", "softsign", "elu",
                     "selu", "gelu", "silu")  # fmt: skip
#: Gate activations: PyTorch's sigmoid, or Keras 2's former default hard_sigmoid (piecewise linear;
#: Keras 2 used slope 0.2, Keras 3 uses relu6(x + 3) / 6, slope 1/6).
RECURRENT_ACTIVATIONS = ("sigmoid", "hard_sigmoid")
_VANILLA_ACTIVATION = {"rnn_tanh": "tanh", "rnn_relu": "relu"}


@dataclass(frozen=True)
class RecurrentSpec:
    """A stack of recurrent layers with an optional linear head.

    Parameters
    ----------
    cell : Cell or str
        ``lstm``, ``gru``, ``rnn_tanh`` or ``rnn_relu``.
    input_size : int
        Features per time step (d).
    hidden_sizes : tuple of int
        Units per layer, first layer first (h_1, ..., h_L).
    seq_len : int, default=1
        Input sequence length k, used by FLOPs, memory and the bounds.
    bidirectional : bool, default=False
    proj_size : int, default=0
        PyTorch LSTM projection size (0 = none); must be below every layer's width.
    bias : bool, default=True
    outputs : int, default=0
        Width of the linear head on the last time step's output (0 = no head).
    convention : Convention or str, default="torch"
    reset_after : bool, default=True
        Keras GRU bias layout (True: Keras 3 default, two bias rows).
    activation : str, default="" (the cell's own)
        Candidate/output activation: ``tanh`` for LSTM/GRU as in PyTorch (Keras allows others);
        for a vanilla cell it is the cell's nonlinearity (``rnn_relu`` -> ``relu``).
    recurrent_activation : str, default="sigmoid"
        Gate activation of LSTM/GRU: ``sigmoid`` (PyTorch) or ``hard_sigmoid`` (a Keras option).
    """

    cell: Cell
    input_size: int
    hidden_sizes: tuple[int, ...]
    seq_len: int = 1
    bidirectional: bool = False
    proj_size: int = 0
    bias: bool = True
    outputs: int = 0
    convention: Convention = Convention.TORCH
    reset_after: bool = True
    activation: str = ""
    recurrent_activation: str = "sigmoid"
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "cell", _as_enum(Cell, self.cell, "cell"))
        set_(self, "convention", _as_enum(Convention, self.convention, "convention"))
        check_int(self.input_size, "input size", low=1, hint="e.g. input_size=10")
        check_int(self.seq_len, "sequence length", low=1, hint="e.g. seq_len=120")
        sizes = tuple(self.hidden_sizes) if isinstance(self.hidden_sizes, (list, tuple)) else ()
        require(len(sizes) >= 1, "a stack needs at least one layer (e.g. lstm:2x64)")
        require(
            len(sizes) <= MAX_LAYERS,
            f"a stack may have at most {MAX_LAYERS:,} layers; got {len(sizes):,}",
        )
        for i, h in enumerate(sizes, start=1):
            check_int(h, f"layer {i} units", low=1, hint="e.g. lstm:2x64 or gru:64,32")
        set_(self, "hidden_sizes", tuple(int(h) for h in sizes))
        p = check_int(self.proj_size, "proj size", low=0, hint="0 for none")
        if p:
            require(
                self.cell is Cell.LSTM,
                f"proj size applies to LSTM only; got cell {self.cell.value}",
            )
            require(
                self.convention is Convention.TORCH,
                "proj size is a PyTorch option, Keras has none (use convention=torch)",
            )
            require(
                p < min(sizes),
                f"proj size must be smaller than every layer's units; got {p} >= {min(sizes)} "
                f"(use a proj size below {min(sizes)}, or 0 for none)",
            )
        check_int(self.outputs, "outputs", low=0, hint="e.g. outputs=1")
        self._check_activations()
        if not self.name:
            set_(self, "name", self.arch_string())

    def _check_activations(self) -> None:
        own = _VANILLA_ACTIVATION.get(self.cell.value, "tanh")
        act = str(self.activation or own).strip().lower()
        rec = str(self.recurrent_activation).strip().lower()
        if self.cell.is_vanilla:
            hint = f"use cell rnn_{act}" if act in _VANILLA_ACTIVATION.values() else "tanh or relu"
            require(act == own, f"{self.cell.value} has activation {own}; got {act!r} ({hint})")
            require(rec == "sigmoid", f"a vanilla RNN has no gates; got gate activation {rec!r}")
        else:
            require(
                act in GATED_ACTIVATIONS,
                f"unknown activation {act!r}; choose one of: {', '.join(GATED_ACTIVATIONS)}",
            )
            require(
                rec in RECURRENT_ACTIVATIONS,
                f"unknown recurrent activation {rec!r}; choose one of: "
                f"{', '.join(RECURRENT_ACTIVATIONS)}",
            )
            if self.convention is Convention.TORCH:
                require(
                    (act, rec) == ("tanh", "sigmoid"),
                    f"PyTorch's {self.cell.value} uses tanh and sigmoid; got {act} and {rec} "
                    "(a Keras option: use convention=keras)",
                )
        object.__setattr__(self, "activation", act)
        object.__setattr__(self, "recurrent_activation", rec)

    # -- shape helpers ---------------------------------------------------------------------
    @property
    def num_layers(self) -> int:
        return len(self.hidden_sizes)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def state_size(self, layer: int) -> int:
        """Width of h_t for one direction of `layer` (0-based): p if projected, else h."""
        return self.proj_size or self.hidden_sizes[layer]

    def layer_input_size(self, layer: int) -> int:
        """Features entering `layer` (0-based): d for the first, the previous output after that."""
        return self.input_size if layer == 0 else self.layer_output_size(layer - 1)

    def layer_output_size(self, layer: int) -> int:
        return self.num_directions * self.state_size(layer)

    @property
    def output_size(self) -> int:
        """Width of what the stack hands to the head (or returns, without one)."""
        return self.outputs or self.layer_output_size(self.num_layers - 1)

    @property
    def is_uniform(self) -> bool:
        return len(set(self.hidden_sizes)) == 1

    def arch_string(self) -> str:
        """The short form, e.g. ``lstm:2x64`` or ``gru:64,32``."""
        hs = self.hidden_sizes
        body = f"{len(hs)}x{hs[0]}" if len(set(hs)) == 1 else ",".join(map(str, hs))
        return f"{self.cell.value}:{body}"

    def replace(self, **changes: object) -> RecurrentSpec:
        """A copy with some fields changed (validated again)."""
        changes.setdefault("name", "")
        if "cell" in changes:  # a new cell brings its own activations unless they are given
            changes.setdefault("activation", "")
            changes.setdefault("recurrent_activation", "sigmoid")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: dict) -> RecurrentSpec:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        require(not unknown, f"unknown spec keys {unknown}; known keys: {sorted(known)}")
        return cls(**{**data, "hidden_sizes": tuple(data.get("hidden_sizes", ()))})


_ARCH = re.compile(r"^\s*(?P<cell>[a-z_]+)\s*:\s*(?P<body>.+?)\s*$", re.IGNORECASE)
_UNIFORM = re.compile(
    r"^(?P<layers>\d{1,30})\s*[x\*]\s*(?P<units>\d{1,30})$", re.IGNORECASE | re.ASCII
)
_LIST = re.compile(r"^\d{1,30}(\s*[,\-]\s*\d{1,30})*$", re.ASCII)

ARCH_HELP = "write CELL:LxH or CELL:H1,H2,... e.g. lstm:2x64, gru:64,32, rnn_relu:3x16"


def parse_arch(text: str, *, input_size: int = 1, **options: object) -> RecurrentSpec:
    """Parse an architecture string such as ``lstm:2x64`` into a `RecurrentSpec`.

    Other fields (``seq_len``, ``bidirectional``, ``proj_size``, ``outputs``, ``convention``...)
    are passed as keyword options.
    """
    m = _ARCH.match(str(text))
    require(m is not None, f"malformed architecture {shown(text)}; {ARCH_HELP}")
    body = m.group("body")  # type: ignore[union-attr]
    uniform = _UNIFORM.match(body)
    if uniform:
        layers, units = int(uniform.group("layers")), int(uniform.group("units"))
        check_int(
            layers, f"the number of layers in {shown(text)}", low=1, high=MAX_LAYERS, hint=ARCH_HELP
        )
        sizes: tuple[int, ...] = (units,) * layers
    elif _LIST.match(body):
        sizes = tuple(int(s) for s in re.split(r"\s*[,\-]\s*", body))
    else:
        raise InvalidInput(f"malformed architecture {shown(text)}; {ARCH_HELP}")
    return RecurrentSpec(
        cell=m.group("cell").lower(),  # type: ignore[union-attr, arg-type]
        input_size=input_size,
        hidden_sizes=sizes,
        **options,  # type: ignore[arg-type]
    )
