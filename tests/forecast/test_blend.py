"""Forecast combination (``ForecastSettings.blend``): the network's forecast blended with a
fitted baseline's, the network's share chosen on validation.

Expected values come from the baseline classes themselves (`LaggedRidge`, `Ridge`), from the
same network trained without a blend (the blend is applied after training, so the weights are
the same bit for bit), and from plain per-column MAEs over the grid of shares.
"""

import dataclasses

import numpy as np
import pytest
import torch

from rnncap.data import Task, prepare_task
from rnncap.engine import ForecastSettings
from rnncap.errors import InvalidInput
from rnncap.forecast import Forecaster, LaggedRidge, Ridge, forecast_frame, load, save
from rnncap.forecast.blend import GRID, FittedBlend, choose_weights


def test_the_share_that_made_the_truth_is_chosen_per_output():
    rng = np.random.default_rng(0)
    network, partner = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    truth = np.column_stack([0.3 * network[:, 0] + 0.7 * partner[:, 0], network[:, 1],
                             partner[:, 2]])  # fmt: skip
    np.testing.assert_array_equal(choose_weights(network, partner, truth), [0.3, 1.0, 0.0])


def test_equal_maes_keep_the_larger_share_of_the_network():
    same = np.ones((4, 1))
    assert choose_weights(same, same, np.zeros((4, 1)))[0] == 1.0


def test_the_grid_runs_from_the_baseline_alone_to_the_network_alone():
    assert GRID[0] == 0.0 and GRID[-1] == 1.0 and len(GRID) == 21
    np.testing.assert_allclose(np.diff(GRID), 0.05)


def test_a_bad_blend_is_one_line():  # the command line's exit 2: tests/forecast/test_cli.py
    with pytest.raises(InvalidInput, match="unknown blend 'lightgbm': a forecast can be combined"):
        ForecastSettings(blend="lightgbm")


@pytest.fixture(scope="module")
def td():
    """nyc2013, temperature at every station, leads 1..3, a short history, windows daily."""
    return prepare_task(Task(stations="all", history=6, horizon=3, all_leads=True, stride=24))


SETTINGS = dict(epochs=40, batch_size=32, lr=1e-2, patience=40)  # shares of 0, 1 and between


@pytest.fixture(scope="module")
def alone(td):
    return Forecaster("gru:16", blend="none", **SETTINGS).fit(td)


@pytest.fixture(scope="module")
def blended(td):
    return Forecaster("gru:16", **SETTINGS).fit(td)  # the default: blend with the lagged ridge


@pytest.mark.slow  # trains two models
def test_the_forecast_is_the_share_of_the_network_plus_the_rest_of_the_ridge(td, alone, blended):
    for k, v in alone.model_.state_dict().items():  # the blend comes after training
        torch.testing.assert_close(v, blended.model_.state_dict()[k], rtol=0, atol=0)
    ridge = LaggedRidge().fit(td)
    truth = td.y_physical(td.val)
    network, base = alone.predict(td, "val"), ridge.predict(td, "val")
    want = []
    for j in range(td.outputs):  # each output's share: the lowest validation MAE on the grid
        mae = [np.mean(np.abs(w * network[:, j] + (1 - w) * base[:, j] - truth[:, j]))
               for w in GRID]  # fmt: skip
        best = min(mae)
        want.append(max(w for w, m in zip(GRID, mae, strict=True) if m <= best + 1e-9))
    np.testing.assert_allclose(blended.blend_.weight, want)
    assert any(0 < w < 1 for w in want)  # a real mixture at some outputs, not only corners
    w = np.asarray(want)
    for split in ("val", "test"):
        expected = w * alone.predict(td, split) + (1 - w) * ridge.predict(td, split)
        np.testing.assert_allclose(blended.predict(td, split), expected, rtol=1e-5, atol=1e-4)
    assert blended.blend_.val_mae["network"] == pytest.approx(
        np.abs(network - truth).mean(axis=0), rel=1e-5
    )


@pytest.mark.slow  # trains two models
def test_a_share_of_one_or_zero_is_the_network_or_the_ridge_exactly(td, alone, blended):
    original = blended.blend_
    try:
        blended.blend_ = FittedBlend(original.partner, np.ones(td.outputs))
        np.testing.assert_allclose(blended.predict(td), alone.predict(td), rtol=1e-6, atol=1e-5)
        blended.blend_ = FittedBlend(original.partner, np.zeros(td.outputs))
        ridge = LaggedRidge().fit(td).predict(td)
        np.testing.assert_allclose(blended.predict(td), ridge, rtol=1e-5, atol=1e-4)
    finally:
        blended.blend_ = original


@pytest.mark.slow  # trains two models
def test_the_share_is_chosen_on_validation_alone(td, blended):
    """Test windows with other targets (the test split given the validation split's data
    shape but other values) change neither the share nor the validation MAEs it records."""
    values = td.target_values.copy()
    values[td.test.rows[:, None] + td.output_leads[None, :]] += 7.0  # every test target moves
    other = dataclasses.replace(td, target_values=values)
    assert not np.allclose(other.y_physical(other.test), td.y_physical(td.test))
    for split in (other.train, other.val):  # train and validation do not
        np.testing.assert_array_equal(other.y_physical(split), td.y_physical(split))
    again = Forecaster("gru:16", **SETTINGS).fit(other)
    np.testing.assert_array_equal(again.blend_.weight, blended.blend_.weight)
    assert again.blend_.val_mae == blended.blend_.val_mae


@pytest.mark.slow  # trains two models
def test_the_blend_survives_a_checkpoint_and_the_prediction_path(td, blended, tmp_path):
    save(blended, tmp_path / "m.pt")
    again = load(tmp_path / "m.pt")
    assert again.blend_.partner.kind == "lagged-ridge" and again.settings.blend == "lagged-ridge"
    np.testing.assert_array_equal(again.blend_.weight, blended.blend_.weight)
    np.testing.assert_array_equal(again.predict(td, "test"), blended.predict(td, "test"))
    frame = forecast_frame(again, td.task.load()).set_index(["issued", "lead", "variable"])
    issued, expected = td.times[td.test.rows], blended.predict(td, "test")
    for j, name in enumerate(td.output_names):
        variable, lead = name.split("@+")
        rows = frame.loc[[(t, int(lead), variable) for t in issued], "forecast"].to_numpy()
        np.testing.assert_allclose(rows, expected[:, j], rtol=1e-5, atol=1e-4)


@pytest.mark.slow  # trains two models
def test_a_checkpoint_without_its_fitted_blend_is_refused(blended, alone, tmp_path):
    path = tmp_path / "m.pt"
    save(blended, path)
    ckpt = torch.load(path, weights_only=True)
    ckpt["blend"] = None
    torch.save(ckpt, path)
    with pytest.raises(InvalidInput, match="its lagged-ridge blend was not fitted"):
        load(path)
    save(alone, path)  # a checkpoint from before the blend: no setting, no entry
    ckpt = torch.load(path, weights_only=True)
    del ckpt["blend"], ckpt["settings"]["blend"]
    torch.save(ckpt, path)
    assert load(path).blend_ is None and load(path).settings.blend == "none"


@pytest.mark.slow  # trains a model
def test_a_ridge_blend_uses_the_full_window_ridge(td, alone):
    model = Forecaster("gru:16", blend="ridge", **SETTINGS).fit(td)
    w = model.blend_.weight
    expected = w * alone.predict(td) + (1 - w) * Ridge().fit(td).predict(td)
    np.testing.assert_allclose(model.predict(td), expected, rtol=1e-5, atol=1e-4)
