"""Architecture strings, sizes and numbers as a hostile user types them: exit 0 with the exact
closed-form result, or exit 2 with one line; never a hang, a MemoryError or a traceback."""

from __future__ import annotations

import json

import pytest
from hostile_helpers import cli, ok_or_refused, refused
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncap.arch.spec import MAX_LAYERS


@pytest.mark.parametrize(
    "arch, words",
    [
        ("lstm:99999999999999x8", ["layers", "1,000"]),  # was a MemoryError traceback
        (f"lstm:{MAX_LAYERS + 1}x8", ["layers", "1,000"]),  # was a hang
        ("lstm:1000000x8", ["layers"]),
        ("lstm:0x8", ["layers", ">= 1"]),
        ("lstm:10^6x8", ["malformed"]),
        ("lstm:1x" + "9" * 5000, ["malformed"]),  # Python refuses int() of 4301+ digits
        ("lstm:" + ",".join(["8"] * (MAX_LAYERS + 1)), ["at most 1,000 layers"]),
        ("lstm:8x0", ["units", ">= 1"]),
        ("lstm:8,0,8", ["layer 2 units"]),
        ("gru:", ["malformed"]),
        (":8", ["malformed"]),
        ("lstm:8,,8", ["malformed"]),
        ("lstm:\u0661x\u0668", ["malformed"]),  # Arabic-Indic digits
        ("transformer:2x8", ["unknown cell"]),
        ("lstm:-1x8", ["malformed"]),
    ],
)
def test_bad_architectures_are_one_line(arch, words):
    refused(cli("count", arch, "-d", "3"), *words)


def test_huge_units_are_counted_in_closed_form():
    """lstm:1xH with H = 10^14: torch's LSTM layout 4(h d + h^2 + 2h), exact in Python ints."""
    h, d = 10**14, 3
    outcome = cli("count", f"lstm:1x{h}", "-d", d, "--json")
    assert outcome.code == 0, outcome
    assert json.loads(outcome.out)["parameters"]["total"] == 4 * (h * d + h * h + 2 * h)


def test_the_deepest_allowed_stack_is_counted():
    d, h = 3, 8
    outcome = cli("count", f"rnn_tanh:{MAX_LAYERS}x{h}", "-d", d, "--json")
    assert outcome.code == 0, outcome
    per_first, per_next = h * d + h * h + 2 * h, h * h + h * h + 2 * h
    total = json.loads(outcome.out)["parameters"]["total"]
    assert total == per_first + (MAX_LAYERS - 1) * per_next


@pytest.mark.parametrize(
    "option, value, words",
    [
        ("-d", "0", ["--input-size", ">= 1"]),
        ("-d", "-4", ["--input-size"]),
        ("-d", "abc", ["--input-size", "integer"]),
        ("-d", "1e3", ["--input-size", "integer"]),
        ("-d", "", ["--input-size"]),
        ("--seq-len", "0", ["--seq-len"]),
        ("--outputs", "-1", ["--outputs"]),
        ("--proj-size", "8", ["proj size"]),
        ("--convention", "jax", ["convention"]),
        ("--dtype", "int4", ["dtype"]),
    ],
)
def test_bad_count_options_are_one_line(option, value, words):
    refused(cli("count", "lstm:2x8", "-d", "3", option, value), *words)


@pytest.mark.slow
@settings(max_examples=40)
@given(st.text(alphabet="lstmgrunx_:,-*0123456789 ", max_size=24))
def test_any_typed_architecture_is_counted_or_refused(text):
    ok_or_refused(cli("count", text, "-d", "3", "--json"))


@pytest.mark.slow
@settings(max_examples=30)
@given(st.one_of(st.integers(-(10**30), 10**30).map(str), st.text(max_size=12)))
def test_any_typed_input_size_is_counted_or_refused(text):
    outcome = cli("count", "gru:1x4", "-d", text, "--json")
    ok_or_refused(outcome)
    if outcome.code == 0:  # then it was a positive integer: GRU 3(h d + h^2 + 2h)
        d = int(text.strip().replace("_", ""))
        assert json.loads(outcome.out)["parameters"]["total"] == 3 * (4 * d + 16 + 8)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--layers", "1-100000", "--budget", "100000"], ["--layers", "1,000"]),  # was a hang
        (["--layers", "1,0", "--budget", "100000"], ["--layers"]),
        (["--layers", "3-1", "--budget", "100000"], ["--layers"]),
        (["--layers", "1-4", "--budget", "0"], ["--budget"]),
        (["--layers", "1-4", "--budget", "ten"], ["--budget"]),
    ],
)
def test_bad_frontiers_are_one_line(args, words):
    refused(cli("frontier", "--cell", "lstm", "-d", "3", *args), *words)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--vc", "nan", "--epsilon", "0.1"], ["--vc", "finite"]),
        (["--vc", "10", "--epsilon", "inf"], ["--epsilon", "finite"]),
        (["--vc", "10", "--epsilon", "0.1", "--delta", "many"], ["--delta", "number"]),
    ],
)
def test_non_finite_theory_numbers_are_refused(args, words):
    refused(cli("sample-size", *args), *words)


@pytest.mark.parametrize(
    "args, words",
    [
        (["rademacher", "lstm:8x512", "--windows", "128"], ["budget", "TFLOP"]),  # had no check
        (["rademacher", "lstm:1x8", "--max-tflops", "0"], ["--max-tflops"]),
        (["memorize", "lstm:8x512"], ["budget"]),
        (["memorize", "lstm:1x4", "--delay", "-1"], ["--delay"]),
        (["memorize", "lstm:1x4", "--threads", "-1"], ["--threads"]),
        (["memorize", "lstm:1x4", "--samples", "0,1,2"], ["--samples"]),
        (["memorize", "lstm:1x4", "--samples", "8,x"], ["--samples"]),
    ],
)
def test_capacity_budgets_are_checked_before_training(args, words):
    refused(cli("capacity", *args), *words)


def test_version_json_is_one_json_document():
    outcome = cli("version", "--json")
    assert outcome.code == 0, outcome
    from rnncap import __version__

    assert json.loads(outcome.out)["rnncap"] == __version__


@pytest.mark.parametrize(
    "args",
    [["version", "--jsn"], ["count"], ["frontier", "-d", "3"], ["no-such-command"]],
)  # fmt: skip
def test_usage_errors_are_one_line(args):
    line = refused(cli(*args))
    assert "--help" in line


def test_a_missing_input_size_is_one_line():
    refused(cli("count", "lstm:1x2"), "--input-size")


def test_a_training_run_over_the_epoch_limit_is_refused_before_any_work():
    """`capacity memorize --epochs` with 41 digits started training (issue 28's leftover)."""
    from rnncap.engine import TrainSettings
    from rnncap.engine.settings import MAX_EPOCHS
    from rnncap.errors import InvalidInput

    assert TrainSettings(epochs=MAX_EPOCHS).epochs == MAX_EPOCHS
    with pytest.raises(InvalidInput, match="<= 1,000,000"):
        TrainSettings(epochs=MAX_EPOCHS + 1)


@pytest.mark.parametrize(
    ("epochs", "last"), [("1" + "0" * 40, "4" + "0" * 40), ("250001", "1000004")]
)
def test_memorize_refuses_a_last_budget_over_the_limit_at_once(epochs, last):
    line = refused(cli("capacity", "memorize", "rnn_tanh:1x4", "--epochs", epochs, limit=20))
    assert f"the last budget would train {int(last):,} epochs" in line
    assert "over the limit of 1,000,000 per run; lower --epochs or --max-epochs" in line
