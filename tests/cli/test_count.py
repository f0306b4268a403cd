"""`rnncap count`, `compare` and `frontier` through `main([...])`: JSON against real modules."""

from __future__ import annotations

import json

import pytest
from torch import nn

from rnncap.arch import parse_arch
from rnncap.cli.app import main
from rnncap.engine import RecurrentModel


def _json(capsys, argv: list[str]) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_count_json_matches_the_torch_module(capsys):
    doc = _json(capsys, ["count", "lstm:2x64", "--input-size", "10", "--seq-len", "120",
                         "--outputs", "1"])  # fmt: skip
    model = RecurrentModel(parse_arch("lstm:2x64", input_size=10, outputs=1))
    assert doc["parameters"]["total"] == _numel(model) == 52_801
    assert doc["parameters"]["recurrent"] == 52_736  # theory.md 6.1
    names = [t["tensor"] for t in doc["parameters"]["tensors"]]
    assert names[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert set(doc) == {"spec", "parameters", "flops", "memory", "graph"}
    assert doc["graph"]["longest_path"] == 120 + 2 - 1  # k + L - 1
    assert doc["flops"]["training_flops"] == 3 * doc["flops"]["forward_flops"]
    assert doc["memory"]["parameter_bytes"] == 4 * 52_801


def test_count_keras_bidirectional_gru(capsys):
    doc = _json(capsys, ["count", "gru:1x16", "--input-size", "7", "--convention", "keras",
                         "--no-reset-after"])  # fmt: skip
    assert doc["parameters"]["total"] == 1_152  # theory.md 6.1 Keras check
    argv = ["count", "gru:8", "-d", "3", "--bidirectional", "--no-bias"]
    doc = _json(capsys, argv)
    assert doc["parameters"]["total"] == _numel(nn.GRU(3, 8, bidirectional=True, bias=False))


def test_count_table(capsys):
    assert main(["count", "lstm:32,16", "--input-size", "5", "--proj-size", "4"]) == 0
    out = capsys.readouterr().out
    real = _numel(nn.LSTM(5, 32, proj_size=4)) + _numel(nn.LSTM(4, 16, proj_size=4))
    assert "weight_hr_l1" in out and f"{real:,}" in out and "nonlinear units U" in out


def test_readme_compare_and_theory_ratio(capsys):
    argv = ["compare", "lstm:1x128", "lstm:2x64", "lstm:4x32", "--input-size", "30",
            "--seq-len", "120"]  # fmt: skip
    assert main(argv) == 0
    assert "lstm:4x32" in capsys.readouterr().out
    doc = _json(capsys, ["compare", "lstm:1x128", "lstm:2x64", "--input-size", "10"])
    assert doc["archs"] == ["lstm:1x128", "lstm:2x64"]
    params = next(f for f in doc["figures"] if f["key"] == "parameters")
    assert params["values"] == [71_680, 52_736]
    assert params["ratios"][1] == pytest.approx(0.736, abs=5e-4)  # theory.md "How to use"


def test_frontier_points_are_exact(capsys):
    doc = _json(capsys, ["frontier", "--budget", "20000", "--cell", "gru", "--input-size", "6",
                         "--layers", "1,3", "--outputs", "1", "--taper"])  # fmt: skip
    assert [p["layers"] for p in doc["points"]] == [1, 3]
    for point in doc["points"]:
        spec = parse_arch(point["arch"], input_size=6, outputs=1)
        assert point["parameters"] == _numel(RecurrentModel(spec))
        assert point["difference"] == point["parameters"] - 20_000
    assert main(["frontier", "--budget", "50000", "--cell", "lstm", "--input-size", "10"]) == 0
    assert "lstm:6x" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["count", "conv:2x8", "-d", "3"], "unknown cell 'conv'"),
        (["count", "lstm:2y8", "-d", "3"], "malformed architecture 'lstm:2y8'"),
        (["count", "lstm:2x0", "-d", "3"], "layer 1 units must be an integer >= 1"),
        (["count", "lstm:2x8", "-d", "0"], "--input-size must be an integer >= 1; got 0"),
        (
            ["count", "lstm:2x8", "-d", "3", "--seq-len", "-3"],
            "--seq-len must be an integer >= 1; got -3",
        ),
        (["count", "lstm:2x8", "-d", "ten"], "--input-size must be an integer; got 'ten'"),
        (["count", "lstm:2x8", "-d", "3", "--proj-size", "8"], "proj size must be smaller"),
        (["count", "lstm:2x8", "-d", "3", "--convention", "tf"], "unknown convention 'tf'"),
        (["count", "lstm:2x8", "-d", "3", "--outputs", "1.5"], "--outputs must be an integer"),
        (["count", "lstm:2x8", "-d", "3", "--dtype", "int8"], "unknown dtype 'int8'"),
        (["compare", "lstm:2x8", "gru:x", "-d", "3"], "malformed architecture 'gru:x'"),
        (["frontier", "--budget", "100", "--cell", "lstm", "-d", "3"], "below the smallest lstm"),
        (["frontier", "--budget", "5e4", "--cell", "lstm", "-d", "3"], "--budget must be an int"),
        (["frontier", "--budget", "900", "--cell", "lsm", "-d", "3"], "unknown cell 'lsm'"),
        (
            ["frontier", "--budget", "900", "--cell", "gru", "-d", "3", "--layers", "6-1"],
            "--layers range must run from >= 1 upwards",
        ),  # fmt: skip
        (
            ["frontier", "--budget", "900", "--cell", "gru", "-d", "3", "--layers", "a"],
            "malformed --layers 'a'",
        ),  # fmt: skip
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
