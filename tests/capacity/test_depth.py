"""Capacity by depth at a fixed width: ratios beside L and w(L)/w(1), verdicts, no false trend."""

import json
import math
from types import SimpleNamespace

import pytest

from rnncap.capacity import vc as vc_module
from rnncap.capacity.depth import DepthBudget, DepthMeasurement, DepthRow
from rnncap.capacity.depth_measure import measure_depth
from rnncap.capacity.sweep import Sweep
from rnncap.cli.app import main
from rnncap.plain import from_plain, to_plain

UNITS, BITS = 4, 4  # fixed width >= inputs per step; Gaussian inputs hold any b
BUDGET = DepthBudget(20, Sweep((0.01,), encodings=("gaussian",)), (64, 128), vc_epochs=40)


def w_rnn(layers: int, units: int = UNITS, d: int = BITS) -> int:
    """rnn_tanh parameters by hand: U(d + U + 2) for layer 1, U(2U + 2) above, U + 1 head."""
    return units * (d + units + 2) + (layers - 1) * units * (2 * units + 2) + units + 1


def fake_vc(h_by_layers: dict, grows_at_2x: float = 1.0):
    """measure_vc_recurrent stand-in: h depends on depth, seed and (when not 1) grows by
    `grows_at_2x` per doubling of the budget (40, 80, 160 epochs)."""

    def measure(spec, design, *, seed, settings, max_samples, device):
        h = h_by_layers[spec.num_layers] * (1 + 0.1 * seed)
        h *= grows_at_2x ** math.log2(settings.epochs / 40)
        return SimpleNamespace(h=h, fit=SimpleNamespace(bracketed=True))

    return measure


def recall_by_depth(converges: bool):
    """Members recall 0.9 at the last budget (80 epochs); before it 0.9 too unless depth 3 is
    under-trained."""

    def recall(job):
        short = job.settings.epochs < 80
        return 0.7 if (short and not converges and job.spec.num_layers == 3) else 0.9

    return recall


def run(monkeypatch, fake_training, *, converges: bool):
    monkeypatch.setattr(vc_module, "measure_vc_recurrent", fake_vc({1: 10.0, 2: 15.0, 3: 18.0}))
    fake_training(recall_by_depth(converges))
    return measure_depth(
        "rnn_tanh", UNITS, [3, 1, 2], input_bits=BITS, delay=1, seeds=3, budget=BUDGET
    )


def test_ratios_beside_layers_and_parameters(monkeypatch, fake_training):
    result = run(monkeypatch, fake_training, converges=True)
    assert [r.layers for r in result.rows] == [1, 2, 3]
    assert [r.parameters for r in result.rows] == [w_rnn(1), w_rnn(2), w_rnn(3)]
    ratios = result.ratios()
    assert [q["layer_ratio"] for q in ratios] == [1.0, 2.0, 3.0]
    assert ratios[2]["parameter_ratio"] == pytest.approx(w_rnn(3) / w_rnn(1))
    # seeds 0, 1, 2 give h, 1.1 h, 1.2 h: the mean ratio is the depth ratio, the range is wider,
    # and every seed's own ratio is 1.5 (an interval of width 0)
    assert ratios[1]["vc_ratio"] == pytest.approx(1.5)
    assert ratios[1]["vc_ratio_range"] == pytest.approx([15 / 12, 18 / 10])
    assert ratios[1]["vc_ratio_ci95"] == pytest.approx([1.5, 1.5])
    assert [len(r.vc.by_budget) for r in result.rows] == [3, 3, 3]
    # same recall at every depth and b: memorization is flat in depth
    assert ratios[2]["memorization_ratio"] == pytest.approx(1.0)
    assert result.converged("vc") and result.converged("memorization")
    sentence = result.sentence("vc")
    assert "goes 1.80x (95% interval 1.80-1.80, seed range" in sentence
    assert "parameters" in sentence and "3x" in sentence


def test_no_trend_from_a_budget_limited_depth(monkeypatch, fake_training):
    result = run(monkeypatch, fake_training, converges=False)
    assert not result.converged("memorization")
    verdict = result.rows[2].memorization.convergence.verdict
    assert verdict.startswith("budget-limited (+")
    sentence = result.sentence("memorization")
    assert "did not converge" in sentence and f"L=3: {verdict}" in sentence
    assert "goes" not in sentence and "x (seed range" not in sentence
    doc = json.loads(json.dumps(to_plain(result)))
    assert doc["rows"][2]["memorization"]["verdict"] == verdict
    rows = tuple(from_plain(DepthRow, r) for r in doc["rows"])
    assert rows == result.rows and DepthBudget.from_dict(doc["budget"]) == BUDGET
    again = DepthMeasurement(result.cell, UNITS, BITS, 1, result.seeds, rows, BUDGET)
    assert again.sentence("memorization") == sentence
    assert doc["sentences"]["memorization"] == sentence
    assert doc["ratios"][2]["memorization_converged"] is False
    # one of the two biases per unit and layer is not identifiable
    ident = [r["identifiable"]["identifiable_parameters"] for r in doc["rows"]]
    assert ident == [w_rnn(n) - n * UNITS for n in (1, 2, 3)]


def test_budget_limited_vc_is_flagged_too(monkeypatch, fake_training):
    monkeypatch.setattr(vc_module, "measure_vc_recurrent", fake_vc({1: 10.0}, grows_at_2x=1.2))
    fake_training(lambda job: 0.9)
    result = measure_depth("rnn_tanh", UNITS, [1], input_bits=BITS, delay=1, seeds=3, budget=BUDGET)
    assert result.rows[0].vc.convergence.verdict == "budget-limited (+20% at 2x)"


@pytest.mark.slow
def test_small_real_depth_run(capsys):
    args = ["capacity", "depth", "rnn_tanh", "--units", "2", "--layers", "1-2", "--input-bits"]
    opts = ["2", "--delay", "0", "--seeds", "1", "--epochs", "10", "--lr", "0.05", "--schedule",
            "constant", "--vc-epochs", "10", "--vc-reps", "2", "--json"]  # fmt: skip
    assert main(args + opts) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["design"] == "fixed-width" and doc["input_encoding"] == "gaussian"
    assert [r["parameters"] for r in doc["rows"]] == [w_rnn(1, 2, 2), w_rnn(2, 2, 2)]
    for row in doc["rows"]:
        assert row["vc"]["summary"]["mean"] > 0
        assert len(row["memorization"]["by_budget"]) == 3
        assert row["memorization"]["verdict"].split(" ")[0] in (
            "converged", "budget-limited", "unstable", "unverified",
        )  # fmt: skip


def closest_rnn(target: int, layers: int, d: int) -> tuple[int, int]:
    """By brute force: the rnn_tanh width whose w (hand formula) is closest to target."""
    return min((abs(w_rnn(layers, h, d) - target), h) for h in range(1, 200))


def test_equal_params_design_takes_the_width_closest_to_the_target(monkeypatch, fake_training):
    monkeypatch.setattr(vc_module, "measure_vc_recurrent", fake_vc({1: 10.0, 2: 15.0, 4: 18.0}))
    fake_training(lambda job: 0.9)
    result = measure_depth(
        "rnn_tanh", layers=[1, 2, 4], design="equal-params", target_parameters=400,
        input_bits=BITS, delay=1, seeds=3, budget=BUDGET,
    )  # fmt: skip
    for row in result.rows:
        _, width = closest_rnn(400, row.layers, BITS)
        assert row.arch == f"rnn_tanh:{row.layers}x{width}"
        assert row.parameters == w_rnn(row.layers, width, BITS)
    assert result.units is None and to_plain(result)["design"] == "equal-params"
    sentence = result.sentence("vc")
    assert "rnn_tanh at about 400 parameters per depth (equal-params design:" in sentence


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layers", "4-1"], "--layers takes a range"),
        (["--layers", "0,1"], "--layers must be an integer >= 1"),
        (["--units", "0"], "units must be an integer >= 1"),
        (["--delay", "-1"], "delay must be >= 0"),
        (["--encoding", "binary", "--input-bits", "6", "--units", "6"], "too few for"),
        (["--design", "deep"], "unknown design 'deep'; choose from fixed-width, equal-params"),
        (["--units", "3", "--input-bits", "4"], "fixed width 3 is below the 4 inputs per step"),
        (["--units", "3", "--input-bits", "4"], "the measure would be of width, not depth"),
        # 3 doubling budgets: the first may be at most 1,000,000 / 4, the per-run epoch limit
        (["--epochs", "250001"], "epochs must be an integer >= 1 and <= 250,000"),
        (["--vc-epochs", "250001"], "VC epochs must be an integer >= 1 and <= 250,000"),
        (["--epochs", "250001"], "its last budget, 4x it, may not pass 1,000,000"),
        (["--design", "equal-params", "--target-params", "5000"], "too large for the budget"),
        (["--design", "equal-params", "--target-params", "3"], "budget 3 is below the smallest"),
    ],
)
def test_bad_depth_input_exits_2_with_one_line(capsys, args, message):
    assert main(["capacity", "depth", "rnn_tanh", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_a_record_from_before_the_curve_rule_reads_as_two_budgets():
    """A stored measure with only by_seed and by_seed_at_budget (2 budgets, 2 seeds) loads, and
    a flat curve there is "unverified", not "converged" as the old one-doubling rule said."""
    from rnncap.capacity.depth import DepthMeasure

    old = DepthMeasure.from_dict({"by_seed": [40.0, 41.0], "by_seed_at_budget": [40.0, 41.0]})
    assert old.by_budget == ((40.0, 41.0), (40.0, 41.0))
    assert old.convergence.verdict.startswith("unverified (+0% at 2x over 2 budgets x 2 seeds")
    assert DepthMeasure.from_dict(to_plain(old)) == old
