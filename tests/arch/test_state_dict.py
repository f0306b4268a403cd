"""`spec_from_state_dict` and PyTorch files against real modules: counts == sum(p.numel())."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from rnncap.arch import parse_arch, spec_from_module, total_parameters
from rnncap.arch.files import read_model_file
from rnncap.arch.state_dict import spec_from_state_dict
from rnncap.engine import RecurrentModel
from rnncap.errors import InvalidInput


def _numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


class Forecaster(nn.Module):
    """A typical hand-written forecaster: an LSTM and a linear head on the last step."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(10, 64, num_layers=2, batch_first=True)
        self.head = nn.Linear(64, 1)


MODULES = {
    "tutorial": (Forecaster, parse_arch("lstm:2x64", input_size=10, outputs=1)),
    "proj bidirectional": (
        lambda: nn.Sequential(nn.LSTM(4, 16, num_layers=3, proj_size=5, bidirectional=True)),
        parse_arch("lstm:3x16", input_size=4, proj_size=5, bidirectional=True),
    ),
    "gru no bias": (
        lambda: nn.GRU(2, 5, bias=False),
        parse_arch("gru:5", input_size=2, bias=False),
    ),
    "rnncap ModuleList": (
        lambda: RecurrentModel(parse_arch("gru:32,16,8", input_size=7, outputs=3)),
        parse_arch("gru:32,16,8", input_size=7, outputs=3),
    ),
    "rnn": (
        lambda: nn.Sequential(nn.RNN(3, 8, num_layers=2), nn.Linear(8, 2)),
        parse_arch("rnn_tanh:2x8", input_size=3, outputs=2),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MODULES))
def test_state_dict_counts_equal_numel(case):
    make, expected = MODULES[case]
    module = make()
    reading = spec_from_state_dict(module.state_dict())
    assert reading.stacks == (expected,)
    assert reading.module_parameters == _numel(module) == total_parameters(expected)
    assert reading.stacks == spec_from_module(module).stacks  # agrees with the module reader


def test_rnn_nonlinearity_is_stated_as_assumed():
    reading = spec_from_state_dict(nn.RNN(3, 4, nonlinearity="relu").state_dict())
    assert reading.stacks[0].cell.value == "rnn_tanh"
    assert any("not stored" in n for n in reading.notes)


def test_unmapped_tensors_and_buffers():
    model = nn.Sequential()
    model.add_module("conv", nn.Conv1d(3, 4, 2))
    model.add_module("bn", nn.BatchNorm1d(4))
    model.add_module("lstm", nn.LSTM(4, 6))
    model.add_module("attn", nn.MultiheadAttention(6, 2))
    reading = spec_from_state_dict(model.state_dict())
    assert [s.name for s in reading.stacks] == ["lstm:1x6"]
    assert {u.name for u in reading.unrecognized} == {"conv", "bn", "attn", "attn.out_proj"}
    assert reading.module_parameters == reading.accounted_parameters == _numel(model)
    assert any("buffers" in n for n in reading.notes)


def test_wrong_shapes_are_not_guessed():
    state = nn.LSTM(3, 4).state_dict()
    state["weight_hh_l0"] = torch.zeros(16, 5)  # no nn.LSTM has this
    reading = spec_from_state_dict(state)
    assert not reading.stacks
    assert reading.unrecognized[0].parameters == sum(t.numel() for t in state.values())


def test_torch_files(tmp_path):
    model = Forecaster()
    torch.save(model.state_dict(), tmp_path / "sd.pt")
    torch.save({"model_state_dict": model.state_dict(), "epoch": 3}, tmp_path / "ckpt.pt")
    torch.save(model, tmp_path / "full.pt")
    expected = MODULES["tutorial"][1]
    for name in ("sd.pt", "ckpt.pt"):
        reading = read_model_file(tmp_path / name)
        assert reading.stacks == (expected,) and reading.module_parameters == _numel(model)
    with pytest.raises(InvalidInput, match="trust=True"):
        read_model_file(tmp_path / "full.pt")
    reading = read_model_file(tmp_path / "full.pt", trust=True)
    assert reading.source == "torch module" and reading.stacks == (expected,)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"time,temp\n0,1\n", "is not a Keras"),
        (b"PK\x03\x04garbage", "damaged zip"),
        (b"\x80\x02garbage", "cannot read"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        read_model_file(path)


def test_missing_and_script_files(tmp_path):
    with pytest.raises(InvalidInput, match="no such file"):
        read_model_file(tmp_path / "nope.pt")
    with pytest.raises(InvalidInput, match="folder"):
        read_model_file(tmp_path)
    torch.jit.save(torch.jit.script(nn.Linear(2, 1)), tmp_path / "script.pt")
    with pytest.raises(InvalidInput, match="TorchScript"):
        read_model_file(tmp_path / "script.pt")
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(InvalidInput, match="not a state_dict"):
        read_model_file(tmp_path / "list.pt")
