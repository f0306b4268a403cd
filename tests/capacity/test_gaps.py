"""Generalization gaps on the embedded weather data, on a thinned task."""

import json

import numpy as np
import pytest

from rnncap.capacity.gaps import default_gap_settings, generalization_gaps
from rnncap.cli.app import main
from rnncap.data import Task, prepare_task
from rnncap.errors import InvalidInput

pytestmark = pytest.mark.slow  # trains models

TASK = Task(history=8, horizon=1, stride=48)


@pytest.fixture(scope="module")
def td():
    return prepare_task(TASK)


@pytest.fixture(scope="module")
def result(td):
    return generalization_gaps(["gru:1x4", "rnn_tanh:1x3"], td, 2, default_gap_settings(8))


def test_one_row_per_architecture_and_seed(result):
    assert [(r.arch, r.seed) for r in result.rows] == [
        ("gru:1x4", 0), ("gru:1x4", 1), ("rnn_tanh:1x3", 0), ("rnn_tanh:1x3", 1)
    ]  # fmt: skip
    assert result.units == "degC"


def test_physical_rmse_is_the_scaled_error_times_the_scale(result, td):
    # standard scaling: y = mean + scale * z, so the error scales by `scale` alone
    scale = td.y_scaler.scale[0]
    for row in result.rows:
        for split in ("train", "val", "test"):
            assert row.rmse_physical[split] == pytest.approx(
                np.sqrt(row.mse[split]) * scale, rel=1e-4
            )


def test_gap_is_test_minus_train_and_the_summary_averages_seeds(result):
    first = result.summary()[0]
    rows = [r for r in result.rows if r.arch == "gru:1x4"]
    assert first["gap"]["mean"] == pytest.approx(
        np.mean([r.mse["test"] - r.mse["train"] for r in rows])
    )
    assert first["parameters"] == 3 * 4 * (37 + 4 + 2) + 5  # 37 inputs, GRU formula, head


def test_settings_without_early_stopping_are_refused(td):
    from rnncap.engine import TrainSettings

    with pytest.raises(InvalidInput, match="patience > 0"):
        generalization_gaps(["gru:1x4"], td, 1, TrainSettings(epochs=2, patience=0))


def test_cli_json(capsys):
    args = ["capacity", "gaps", "rnn_tanh:1x2", "--history", "8", "--horizon", "1"]
    assert main([*args, "--stride", "48", "--seeds", "1", "--epochs", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"][0]["arch"] == "rnn_tanh:1x2" and len(doc["rows"]) == 1
