"""A real memorization run of a tiny network through the engine, and its bad input."""

import json

import pytest

from rnncap import count_parameters, parse_arch
from rnncap.capacity.memorize import (
    FLOAT_BITS,
    default_memorization_settings,
    measure_memorization,
    mutual_information_bits,
)
from rnncap.cli.app import main
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain

pytestmark = pytest.mark.slow  # trains models

TINY = parse_arch("rnn_tanh:1x2", input_size=8, seq_len=2)


@pytest.fixture(scope="module")
def tiny_run():
    settings = default_memorization_settings(epochs=150, lr=0.05)
    return measure_memorization(TINY, (16, 64), seeds=2, settings=settings)


def test_tiny_network_stores_some_bits_and_no_more_than_its_floats(tiny_run):
    w = count_parameters(TINY.replace(outputs=1)).total
    assert tiny_run.parameters == w == 27  # h(d + h + 2) + (h + 1) = 2 * 12 + 3
    cap = tiny_run.capacity
    assert cap["min"] >= 8.0  # chance-level recall (p = 1/2) would give ~0 bits
    assert cap["max"] <= FLOAT_BITS * w
    for p in tiny_run.points:
        assert 0.0 <= p.bits <= p.samples
        assert p.bits == pytest.approx(mutual_information_bits(p.samples, p.fraction_correct))
    assert tiny_run.bits_per_parameter["mean"] == pytest.approx(cap["mean"] / w)


def test_capacity_is_the_max_over_b_per_seed(tiny_run):
    for seed, best in tiny_run.capacity_by_seed().items():
        assert best == max(p.bits for p in tiny_run.points if p.seed == seed)


def test_json_names_the_reference_and_the_budget(tiny_run):
    doc = to_plain(tiny_run)
    assert doc["reference_bits_per_parameter"] == {"low": 3.0, "high": 6.0, "mean": 5.0}
    assert doc["training"]["epochs"] == 150 and doc["lower_bound"] is True
    assert doc["float_capacity_bits"] == 32 * 27


def test_empty_grid_is_refused():
    with pytest.raises(InvalidInput, match="grid is empty"):
        measure_memorization(TINY, (), seeds=1)


def test_network_too_large_for_the_budget_exits_2(capsys):
    code = main(["capacity", "memorize", "lstm:1x64", "--max-samples", "5000"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("Error: network too large for the budget") and "\n" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--samples", "64"], "too few for the fit"),
        (["--samples", "16,x"], "whole numbers"),
        (["--samples", "0,16"], "--samples must be an integer >= 1"),
        (["--delay", "-1"], "--delay must be an integer >= 0"),
    ],
)
def test_bad_grids_exit_2_with_one_line(capsys, args, message):
    assert main(["capacity", "memorize", "rnn_tanh:1x2", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_cli_json_document(capsys):
    args = ["capacity", "memorize", "rnn_tanh:1x2", "--input-bits", "8", "--delay", "1"]
    opts = ["--samples", "8,16", "--seeds", "1", "--epochs", "30", "--lr", "0.05", "--json"]
    assert main(args + opts) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["arch"] == "rnn_tanh:1x2" and doc["budget"]["sample_sizes"] == [8, 16]
    for run in (doc["at_budget"], doc["at_double_budget"]):
        assert run["sample_sizes"] == [8, 16]
        assert [c["samples"] for c in run["curve"]] == [8, 16]


@pytest.mark.parametrize(("cell", "dead"), [("LSTM", True), ("GRU", False), ("RNN", False)])
def test_which_input_weights_the_protocol_can_use(cell, dead):
    """With the input at the first step only and a zero initial state, the LSTM's forget gate
    multiplies c0 = 0 when the input is seen and sees zero input after: its input weights
    (H x n_in, rows H..2H of weight_ih) get no gradient, so they count in w but store nothing.
    The GRU and RNN use every input weight."""
    import numpy as np
    import torch

    from rnncap.capacity.memorize import memorization_task

    x, y = memorization_task(64, 8, 2, np.random.default_rng(0))
    torch.manual_seed(0)
    net = getattr(torch.nn, cell)(8, 5, batch_first=True)
    head = torch.nn.Linear(5, 1)
    out = head(net(torch.from_numpy(x))[0][:, -1])
    torch.nn.functional.binary_cross_entropy_with_logits(out, torch.from_numpy(y)).backward()
    grad = net.weight_ih_l0.grad.abs().sum(dim=1)  # one value per gate row
    forget = grad[5:10] if cell == "LSTM" else grad[:0]
    assert bool((forget == 0).all()) and (forget.numel() > 0) == dead
    others = torch.cat([grad[:5], grad[10:]]) if cell == "LSTM" else grad
    assert bool((others > 0).all())


@pytest.mark.slow
def test_each_member_keeps_its_best_so_far_state():
    """The memorization data watch the training pairs, so a member trained at a learning rate
    high enough to make the loss jump keeps the state of its lowest-loss epoch: its loss on the
    pairs, recomputed here with torch, is the minimum of its history (old code: the last)."""
    import numpy as np
    import torch

    from rnncap import parse_arch
    from rnncap.capacity.memorize import (
        default_memorization_settings,
        memorization_data,
        memorization_task,
    )
    from rnncap.engine import Job, train

    x, y = memorization_task(64, 8, 2, np.random.default_rng(0))
    spec = parse_arch("rnn_tanh:1x4", input_size=8, seq_len=3, outputs=1)
    settings = default_memorization_settings(60, lr=0.5)
    (member,) = train([Job(spec, 0, memorization_data(x, y), settings, "m")])
    losses = [h["val_loss"] for h in member.history]
    assert len(losses) == 60 and min(losses) < losses[-1]  # the loss did jump after its best
    z = torch.from_numpy(member.predict(x))
    got = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.from_numpy(y)).item()
    assert got == pytest.approx(min(losses), rel=1e-6)  # the last state is 1.4e-4 off
    assert member.best_epoch == 1 + int(np.argmin(losses))
