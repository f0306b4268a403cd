import pytest

from rnncap.arch import Cell, RecurrentSpec, parse_arch
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain


@pytest.mark.parametrize(
    ("text", "cell", "sizes"),
    [
        ("lstm:2x64", Cell.LSTM, (64, 64)),
        ("gru:64,32", Cell.GRU, (64, 32)),
        ("rnn_relu:3x16", Cell.RNN_RELU, (16, 16, 16)),
        ("LSTM: 1x128", Cell.LSTM, (128,)),
        ("rnn_tanh:8-4", Cell.RNN_TANH, (8, 4)),
    ],
)
def test_parse_arch(text, cell, sizes):
    spec = parse_arch(text, input_size=3)
    assert spec.cell is cell
    assert spec.hidden_sizes == sizes
    assert parse_arch(spec.arch_string(), input_size=3) == spec


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("conv:2x8", {}, "unknown cell 'conv'"),
        ("lstm:2y8", {}, "malformed architecture"),
        ("lstm", {}, "malformed architecture"),
        ("lstm:0x8", {}, "number of layers in .lstm:0x8. must be an integer >= 1"),
        ("lstm:2x0", {}, "layer 1 units must be an integer >= 1"),
        ("lstm:2x8", {"input_size": 0}, "input size must be an integer >= 1"),
        ("lstm:2x8", {"seq_len": -3}, "sequence length must be an integer >= 1"),
        ("lstm:2x8", {"proj_size": 8}, "proj size must be smaller"),
        ("gru:2x8", {"proj_size": 2}, "proj size applies to LSTM only"),
        ("lstm:2x8", {"convention": "tf"}, "unknown convention 'tf'"),
    ],
)
def test_bad_specs_name_the_problem(text, options, message):
    with pytest.raises(InvalidInput, match=message):
        parse_arch(text, **options)


def test_spec_round_trips_through_dict():
    spec = parse_arch("lstm:32,16", input_size=5, seq_len=24, proj_size=4, outputs=2)
    assert RecurrentSpec.from_dict(to_plain(spec)) == spec
    assert spec.layer_input_size(1) == 4


def test_activations_default_to_pytorch_semantics():
    assert (parse_arch("lstm:2x8").activation, parse_arch("lstm:2x8").recurrent_activation) == (
        "tanh",
        "sigmoid",
    )
    assert parse_arch("rnn_relu:8").activation == "relu"
    assert parse_arch("rnn_tanh:8").replace(cell="rnn_relu").activation == "relu"
    keras = parse_arch("gru:8", convention="keras", recurrent_activation="HARD_SIGMOID")
    assert keras.recurrent_activation == "hard_sigmoid"
    assert RecurrentSpec.from_dict(to_plain(keras)) == keras
    old = {k: v for k, v in to_plain(keras).items() if "activation" not in k}  # older files
    assert RecurrentSpec.from_dict(old) == keras.replace(recurrent_activation="sigmoid")


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("lstm:8", {"recurrent_activation": "hard_sigmoid"}, "PyTorch's lstm uses tanh"),
        ("gru:8", {"convention": "keras", "activation": "swish2"}, "unknown activation 'swish2'"),
        ("lstm:8", {"convention": "keras", "recurrent_activation": "tanh"}, "unknown recurrent"),
        ("rnn_tanh:8", {"activation": "relu"}, "use cell rnn_relu"),
        ("rnn_tanh:8", {"recurrent_activation": "hard_sigmoid"}, "vanilla RNN has no gates"),
    ],
)
def test_bad_activations_name_the_problem(text, options, message):
    with pytest.raises(InvalidInput, match=message):
        parse_arch(text, **options)
