"""`rnncap.theory.legend`: what a human-readable row must carry, for the tables and the report."""

import pytest

from rnncap.arch import parse_arch
from rnncap.plain import to_plain
from rnncap.theory import bounds, catalog
from rnncap.theory.legend import Footnotes, expression_of, legend, what


def _spec(arch, **kw):
    return parse_arch(arch, input_size=10, seq_len=120, outputs=1, **kw)


def test_legend_for_a_spec_marks_derived_use_per_cell_and_depth():
    keys = ["ks98-sigmoid-lower", "km97-pfaffian-unrolled", "collins17-bits"]
    one = legend(keys, spec=_spec("rnn_tanh:1x32"), task="classification")
    assert list(one) == keys
    ks = one["ks98-sigmoid-lower"]
    assert (ks.citation, ks.status, ks.derived, ks.tag) == (
        "Koiran & Sontag 1998, abstract", "ABSTRACT-ONLY", False, "ABSTRACT-ONLY",
    )  # fmt: skip
    assert ks.footnote.startswith("vanilla-RNN theory")
    deep = legend(keys, spec=_spec("rnn_tanh:3x32"))["ks98-sigmoid-lower"]
    assert deep.derived and deep.tag == "ABSTRACT-ONLY · DERIVED"
    assert deep.footnote.startswith("DERIVED: stacked network")
    assert "derived by rnncap" not in deep.footnote  # the caption defines DERIVED once
    assert legend(keys)["km97-pfaffian-unrolled"].tag == "ABSTRACT-ONLY · DERIVED"


def test_legend_without_a_spec_covers_the_catalog():
    entries = legend()
    assert set(entries) == {b.key for b in catalog()}
    for e in entries.values():
        assert e.citation and e.status and e.caveat
        d = to_plain(e)
        assert set(d) >= {"key", "citation", "status", "derived", "caveat", "tag", "footnote"}
        assert d["footnote"] == e.footnote and d["tag"] == e.tag
    assert entries["ks98-sigmoid-lower"].derived_reason.startswith("DERIVED for some cells")


def test_legend_passes_the_setting_to_the_evaluation():
    spec = _spec("rnn_tanh:1x8")
    key = ["ks98-agnostic-lower-samples"]  # a classification result (0-1 loss)
    applied = legend(key, spec=spec, task="classification")[key[0]]
    general = legend(key, spec=spec, task="regression")[key[0]]
    assert applied.derived_reason == "a combination of published results made by rnncap"
    assert general.derived_reason.startswith("vanilla RNNs, classification (0-1 loss) only")


def test_footnotes_share_numbers_for_identical_texts():
    notes = Footnotes()
    assert [notes.mark("a"), notes.mark("b"), notes.mark("a"), notes.mark("")] == [
        "[1]", "[2]", "[1]", "",
    ]  # fmt: skip
    assert notes.lines() == ["[1] a", "[2] b"]


@pytest.mark.parametrize("arch", ["rnn_relu:2x16", "lstm:2x16", "rnn_tanh:1x8"])
def test_every_order_row_names_a_bare_expression(arch):
    for row in bounds(_spec(arch), m=20_000, task="classification"):
        if row.result.kind.value == "order":
            expr = expression_of(row.bound, row.result)
            assert expr and " = " not in expr and " at " not in expr and "constant" not in expr
            assert not expr.startswith(("Ω(", "O(", "Õ("))


def test_what_names_quantity_and_direction():
    rows = {r.bound.key: r for r in bounds(_spec("rnn_relu:2x16"), m=1000)}
    assert what(rows["ks98-pwpoly-upper"].bound, rows["ks98-pwpoly-upper"].result) == "Pdim upper"
    assert what(rows["bhlm19-thm3"].bound, rows["bhlm19-thm3"].result) == ("Pdim lower (existence)")
    assert what(rows["collins17-bits"].bound) == "bits estimate"
