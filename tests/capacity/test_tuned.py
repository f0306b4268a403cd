"""The tuned memorization protocol: the best member per point, convergence at twice the budget."""

import json
import math

import numpy as np
import pytest
import torch

from rnncap import parse_arch
from rnncap.capacity.convergence import Convergence
from rnncap.capacity.memorize import default_memorization_settings, measure_memorization
from rnncap.capacity.sweep import RESTART_STRIDE, Sweep
from rnncap.capacity.tuned import tuned_memorization
from rnncap.cli.app import main
from rnncap.errors import InvalidInput
from rnncap.plain import from_plain, to_plain

TINY = parse_arch("rnn_tanh:1x2", input_size=8, seq_len=2)
WIDE = parse_arch("rnn_tanh:1x2", input_size=12, seq_len=3)  # 4096 codes: room for b = 2000


def h2(p: float) -> float:
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def _recall(saturated: bool):
    """lr 0.01 with one-cycle recalls best; below the last budget (400 epochs) 0.7 unless
    saturated."""

    def recall(job):
        s = job.settings
        top = 0.9 if (s.epochs == 400 or saturated) else 0.7
        return top - (0.1 if s.lr != 0.01 else 0.0) - (0.05 if s.schedule != "onecycle" else 0.0)

    return recall


SWEEP = Sweep((0.01, 0.03), ("constant", "onecycle"), restarts=2)


def test_budget_limited_run_states_its_rise(fake_training):
    jobs = fake_training(_recall(saturated=False))
    result = tuned_memorization(WIDE, (1000, 2000), seeds=3, epochs=100, sweep=SWEEP)
    # I(b) = b (1 - H2(p)) of the best member (theory.md 7: b = 1000, p = 0.9 gives 531.0044)
    assert result.at_double.curve()[0]["bits"]["mean"] == pytest.approx(531.0044, abs=1e-4)
    doubled, at_budget = 2000 * (1 - h2(0.9)), 2000 * (1 - h2(0.7))
    assert result.capacity["mean"] == pytest.approx(doubled)
    assert result.convergence.value == pytest.approx(at_budget)
    rise = doubled / at_budget - 1
    assert rise > 0.05 and result.converged is False
    assert result.verdict == f"budget-limited (+{100 * rise:.0f}% at 2x)"
    for point in result.at_double.points:
        assert (point.lr, point.schedule, point.members) == (0.01, "onecycle", 8)
    # 3 seeds x 2 b x 8 members, at 3 budgets (100, 200, 400); one data copy per point
    assert len(jobs) == 3 * 2 * 8 * 3
    assert [c["epochs"] for c in result.curve()] == [100, 200, 400]
    first = [j for j in jobs[:48] if j.key.startswith("b=1000 seed=0")]
    assert len({id(j.data) for j in first}) == 1
    assert sorted({j.seed for j in first}) == [0, RESTART_STRIDE]


def test_converged_run_and_its_json(fake_training):
    fake_training(_recall(saturated=True))
    result = tuned_memorization(WIDE, (1000, 2000), seeds=3, epochs=100, sweep=SWEEP)
    assert result.converged and result.verdict == "converged"
    doc = json.loads(json.dumps(to_plain(result)))
    assert doc["verdict"] == "converged" and doc["convergence"]["rise"] == pytest.approx(0.0)
    assert doc["budget"]["budget_epochs"] == [100, 200, 400]
    assert doc["budget"]["epochs"] == 200 and doc["budget"]["doubled_epochs"] == 400
    assert doc["budget"]["members_per_point"] == 8
    assert doc["at_double_budget"]["training"]["epochs"] == 400
    assert doc["capacity_bits"]["ci95"] == pytest.approx([doc["capacity_bits"]["mean"]] * 2)
    # rnn_tanh:1x2 on 12 inputs: w = 2 (12 + 2 + 2) + 2 + 1 = 35, one of 2 biases per unit
    assert doc["parameters"] == 35 and doc["identifiable"]["identifiable_parameters"] == 33
    per = doc["identifiable"]["bits_per_identifiable_parameter"]["mean"]
    assert per == pytest.approx(doc["capacity_bits"]["mean"] / 33)
    assert doc["at_double_budget"]["training"]["state"].startswith("best-so-far")


def test_one_seed_saturated_is_unverified(fake_training):
    fake_training(_recall(saturated=True))
    result = tuned_memorization(WIDE, (1000, 2000), seeds=1, epochs=100, sweep=SWEEP)
    assert not result.converged and result.verdict.startswith("unverified (+0% at 2x over 3")


@pytest.mark.slow
def test_best_member_of_a_real_sweep_matches_each_rate_trained_alone():
    sweep = Sweep((0.01, 0.05))
    tuned = tuned_memorization(TINY, (16, 64), seeds=1, epochs=40, sweep=sweep)
    alone = [
        measure_memorization(TINY, (16, 64), 1, settings=default_memorization_settings(160, lr))
        for lr in sweep.lrs
    ]
    for point in tuned.at_double.points:
        singles = [next(p for p in r.points if p.samples == point.samples) for r in alone]
        best = max(singles, key=lambda p: p.bits)
        assert abs(point.fraction_correct - best.fraction_correct) <= 1 / point.samples
        assert 0.0 <= point.bits <= point.samples


@pytest.mark.parametrize(
    ("field", "attr", "summary", "names"),
    [
        ("losses", "loss", "loss", ("bce", "hinge")),
    ],
)
def test_a_swept_dimension_keeps_each_points_best(field, attr, summary, names):
    """Two losses are two members of each point: each point's figure is
    the better of the two trained alone, and records which one won."""
    sweep = Sweep((0.05,), **{field: names})
    assert sweep.size == 2 and [getattr(m, attr) for m in sweep.members()] == list(names)
    assert from_plain(Sweep, to_plain(sweep)) == sweep
    settings = default_memorization_settings(40)
    default = measure_memorization(TINY, (16, 64), 1, settings=settings)
    assert {getattr(p, attr) for p in default.points} == {names[0]}  # bce on 0/1 by default
    swept = measure_memorization(TINY, (16, 64), 1, settings=settings, sweep=sweep)
    alone = {
        name: measure_memorization(
            TINY, (16, 64), 1, settings=settings, sweep=Sweep((0.05,), **{field: (name,)})
        )
        for name in names
    }
    assert swept.training[summary] == "/".join(names)
    # the two choices really train differently (a sweep that dropped one would not)
    assert [p.fraction_correct for p in alone[names[0]].points] != [
        p.fraction_correct for p in alone[names[1]].points
    ]
    for point in swept.points:
        singles = {k: next(p for p in r.points if p.samples == point.samples)
                   for k, r in alone.items()}  # fmt: skip
        assert point.bits == pytest.approx(max(p.bits for p in singles.values()), abs=1e-9)
        assert point.bits == pytest.approx(singles[getattr(point, attr)].bits, abs=1e-9)
        assert point.members == 2


def test_a_stored_sweep_without_losses_trained_cross_entropy():
    old = {"lrs": [0.01], "schedules": ["constant"], "restarts": 1, "members_per_point": 1}
    assert from_plain(Sweep, old).losses == ("bce",)


@pytest.mark.slow
def test_cli_json_carries_the_verdict(capsys):
    args = ["capacity", "memorize", "rnn_tanh:1x2", "--input-bits", "8", "--delay", "1"]
    opts = ["--samples", "8,16", "--seeds", "3", "--epochs", "30", "--lr", "0.05", "--json"]
    assert main(args + opts) == 0
    doc = json.loads(capsys.readouterr().out)
    curve = doc["convergence"]["curve_by_budget"]
    assert len(curve) == 3 and all(len(row) == 3 for row in curve)
    assert doc["verdict"] == Convergence(curve).verdict
    assert doc["capacity_bits"]["mean"] == pytest.approx(sum(curve[-1]) / 3)
    assert doc["budget"]["lrs"] == [0.05] and doc["budget"]["budget_epochs"] == [30, 60, 120]
    assert doc["input_encoding"] == "binary" and "Collins" in doc["protocol"]


def test_cli_table_states_the_verdict(capsys):
    args = ["capacity", "memorize", "rnn_tanh:1x2", "--input-bits", "8", "--delay", "1"]
    opts = ["--samples", "8,16", "--seeds", "1", "--epochs", "20", "--lr", "0.05"]
    assert main(args + opts) == 0
    out = capsys.readouterr().out
    assert any(v in out for v in ("converged", "budget-limited (", "unstable (", "unverified ("))
    assert "Capacity against budget" in out and "at 20, " in out and "at 80." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lr", "0.01,x"], "--lr takes numbers"),
        (["--lr", "0"], "learning rates must be > 0"),
        (["--schedule", "linear"], "unknown learning-rate schedule"),
        (["--restarts", "0"], "restarts must be an integer >= 1"),
        (["--loss", "logistic"], "unknown memorization loss 'logistic'; choose from bce, hinge"),
        (["--encoding", "gray"], "unknown input encoding 'gray'; choose from binary, signed"),
        (["--encoding", "binary,signed"], "give one input encoding per measurement"),
        (["--epochs", "0"], "epochs must be an integer >= 1"),
    ],
)
def test_bad_sweeps_exit_2_with_one_line(capsys, args, message):
    assert main(["capacity", "memorize", "rnn_tanh:1x2", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def _rising(job):
    """Recall 0.6 at 100 epochs, +0.1 per doubling, saturating at 0.9 from 800 epochs on."""
    return min(0.9, 0.6 + 0.1 * math.log2(job.settings.epochs / 100))


def test_the_budget_doubles_until_converged(fake_training):
    fake_training(_rising)
    result = tuned_memorization(WIDE, (1000, 2000), 3, epochs=100, max_epochs=10_000, sweep=SWEEP)
    assert [c["epochs"] for c in result.curve()] == [100, 200, 400, 800, 1600]
    assert result.converged and result.epochs == 800
    assert result.capacity["mean"] == pytest.approx(2000 * (1 - h2(0.9)))
    bits = [c["capacity_bits"]["mean"] for c in result.curve()]
    assert bits == sorted(bits)


def test_the_ladder_stops_at_max_epochs_and_says_budget_limited(fake_training):
    fake_training(_rising)
    result = tuned_memorization(WIDE, (1000, 2000), 1, epochs=100, max_epochs=500, sweep=SWEEP)
    assert [c["epochs"] for c in result.curve()] == [100, 200, 400]
    rise = (1 - h2(0.8)) / (1 - h2(0.7)) - 1
    assert result.verdict == f"budget-limited (+{100 * rise:.0f}% at 2x)"
    assert to_plain(result)["budget_curve"][-1]["epochs"] == 400


def test_signed_inputs_flip_the_first_step_only():
    from rnncap.capacity.memorize import encode_inputs, memorization_task

    x, _ = memorization_task(20, 8, 2, np.random.default_rng(0))
    signed = encode_inputs(x, "signed")
    assert set(np.unique(signed[:, 0])) == {-1.0, 1.0}
    assert np.array_equal(signed[:, 0] == 1.0, x[:, 0] == 1.0)
    assert not signed[:, 1:].any() and encode_inputs(x, "binary") is x


def _signed_and_shifted_binary(delay: int):
    """A torch.nn.RNN fed -1/+1 and a copy fed 0/1 with doubled input weights and input bias
    b - W 1: the reparametrisation that would make the two encodings the same functions.
    Returns both networks' outputs at every step, shape (b, 1 + delay, units)."""
    from rnncap.capacity.memorize import encode_inputs, memorization_task

    x, _ = memorization_task(32, 6, delay, np.random.default_rng(1))
    torch.manual_seed(0)
    signed_net = torch.nn.RNN(6, 4, batch_first=True)
    binary_net = torch.nn.RNN(6, 4, batch_first=True)
    binary_net.load_state_dict(signed_net.state_dict())
    with torch.no_grad():
        w = signed_net.weight_ih_l0
        binary_net.weight_ih_l0.copy_(2 * w)
        binary_net.bias_ih_l0.copy_(signed_net.bias_ih_l0 - w.sum(dim=1))
        signed = signed_net(torch.from_numpy(encode_inputs(x, "signed")))[0]
        binary = binary_net(torch.from_numpy(x))[0]
    return signed, binary


def test_signed_inputs_are_a_different_function_class_after_the_input_step():
    """W (2x - 1) + b = (2W) x + (b - W 1) holds where the input is seen (step 1), so the
    shifted 0/1 network matches the -1/+1 one there; at every later step (zero input) it still
    adds the shifted bias, and the outputs differ: with delay >= 1 "signed" is a protocol variant,
    not the same functions with an input bias."""
    signed, binary = _signed_and_shifted_binary(delay=2)
    torch.testing.assert_close(signed[:, 0], binary[:, 0])
    for step in (1, 2):
        assert (signed[:, step] - binary[:, step]).abs().max() > 0.05, step


def test_signed_inputs_equal_shifted_binary_ones_without_delay():
    """What is still true: with delay 0 (one step) the two encodings are the same functions."""
    signed, binary = _signed_and_shifted_binary(delay=0)
    assert signed.shape[1] == 1
    torch.testing.assert_close(signed, binary)


def test_one_encoding_per_measurement():
    with pytest.raises(InvalidInput, match="one input encoding per measurement"):
        Sweep((0.01,), encodings=("binary", "signed"))
    assert to_plain(Sweep((0.01,), encodings=("signed",)))["encoding_label"].startswith("-1/+1")
