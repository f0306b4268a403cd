"""`spec_from_keras`: the recurrent stacks inside a built Keras 3 model, as `RecurrentSpec`s.

The reader follows the model's graph (each layer's inbound node), so functional models with
branches chain only layers that really feed each other:

* ``LSTM`` / ``GRU`` / ``SimpleRNN`` (or ``RNN`` around one ``LSTMCell`` / ``GRUCell`` /
  ``SimpleRNNCell``), alone or in a ``Bidirectional`` with ``merge_mode="concat"``, start a stack,
  or extend the stack whose last layer returned sequences into it when cell, direction, bias and
  activations agree;
* a ``Dense`` with a bias reading a stack's last step (``return_sequences=False``) is its head
  (a non-decreasing output activation such as sigmoid leaves the count and the pseudo-dimension
  bounds unchanged, Anthony & Bartlett 1999 Thm 11.3; any activation other than linear is noted);
* parameter-free layers (``Dropout``, ``Masking``, ``Activation``, noise...) pass the stack
  through.

Everything else with weights is listed by name in `ModuleReading.unrecognized`. Specs use the Keras
convention, so ``count_parameters`` equals ``model.count_params()`` for what is mapped. keras is
never imported here: the model object is read through its attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnncap.arch.reader import ModuleReading, UnrecognizedModule
from rnncap.arch.spec import GATED_ACTIVATIONS, RECURRENT_ACTIVATIONS, Cell, RecurrentSpec
from rnncap.errors import InvalidInput

_CELLS = {"LSTMCell": Cell.LSTM, "GRUCell": Cell.GRU, "SimpleRNNCell": None}
_PASS_THROUGH = (
    "Dropout",
    "SpatialDropout1D",
    "AlphaDropout",
    "GaussianDropout",
    "GaussianNoise",
    "ActivityRegularization",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Identity",
    "Masking",
)
#: Elementwise non-decreasing output maps: a head with one of them keeps the count and the
#: pseudo-dimension bounds (Anthony & Bartlett 1999, Thm 11.3); others get a note.
_MONOTONE = ("linear", "sigmoid", "tanh", "relu", "hard_sigmoid", "softplus", "elu", "selu",
             "exponential", "relu6", "silu", "gelu")  # fmt: skip


@dataclass
class _Stack:
    spec: RecurrentSpec
    seq_len: int | None  # fixed input length of its first layer, None when not fixed
    sequences: bool  # whether its last layer returns every step


@dataclass(frozen=True)
class _Tap:
    """What a layer's output is: the output of stack `index` when it had `layers` layers."""

    index: int
    layers: int


def _recurrent(layer) -> tuple[object, object] | None:
    """(the layer holding the weights, its cell) for a mappable recurrent layer, else None."""
    inner = layer.forward_layer if type(layer).__name__ == "Bidirectional" else layer
    cell = getattr(inner, "cell", None)
    if cell is None or type(cell).__name__ not in _CELLS:
        return None
    return inner, cell


def _layer_spec(layer, inner, cell) -> tuple[RecurrentSpec, int | None] | str:
    """The one-layer spec of a recurrent layer, or the reason it cannot be one."""
    conf = cell.get_config()
    act = str(conf.get("activation", "tanh"))
    rec = str(conf.get("recurrent_activation", "sigmoid"))
    kind = _CELLS[type(cell).__name__]
    if kind is None:  # SimpleRNN: the activation names the cell
        if act not in ("tanh", "relu"):
            return f"SimpleRNN activation {act!r}: rnncap models tanh or relu"
        kind, act, rec = Cell(f"rnn_{act}"), "", "sigmoid"
    elif act not in GATED_ACTIVATIONS or rec not in RECURRENT_ACTIVATIONS:
        return f"activation {act!r} / recurrent activation {rec!r} not modelled"
    bidirectional = inner is not layer
    if bidirectional:
        if layer.merge_mode != "concat":
            return f"Bidirectional merge_mode {layer.merge_mode!r}: rnncap models 'concat'"
        if layer.backward_layer.cell.get_config()["units"] != conf["units"]:
            return "Bidirectional with a backward layer unlike its forward layer"
    kernel = cell.kernel.shape
    shape = _input_shape(layer)
    seq_len = shape[1] if shape is not None and len(shape) == 3 else None
    spec = RecurrentSpec(
        cell=kind,
        input_size=int(kernel[0]),
        hidden_sizes=(int(conf["units"]),),
        seq_len=int(seq_len) if seq_len else 1,
        bidirectional=bidirectional,
        bias=bool(conf.get("use_bias", True)),
        convention="keras",
        reset_after=bool(conf.get("reset_after", True)),
        activation=act,
        recurrent_activation=rec,
    )
    return spec, (int(seq_len) if seq_len else None)


def _input_shape(layer) -> tuple | None:
    """The shape of the tensor the layer was called on (its first inbound node), if known."""
    nodes = getattr(layer, "_inbound_nodes", None)
    tensors = getattr(nodes[0], "input_tensors", None) if nodes else None
    first = tensors[0] if tensors else getattr(layer, "input", None)
    shape = getattr(first, "shape", None)
    return tuple(shape) if shape is not None else None


def _parents(layer, previous) -> list:
    """The layers feeding `layer` (its first inbound node); the previous one if unknown."""
    nodes = getattr(layer, "_inbound_nodes", None)
    if not nodes:
        return [previous] if previous is not None else []
    return [node.operation for node in nodes[0].parent_nodes]


def _extends(stack: _Stack, nxt: RecurrentSpec) -> bool:
    last = stack.spec
    same = ("cell", "bidirectional", "bias", "reset_after", "activation", "recurrent_activation")
    width = last.layer_output_size(last.num_layers - 1)
    agree = all(getattr(last, f) == getattr(nxt, f) for f in same)
    return stack.sequences and last.outputs == 0 and agree and nxt.input_size == width


def _params(layer) -> int:
    return int(sum(_size(w.shape) for w in layer.weights))


def _size(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


class _Walk:
    """One pass over the layers in graph order, remembering which stack each output carries."""

    def __init__(self) -> None:
        self.stacks: list[_Stack] = []
        self.unknown: list[UnrecognizedModule] = []
        self.notes: list[str] = []
        self.taps: dict[int, _Tap | None] = {}

    def tap_of(self, layer, previous) -> _Tap | None:
        parents = _parents(layer, previous)
        if len(parents) != 1:
            return None
        tap = self.taps.get(id(parents[0]))
        if tap is None or self.stacks[tap.index].spec.num_layers != tap.layers:
            return None  # another layer already grew that stack past this output
        return tap

    def visit(self, layer, previous, prefix: str) -> None:
        name, kind = prefix + layer.name, type(layer).__name__
        if hasattr(layer, "layers") and hasattr(layer, "count_params"):  # a nested model
            self.visit_nested(layer, previous, name)
            return
        tap = self.tap_of(layer, previous)
        self.taps[id(layer)] = None
        own = _params(layer)
        if kind == "InputLayer":
            return
        recurrent = _recurrent(layer)
        if recurrent is not None:
            self.visit_recurrent(layer, recurrent, tap, name, kind, own)
            return
        if kind == "Dense" and tap is not None:
            why = self.visit_dense(layer, tap, name)
            if why is not None:
                self.unknown.append(UnrecognizedModule(name, kind, own, why))
            return
        if kind in _PASS_THROUGH and own == 0:
            self.taps[id(layer)] = tap
            return
        if own:
            why = "not a recurrent layer or the Dense head of one"
        else:
            why = "unknown layer type (no parameters, but its effect on the stack is unknown)"
        self.unknown.append(UnrecognizedModule(name, kind, own, why))

    def visit_nested(self, model, previous, name: str) -> None:
        """A model inside the model: its layers in order, its output the last one's."""
        inner_prev = previous
        self.taps[id(model)] = None
        for sub in model.layers:
            if type(sub).__name__ == "InputLayer":
                self.taps[id(sub)] = self.tap_of(model, previous)
                continue
            self.visit(sub, inner_prev, name + "/")
            inner_prev = sub
        if model.layers:
            self.taps[id(model)] = self.taps.get(id(model.layers[-1]))

    def visit_recurrent(self, layer, recurrent, tap: _Tap | None, name, kind, own) -> None:
        """A recurrent layer: a new stack, or the next layer of the stack it reads from."""
        read = _layer_spec(layer, *recurrent)
        if isinstance(read, str):
            self.unknown.append(UnrecognizedModule(name, kind, own, read))
            return
        spec, seq_len = read
        sequences = bool(getattr(recurrent[0], "return_sequences", False))
        stack = self.stacks[tap.index] if tap is not None else None
        if tap is not None and stack is not None and _extends(stack, spec):
            sizes = stack.spec.hidden_sizes + spec.hidden_sizes
            stack.spec = stack.spec.replace(hidden_sizes=sizes)
            stack.sequences = sequences
            self.taps[id(layer)] = _Tap(tap.index, stack.spec.num_layers)
        else:
            self.stacks.append(_Stack(spec, seq_len, sequences))
            self.taps[id(layer)] = _Tap(len(self.stacks) - 1, 1)

    def visit_dense(self, layer, tap: _Tap, name: str) -> str | None:
        """A Dense layer on a stack's output: its head (None), or why it is not one."""
        stack = self.stacks[tap.index]
        width = stack.spec.layer_output_size(stack.spec.num_layers - 1)
        kernel = layer.kernel.shape
        if stack.sequences:
            return "Dense on every time step (return_sequences=True); a head reads the last step"
        if not layer.use_bias:
            return "Dense without a bias: not a linear head"
        if stack.spec.outputs or int(kernel[0]) != width:
            return "Dense after a stack, but not its head (width differs)"
        stack.spec = stack.spec.replace(outputs=int(kernel[1]))
        act = str(layer.get_config().get("activation", "linear"))
        if act != "linear":
            effect = (
                "a non-decreasing output map: count and pseudo-dimension bounds unchanged"
                if act in _MONOTONE
                else "not modelled by the bounds (counted as a linear head)"
            )
            self.notes.append(f"{name}: head activation {act}, {effect}")
        return None


def spec_from_keras(model) -> ModuleReading:
    """Read every recurrent stack (with its Dense head) out of a built Keras 3 model.

    The specs use the Keras convention and carry the activations, ``use_bias`` (as ``bias``) and
    GRU ``reset_after``; each stack's ``seq_len`` is its fixed input length (1 when the length is
    not fixed, with None in `ModuleReading.seq_lens`).
    """
    if not (hasattr(model, "layers") and hasattr(model, "count_params")):
        raise InvalidInput(f"expected a Keras model; got {type(model).__name__}")
    if not getattr(model, "built", True):
        raise InvalidInput(
            "the Keras model is not built, so its input width is unknown; give it an Input "
            "(keras.Input((k, d))) or call model.build((None, k, d)) before saving"
        )
    walk = _Walk()
    previous = None
    for layer in model.layers:
        walk.visit(layer, previous, "")
        previous = layer
    return ModuleReading(
        stacks=tuple(s.spec for s in walk.stacks),
        unrecognized=tuple(walk.unknown),
        module_parameters=int(model.count_params()),
        source="keras",
        seq_lens=tuple(s.seq_len for s in walk.stacks),
        notes=tuple(walk.notes),
    )
