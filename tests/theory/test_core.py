"""Contract tests over the whole catalog: every record is cited, tagged, and evaluates cleanly."""

import math

import pytest

from rnncap.arch import Cell, parse_arch
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain
from rnncap.theory import Form, Kind, Status, bounds, catalog, get_bound
from rnncap.theory.core import Citation
from rnncap.theory.numbers import fmt_log10

CELLS = [c.value for c in Cell]


def test_catalog_has_every_family_of_the_issue():
    keys = {b.key for b in catalog()}
    wanted = {
        "ks98-polynomial-lower", "ks98-polynomial-upper", "ks98-pwpoly-lower",
        "ks98-pwpoly-upper", "ks98-threshold-lower", "ks98-threshold-upper",
        "ks98-sigmoid-lower", "ks98-sigmoid-upper", "ks98-thm5-arbitrary-sigmoid-lower",
        "ds96-linear-lower", "ds96-linear-upper", "ks97-quadratic-vc", "gj95-thm2.2",
        "km97-pfaffian-unrolled", "bmm98-upper-untied", "bmm98-lower", "bhlm19-thm3",
        "bhlm19-thm7-untied", "bhlm19-thm10-unrolled", "tu20-fisher-rao", "zld18-pac-bayes",
        "clz20-vanilla-order", "collins17-bits", "sauer-growth", "uml-agnostic-gap",
        "uml-agnostic-samples", "uml-realizable-samples", "blumer89-samples",
        "mohri-cor3.19-gap", "mohri-thm11.8-gap",
    }  # fmt: skip
    assert wanted <= keys
    assert len(keys) == len(catalog())


@pytest.mark.parametrize("bound", catalog(), ids=lambda b: b.key)
def test_every_record_is_cited_and_tagged(bound):
    assert isinstance(bound.citation, Citation)
    assert bound.citation.authors and bound.citation.year >= 1980 and bound.citation.locator
    assert isinstance(bound.status, Status) and isinstance(bound.application_status, Status)
    assert bound.formula and bound.application and bound.assumptions
    d = to_plain(bound)
    assert d["citation"] and d["status"] in {s.value for s in Status}


@pytest.mark.parametrize("cell", CELLS)
def test_every_bound_evaluates_for_every_cell(cell):
    spec = parse_arch(f"{cell}:2x16", input_size=5, seq_len=12, outputs=1)
    for task in ("regression", "classification"):
        rows = bounds(spec, m=50_000, task=task)
        for row in rows:
            r = row.result
            assert r.text
            if r.kind is Kind.ORDER:
                # orders are expressions, never numbers of points
                assert "value" not in to_plain(r) and "constant unknown" in r.text
                assert row.bound.form is Form.ORDER
            if r.kind is Kind.EXPLICIT and r.log10 is not None:
                assert math.isfinite(r.log10)
            if row.bound.derived and r.applicable:
                assert to_plain(row.bound)["derived"]


def test_derived_applications_say_so_in_their_notes():
    spec = parse_arch("lstm:2x16", input_size=5, seq_len=12, outputs=1)
    rows = {r.bound.key: r.result for r in bounds(spec, task="classification")}
    assert any("derived by rnncap" in n for n in rows["km97-pfaffian-unrolled"].notes)
    # a vanilla-RNN result on an LSTM is no derivation: a reference of another cell class
    ks = rows["ks98-sigmoid-lower"]
    assert ks.derived == "" and not any("derived by rnncap" in n for n in ks.notes)
    assert ks.other_cell.startswith("stated for vanilla RNNs") and not ks.covers


def test_asking_for_an_uncovered_activation_directly_is_bad_input():
    spec = parse_arch("lstm:1x8", input_size=3, seq_len=10)
    with pytest.raises(InvalidInput, match="does not cover lstm:1x8"):
        bounds(spec, keys=("bhlm19-thm10-unrolled",))
    with pytest.raises(InvalidInput, match="unknown bound"):
        get_bound("no-such-bound")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delta": 0.0}, "delta must lie in"),
        ({"delta": 1.0}, "delta must lie in"),
        ({"epsilon": 0.0}, "epsilon must be > 0"),
        ({"epsilon": -1.0}, "epsilon must be > 0"),
        ({"m": 0}, "samples must be an integer"),
        ({"task": "ranking"}, "unknown task"),
        ({"vc": -3.0}, "vc must be a number"),
    ],
)
def test_bad_settings(kwargs, message):
    spec = parse_arch("gru:8", input_size=3, seq_len=10)
    with pytest.raises(InvalidInput, match=message):
        bounds(spec, **kwargs)


def test_fmt_log10_prints_powers_of_ten():
    assert fmt_log10(math.log10(71680)) == "71,680"
    assert fmt_log10(48.0) == "1.00×10^48"
    assert fmt_log10(math.log10(3.5e12)) == "3.50×10^12"
