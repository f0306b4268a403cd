"""VC dimension of recurrent networks: Koiran & Sontag 1998 and 1997, DasGupta & Sontag 1996.

All Koiran–Sontag results are orders of growth in w (weights) and k (sequence length) with unknown
constants (theory.md section 1): they are shown as expressions and compared through ratios.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

from rnncap.arch import Cell
from rnncap.errors import require
from rnncap.theory.cells import GATED, Activation, single_recurrence_reason, vanilla_only_reason
from rnncap.theory.context import Context
from rnncap.theory.core import (
    DERIVED_LABEL,
    PDIM_LOWER_NOTE,
    PDIM_UPPER_NOTE,
    Bound,
    Citation,
    Direction,
    Form,
    Quantity,
    Result,
    Status,
    not_applicable,
    order,
    register,
)
from rnncap.theory.numbers import fmt_count

KS98 = Citation(
    "Koiran & Sontag",
    1998,
    "Vapnik-Chervonenkis dimension of recurrent neural networks",
    "Discrete Applied Mathematics 86(1):63-79",
    "abstract",
)
KS98_THM5 = Citation(KS98.authors, 1998, KS98.title, KS98.venue, "Theorem 5")
KS97 = Citation(
    "Koiran & Sontag",
    1997,
    "Neural networks with quadratic VC dimension",
    "NIPS 8 (1995) pp. 197-203; J. Computer and System Sciences 54(1), 1997 (pages UNVERIFIED)",
    "abstract and main result",
)
DS96 = Citation(
    "DasGupta & Sontag",
    1996,
    "Sample complexity for learning recurrent perceptron mappings",
    "IEEE Trans. Information Theory 42(5):1479- (end page UNVERIFIED)",
    "Theorem 1",
)

_ASSUME = (
    "w programmable weights (biases and read-out included), input sequences of length k",
    "one binary output (regression: pseudo-dimension, theory.md 4.6)",
    "single-recurrence units sigma(affine combination); the paper mainly considers k >> w",
    "worst case over data and weights: bounds the architecture class, not a trained model",
)
_CAVEAT = (
    "vanilla-RNN theory (single recurrence); order of growth with unknown constants; worst case "
    "over data and weights: bounds the architecture class, not a trained model"
)


# -- the expressions, in log10 (constant excluded) -------------------------------------------------
def ks_wk_log10(w: float, k: float) -> float:
    """log10(w·k): the lower bound of every class except threshold, and the polynomial upper."""
    return math.log10(w) + math.log10(k)


def ks_pwpoly_upper_log10(w: float, k: float) -> float:
    """log10(w²·k)."""
    return 2 * math.log10(w) + math.log10(k)


def ks_sigmoid_upper_log10(w: float, k: float) -> float:
    """log10(w⁴·k²)."""
    return 4 * math.log10(w) + 2 * math.log10(k)


def ks_threshold_lower_log10(w: float, k: float) -> float | None:
    """log10(w·log(k/w)); None when k <= w (the bound is meaningful for k > w only)."""
    if k <= w:
        return None
    return math.log10(w) + math.log10(math.log(k / w))


def ks_threshold_upper_log10(w: float, k: float) -> float:
    """log10(min{w·k·log(w·k), w² + w·log(w·k)}), in log space."""
    ln_wk = math.log(w) + math.log(k)
    first = math.log10(w) + math.log10(k) + math.log10(ln_wk)
    top = 2 * math.log10(w)
    second = top + math.log10(1 + 10.0 ** (math.log10(w) + math.log10(ln_wk) - top))
    return min(first, second)


def _ks(
    expression: str,
    substituted: Callable[[str, str], str],
    fn: Callable[[float, float], float],
    upper: bool,
    ctx: Context,
) -> Result:
    """One Koiran–Sontag row (bound with `functools.partial` at registration, so that the rule
    runs, and can be tested, at evaluation time). Lower bounds hold for Pdim as they are
    (VCdim <= Pdim); upper ones need w + 1."""
    w, k = (ctx.w_eff if upper else ctx.w), ctx.k
    value = fn(w, k)
    notes = []
    if (why := single_recurrence_reason(ctx)) is not None:
        notes.append(why + ", " + DERIVED_LABEL)
    if ctx.regression:
        notes.append(PDIM_UPPER_NOTE if upper else PDIM_LOWER_NOTE)
    text = f"{expression} = {substituted(fmt_count(w), fmt_count(k))}"
    quantity = Quantity.PDIM if ctx.regression else None
    return order(text, value, quantity=quantity, notes=tuple(notes))


def _threshold_lower(ctx: Context) -> Result:
    value = ks_threshold_lower_log10(ctx.w, ctx.k)
    if value is None:
        return not_applicable(f"Ω(w·log(k/w)) is meaningful for k > w only; k = {ctx.k}")
    text = f"Ω(w·log(k/w)) = Ω({fmt_count(ctx.w)} · log({fmt_count(ctx.k)}/w))"
    return order(text, value)


_SIGMOID_CELLS = (Cell.RNN_TANH, *GATED)
#: Piecewise-polynomial cells: the ReLU RNN, and (for reference) LSTM/GRU whose gates and
#: candidate are all piecewise linear (Keras hard_sigmoid gates with a relu/linear candidate).
_PWPOLY_CELLS = (Cell.RNN_RELU, *GATED)
_SIGMOID_APPLICATION = (
    "one-layer vanilla tanh RNN: directly (tanh is affinely equivalent to the standard sigmoid); "
    "stacked or bidirectional vanilla RNNs: the same expression in the spec's w, "
    + DERIVED_LABEL
    + "; LSTM/GRU: not covered (a reference in a separate section, never a bound)"
)
_PWPOLY_APPLICATION = (
    "one-layer vanilla ReLU RNN: directly; stacked or bidirectional vanilla RNNs: the same "
    "expression in the spec's w, " + DERIVED_LABEL + "; LSTM/GRU whose gates and candidate are "
    "all piecewise linear (Keras hard_sigmoid gates): not covered (a reference in a separate "
    "section, never a bound)"
)

_KS_ROWS = [
    # key, activation, direction, expression, substituted, fn, cells
    (
        "ks98-polynomial-lower",
        Activation.POLYNOMIAL,
        Direction.LOWER,
        "Ω(w·k)",
        lambda w, k: f"Ω({w} · {k})",
        ks_wk_log10,
        (),
    ),
    (
        "ks98-polynomial-upper",
        Activation.POLYNOMIAL,
        Direction.UPPER,
        "O(w·k)",
        lambda w, k: f"O({w} · {k})",
        ks_wk_log10,
        (),
    ),
    (
        "ks98-pwpoly-lower",
        Activation.PIECEWISE_POLYNOMIAL,
        Direction.LOWER,
        "Ω(w·k)",
        lambda w, k: f"Ω({w} · {k})",
        ks_wk_log10,
        _PWPOLY_CELLS,
    ),
    (
        "ks98-pwpoly-upper",
        Activation.PIECEWISE_POLYNOMIAL,
        Direction.UPPER,
        "O(w²·k)",
        lambda w, k: f"O({w}² · {k})",
        ks_pwpoly_upper_log10,
        _PWPOLY_CELLS,
    ),
    (
        "ks98-threshold-upper",
        Activation.THRESHOLD,
        Direction.UPPER,
        "O(min{w·k·log(w·k), w² + w·log(w·k)})",
        lambda w, k: f"O(min{{{w}·{k}·log({w}·{k}), {w}² + {w}·log({w}·{k})}})",
        ks_threshold_upper_log10,
        (),
    ),
    (
        "ks98-sigmoid-lower",
        Activation.STANDARD_SIGMOID,
        Direction.LOWER,
        "Ω(w·k)",
        lambda w, k: f"Ω({w} · {k})",
        ks_wk_log10,
        _SIGMOID_CELLS,
    ),
    (
        "ks98-sigmoid-upper",
        Activation.STANDARD_SIGMOID,
        Direction.UPPER,
        "O(w⁴·k²)",
        lambda w, k: f"O({w}⁴ · {k}²)",
        ks_sigmoid_upper_log10,
        _SIGMOID_CELLS,
    ),
]

for _key, _act, _dir, _expr, _sub, _fn, _cells in _KS_ROWS:
    _sig = _act is Activation.STANDARD_SIGMOID
    _pw = _act is Activation.PIECEWISE_POLYNOMIAL
    register(
        Bound(
            key=_key,
            name=f"Koiran–Sontag {_act.value} {_dir.value} bound",
            citation=KS98,
            quantity=Quantity.VC,
            direction=_dir,
            form=Form.ORDER,
            activations=(_act,),
            cells=_cells,
            assumptions=_ASSUME,
            status=Status.ABSTRACT_ONLY,
            formula=_expr,
            application=_SIGMOID_APPLICATION
            if _sig
            else _PWPOLY_APPLICATION
            if _pw
            else "vanilla RNN with this activation (no rnncap cell)",
            application_status=Status.ABSTRACT_ONLY,
            evaluate_fn=partial(_ks, _expr, _sub, _fn, _dir is Direction.UPPER),
            caveat=_CAVEAT,
            derived_if=single_recurrence_reason,
            other_cell_if=vanilla_only_reason,
            variables=("w", "k"),
            gated_classes=(Activation.GATED_PIECEWISE,) if _pw else (Activation.PFAFFIAN,),
        )
    )

register(
    Bound(
        key="ks98-threshold-lower",
        name="Koiran–Sontag threshold lower bound",
        citation=KS98,
        quantity=Quantity.VC,
        direction=Direction.LOWER,
        form=Form.ORDER,
        activations=(Activation.THRESHOLD,),
        cells=(),
        assumptions=(*_ASSUME, "meaningful for k > w"),
        status=Status.ABSTRACT_ONLY,
        formula="Ω(w·log(k/w))",
        application="vanilla RNN with Heaviside units (no rnncap cell)",
        application_status=Status.ABSTRACT_ONLY,
        evaluate_fn=_threshold_lower,
        caveat=_CAVEAT,
        derived_if=single_recurrence_reason,
        variables=("w", "k"),
    )
)

register(
    Bound(
        key="ks98-thm5-arbitrary-sigmoid-lower",
        name="Koiran–Sontag Theorem 5 (arbitrary sigmoid)",
        citation=KS98_THM5,
        quantity=Quantity.VC,
        direction=Direction.LOWER,
        form=Form.ORDER,
        activations=(Activation.ARBITRARY_SIGMOID,),
        cells=_SIGMOID_CELLS,
        assumptions=(*_ASSUME, "no upper bound is known for a general sigmoid (UNVERIFIED)"),
        status=Status.STATED_SECONDARY,
        formula="Ω(w·k)",
        application=_SIGMOID_APPLICATION,
        application_status=Status.STATED_SECONDARY,
        evaluate_fn=partial(_ks, "Ω(w·k)", lambda w, k: f"Ω({w} · {k})", ks_wk_log10, False),
        caveat=_CAVEAT,
        derived_if=single_recurrence_reason,
        other_cell_if=vanilla_only_reason,
        variables=("w", "k"),
    )
)


_EXISTENCE_CAVEAT = (
    "existence: some feed-forward network of w continuous-activation weights, with depth growing "
    "with w, reaches it; not a lower bound for this architecture"
)


def _quadratic(ctx: Context) -> Result:
    w = ctx.w
    return order(
        f"Ω(w²) = Ω({fmt_count(w)}²)",
        2 * math.log10(w),
        quantity=Quantity.PDIM if ctx.regression else None,
        notes=(_EXISTENCE_CAVEAT + ", " + DERIVED_LABEL,),
    )


register(
    Bound(
        key="ks97-quadratic-vc",
        name="Koiran–Sontag quadratic VC dimension",
        citation=KS97,
        quantity=Quantity.VC,
        direction=Direction.LOWER,
        form=Form.ORDER,
        activations=(Activation.ARBITRARY_SIGMOID, Activation.PFAFFIAN),
        cells=_SIGMOID_CELLS,
        assumptions=(
            "feed-forward networks with continuous (sigmoidal) activations",
            "the construction needs depth growing with w (Bartlett–Maiorov–Meir 1998)",
        ),
        status=Status.STATED_VERIFIED,
        formula="Ω(w²) for some network with w weights",
        application="shown as an existence reference at the spec's w, " + DERIVED_LABEL,
        application_status=Status.DERIVED,
        evaluate_fn=_quadratic,
        existence=True,
        caveat=_EXISTENCE_CAVEAT,
        variables=("w",),
    )
)


# -- DasGupta & Sontag 1996: linear recurrent perceptrons ------------------------------------------
def dasgupta_sontag_vc(n: int, q: int) -> tuple[float, float]:
    """Bounds on vc(F_{n,q}) for recurrent perceptrons of order n over inputs of length n + q.

    Returns ``(lower, upper)`` with logs base 2: upper = min{n + q, 18n + 4n·log(q + 1)}, lower = n
    (the verified part of the lower bound); when q > max{2 + n², 32} the tight regime
    (n/2)·log q <= vc <= 8n·log q also applies and raises the lower bound. Its upper side never
    tightens: for q > 32, 8n·log q > 18n + 4n·log(q + 1) (4·log q > 20 > 18 + 4·log(1 + 1/q)).
    """
    require(isinstance(n, int) and n >= 1, f"order n must be an integer >= 1; got {n!r}")
    require(isinstance(q, int) and q >= 1, f"q must be an integer >= 1; got {q!r}")
    lower = float(n)
    upper = float(min(n + q, 18 * n + 4 * n * math.log2(q + 1)))
    if q > max(2 + n * n, 32):
        lower = max(lower, n / 2 * math.log2(q))
    return lower, upper


for _dir in (Direction.LOWER, Direction.UPPER):
    register(
        Bound(
            key=f"ds96-linear-{_dir.value}",
            name=f"DasGupta–Sontag recurrent perceptron {_dir.value} bound",
            citation=DS96,
            quantity=Quantity.VC,
            direction=_dir,
            form=Form.EXPLICIT,
            activations=(Activation.LINEAR,),
            cells=(),
            assumptions=(
                "linear recurrent filter of order n over inputs of length n + q, sign output",
                "logs base 2",
            ),
            # theory.md 2.1: verified from the OCR up to "max{n, n·⌊log(⌊1+…⌋)⌋}" (so >= n) and
            # in the tight regime; only the garbled inside of the floor is UNVERIFIED (unused)
            status=Status.STATED_VERIFIED,
            formula="min{n + q, 18n + 4n·log(q+1)}; 8n·log q for q > max{2+n², 32}"
            if _dir is Direction.UPPER
            else "max{n, n·⌊log(⌊1 + …⌋)⌋} >= n; (n/2)·log q for q > max{2+n², 32} "
            "(the inside of the floor is OCR-garbled, UNVERIFIED, unused)",
            application="none of rnncap's cells is linear; use dasgupta_sontag_vc(n, q)",
            application_status=Status.STATED_VERIFIED,
            evaluate_fn=lambda ctx: not_applicable("linear recurrences only"),
            caveat="linear recurrent perceptrons only (logs base 2)",
            variables=("n", "q"),
        )
    )
