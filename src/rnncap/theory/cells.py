"""Which cells a result covers: the activation classes of each rnncap cell (refined for gated
cells by their activations) and why a vanilla-RNN result is DERIVED for, or does not cover, a
spec."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from rnncap.arch import Cell, RecurrentSpec

if TYPE_CHECKING:
    from rnncap.theory.context import Context


class Activation(str, Enum):
    """Activation classes the results are stated for (Koiran & Sontag's taxonomy and more)."""

    POLYNOMIAL = "nonlinear polynomial"
    PIECEWISE_POLYNOMIAL = "piecewise polynomial"
    THRESHOLD = "threshold"
    STANDARD_SIGMOID = "standard sigmoid / tanh"
    ARBITRARY_SIGMOID = "arbitrary sigmoid"
    PFAFFIAN = "Pfaffian (sigmoid/tanh, gated)"
    GATED_PIECEWISE = "piecewise polynomial, gated (hard-sigmoid gates, piecewise-linear candidate)"
    MIXED = "Pfaffian candidate with piecewise-linear (hard-sigmoid) gates"
    OTHER = "other (no published result)"
    LINEAR = "linear"
    ANY = "any (learning-theory glue)"


#: Activation classes of each rnncap cell. LSTM/GRU gates multiply sigmoid and tanh outputs, which
#: no VC result for recurrent nets covers; the unrolled network is Pfaffian (theory.md 2.4).
CELL_ACTIVATIONS: dict[Cell, tuple[Activation, ...]] = {
    Cell.RNN_TANH: (Activation.STANDARD_SIGMOID, Activation.ARBITRARY_SIGMOID, Activation.PFAFFIAN),
    Cell.RNN_RELU: (Activation.PIECEWISE_POLYNOMIAL,),
    Cell.LSTM: (Activation.PFAFFIAN,),
    Cell.GRU: (Activation.PFAFFIAN,),
}

GATED = (Cell.LSTM, Cell.GRU)
#: Gated-cell activations by class: piecewise linear (Keras' hard_sigmoid is piecewise linear in
#: Keras 2 and 3 alike) and Pfaffian (theory.md 2.4: σ and tanh are Pfaffian).
PIECEWISE_LINEAR_ACTIVATIONS = frozenset({"relu", "linear", "hard_sigmoid"})
PFAFFIAN_ACTIVATIONS = frozenset({"tanh", "sigmoid"})


#: Every class a gated spec can have: for rows that apply to any activation (glue, Collins).
ALL_GATED_CLASSES = (
    Activation.PFAFFIAN,
    Activation.GATED_PIECEWISE,
    Activation.MIXED,
    Activation.OTHER,
)


def activation_classes(spec: RecurrentSpec) -> tuple[Activation, ...]:
    """The activation classes of `spec`: its cell's, refined for gated cells by the spec's
    candidate ``activation`` and gate ``recurrent_activation`` (e.g. Keras hard_sigmoid)."""
    if spec.cell not in GATED:
        return CELL_ACTIVATIONS[spec.cell]
    used = {spec.activation, spec.recurrent_activation}  # RecurrentSpec fills in the defaults
    if used <= PFAFFIAN_ACTIVATIONS:
        return (Activation.PFAFFIAN,)
    if used <= PIECEWISE_LINEAR_ACTIVATIONS:
        return (Activation.GATED_PIECEWISE,)
    if used <= PIECEWISE_LINEAR_ACTIVATIONS | PFAFFIAN_ACTIVATIONS:
        return (Activation.MIXED,)
    return (Activation.OTHER,)


def single_recurrence_reason(ctx: Context) -> str | None:
    """Why a result for single-recurrence vanilla RNNs (Koiran–Sontag) is DERIVED for `ctx`: a
    stacked or bidirectional vanilla RNN. LSTM/GRU are not covered (`vanilla_only_reason`)."""
    spec = ctx.spec
    if spec.cell in GATED or not (spec.num_layers > 1 or spec.bidirectional):
        return None
    shape = "stacked" if spec.num_layers > 1 else "bidirectional"
    return (
        f"{shape} network: stated for one recurrence; no bound for stacked or bidirectional "
        "RNNs is known (theory.md 0.3)"
    )


#: Title of the separate section that `--all` shows for results of another cell class.
OTHER_CELL_TITLE = "results for vanilla RNNs, not this cell"


def vanilla_only_reason(ctx: Context) -> str | None:
    """Why a vanilla-RNN result does not cover `ctx` at all (LSTM/GRU): such a row is no bound
    for the cell, neither stated nor DERIVED, and is shown only in a separate reference section."""
    if ctx.spec.cell not in GATED:
        return None
    return (
        f"stated for vanilla RNNs of single-recurrence units σ(affine combination); "
        f"{ctx.spec.cell.value.upper()} gates multiply unit outputs, so it is not covered: the "
        "expression in this cell's w is a reference, not a bound"
    )
