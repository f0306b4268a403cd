"""Seed ensembles: the mean of members trained at once by the batched engine."""

import json

import numpy as np
import pytest

from rnncap.cli.app import main
from rnncap.errors import InvalidInput
from rnncap.forecast import Forecaster, load, save
from rnncap.forecast.many import fit_many

SETTINGS = dict(epochs=3, batch_size=32, lr=1e-2, patience=3, dropout=0.0)


@pytest.fixture(scope="module")
def ensemble(lagged_data):
    return Forecaster("lstm:1x6", seed=4, ensemble=3, **SETTINGS).fit(lagged_data)


@pytest.mark.slow  # trains models
def test_forecast_is_the_mean_of_the_members(ensemble, lagged_data, tmp_path):
    td = lagged_data
    members = fit_many(td, ["lstm:1x6"], seeds=(4, 5, 6), **SETTINGS)
    mean = np.mean([m.predict(td, "test") for m in members], axis=0)
    np.testing.assert_allclose(ensemble.predict(td, "test"), mean, rtol=1e-5, atol=1e-5)
    assert [m["seed"] for m in ensemble.members_] == [4, 5, 6]
    assert [m["best_epoch"] for m in ensemble.members_] == [m.best_epoch_ for m in members]
    again = load(save(ensemble, tmp_path / "e.pt"))
    np.testing.assert_array_equal(again.predict(td, "val"), ensemble.predict(td, "val"))
    assert again.ensemble == 3 and again.members_ == ensemble.members_


def test_ensemble_must_be_a_positive_integer(lagged_data):
    with pytest.raises(InvalidInput, match="ensemble must be an integer >= 1"):
        Forecaster("lstm:1x6", ensemble=0).fit(lagged_data)


def test_cli_train_ensemble(lagged_csv, tmp_path, capsys):
    out = tmp_path / "e.pt"
    args = ["forecast", "train", "--data", str(lagged_csv), "--arch", "lstm:1x6", "--history",
            "8", "--horizon", "3", "--target", "echo", "--epochs", "2", "--ensemble", "2",
            "--out", str(out), "--json"]  # fmt: skip
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ensemble"] == 2 and [m["seed"] for m in summary["members"]] == [0, 1]
    assert load(out).ensemble == 2
