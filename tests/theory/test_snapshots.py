"""Snapshots of the human-readable tables at 80 columns: `bounds`, `explain`, `compare`.

A change to what a reader sees must be deliberate: regenerate with
``RNNCAP_UPDATE_SNAPSHOTS=1 python -m pytest tests/theory/test_snapshots.py`` and review the diff.
Beside the exact text, each case checks that every row carries its citation, status and note.
"""

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
}  # fmt: skip


def _run(capsys, monkeypatch, argv) -> str:
    monkeypatch.setenv("COLUMNS", "80")
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
    marks = set(re.findall(r"\[(\d+)\]", out.split("┘")[0]))
    notes = set(re.findall(r"^\[(\d+)\] ", out, flags=re.MULTILINE))
    assert marks and marks == notes  # every mark in the table has its footnote
    statuses = re.findall(r"(STATED-VERIFIED|STATED-SECONDARY|ABSTRACT-ONLY|UNVERIFIED|DERIVED)",
                          out.split("┘")[0])  # fmt: skip
    assert statuses
