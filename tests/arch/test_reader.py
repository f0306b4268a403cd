"""spec_from_module on RecurrentModel, plain torch modules and a module with an unknown layer."""

from __future__ import annotations

import pytest
import torch
from arch_strategies import torch_specs
from hypothesis import given, settings
from torch import nn

from rnncap.arch import count_parameters, parse_arch
from rnncap.arch.reader import spec_from_module
from rnncap.engine import RecurrentModel
from rnncap.errors import InvalidInput


@settings(max_examples=60)
@given(torch_specs(seq_len=1))
def test_reads_recurrent_model(spec):
    model = RecurrentModel(spec)
    reading = spec_from_module(model)
    assert reading.stacks == (model.spec,)  # RecurrentModel always has a head
    assert reading.unrecognized == ()
    assert count_parameters(reading.stacks[0]).total == sum(p.numel() for p in model.parameters())


class PlainForecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(7, 32, num_layers=2, batch_first=True, dropout=0.1)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        return self.out(self.rnn(x)[0][:, -1])


def test_reads_plain_lstm_and_linear():
    model = PlainForecaster()
    (spec,) = spec_from_module(model, seq_len=24).stacks
    assert spec == parse_arch("lstm:2x32", input_size=7, seq_len=24, outputs=3)
    assert count_parameters(spec).total == sum(p.numel() for p in model.parameters())


class WithUnknownLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(5)
        self.gru = nn.GRU(5, 8, bidirectional=True)
        self.gru2 = nn.GRU(16, 4, bidirectional=True)
        self.conv = nn.Conv1d(8, 2, 3)
        self.head = nn.Linear(8, 1)


def test_unknown_layers_are_listed_by_name():
    model = WithUnknownLayer()
    reading = spec_from_module(model)
    (spec,) = reading.stacks
    assert spec == parse_arch("gru:8,4", input_size=5, bidirectional=True)
    names = [(u.name, u.kind) for u in reading.unrecognized]
    assert names == [("norm", "LayerNorm"), ("conv", "Conv1d"), ("head", "Linear")]
    assert reading.accounted_parameters == sum(p.numel() for p in model.parameters())


def test_separate_stacks_and_parameter_free_layers():
    model = nn.Sequential(nn.RNN(3, 6, nonlinearity="relu"), nn.Dropout(), nn.LSTM(4, 5))
    reading = spec_from_module(model)
    assert [s.name for s in reading.stacks] == ["rnn_relu:1x6", "lstm:1x5"]
    assert reading.unrecognized == ()


def test_not_a_module():
    with pytest.raises(InvalidInput, match="expected a torch.nn.Module"):
        spec_from_module(torch.zeros(3))
