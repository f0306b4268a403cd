"""Baselines against direct computations on the series (pandas / numpy least squares)."""

import numpy as np
import pandas as pd
import pytest

from rnncap.data import Task, prepare_task
from rnncap.errors import InvalidInput
from rnncap.forecast.baselines import Climatology, DailyPersistence, Persistence, Ridge


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


def test_ridge_matches_augmented_least_squares(lagged_data):
    td = lagged_data
    alpha = 0.3
    model = Ridge(alphas=(alpha,)).fit(td)
    x = td.train.x.reshape(len(td.train), -1).astype(np.float64)
    y = td.train.y.astype(np.float64)
    xc, yc = x - x.mean(0), y - y.mean(0)
    lam = alpha * len(x)
    aug_x = np.vstack([xc, np.sqrt(lam) * np.eye(x.shape[1])])
    aug_y = np.vstack([yc, np.zeros((x.shape[1], 1))])
    coef = np.linalg.lstsq(aug_x, aug_y, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-4, atol=1e-6)
    assert model.alpha_[0] == pytest.approx(lam)


def test_ridge_learns_the_lag_and_picks_a_small_penalty(lagged_data):
    td = lagged_data
    model = Ridge().fit(td)
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
    model = Ridge().fit(td)
    for j in range(td.outputs):
        assert model.alpha_[j] == min(model.val_mse_, key=lambda a: model.val_mse_[a][j])
        single = Ridge(alphas=(model.alpha_[j] / len(td.train),)).fit(td)
        np.testing.assert_allclose(model.coef_[:, j], single.coef_[:, j], rtol=1e-6, atol=1e-9)
