"""Compact lagged features against the raw series (pandas), and lags by rule."""

import numpy as np
import pandas as pd

from rnncap.data import Task, prepare_task
from rnncap.forecast.features import feature_names, lag_steps, lagged_features


def test_lags_by_rule_on_the_default_window(lagged_csv):
    td = prepare_task(Task(dataset=str(lagged_csv), target="echo", history=120, horizon=3,
                           split=(0.5, 0.75)))  # fmt: skip
    assert lag_steps(td) == (0, 1, 2, 3, 6, 12, 24, 48, 72, 96, 119)


def test_features_are_the_scaled_series_at_lags_and_the_target_calendar(lagged_csv, lagged_dataset):
    td = prepare_task(Task(dataset=str(lagged_csv), target="echo", history=8, horizon=3))
    assert lag_steps(td) == (0, 1, 2, 3, 6, 7)  # lags beyond the window are dropped
    frame = lagged_dataset.frame
    feats = lagged_features(td, "val")
    names = feature_names(td)
    assert feats.shape == (len(td.val), len(names)) == (len(td.val), 6 * 2 + 4)
    scaler = td.x_scaler
    for col, name in enumerate(names[:-4]):
        column, lag = name.split("@-")
        j = list(scaler.columns).index(column)
        raw = frame[column].to_numpy()[td.val.rows - int(lag)]
        np.testing.assert_allclose(feats[:, col], (raw - scaler.mean[j]) / scaler.scale[j],
                                   rtol=1e-5, atol=1e-5)  # fmt: skip
    target_time = pd.DatetimeIndex(td.times[td.val.rows + 3])
    hour = target_time.hour.to_numpy()
    np.testing.assert_allclose(feats[:, names.index("hour_sin@+3")], np.sin(2 * np.pi * hour / 24),
                               atol=1e-12)  # fmt: skip
    assert not any(n.startswith("hour_cos@-") for n in names)  # time inputs are not lagged
