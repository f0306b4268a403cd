"""`spec_from_keras` and Keras files against real Keras 3 models: counts == model.count_params()."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # keras models / report figures: seconds each

keras = pytest.importorskip("keras")
L = keras.layers

from rnncap.arch import parse_arch, total_parameters  # noqa: E402
from rnncap.arch.files import read_model_file  # noqa: E402
from rnncap.arch.keras_reader import spec_from_keras  # noqa: E402
from rnncap.errors import InvalidInput  # noqa: E402


def tutorial() -> keras.Model:
    """The Keras LSTM tutorial forecaster of issue 14."""
    return keras.Sequential(
        [keras.Input((120, 10)), L.LSTM(64, return_sequences=True), L.LSTM(32), L.Dense(1)]
    )


def _functional(inp, out) -> keras.Model:
    return keras.Model(inp, out)


def _bidirectional_gru_then_rnn() -> keras.Model:
    inp = keras.Input((None, 6))
    x = L.Bidirectional(L.GRU(8, return_sequences=True, reset_after=False))(inp)
    x = L.Dropout(0.1)(x)
    x = L.Bidirectional(L.GRU(8, reset_after=False))(x)
    return _functional(inp, L.Dense(2)(x))


def _functional_lstm_dropout() -> keras.Model:
    inp = keras.Input((24, 5))
    x = L.LSTM(16, return_sequences=True, recurrent_activation="hard_sigmoid")(inp)
    x = L.Dropout(0.2)(x)
    x = L.LSTM(8, recurrent_activation="hard_sigmoid", use_bias=False)(x)
    return _functional(inp, L.Dense(3, activation="sigmoid")(x))


# (model factory, expected spec written by hand from the layer calls)
CASES = {
    "tutorial": (tutorial, parse_arch("lstm:64,32", input_size=10, seq_len=120, outputs=1,
                                      convention="keras")),
    "gru reset_after": (
        lambda: keras.Sequential([keras.Input((12, 7)), L.GRU(16), L.Dense(1)]),
        parse_arch("gru:16", input_size=7, seq_len=12, outputs=1, convention="keras"),
    ),
    "gru no reset_after": (
        lambda: keras.Sequential([keras.Input((12, 7)), L.GRU(16, reset_after=False)]),
        parse_arch("gru:16", input_size=7, seq_len=12, convention="keras", reset_after=False),
    ),
    "simple rnn relu": (
        lambda: keras.Sequential(
            [keras.Input((9, 3)), L.SimpleRNN(6, activation="relu", return_sequences=True),
             L.SimpleRNN(4, activation="relu"), L.Dense(2)]
        ),
        parse_arch("rnn_relu:6,4", input_size=3, seq_len=9, outputs=2, convention="keras"),
    ),
    "bidirectional gru": (
        _bidirectional_gru_then_rnn,
        parse_arch("gru:2x8", input_size=6, outputs=2, convention="keras", bidirectional=True,
                   reset_after=False),
    ),
    "functional, dropout, hard_sigmoid, no bias": (
        _functional_lstm_dropout,
        None,  # two stacks: use_bias differs between the layers
    ),
    "masking, RNN(GRUCell)": (
        lambda: keras.Sequential(
            [keras.Input((4, 2)), L.Masking(0.0), L.RNN(L.GRUCell(5)), L.Dense(1)]
        ),
        parse_arch("gru:5", input_size=2, seq_len=4, outputs=1, convention="keras"),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_keras_counts_equal_count_params(case):
    make, expected = CASES[case]
    model = make()
    reading = spec_from_keras(model)
    assert reading.module_parameters == model.count_params()
    assert reading.accounted_parameters == model.count_params()
    assert not reading.unrecognized
    if expected is not None:
        assert reading.stacks == (expected,)
        assert total_parameters(expected) == model.count_params()


def test_keras_records_activations_bias_and_lengths():
    reading = spec_from_keras(_functional_lstm_dropout())
    first, second = reading.stacks
    assert (first.recurrent_activation, first.bias, second.bias) == ("hard_sigmoid", True, False)
    assert second.outputs == 3 and second.input_size == 16
    assert any("head activation sigmoid" in n for n in reading.notes)
    assert reading.seq_lens == (24, 24)
    assert spec_from_keras(_bidirectional_gru_then_rnn()).seq_lens == (None,)


def test_unmapped_keras_layers_are_listed_by_name():
    model = keras.Sequential(
        [keras.Input((12, 3)), L.Conv1D(4, 3, name="conv"), L.LSTM(6, return_sequences=True),
         L.Dense(1, name="per_step"), L.LayerNormalization(name="norm")]
    )  # fmt: skip
    reading = spec_from_keras(model)
    assert [s.name for s in reading.stacks] == ["lstm:1x6"]
    assert reading.stacks[0].seq_len == 10  # after the valid convolution
    by_name = {u.name: u for u in reading.unrecognized}
    assert set(by_name) == {"conv", "norm", "per_step"}
    assert by_name["conv"].parameters == model.get_layer("conv").count_params()
    assert "every time step" in by_name["per_step"].reason
    assert reading.accounted_parameters == model.count_params()


def test_branches_are_separate_stacks():
    inp = keras.Input((20, 3))
    a, b = L.LSTM(4, return_sequences=True)(inp), L.LSTM(4)(inp)
    x = L.Concatenate()([L.GlobalAveragePooling1D()(a), b])
    reading = spec_from_keras(_functional(inp, L.Dense(1)(x)))
    assert [s.name for s in reading.stacks] == ["lstm:1x4", "lstm:1x4"]
    assert reading.accounted_parameters == reading.module_parameters


def test_nested_sequential_is_followed():
    inner = keras.Sequential([keras.Input((9, 2)), L.LSTM(3, return_sequences=True)])
    inp = keras.Input((9, 2))
    model = _functional(inp, L.Dense(1)(L.LSTM(3)(inner(inp))))
    reading = spec_from_keras(model)
    assert reading.stacks == (
        parse_arch("lstm:2x3", input_size=2, seq_len=9, outputs=1, convention="keras"),
    )
    assert total_parameters(reading.stacks[0]) == model.count_params()


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_saved_tutorial_reads_back(tmp_path, suffix):
    model = tutorial()
    path = tmp_path / f"model{suffix}"
    model.save(path)
    reading = read_model_file(path)
    assert reading.source == "keras"
    assert reading.stacks == CASES["tutorial"][1:]
    assert total_parameters(reading.stacks[0]) == model.count_params() == 31_649


def test_unbuilt_model_is_refused():
    with pytest.raises(InvalidInput, match="not built"):
        spec_from_keras(keras.Sequential([L.LSTM(4), L.Dense(1)]))
