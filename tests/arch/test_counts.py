"""Closed-form parameter counts against real torch modules, Keras 3 and theory.md section 6.1."""

from __future__ import annotations

import keras
import pytest
import torch
from arch_strategies import torch_specs
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncap.arch import Cell, RecurrentSpec, count_parameters, parse_arch
from rnncap.engine import RecurrentModel
from rnncap.plain import to_plain


def _model_rows(model: RecurrentModel, spec: RecurrentSpec) -> list[tuple[str, str, tuple]]:
    """(layer, rnncap-style tensor name, shape) for every parameter of a RecurrentModel."""
    rows = []
    for name, p in model.named_parameters():
        part = name.split(".")
        if part[0] == "head":
            if spec.outputs:
                rows.append(("head", part[1], tuple(p.shape)))
            continue
        i = int(part[1])
        tensor = part[2].replace("_l0", f"_l{i}")
        rows.append((f"layer {i + 1}", tensor, tuple(p.shape)))
    return rows


@pytest.mark.slow
@settings(max_examples=300)
@given(torch_specs())
def test_counts_equal_recurrent_model(spec):
    model = RecurrentModel(spec)
    counted = count_parameters(spec)
    expected = _model_rows(model, spec)
    assert [(t.layer, t.tensor, t.shape) for t in counted.tensors] == expected
    assert counted.total == sum(n for *_, s in expected for n in [torch.Size(s).numel()])
    real_recurrent = sum(p.numel() for p in model.layers.parameters())
    assert counted.recurrent_total == real_recurrent
    if spec.outputs:
        assert counted.total == sum(p.numel() for p in model.parameters())


@settings(max_examples=200)
@given(
    st.sampled_from(list(Cell)),
    st.integers(1, 4),
    st.integers(2, 24),
    st.integers(1, 12),
    st.booleans(),
    st.booleans(),
    st.integers(0, 23),
)
def test_counts_equal_plain_multilayer_module(cell, layers, units, d, bidir, bias, proj):
    proj = proj % units if cell is Cell.LSTM else 0
    kw = dict(num_layers=layers, bidirectional=bidir, bias=bias)
    if cell is Cell.LSTM:
        module = torch.nn.LSTM(d, units, proj_size=proj, **kw)
    elif cell is Cell.GRU:
        module = torch.nn.GRU(d, units, **kw)
    else:
        module = torch.nn.RNN(d, units, nonlinearity=cell.value[4:], **kw)
    spec = RecurrentSpec(cell, d, (units,) * layers, bidirectional=bidir, bias=bias, proj_size=proj)
    counted = count_parameters(spec)
    assert [(t.tensor, t.shape) for t in counted.tensors] == [
        (n, tuple(p.shape)) for n, p in module.named_parameters()
    ]
    assert counted.total == sum(p.numel() for p in module.parameters())


# -- Keras 3 (torch backend) -------------------------------------------------------------------


def _keras_layer(spec: RecurrentSpec, layer: int, last: bool):
    h = spec.hidden_sizes[layer]
    kw = dict(use_bias=spec.bias, return_sequences=not last)
    if spec.cell is Cell.LSTM:
        cell = keras.layers.LSTM(h, **kw)
    elif spec.cell is Cell.GRU:
        cell = keras.layers.GRU(h, reset_after=spec.reset_after, **kw)
    else:
        cell = keras.layers.SimpleRNN(h, activation=spec.cell.value[4:], **kw)
    return keras.layers.Bidirectional(cell) if spec.bidirectional else cell


def _keras_model(spec: RecurrentSpec) -> keras.Model:
    last = spec.num_layers - 1
    layers = [_keras_layer(spec, i, i == last) for i in range(spec.num_layers)]
    if spec.outputs:
        layers.append(keras.layers.Dense(spec.outputs))
    return keras.Sequential([keras.Input((None, spec.input_size)), *layers])


@st.composite
def keras_specs(draw) -> RecurrentSpec:
    return RecurrentSpec(
        cell=draw(st.sampled_from(list(Cell))),
        input_size=draw(st.integers(1, 9)),
        hidden_sizes=tuple(draw(st.lists(st.integers(1, 12), min_size=1, max_size=3))),
        bidirectional=draw(st.booleans()),
        bias=draw(st.booleans()),
        outputs=draw(st.integers(0, 2)),
        reset_after=draw(st.booleans()),
        convention="keras",
    )


@pytest.mark.slow
@settings(max_examples=120)
@given(keras_specs())
def test_keras_counts_equal_count_params(spec):
    model = _keras_model(spec)
    counted = count_parameters(spec)
    assert counted.total == model.count_params()
    real = [(w.path.rsplit("/", 1)[-1], tuple(w.shape)) for w in model.weights]
    assert [(t.tensor, t.shape) for t in counted.tensors] == real


# -- theory.md section 6.1 vectors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "units", "w_torch", "w_keras"),
    [
        (1, 128, 71_680, 71_168),
        (2, 64, 52_736, 52_224),
        (4, 64, 119_296, 118_272),
        (4, 45, 59_940, 59_220),
        (8, 32, 64_768, 63_744),
        (2, 90, 102_240, 101_520),
    ],
)
def test_theory_lstm_vectors(layers, units, w_torch, w_keras):
    arch = f"lstm:{layers}x{units}"
    assert count_parameters(parse_arch(arch, input_size=10)).total == w_torch
    assert count_parameters(parse_arch(arch, input_size=10, convention="keras")).total == w_keras


@pytest.mark.parametrize(
    ("arch", "options", "expected"),
    [
        ("lstm:1x16", {}, 1_536),
        ("gru:1x16", {"reset_after": True}, 1_200),
        ("gru:1x16", {"reset_after": False}, 1_152),
        ("rnn_tanh:1x16", {}, 384),
        ("lstm:3x16", {"outputs": 1}, 5_777),
    ],
)
def test_theory_keras_check(arch, options, expected):
    spec = parse_arch(arch, input_size=7, convention="keras", **options)
    assert count_parameters(spec).total == expected


def test_rows_add_up_to_totals():
    counted = count_parameters(parse_arch("gru:8,4", input_size=3, bidirectional=True, outputs=2))
    assert sum(counted.per_layer.values()) == counted.total
    assert to_plain(counted)["total"] == sum(t["count"] for t in to_plain(counted)["tensors"])
