"""Model files wherever an architecture is accepted: ``rnncap count model.keras`` and friends.

Counts are checked against ``model.count_params()`` (Keras) and ``sum(p.numel())`` (PyTorch);
bounds against the same command given the architecture string written by hand.
"""

from __future__ import annotations

import json
import sys

import pytest
import torch
from torch import nn

from rnncap.cli.app import main
from rnncap.plain import to_plain

pytestmark = pytest.mark.slow  # keras models / report figures: seconds each

keras = pytest.importorskip("keras")
L = keras.layers


class Forecaster(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(10, 64, num_layers=2, batch_first=True)
        self.head = nn.Linear(64, 1)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The issue's Keras tutorial model (.keras and .h5) and a PyTorch forecaster (three ways)."""
    root = tmp_path_factory.mktemp("models")
    tutorial = keras.Sequential(
        [keras.Input((120, 10)), L.LSTM(64, return_sequences=True), L.LSTM(32), L.Dense(1)]
    )
    tutorial.save(root / "model.keras")
    tutorial.save(root / "model.h5")
    keras.Sequential([keras.Input((5, 3)), L.Dense(2)]).save(root / "dense.keras")
    free = keras.Sequential([keras.Input((None, 3)), L.GRU(4), L.Dense(1)])
    free.save(root / "free.keras")
    torch_model = Forecaster()
    torch.save(torch_model, root / "full.pt")
    torch.save(torch_model.state_dict(), root / "sd.pt")
    torch.save(nn.Linear(3, 1).state_dict(), root / "linear.pt")
    (root / "data.keras").write_text("time,temp\n0,1\n")
    (root / "broken.keras").write_bytes((root / "model.keras").read_bytes()[:300])
    counts = {
        "keras": tutorial.count_params(),
        "torch": sum(p.numel() for p in torch_model.parameters()),
    }
    return root, counts


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, argv: list) -> dict:
    code, out, err = _run(capsys, [*argv, "--json"])
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("name", ["model.keras", "model.h5"])
def test_count_of_the_keras_tutorial_equals_count_params(capsys, files, name):
    root, counts = files
    doc = _json(capsys, ["count", root / name])
    assert doc["parameters"]["total"] == counts["keras"] == 31_649
    assert doc["spec"]["seq_len"] == 120 and doc["spec"]["convention"] == "keras"
    assert doc["model_file"]["module_parameters"] == counts["keras"]
    code, out, err = _run(capsys, ["count", root / name])
    assert code == 0 and "31,649" in out and "Read from" in out
    assert "31,649 of its 31,649 parameters" in err


def test_bounds_of_the_keras_tutorial(capsys, files):
    root, _ = files
    doc = _json(capsys, ["bounds", root / "model.keras", "--samples", "5683"])
    by_hand = ["bounds", "lstm:64,32", "--input-size", "10", "--seq-len", "120", "--outputs", "1",
               "--convention", "keras", "--samples", "5683"]  # fmt: skip
    by_hand = _json(capsys, by_hand)
    assert doc["bounds"] == by_hand["bounds"] and len(doc["bounds"]) > 5
    assert doc["arch"]["hidden_sizes"] == [64, 32] and doc["arch"]["input_size"] == 10


def test_torch_module_needs_trust_and_counts_exactly(capsys, files):
    root, counts = files
    code, _, err = _run(capsys, ["count", root / "full.pt"])
    assert code == 2 and "--trust" in err and len(err.strip().splitlines()) == 1
    doc = _json(capsys, ["count", root / "full.pt", "--trust"])
    assert doc["parameters"]["total"] == counts["torch"] == 52_801
    assert _json(capsys, ["count", root / "sd.pt"])["parameters"]["total"] == counts["torch"]
    argv = ["bounds", root / "sd.pt", "--seq-len", "120", "--samples", "5683"]
    by_hand = ["bounds", "lstm:2x64", "--input-size", "10", "--seq-len", "120", "--samples",
               "5683"]  # fmt: skip
    assert _json(capsys, argv)["bounds"] == _json(capsys, by_hand)["bounds"]


def test_architecture_strings_beside_a_file_take_its_shape(capsys, files):
    root, _ = files
    doc = _json(capsys, ["compare", root / "model.keras", "lstm:1x90"])
    other = doc["specs"][1]
    assert (other["input_size"], other["seq_len"], other["outputs"], other["convention"]) == (
        10,
        120,
        1,
        "keras",
    )
    code, out, _ = _run(capsys, ["explain", root / "model.keras", "lstm:1x90"])
    assert code == 0 and "lstm:64,32" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["count", "{root}/missing.keras"], "no such file"),
        (["count", "{root}/data.keras"], "is not a Keras"),
        (["count", "{root}/broken.keras"], "damaged zip"),
        (["count", "{root}/dense.keras"], "no recurrent layer"),
        (["count", "{root}/linear.pt"], "no recurrent layer"),
        (["bounds", "{root}/free.keras"], "does not fix the input length"),
        (["bounds", "{root}/sd.pt"], "does not fix the input length"),
        (["count", "{root}/model.keras", "--seq-len", "12"], "fixes the input length k = 120"),
        (["count", "{root}/model.keras", "--input-size", "3"], "drop --input-size"),
        (["bounds", "{root}/full.pt", "--seq-len", "9"], "pass --trust"),
        (["count", "lstm:2x8"], "give --input-size"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, files, argv, message):
    root, _ = files
    code, _, err = _run(capsys, [a.format(root=root) for a in argv])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0]


def test_keras_file_without_keras_says_pip_install(capsys, files, monkeypatch):
    root, _ = files
    monkeypatch.setitem(sys.modules, "keras", None)  # import keras now raises ImportError
    code, _, err = _run(capsys, ["count", root / "model.keras"])
    assert code == 2 and "pip install keras" in err and len(err.strip().splitlines()) == 1


def test_capacity_measures_a_files_cell_and_widths_on_its_task(capsys, tmp_path):
    from rnncap.arch import parse_arch
    from rnncap.engine import RecurrentModel

    torch.save(nn.RNN(5, 2).state_dict(), tmp_path / "rnn.pt")
    argv = ["capacity", "memorize", tmp_path / "rnn.pt", "--input-bits", "8", "--delay", "1",
            "--samples", "8,16", "--seeds", "1", "--epochs", "5"]  # fmt: skip
    doc = _json(capsys, argv)
    same = RecurrentModel(parse_arch("rnn_tanh:1x2", input_size=8, seq_len=2, outputs=1))
    assert doc["arch"] == "rnn_tanh:1x2"
    assert doc["parameters"] == sum(p.numel() for p in same.parameters())


def test_capacity_refuses_keras_only_cells(capsys, tmp_path):
    keras.Sequential([keras.Input((4, 2)), L.LSTM(3, recurrent_activation="hard_sigmoid")]).save(
        tmp_path / "hard.keras"
    )
    code, _, err = _run(capsys, ["capacity", "vc", tmp_path / "hard.keras", "--seq-len", "2"])
    assert code == 2 and "Keras-only" in err and len(err.strip().splitlines()) == 1
    doc = _json(capsys, ["compare", tmp_path / "hard.keras", "gru:1x2", "rnn_tanh:4"])
    assert [s["recurrent_activation"] for s in doc["specs"]] == ["hard_sigmoid"] * 2 + ["sigmoid"]


def test_an_rnncap_forecaster_checkpoint_states_its_spec(capsys, tmp_path):
    from rnncap.data import Task, prepare_task
    from rnncap.forecast import Forecaster, save

    model = Forecaster("rnn_relu:1x4", epochs=1, seed=3).fit(
        prepare_task(Task(history=8, horizon=1, stride=48))
    )
    path = save(model, tmp_path / "relu.pt")
    doc = _json(capsys, ["count", path])
    assert doc["spec"] == to_plain(model.spec_)  # rnn_relu kept: the checkpoint says so
    assert doc["parameters"]["total"] == sum(p.numel() for p in model.model_.parameters())
    assert _json(capsys, ["bounds", path])["arch"]["seq_len"] == 8  # k from the checkpoint


def test_files_side_by_side_share_the_fixed_length(capsys, files):
    root, _ = files
    doc = _json(capsys, ["compare", root / "model.keras", root / "sd.pt"])
    assert [s["seq_len"] for s in doc["specs"]] == [120, 120]
    code, _, err = _run(capsys, ["compare", root / "sd.pt", root / "model.keras", "--json"])
    assert code == 0 and "taken from" in err
