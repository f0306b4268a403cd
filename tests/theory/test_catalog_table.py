"""The catalog, pinned record by record against a table written independently from theory.md.

For every bound key: statement status, application status, direction, quantity, form, activation
classes, cells, existence; and what it gives at three fixed specs (classification, m = 10^6,
δ = 0.05, ε = 0.1). The figures of the specs are computed here by hand from theory.md 6.1 and 2.9,
the explicit values from the formulas of theory.md 2.7, 4.2-4.5 and 5.1, never from rnncap.
"""

import math

import pytest

from rnncap.arch import parse_arch
from rnncap.theory import bounds, catalog

SV, SS, AO, UV, DV = (
    "STATED-VERIFIED", "STATED-SECONDARY", "ABSTRACT-ONLY", "UNVERIFIED", "DERIVED",
)  # fmt: skip
VC, PD, GAP, SAMPLES, MEM, GROWTH = (
    "VC dimension", "pseudo-dimension", "generalization gap", "sample size",
    "memorization capacity", "growth function",
)  # fmt: skip
POLY, PWP, THR, SIG, ASIG, PFAFF, LIN, ANY = (
    "nonlinear polynomial", "piecewise polynomial", "threshold", "standard sigmoid / tanh",
    "arbitrary sigmoid", "Pfaffian (sigmoid/tanh, gated)", "linear", "any (learning-theory glue)",
)  # fmt: skip
GPWP = "piecewise polynomial, gated (hard-sigmoid gates, piecewise-linear candidate)"
ALL = {"lstm", "gru", "rnn_tanh", "rnn_relu"}
SIGMOID_CELLS = {"rnn_tanh", "lstm", "gru"}
PWP_CELLS = {"rnn_relu", "lstm", "gru"}  # LSTM/GRU only with piecewise-linear (Keras) activations

# -- the three specs, by hand -------------------------------------------------------------------
# S1 rnn_tanh:1x8, d = 3, k = 20, one output: layer h(d + h + 2) = 8·13 = 104, head 9 -> w = 113;
#    U = 1·8·20 = 160 (+1 output unit); path k + L - 1 = 20.
# S2 rnn_relu:2x4, d = 2, k = 10: layers 4·8 = 32 and 4·10 = 40, head 5 -> w = 77;
#    U = 1·(4+4)·10 = 80 (+1); path 11 (+1 output layer = 12).
# S3 lstm:2x4, d = 3, k = 10: 4h(d + h + 2) = 144, 8h(h + 1) = 160, head 5 -> w = 309;
#    U = 5·8·10 = 400 (+1); path 11.
SPECS = {
    "S1": ("rnn_tanh:1x8", 3, 20),
    "S2": ("rnn_relu:2x4", 2, 10),
    "S3": ("lstm:2x4", 3, 10),
}
M, DELTA, EPS = 10**6, 0.05, 0.1
L10 = math.log10


def _s2_thm7() -> float:
    """BHLM Theorem 7 on the untied unrolled S2 (layers j: (l, t) with t + l - 1 = j, then the
    head), p = 1, d = 1: L + Σ_i W_i·log2(4e·R·log2(2e·R)), W_i cumulative, R = Σ_i i·k_i."""
    units = [4] + [8] * 9 + [4] + [1]
    params = [32] + [72] * 9 + [40] + [5]
    cumulative = [sum(params[: i + 1]) for i in range(len(params))]
    r = sum((i + 1) * k for i, k in enumerate(units))
    return len(units) + sum(cumulative) * math.log2(4 * math.e * r * math.log2(2 * math.e * r))


def _s2_thm10() -> float:
    """BHLM Theorem 10 explicit: 2W·log2(16e·max{U+1, 2dU}·(1+p)^U), W = 77, U = 81, d=1, p=2."""
    w, u = 77, 81
    return 2 * w * (math.log2(16 * math.e * max(u + 1, 2 * u)) + u * math.log2(3))


D2 = min(_s2_thm7(), _s2_thm10())  # the d the glue rows use for S2 (the smaller explicit bound)
UML_GAP = math.sqrt(8 * D2 * math.log(math.e * M / D2) / M) + math.sqrt(2 * math.log(4 / DELTA) / M)
UML_SAMPLES = (128 * D2 / EPS**2) * math.log(64 * D2 / EPS**2) + (8 / EPS**2) * (
    8 * D2 * math.log(math.e / D2) + 2 * math.log(4 / DELTA)
)
REALIZABLE = (8 / EPS) * (2 * D2 * math.log(16 * math.e / EPS) + math.log(2 / DELTA))
BLUMER = max((4 / EPS) * math.log2(2 / DELTA), (8 * D2 / EPS) * math.log2(13 / EPS))
MOHRI = math.sqrt(2 * D2 * math.log(math.e * M / D2) / M) + math.sqrt(math.log(1 / DELTA) / (2 * M))
SAUER = D2 * L10(math.e * M / D2)


def _o(text, log10):
    return ("order", text + ", constant unknown", log10)


def _x(log10, *fragments):
    return ("explicit", fragments, log10)


# key: (status, application status, direction, quantity, form, activations, cells, existence,
#       {spec: expected or None when not applicable})
TABLE = {
    "collins17-bits": (SV, DV, "empirical estimate", MEM, "explicit", {ANY}, ALL, False, {
        "S1": _x(L10(5 * 113), "≈ 560 bits", "5 bits/param"),
        "S2": _x(L10(3.5 * 77), "≈ 270 bits", "3.5 bits/param"),  # ReLU: ≈ 3.5 bits/param
        "S3": _x(L10(5 * 309), "≈ 1,500 bits", "range 930–1,900"),
    }),
    "gj95-thm2.2": (SS, DV, "upper", VC, "explicit", {POLY, PWP}, {"rnn_relu"}, False, {
        "S1": None, "S2": None, "S3": None,  # reaches RNNs through Theorem 10 only
    }),
    "km97-pfaffian-unrolled": (AO, DV, "upper", VC, "order", {SIG, PFAFF}, SIGMOID_CELLS, False, {
        "S1": _o("O((W·U)²) = O((113 · 161)²)", 2 * L10(113 * 161)),
        "S2": None,
        "S3": _o("O((W·U)²) = O((309 · 401)²)", 2 * L10(309 * 401)),
    }),
    "bmm98-upper-untied": (SS, DV, "upper", VC, "order", {PWP}, {"rnn_relu"}, False, {
        "S1": None,
        # untied: W = 10·(32 + 40) + 5 = 725 parameters, 11 hidden layers + the head = 12
        "S2": _o("O(W·L·log W + W·L²) at W = 725, L = 12",
                 L10(725 * 12 * math.log(725) + 725 * 144)),
        "S3": None,
    }),
    "bmm98-lower": (SS, DV, "lower", VC, "order", {PWP}, {"rnn_relu"}, True, {
        "S1": None, "S2": _o("Ω(W·L) = Ω(77 · 12)", L10(77 * 12)), "S3": None,
    }),
    "bhlm19-thm3": (SV, DV, "lower", VC, "order", {PWP}, {"rnn_relu"}, True, {
        "S1": None,
        "S2": _o("Ω(W·L·log(W/L)) = Ω(77 · 12 · log(77/12))", L10(77 * 12 * math.log(77 / 12))),
        "S3": None,
    }),
    "bhlm19-thm7-untied": (SV, DV, "upper", VC, "explicit", {PWP}, {"rnn_relu"}, False, {
        "S1": None, "S2": _x(L10(_s2_thm7()), "<= 79,563"), "S3": None,
    }),
    "bhlm19-thm10-unrolled": (SV, DV, "upper", VC, "explicit", {PWP}, {"rnn_relu"}, False, {
        "S1": None, "S2": _x(L10(_s2_thm10()), "<= 21,739"), "S3": None,
    }),
    "ks98-polynomial-lower": (AO, AO, "lower", VC, "order", {POLY}, set(), False, {}),
    "ks98-polynomial-upper": (AO, AO, "upper", VC, "order", {POLY}, set(), False, {}),
    # theory.md 2.3: W² + W·k (k computation units) for piecewise-polynomial networks
    "gj95-pwpoly-consequence": (SS, DV, "upper", VC, "order", {PWP, GPWP},
                                {"rnn_relu", "lstm", "gru"}, False, {
        "S1": None, "S2": _o("O(W² + W·U) = O(77² + 77 · 81)", L10(77 * (77 + 81))), "S3": None,
    }),
    "ks98-pwpoly-lower": (AO, AO, "lower", VC, "order", {PWP}, PWP_CELLS, False, {
        "S1": None, "S2": _o("Ω(w·k) = Ω(77 · 10)", L10(770)), "S3": None,
    }),
    "ks98-pwpoly-upper": (AO, AO, "upper", VC, "order", {PWP}, PWP_CELLS, False, {
        "S1": None, "S2": _o("O(w²·k) = O(77² · 10)", L10(77**2 * 10)), "S3": None,
    }),
    "ks98-threshold-lower": (AO, AO, "lower", VC, "order", {THR}, set(), False, {}),
    "ks98-threshold-upper": (AO, AO, "upper", VC, "order", {THR}, set(), False, {}),
    "ks98-sigmoid-lower": (AO, AO, "lower", VC, "order", {SIG}, SIGMOID_CELLS, False, {
        "S1": _o("Ω(w·k) = Ω(113 · 20)", L10(2260)),
        "S2": None,
        "S3": _o("Ω(w·k) = Ω(309 · 10)", L10(3090)),
    }),
    "ks98-sigmoid-upper": (AO, AO, "upper", VC, "order", {SIG}, SIGMOID_CELLS, False, {
        "S1": _o("O(w⁴·k²) = O(113⁴ · 20²)", L10(113**4 * 400)),
        "S2": None,
        "S3": _o("O(w⁴·k²) = O(309⁴ · 10²)", L10(309**4 * 100)),
    }),
    "ks98-thm5-arbitrary-sigmoid-lower": (
        SS, SS, "lower", VC, "order", {ASIG}, SIGMOID_CELLS, False, {
            "S1": _o("Ω(w·k) = Ω(113 · 20)", L10(2260)),
            "S2": None,
            "S3": _o("Ω(w·k) = Ω(309 · 10)", L10(3090)),
        },
    ),
    "ks97-quadratic-vc": (SV, DV, "lower", VC, "order", {ASIG, PFAFF}, SIGMOID_CELLS, True, {
        "S1": _o("Ω(w²) = Ω(113²)", 2 * L10(113)),
        "S2": None,
        "S3": _o("Ω(w²) = Ω(309²)", 2 * L10(309)),
    }),
    "ds96-linear-lower": (SV, SV, "lower", VC, "explicit", {LIN}, set(), False, {}),
    "ds96-linear-upper": (SV, SV, "upper", VC, "explicit", {LIN}, set(), False, {}),
    # norm-based rows need trained weights: not applicable to a spec alone
    "tu20-fisher-rao": (SV, DV, "upper", GAP, "explicit", {PWP}, {"rnn_relu"}, False, {
        "S1": None, "S2": None, "S3": None,
    }),
    "zld18-pac-bayes": (SS, SS, "upper", GAP, "order", {PWP, SIG}, {"rnn_relu", "rnn_tanh"},
                        False, {"S1": None, "S2": None, "S3": None}),
    "clz20-vanilla-order": (SS, SS, "upper", GAP, "order", {SIG}, {"rnn_tanh"}, False, {
        "S1": None, "S2": None, "S3": None,
    }),
    # glue: d = the smallest explicit upper bound (S2 only: no explicit bound for tanh or LSTM)
    "sauer-growth": (SS, DV, "upper", GROWTH, "explicit", {ANY}, ALL, False, {
        "S1": None, "S2": _x(SAUER, "Π(m) <= ", "vs 2^m"), "S3": None,
    }),
    "uml-agnostic-gap": (SV, DV, "upper", GAP, "explicit", {ANY}, ALL, False, {
        "S1": None, "S2": _x(L10(UML_GAP), f"{UML_GAP:.4g}"), "S3": None,
    }),
    "uml-agnostic-samples": (SV, DV, "upper", SAMPLES, "explicit", {ANY}, ALL, False, {
        "S1": None, "S2": _x(L10(UML_SAMPLES), "m >= ", "only 1,000,000 samples"), "S3": None,
    }),
    "uml-realizable-samples": (SV, DV, "upper", SAMPLES, "explicit", {ANY}, ALL, False, {
        "S1": None, "S2": _x(L10(REALIZABLE), "m >= "), "S3": None,
    }),
    "blumer89-samples": (SS, DV, "upper", SAMPLES, "explicit", {ANY}, ALL, False, {
        "S1": None, "S2": _x(L10(BLUMER), "m >= "), "S3": None,
    }),
    "mohri-cor3.19-gap": (SS, DV, "upper", GAP, "explicit", {ANY}, ALL, False, {
        "S1": None, "S2": _x(L10(MOHRI), f"{MOHRI:.4g}"), "S3": None,
    }),
    # regression rows: not applicable to a classification task
    "mohri-thm11.8-gap": (SS, DV, "upper", GAP, "explicit", {ANY}, ALL, False, {
        "S1": None, "S2": None, "S3": None,
    }),
    "mohri-thm11.8-samples": (DV, DV, "upper", SAMPLES, "explicit", {ANY}, ALL, False, {
        "S1": None, "S2": None, "S3": None,
    }),
    "ks98-agnostic-lower-samples": (
        DV, DV, "lower", SAMPLES, "order", {SIG, PWP}, {"rnn_tanh", "rnn_relu"}, False, {
            "S1": ("order", "Ω(w·k/ε²) = Ω(113 · 20 / 0.1²) samples needed, constant unknown",
                   L10(2260 / 0.01)),
            "S2": ("order", "Ω(w·k/ε²) = Ω(77 · 10 / 0.1²) samples needed, constant unknown",
                   L10(770 / 0.01)),
            "S3": None,
        },
    ),
}  # fmt: skip


def test_the_table_covers_the_whole_catalog():
    assert set(TABLE) == {b.key for b in catalog()}


@pytest.mark.parametrize("bound", catalog(), ids=lambda b: b.key)
def test_record_fields(bound):
    status, applied, direction, quantity, form, acts, cells, existence, _ = TABLE[bound.key]
    assert bound.status.value == status
    assert bound.application_status.value == applied
    assert bound.direction.value == direction
    assert bound.quantity.value == quantity
    assert bound.form.value == form
    assert {a.value for a in bound.activations} == acts
    assert {c.value for c in bound.cells} == cells
    assert bound.existence is existence


_EVALUATED = {
    name: {r.bound.key: r for r in bounds(
        parse_arch(arch, input_size=d, seq_len=k, outputs=1), m=M, delta=DELTA, epsilon=EPS,
        task="classification",
    )}
    for name, (arch, d, k) in SPECS.items()
}  # fmt: skip


@pytest.mark.parametrize("name", SPECS)
@pytest.mark.parametrize("key", sorted(TABLE))
def test_value_or_expression_at_three_specs(key, name):
    expected = TABLE[key][-1].get(name)
    result = _EVALUATED[name][key].result
    if expected is None:
        assert not result.applicable, (key, name, result.text)
        return
    kind, text, log10 = expected
    assert result.kind.value == kind
    assert result.log10 == pytest.approx(log10, rel=1e-9, abs=1e-9)
    if kind == "order":
        assert result.text == text
        assert result.value is None  # never a number
    else:
        for fragment in text:
            assert fragment in result.text, (fragment, result.text)
        if log10 < 300:
            assert result.value == pytest.approx(10**log10, rel=1e-9)
        else:
            assert result.value == math.inf


def test_quantity_switches_to_pseudo_dimension_for_regression():
    spec = parse_arch("rnn_tanh:1x8", input_size=3, seq_len=20, outputs=1)
    rows = {r.bound.key: r for r in bounds(spec, task="regression")}
    assert rows["ks98-sigmoid-upper"].quantity == PD
    assert rows["ks98-sigmoid-upper"].result.text.startswith("O(w⁴·k²) = O(114⁴ · 20²)")
    assert rows["ks98-sigmoid-lower"].result.text.startswith("Ω(w·k) = Ω(113 · 20)")
    assert rows["km97-pfaffian-unrolled"].result.text.startswith("O((W·U)²) = O((114 · 162)²)")
