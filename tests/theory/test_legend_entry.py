"""`legend.entry` and `expression_of` field by field, including rows built by hand."""

from rnncap.arch import parse_arch
from rnncap.theory import bounds
from rnncap.theory.core import Kind, Result, explicit, get_bound, order
from rnncap.theory.legend import entry, expression_of, legend


def test_a_statement_used_as_stated_has_no_derived_reason():
    # DasGupta-Sontag: STATED-VERIFIED, applied as stated, no per-spec rule (theory.md 2.1)
    e = legend(["ds96-linear-upper"])["ds96-linear-upper"]
    assert e.key == "ds96-linear-upper"
    assert (e.derived, e.derived_reason, e.tag) == (False, "", "STATED-VERIFIED")
    assert e.caveat == "linear recurrent perceptrons only (logs base 2)"
    assert e.footnote == e.caveat


def test_an_evaluated_result_brings_its_own_caveat_and_reason():
    bound = get_bound("ks98-sigmoid-lower")
    result = Result(Kind.ORDER, "Ω(w·k) = Ω(1 · 2)", log10=0.3, derived="why", caveat="this spec")
    e = entry(bound, result)
    assert (e.key, e.derived, e.derived_reason, e.caveat) == (bound.key, True, "why", "this spec")
    plain = entry(bound, Result(Kind.ORDER, "Ω(w·k)", log10=0.3))  # no caveat: the bound's
    assert plain.caveat == bound.caveat and plain.derived is False
    # nothing is applied where the result does not apply: not DERIVED, the record's caveat
    na = entry(bound, Result(Kind.NOT_APPLICABLE, "n/a", caveat="ignored"))
    assert (na.caveat, na.derived, na.derived_reason) == (bound.caveat, False, "")
    general = entry(bound)  # no result: the catalog's general entry
    assert general.derived_reason.startswith("DERIVED for some cells")


def test_expression_of_strips_every_order_symbol_of_theory_md():
    # theory.md section 1: print the orders as "Θ/Ω/O(·)"; Õ hides log factors (section 3)
    bound = get_bound("ks98-polynomial-upper")
    for text, bare in (
        ("Θ(w·k) = Θ(10 · 20)", "w·k"),
        ("Õ(d·L²) = Õ(3 · 4²)", "d·L²"),
        ("Ω(w·k)", "w·k"),  # no substitution: only ", constant unknown" follows
        ("w·log(k/w)", "w·log(k/w)"),  # no order symbol: kept whole
        ("O((W·U)²)", "(W·U)²"),  # the outer pair only
        ("Ω(w)·log(k)", "Ω(w)·log(k)"),  # Ω's bracket closes early: not one pair, kept whole
        ("O(w)·(k)", "O(w)·(k)"),
    ):
        assert expression_of(bound, order(text, 1.0)) == bare


def test_expression_of_explicit_rows_names_what_is_compared():
    spec = parse_arch("rnn_relu:1x4", input_size=2, seq_len=5, outputs=1)
    rows = {r.bound.key: r for r in bounds(spec, m=10**6, task="classification")}
    gap = rows["mohri-cor3.19-gap"]
    assert expression_of(gap.bound, gap.result) == "the bound's value"
    bits = rows["collins17-bits"]
    assert expression_of(bits.bound, bits.result) == "expected bits"
    # an order-form bound given an explicit result, or the reverse, is not split as an expression
    assert expression_of(get_bound("ks98-sigmoid-upper"), explicit(2.0, "O(100)")) == (
        "the bound's value"
    )
    assert expression_of(gap.bound, order("O(w·k)", 1.0)) == "the bound's value"
