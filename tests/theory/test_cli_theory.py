"""`rnncap bounds`, `explain`, `sample-size` through main(): output, JSON keys, bad input."""

import json
import math

import pytest

from rnncap.cli.app import main


def _json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_bounds_json(capsys):
    doc = _json(capsys, ["bounds", "lstm:2x64", "--input-size", "10", "--outputs", "0",
                         "--task", "classification"])  # fmt: skip
    assert doc["arch"]["hidden_sizes"] == [64, 64] and doc["task"] == "classification"
    rows = {r["key"]: r for r in doc["bounds"]}
    assert "ks98-sigmoid-upper" not in rows  # a vanilla-RNN result: left out for an LSTM
    km = rows["km97-pfaffian-unrolled"]
    # U = 5 units per LSTM hidden unit and step (docs/theory.md): 5 · (64 + 64) · 120, no head
    assert km["result"]["text"].startswith(f"O((W·U)²) = O((52,736 · {5 * 128 * 120:,})²)")
    assert "value" not in km["result"] and km["status"] == "ABSTRACT-ONLY" and km["citation"]
    assert km["derived"] is True and km["label"]["tag"] == "ABSTRACT-ONLY · DERIVED"
    argv = ["bounds", "lstm:2x64", "--input-size", "10", "--outputs", "0", "--all"]
    rows = {r["key"]: r for r in _json(capsys, [*argv, "--task", "classification"])["bounds"]}
    ks = rows["ks98-sigmoid-upper"]  # with --all: in its own section, never DERIVED
    assert ks["section"] == "other cell" and ks["derived"] is False
    assert ks["result"]["text"].startswith("O(w⁴·k²) = O(52,736⁴ · 120²)")
    assert ks["label"]["tag"] == "ABSTRACT-ONLY" and "not this cell" in ks["label"]["footnote"]


def test_bounds_table_and_list(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["bounds", "rnn_relu:2x32", "--samples", "20000"]) == 0
    out = capsys.readouterr().out
    assert "bhlm19-thm10" in out and "vacuous" in out
    assert main(["bounds", "--list"]) == 0
    assert "tu20-fisher-rao" in capsys.readouterr().out


def test_explain_default_and_json(capsys):
    assert main(["explain"]) == 0
    out = capsys.readouterr().out
    assert "lstm:1x128 to lstm:2x64 (input size 37, k = 120 steps)" in out
    doc = _json(capsys, ["explain", "lstm:1x128", "lstm:2x64", "--input-size", "10",
                         "--outputs", "0", "--task", "classification"])  # fmt: skip
    assert doc["a"]["w"] == 71_680 and doc["b"]["w"] == 52_736
    assert set(doc) == {"a", "b", "answer", "direct_answer", "bounds"}
    assert doc["answer"] and doc["bounds"][0]["key"]
    assert doc["direct_answer"]["measured"] == [] and "lines" in doc["direct_answer"]
    assert doc["direct_answer"]["established"] is False
    # no lower bound covers an LSTM: Koiran–Sontag's are for vanilla RNNs (issue 25)
    assert doc["direct_answer"]["lower"] == {} and doc["direct_answer"]["feedforward_ratio"] is None
    assert set(doc["direct_answer"]["upper"]) == {"km97-pfaffian-unrolled"}


def test_sample_size(capsys):
    doc = _json(capsys, ["sample-size", "--vc", "10", "--epsilon", "0.1", "--delta", "0.05"])
    assert doc["uml_agnostic"] == pytest.approx(1_340_175.5, abs=0.1)
    doc = _json(capsys, ["sample-size", "--vc", "10", "--realizable"])
    assert doc["uml_realizable"] == pytest.approx(10_015.39, abs=0.01)
    assert main(["sample-size", "--vc", "10"]) == 0
    assert "1,340,175.51" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bounds", "lstm:2x64", "--seq-len", "0"], "--seq-len must be an integer >= 1"),
        (["bounds", "lstm:2x64", "--seq-len", "ten"], "--seq-len must be an integer"),
        (["bounds", "lstm:2x64", "--delta", "half"], "--delta must be a number"),
        (["bounds", "lstm:2x64", "--samples", "0"], "--samples must be an integer >= 1"),
        (["explain", "lstm:1x128", "lstm:2x64", "--convention", "jax"], "unknown convention"),
        (["bounds", "lstm:2x64", "--delta", "1.5"], "delta must lie in (0, 1)"),
        (["bounds", "lstm:2x64", "--delta", "0"], "delta must lie in (0, 1)"),
        (["bounds", "lstm:2x64", "--epsilon", "0"], "epsilon must be > 0"),
        (["bounds", "lstm:2x64", "--bound", "bhlm19-thm10-unrolled"], "does not cover lstm:2x64"),
        (["bounds", "lstm:2x64", "--bound", "nope"], "unknown bound 'nope'"),
        (["bounds"], "give an architecture"),
        (["sample-size", "--vc", "10", "--epsilon", "-0.1"], "epsilon must be > 0"),
        (["sample-size", "--vc", "0"], "VC dimension must be a number > 0"),
        (["sample-size", "--vc", "10", "--delta", "1"], "delta must lie in (0, 1)"),
        (["explain", "lstm:1x128", "lstm:2y64"], "malformed architecture"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err.replace("\n", " ") and err.startswith("Error:")
    assert len(err.splitlines()) == 1, err


def test_compare_shows_bound_ratios(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    argv = ["compare", "rnn_tanh:1x128", "rnn_tanh:2x64", "--input-size", "10", "--seq-len",
            "120"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Bound ratios to the first" in out and "ks98-sigmoid-upper" in out
    doc = _json(capsys, argv)
    rows = {r["key"]: r for r in doc["bounds"]}
    ks = rows["ks98-sigmoid-lower"]
    assert set(ks) == {"key", "citation", "status", "derived", "form", "direction", "existence",
                       "quantity", "section", "labels", "results", "ratios"}  # fmt: skip
    assert (ks["citation"], ks["status"], ks["form"], ks["direction"]) == (
        "Koiran & Sontag 1998, abstract", "ABSTRACT-ONLY", "order", "lower",
    )  # fmt: skip
    assert (ks["existence"], ks["quantity"], ks["section"]) == (False, "pseudo-dimension", "main")
    # per architecture, as the results say: one layer is covered, the stacked one DERIVED
    assert ks["derived"] == [False, True] == [r["derived"] for r in ks["results"]]
    assert [label["tag"] for label in ks["labels"]] == ["ABSTRACT-ONLY", "ABSTRACT-ONLY · DERIVED"]
    assert set(ks["ratios"][1]) == {"key", "ratio", "log10", "reason"}
    assert ks["ratios"][1]["key"] == "ks98-sigmoid-lower" and ks["ratios"][1]["reason"] == ""
    w1, w2 = 128 * (10 + 128 + 2), 64 * (10 + 64 + 2) + 64 * (64 + 64 + 2)  # torch.nn.RNN, no head
    assert ks["ratios"][1]["log10"] == pytest.approx(math.log10(w2 / w1))
    # regression default (theory.md 4.6): upper bounds at w + 1; lower bounds at w (VCdim <= Pdim)
    assert rows["ks98-sigmoid-upper"]["ratios"][1]["ratio"] == pytest.approx(
        ((w2 + 1) / (w1 + 1)) ** 4
    )
    assert rows["ks98-sigmoid-lower"]["ratios"][1]["ratio"] == pytest.approx(w2 / w1)
    lstm = _json(capsys, ["compare", "lstm:1x128", "lstm:2x64", "--input-size", "10"])
    assert not any(r["key"].startswith("ks98") for r in lstm["bounds"])  # not an LSTM's bounds
    lstm = _json(capsys, ["compare", "lstm:1x128", "lstm:2x64", "--input-size", "10", "--all"])
    other = [r for r in lstm["bounds"] if r["key"].startswith("ks98")]
    assert other and all(r["section"] == "other cell" for r in other)
    assert all(r["derived"] == [False, False] and r["ratios"][1]["ratio"] is None for r in other)


def test_status_marks_derived_use_per_cell(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    assert main(["bounds", "rnn_tanh:1x32", "--bound", "ks98-sigmoid-lower"]) == 0
    tanh = capsys.readouterr().out
    assert "ABSTRACT-ONLY" in tanh and "DERIVED:" not in tanh and "· DERIVED" not in tanh
    assert main(["bounds", "lstm:1x32", "--bound", "ks98-sigmoid-lower"]) == 0
    lstm = capsys.readouterr().out  # asked for by name: shown apart, as another cell's result
    assert "Results for vanilla RNNs, not this cell (lstm:1x32)" in lstm
    assert "ABSTRACT-ONLY [1]" in lstm and "· DERIVED" not in lstm
    # a stacked vanilla RNN is outside Koiran–Sontag's single recurrence (theory.md 0.3)
    assert main(["bounds", "rnn_tanh:3x32", "--bound", "ks98-sigmoid-lower"]) == 0
    stacked = capsys.readouterr().out
    assert "ABSTRACT-ONLY · DERIVED" in stacked and "no bound for stacked" in stacked


def test_explain_defaults_are_the_default_weather_task():
    """The defaults of `explain`/`bounds` must be the inputs and history of the default task."""
    from rnncap.data import Task, prepare_task
    from rnncap.theory.explain import DEFAULT_INPUT_SIZE, DEFAULT_SEQ_LEN

    td = prepare_task(Task(dataset="nyc2013"))
    assert (td.input_size, td.train.x.shape[1]) == (DEFAULT_INPUT_SIZE, DEFAULT_SEQ_LEN)
