"""The LightGBM baseline: learns the lag, stops early on validation, reproducible, optional."""

import numpy as np
import pytest

from rnncap.errors import InvalidInput
from rnncap.forecast import boosted
from rnncap.forecast.baselines import Persistence, all_baselines, missing_baselines
from rnncap.forecast.boosted import LightGBM

lgb = pytest.importorskip("lightgbm")


def test_lightgbm_learns_the_lag_and_stops_early(lagged_data):
    td = lagged_data
    model = LightGBM(max_rounds=400, patience=20).fit(td)
    truth = td.y_physical(td.test)
    boosted_mae = np.abs(model.predict(td, "test") - truth).mean()
    persist = np.abs(Persistence().fit(td).predict(td, "test") - truth).mean()
    assert boosted_mae < 0.3 * persist  # echo(t + 3) = driver(t), a lag-0 feature
    assert all(1 <= r < 400 for r in model.rounds_)
    assert model.target_ == min(model.val_mae_, key=model.val_mae_.get)


def test_lightgbm_is_reproducible_and_seeded(lagged_data):
    td = lagged_data
    a = LightGBM(target="change", max_rounds=60).fit(td).predict(td, "val")
    b = LightGBM(target="change", max_rounds=60).fit(td).predict(td, "val")
    c = LightGBM(target="change", max_rounds=60, seed=5).fit(td).predict(td, "val")
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)  # bagging and feature sampling follow the seed


def test_lightgbm_before_fit_is_an_error(lagged_data):
    with pytest.raises(InvalidInput, match="LightGBM is not fitted yet"):
        LightGBM().predict(lagged_data, "test")


def test_without_lightgbm_the_baseline_is_left_out_in_one_line(monkeypatch, lagged_data):
    monkeypatch.setattr(boosted.importlib.util, "find_spec", lambda name: None)
    assert "lightgbm" not in [b.name for b in all_baselines()]
    (note,) = missing_baselines()
    assert "pip install 'rnncap[boost]'" in note and "\n" not in note
    with pytest.raises(InvalidInput, match="LightGBM is not installed"):
        LightGBM().fit(lagged_data)
