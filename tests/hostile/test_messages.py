"""Numbers, names and data that used to end in an internal error (exit 3) or an unclear line:
each is now one line, exit 2, naming what the user typed (the flag they typed, not another)."""

from __future__ import annotations

import numpy as np
import pytest
from hostile_helpers import TINY_TRAIN, cli, hourly_frame, refused


@pytest.mark.parametrize(
    "vc, epsilon", [("1e308", "1e-300"), ("10", "1e-320"), ("1e308", "1e-100")]
)
def test_sample_sizes_beyond_the_float_range_are_one_line(vc, epsilon):
    """Was ZeroDivisionError (exit 3), or a table of 0 and infinity."""
    refused(cli("sample-size", "--vc", vc, "--epsilon", epsilon), "floating-point range")


def test_sample_sizes_near_the_float_range_are_still_computed():
    """d / eps^2 = 1e120 is finite: UML 28.1's sufficient size is computed, not refused."""
    import json
    import math

    d, eps, delta = 1e100, 1e-10, 0.05
    outcome = cli("sample-size", "--vc", d, "--epsilon", eps, "--delta", delta, "--json")
    assert outcome.code == 0, outcome
    want = 128 * d / eps**2 * math.log(64 * d / eps**2) + 8 / eps**2 * (
        8 * d * math.log(math.e / d) + 2 * math.log(4 / delta)
    )
    assert json.loads(outcome.out)["uml_agnostic"] == pytest.approx(want, rel=1e-12)


def test_a_constant_target_trains_and_reports_no_skill(tmp_path):
    """Was ZeroDivisionError in the summary after the checkpoint was written: persistence is
    exact on a constant series, so skill (1 - MAE / MAE_persistence) is undefined."""
    frame = hourly_frame()
    frame["temp"] = 5.0
    data = tmp_path / "const.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "m.pt"
    outcome = cli("forecast", "train", "--data", data, *TINY_TRAIN, "--out", out)
    assert outcome.code == 0, outcome
    assert "n/a" in outcome.out and out.is_file()


def test_values_too_large_to_scale_are_named(tmp_path):
    """±1e308 was "x_train contains NaN or infinite values" (the CSV holds no such value)."""
    frame = hourly_frame()
    frame["temp"] = np.where(np.arange(len(frame)) % 2, 1e308, -1e308)
    data = tmp_path / "big.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "m.pt"
    refused(cli("forecast", "train", "--data", data, *TINY_TRAIN, "--out", out),
            "'temp'", "too large to scale")  # fmt: skip
    assert not out.exists()


def test_a_41_digit_integer_says_it_is_too_long():
    """Was "must be an integer" for a number that is one."""
    line = refused(
        cli("count", "lstm:2x8", "-d", "9" * 41), "--input-size", "41 digits", "at most 30"
    )
    assert "must be an integer;" not in line


@pytest.mark.parametrize("command", [["memorize", "lstm:1x2"], ["depth", "lstm", "--units", "4"]])
def test_input_bits_are_named_as_typed(command):
    """`capacity memorize --input-bits 0` named --input-size, a flag it does not have."""
    line = refused(cli("capacity", *command, "--input-bits", "0"), "--input-bits")
    assert "--input-size" not in line


def test_too_few_input_bits_name_the_flag():
    """The README tour's failure named "the input size"."""
    line = refused(cli("capacity", "memorize", "lstm:1x2", "--input-bits", "3", "--samples",
                       "100,120"), "raise --input-bits to at least 8")  # fmt: skip
    assert "input size" not in line


@pytest.mark.parametrize("arch", ["lstm:2xx32", "lstm:\x1b[31mx"])
def test_a_malformed_architecture_comes_before_a_missing_input_size(arch):
    """`count lstm:2xx32` asked for --input-size first."""
    refused(cli("count", arch), "malformed architecture")


def test_a_huge_architecture_string_is_not_echoed_whole():
    """A 100,000-character architecture was echoed in full."""
    line = refused(cli("count", "lstm:" + "1" * 100_000, "-d", "3"), "malformed", "100,005")
    assert len(line) < 300


def test_an_escape_sequence_in_input_is_shown_escaped():
    line = refused(cli("count", "lstm:\x1b[2J\x1b[31mx", "-d", "3"), "malformed")
    assert "\x1b" not in line and "\\x1b[2J" in line


def test_printable_and_shown():
    from rnncap.errors import printable, shown

    assert printable("a\x1b[31mb\n\u202e") == "a\\x1b[31mb\\n\\u202e"
    assert printable("x" * 100, 40) == "x" * 20 + "... (100 characters)"
    assert shown("ok") == "'ok'"
    assert shown(10**5000) == "an integer of about 5,000 digits"


def test_a_malformed_architecture_beside_a_model_file_is_one_line(tmp_path):
    """`explain model.keras lstm:2xx32` printed the file's summary, then the error."""
    import torch

    path = tmp_path / "model.pt"
    torch.save(torch.nn.LSTM(3, 4).state_dict(), path)
    outcome = cli("explain", path, "lstm:2xx32")
    refused(outcome, "malformed architecture")


def test_library_messages_end_at_a_sentence_or_a_word():
    """torch and Keras messages were cut mid-word at a fixed length."""
    from rnncap.errors import brief

    long = "word " * 60 + "end"
    assert brief(ValueError(long), 40) == "word word word word word word word word ..."
    assert brief(ValueError("First sentence. Second one with more.")) == "First sentence."
    assert brief(ValueError("")) == "ValueError"
    assert brief(ValueError("line one\nline two")) == "line one"
