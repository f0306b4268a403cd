"""The tables of `bounds`, `compare` and `explain` say what their `--json` says (issue 25).

Each table is rendered at 80 columns and parsed back: a row starts where the first column holds a
catalog key. For every row, the label (key, what it bounds, citation), the status tag of each
architecture and the text of its numbered note must equal the JSON row's `label` fields, and the
value must equal the JSON result's text. Cells and notes are rebuilt by joining their lines with
one space, so a number, key or word split across two lines fails the comparison too.
"""

import json
import re

import pytest

from rnncap.cli.app import main
from rnncap.theory import catalog

KEYS = {b.key for b in catalog()}
TAG = re.compile(
    r"(STATED-VERIFIED|STATED-SECONDARY|ABSTRACT-ONLY|UNVERIFIED|DERIVED)( · DERIVED)? \[(\d+)\]"
)
STACKS = {
    "lstm": ("lstm:1x64", "lstm:3x32"),
    "gru": ("gru:1x16", "gru:2x16"),
    "rnn_tanh": ("rnn_tanh:1x32", "rnn_tanh:3x32"),
    "rnn_relu": ("rnn_relu:1x32", "rnn_relu:3x32"),
}
SIZES = ["--input-size", "37", "--seq-len", "120"]


def _run(capsys, monkeypatch, argv: list[str]) -> tuple[str, dict]:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert main([*argv, "--json"]) == 0
    return out, json.loads(capsys.readouterr().out)


def _parse(out: str) -> tuple[list[tuple[str, list[str]]], dict[int, str]]:
    """Rows as (title of their table, column texts) and notes by number, lines joined by spaces."""
    rows: list[tuple[str, list[list[str]]]] = []
    title, notes, last = "", {}, None
    for line in out.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
            if cells[0] in KEYS:
                rows.append((title, [[c] for c in cells]))
            else:
                for column, c in zip(rows[-1][1], cells, strict=True):
                    column.append(c) if c else None
        elif line.startswith(("Capacity bounds", "Bound", "Results for vanilla RNNs")):
            title = line.strip()
        if m := re.match(r"^\[(\d+)\] (.*)", line):
            last = int(m.group(1))
            notes[last] = m.group(2).strip()
        elif last is not None and line.strip():
            notes[last] += " " + line.strip()
    joined = [(t, [" ".join(p for p in col if p) for col in cols]) for t, cols in rows]
    return joined, notes


def _status(cell: str, label: dict, notes: dict[int, str]) -> None:
    """The cell's tag and note are the JSON label's (compact tables put the tag in the note)."""
    found = TAG.search(cell)
    if found:
        assert found.group(1) + (found.group(2) or "") == label["tag"], (cell, label)
        assert notes[int(found.group(3))] == label["footnote"]
    else:
        mark = re.search(r"\[(\d+)\]$", cell)
        assert mark, cell
        assert notes[int(mark.group(1))] == f"{label['tag']}: {label['footnote']}"


def _label_text(label: dict) -> str:
    return f"{label['key']} {label['what']} {label['citation']}"


def _section(title: str) -> str:
    return "other cell" if title.startswith("Results for vanilla RNNs") else "main"


def _check_width(out: str) -> None:
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("cell", STACKS)
@pytest.mark.parametrize("show_all", [False, True])
def test_bounds_table_labels_equal_the_json(cell, show_all, capsys, monkeypatch):
    for arch in STACKS[cell]:
        argv = ["bounds", arch, *SIZES, "--samples", "5683", *(["--all"] if show_all else [])]
        out, doc = _run(capsys, monkeypatch, argv)
        _check_width(out)
        rows, notes = _parse(out)
        by_key = {(r["key"], r["section"]): r for r in doc["bounds"]}
        assert rows and len(rows) == len(
            [r for r in doc["bounds"] if show_all or r["result"]["kind"] != "not applicable"]
        )
        for title, (label_cell, value, status) in rows:
            row = by_key[(label_cell.split()[0], _section(title))]
            label = row["label"]
            assert label_cell == _label_text(label)
            assert (label["derived"], label["existence"]) == (row["derived"], row["existence"])
            if row["result"]["kind"] != "not applicable":
                assert value == row["result"]["text"]
                assert label["derived"] == row["result"]["derived"]  # never contradicts
                _status(status, label, notes)
            if row["section"] == "other cell":
                assert not label["derived"] and "DERIVED" not in status
                assert cell in ("lstm", "gru")


def _compare_rows(capsys, monkeypatch, argv):
    out, doc = _run(capsys, monkeypatch, argv)
    if argv[0] == "compare":
        out = out[out.index("Bound ratios to the first") :]
    _check_width(out)
    rows, notes = _parse(out)
    by_key = {(r["key"], r["section"]): r for r in doc["bounds"]}
    assert rows and len(rows) == len(doc["bounds"])
    return rows, notes, by_key


@pytest.mark.parametrize("cell", STACKS)
@pytest.mark.parametrize("show_all", [False, True])
def test_compare_and_explain_labels_equal_the_json_per_architecture(
    cell, show_all, capsys, monkeypatch
):
    a, b = STACKS[cell]
    more = ["--all"] if show_all else []
    for argv in (["compare", a, b, *SIZES, *more], ["explain", a, b, *more]):
        rows, notes, by_key = _compare_rows(capsys, monkeypatch, argv)
        for title, cells in rows:
            row = by_key[(cells[0].split()[0], _section(title))]
            labels = row["labels"]
            assert cells[0] == _label_text(labels[0]) == _label_text(labels[1])
            assert row["existence"] == labels[0]["existence"]
            assert row["quantity"] == labels[0]["quantity"]
            for i, result in enumerate(row["results"]):
                assert row["derived"][i] == labels[i]["derived"] == result["derived"]
                if result["kind"] == "not applicable":
                    assert not TAG.search(cells[1 + i])
                    continue
                _status(cells[1 + i], labels[i], notes)
                if argv[0] == "explain":
                    assert cells[1 + i].startswith(result["text"] + " ")
            if row["section"] == "other cell":
                assert row["derived"] == [False, False] and cell in ("lstm", "gru")


def test_three_architectures_fall_back_to_notes_that_carry_the_tag(capsys, monkeypatch):
    # four columns at 80: the ReLU rows' words leave no room for the tags, so each cell shows its
    # note mark and the note opens with the tag (tested in `_status`)
    argv = ["compare", "rnn_relu:1x32", "rnn_relu:2x32", "rnn_relu:3x32", *SIZES]
    rows, notes, by_key = _compare_rows(capsys, monkeypatch, argv)
    for title, cells in rows:
        row = by_key[(cells[0].split()[0], _section(title))]
        for i, label in enumerate(row["labels"]):
            _status(cells[1 + i], label, notes)


def test_no_key_or_number_is_split_at_80_columns(capsys, monkeypatch):
    # the examples: "380,000–760,00" / "0)" and "ks98-thm5-arbitrary-sig" / "moid-lower"
    for argv in (["explain", "lstm:1x64", "lstm:4x64", "--all"],
                 ["compare", "rnn_tanh:1x32", "rnn_tanh:3x32", *SIZES],
                 ["bounds", "rnn_tanh:3x32", "--samples", "5683", "--all"]):  # fmt: skip
        out, _ = _run(capsys, monkeypatch, argv)
        words = {w for line in out.splitlines() for w in re.split(r"[\s│]+", line) if w}
        for key in ("ks98-thm5-arbitrary-sigmoid-lower", "ks98-sigmoid-upper", "collins17-bits"):
            assert key in words, (key, argv)
        assert not any(w in words for w in ("ks98-thm5-arbitrary-sig", "760,00", "0)"))
