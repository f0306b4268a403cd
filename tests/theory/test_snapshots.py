"""Snapshots of the human-readable tables at 80 columns: `bounds`, `explain`, `compare`, and of
the same commands' `--json` documents (every note, formula and caveat a program reads).

A change to what a reader sees must be deliberate: regenerate with
``RNNCAP_UPDATE_SNAPSHOTS=1 python -m pytest tests/theory/test_snapshots.py`` and review the diff.
Beside the exact text, each case checks that every row carries its citation, status and note.
"""

import json
import os
import re
from pathlib import Path

import pytest

from rnncap.cli.app import main

SNAPSHOTS = Path(__file__).parent / "snapshots"
CASES = {
    "bounds_lstm_2x64": ["bounds", "lstm:2x64", "--samples", "5683"],
    "bounds_rnn_tanh_3x32": ["bounds", "rnn_tanh:3x32", "--samples", "5683"],
    "bounds_gru_1x16": ["bounds", "gru:1x16", "--samples", "5683"],
    "bounds_rnn_relu_1x16": ["bounds", "rnn_relu:1x16", "--seq-len", "20", "--samples", "5683"],
    "explain_lstm_1x64_4x64": ["explain", "lstm:1x64", "lstm:4x64"],
    "explain_default": ["explain"],
    "compare_lstm_gru": ["compare", "lstm:1x128", "lstm:2x64", "gru:1x16", "--input-size", "37",
                         "--seq-len", "120"],
    # issue 25: the stacked column's own status; vanilla-RNN results apart for an LSTM
    "compare_rnn_tanh_1x32_3x32": ["compare", "rnn_tanh:1x32", "rnn_tanh:3x32", "--input-size",
                                   "37", "--seq-len", "120"],
    "explain_lstm_1x64_4x64_all": ["explain", "lstm:1x64", "lstm:4x64", "--all"],
}  # fmt: skip


def _run(capsys, monkeypatch, argv) -> str:
    from rnncap.capacity.atlas import quote

    monkeypatch.setenv("COLUMNS", "80")
    # explain quotes the shipped capacity atlas, whose figures change with each export: the
    # snapshots are of the theory's text, so they are taken with no atlas shipped
    monkeypatch.setattr(quote, "ATLAS_PATH", SNAPSHOTS / "no-atlas.json")
    quote.load_atlas.cache_clear()
    assert main(argv) == 0
    out = capsys.readouterr().out
    if argv[0] == "compare":  # the figures table above belongs to the arch room
        out = out[out.index("Bound ratios to the first") :]
    return out


@pytest.mark.parametrize("name", CASES)
def test_table_snapshot(name, capsys, monkeypatch):
    out = _run(capsys, monkeypatch, CASES[name])
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("RNNCAP_UPDATE_SNAPSHOTS") == "1":
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith("explain_default")])
def test_every_row_carries_status_and_a_numbered_note(name, capsys, monkeypatch):
    out = _run(capsys, monkeypatch, CASES[name])
    cells = "\n".join(line for line in out.splitlines() if line.startswith("│"))  # every table
    marks = set(re.findall(r"\[(\d+)\]", cells))
    notes = set(re.findall(r"^\[(\d+)\] ", out, flags=re.MULTILINE))
    assert marks and marks == notes  # every mark in the table has its footnote
    statuses = re.findall(r"(STATED-VERIFIED|STATED-SECONDARY|ABSTRACT-ONLY|UNVERIFIED|DERIVED)",
                          cells)  # fmt: skip
    assert statuses


#: JSON-only cases: the classification task's sample-complexity rows, a VC proxy, every row
#: (applicable or not) and the Keras layout.
JSON_CASES = {
    **CASES,
    "bounds_rnn_tanh_3x32_classification_all": [
        "bounds", "rnn_tanh:3x32", "--samples", "5683", "--task", "classification", "--all",
        "--epsilon", "0.05", "--delta", "0.01"],
    "bounds_lstm_1x8_vc_keras": [
        "bounds", "lstm:1x8", "--samples", "900", "--vc", "1000", "--convention", "keras",
        "--all"],
    "bounds_gru_2x4_classification": [
        "bounds", "gru:2x4", "--input-size", "3", "--seq-len", "12", "--task", "classification",
        "--samples", "100000"],
    "explain_rnn_relu_1x32_3x32": ["explain", "rnn_relu:1x32", "rnn_relu:3x32"],
}  # fmt: skip


def _close(a, b) -> bool:
    """Equal JSON values, floats to 12 significant digits (libm may differ in the last bit)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and (
            a == pytest.approx(b, rel=1e-12, abs=1e-300))  # fmt: skip
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_close, a, b))
    return type(a) is type(b) and a == b


def test_the_json_comparison_catches_a_changed_value():
    assert _close({"a": [1, 2.0, "x"]}, {"a": [1, 2.0 * (1 + 1e-14), "x"]})
    assert not _close({"a": [1, 2.0, "x"]}, {"a": [1, 2.001, "x"]})
    assert not _close({"a": "x"}, {"a": "X"}) and not _close({"a": 1}, {"b": 1})
    assert not _close([True], [1]) and not _close([1], [1, 2])


@pytest.mark.parametrize("name", JSON_CASES)
def test_json_snapshot(name, capsys, monkeypatch):
    """The --json document of each case, compared as parsed JSON (key order aside)."""
    assert main([*JSON_CASES[name], "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    path = SNAPSHOTS / f"{name}.json"
    if os.environ.get("RNNCAP_UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert _close(doc, json.loads(path.read_text(encoding="utf-8")))
