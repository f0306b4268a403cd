"""Baselines against direct computations on the series (pandas / numpy least squares)."""

import numpy as np
import pandas as pd
import pytest

from rnncap.data import Task, prepare_task
from rnncap.errors import InvalidInput
from rnncap.forecast.baselines import (
    Climatology,
    DailyPersistence,
    LaggedRidge,
    Persistence,
    Ridge,
    all_baselines,
)
from rnncap.forecast.features import lagged_features


def test_persistence_is_the_value_now(lagged_data, lagged_dataset):
    td, echo = lagged_data, lagged_dataset.frame["echo"].to_numpy()
    pred = Persistence().fit(td).predict(td, "val")
    np.testing.assert_allclose(pred[:, 0], echo[td.val.rows])


@pytest.mark.parametrize(("horizon", "back"), [(3, 21), (24, 0), (30, 18)])
def test_daily_persistence_same_time_of_day(lagged_csv, lagged_dataset, horizon, back):
    td = prepare_task(Task(dataset=str(lagged_csv), target="echo", history=30, horizon=horizon))
    echo = lagged_dataset.frame["echo"].to_numpy()
    pred = DailyPersistence().fit(td).predict(td, "test")
    np.testing.assert_allclose(pred[:, 0], echo[td.test.rows - back])
    target_hours = pd.DatetimeIndex(td.times[td.test.rows + horizon]).hour
    used_hours = pd.DatetimeIndex(td.times[td.test.rows - back]).hour
    assert (target_hours == used_hours).all()


def test_climatology_is_the_hourly_mean_of_the_training_part(lagged_data, lagged_dataset):
    td = lagged_data
    last = td.train.rows.max() + td.task.horizon
    part = lagged_dataset.frame["echo"].iloc[: last + 1]
    by_hour = part.groupby(part.index.hour).mean()
    pred = Climatology().fit(td).predict(td, "test")
    hours = pd.DatetimeIndex(td.times[td.test.rows + td.task.horizon]).hour
    np.testing.assert_allclose(pred[:, 0], by_hour.loc[hours].to_numpy())


def augmented_least_squares(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    xc, yc = x - x.mean(0), y - y.mean(0)
    aug_x = np.vstack([xc, np.sqrt(lam) * np.eye(x.shape[1])])
    aug_y = np.vstack([yc, np.zeros((x.shape[1], y.shape[1]))])
    return np.linalg.lstsq(aug_x, aug_y, rcond=None)[0]


@pytest.mark.parametrize("target", ["level", "change"])
def test_lagged_ridge_matches_augmented_least_squares(lagged_data, target):
    td, alpha = lagged_data, 0.05
    model = LaggedRidge(target=target, alphas=(alpha,)).fit(td)
    y = td.train.y.astype(np.float64)
    if target == "change":  # minus the scaled value now (the target at the last input row)
        now = td.target_values[td.train.rows]
        y = y - (now - td.y_scaler.mean[0]) / td.y_scaler.scale[0]
    coef = augmented_least_squares(lagged_features(td, "train"), y, alpha * len(y))
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-4, atol=1e-5)  # float32 Gram product
    assert model.target_ == target


def test_auto_target_keeps_the_kind_with_the_lower_validation_mae(lagged_data):
    td = lagged_data
    auto = LaggedRidge().fit(td)
    truth = td.y_physical(td.val)
    maes = {
        k: np.abs(LaggedRidge(target=k).fit(td).predict(td, "val") - truth).mean()
        for k in ("level", "change")
    }
    assert auto.target_ == min(maes, key=maes.get)
    assert auto.val_mae_ == pytest.approx(maes)
    with pytest.raises(InvalidInput, match="target must be one of auto, level, change"):
        Ridge(target="delta").fit(td)


def test_lagged_ridge_learns_the_lag(lagged_data):
    td = lagged_data
    truth = td.y_physical(td.test)
    lagged = np.abs(LaggedRidge().fit(td).predict(td, "test") - truth).mean()
    persist = np.abs(Persistence().fit(td).predict(td, "test") - truth).mean()
    assert lagged < 0.05 * persist  # echo(t + 3) = driver(t), driver at lag 0 is a feature


def test_all_baselines_in_table_order():
    names = [b.name for b in all_baselines()]
    assert names == ["persistence", "daily persistence", "climatology", "ridge", "lagged ridge",
                     "lightgbm"]  # fmt: skip


def test_ridge_matches_augmented_least_squares(lagged_data):
    td = lagged_data
    alpha = 0.3
    model = Ridge(target="level", alphas=(alpha,)).fit(td)
    x = td.train.x.reshape(len(td.train), -1).astype(np.float64)
    y = td.train.y.astype(np.float64)
    lam = alpha * len(x)
    coef = augmented_least_squares(x, y, lam)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-4, atol=1e-6)
    assert model.alpha_[0] == pytest.approx(lam)


def test_ridge_learns_the_lag_and_picks_a_small_penalty(lagged_data):
    td = lagged_data
    model = Ridge(target="level").fit(td)
    truth = td.y_physical(td.test)
    ridge_mae = np.abs(model.predict(td, "test") - truth).mean()
    persist_mae = np.abs(Persistence().fit(td).predict(td, "test") - truth).mean()
    assert ridge_mae < 0.05 * persist_mae  # echo(t + 3) = driver(t) is in the window
    assert model.alpha_[0] == min(model.val_mse_, key=lambda a: model.val_mse_[a][0])


def test_predict_before_fit_is_an_error(lagged_data):
    with pytest.raises(InvalidInput, match="Ridge is not fitted yet"):
        Ridge().predict(lagged_data, "test")


def test_ridge_picks_a_penalty_per_output(lagged_csv):
    td = prepare_task(Task(dataset=str(lagged_csv), target="echo", history=8, horizon=4,
                           all_leads=True))  # fmt: skip
    model = Ridge(target="level").fit(td)
    for j in range(td.outputs):
        assert model.alpha_[j] == min(model.val_mse_, key=lambda a: model.val_mse_[a][j])
        single = Ridge(target="level", alphas=(model.alpha_[j] / len(td.train),)).fit(td)
        np.testing.assert_allclose(model.coef_[:, j], single.coef_[:, j], rtol=1e-6, atol=1e-9)


def test_baseline_results_are_typed_and_the_strongest_is_chosen_on_validation(lagged_data):
    from rnncap.forecast import baseline_results, strongest_baseline

    td = lagged_data
    results = baseline_results(td, [Persistence(), LaggedRidge(target="change")])
    assert [(r.name, r.target) for r in results] == [("persistence", ""),
                                                     ("lagged ridge", "change")]  # fmt: skip
    truth = td.y_physical(td.test)
    pred = LaggedRidge(target="change").fit(td).predict(td, "test")
    assert results[1].test.mae == pytest.approx(np.abs(pred - truth).mean())
    assert results[0].val.skill == 0.0
    assert strongest_baseline(results).name == "lagged ridge"  # lower validation MAE
