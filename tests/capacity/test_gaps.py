"""Generalization gaps on the embedded weather data, on a thinned task: the forecasting recipe,
errors in the target's units."""

import json

import numpy as np
import pytest

from rnncap.capacity.gaps import generalization_gaps
from rnncap.cli.app import main
from rnncap.data import Task, prepare_task
from rnncap.engine import ForecastSettings, TrainSettings
from rnncap.errors import InvalidInput
from rnncap.forecast import fit_many
from rnncap.plain import to_plain

pytestmark = pytest.mark.slow  # trains models

TASK = Task(history=8, horizon=1, stride=48)
RECIPE = ForecastSettings(epochs=8)


@pytest.fixture(scope="module")
def td():
    return prepare_task(TASK)


@pytest.fixture(scope="module")
def result(td):
    return generalization_gaps(["gru:1x4", "rnn_tanh:1x3"], td, 2, RECIPE)


def test_one_row_per_architecture_and_seed(result):
    assert [(r.arch, r.seed) for r in result.rows] == [
        ("gru:1x4", 0), ("gru:1x4", 1), ("rnn_tanh:1x3", 0), ("rnn_tanh:1x3", 1)
    ]  # fmt: skip
    assert result.units == "degC"
    # residual, dropout, weight decay, cosine; the network's own forecast (no blend)
    assert result.training == to_plain(RECIPE.replace(blend="none"))


@pytest.mark.parametrize("anchor", ["persistence", "none", "lagged-ridge"])
def test_errors_are_the_forecasters_mae_in_degrees(td, anchor):
    """The same member trained as a Forecaster (the study's and `forecast train`'s path) has
    the same MAE in degC on every split: same recipe, same anchor, same units."""
    recipe = RECIPE.replace(anchor=anchor, blend="none")  # the gaps are the network's own
    (row,) = generalization_gaps(["gru:1x4"], td, [1], recipe).rows
    (model,) = fit_many(td, ["gru:1x4"], seeds=(1,), settings=recipe)
    for split in ("train", "val", "test"):
        truth = td.y_physical(td.split(split))
        expected = float(np.mean(np.abs(model.predict(td, split) - truth)))
        assert row.mae[split] == pytest.approx(expected, rel=1e-5)


def test_gap_is_test_minus_train_and_the_summary_averages_seeds(result):
    first = result.summary()[0]
    rows = [r for r in result.rows if r.arch == "gru:1x4"]
    assert first["gap"]["mean"] == pytest.approx(
        np.mean([r.mae["test"] - r.mae["train"] for r in rows])
    )
    assert first["parameters"] == 3 * 4 * (37 + 4 + 2) + 5  # 37 inputs, GRU formula, head


def test_settings_without_early_stopping_or_of_another_kind_are_refused(td):
    with pytest.raises(InvalidInput, match="patience > 0"):
        generalization_gaps(["gru:1x4"], td, 1, ForecastSettings(epochs=2, patience=0))
    with pytest.raises(InvalidInput, match="must be a rnncap.engine.ForecastSettings"):
        generalization_gaps(["gru:1x4"], td, 1, TrainSettings(epochs=2))


def test_cli_json(capsys):
    args = ["capacity", "gaps", "rnn_tanh:1x2", "--history", "8", "--horizon", "1"]
    assert main([*args, "--stride", "48", "--seeds", "1", "--epochs", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"][0]["arch"] == "rnn_tanh:1x2" and len(doc["rows"]) == 1
    assert doc["units"] == "degC"
    assert doc["training"] == to_plain(ForecastSettings(epochs=2, blend="none"))
