"""Forecasts from new data: a wide CSV export of nyc2013 feeds a model trained on nyc2013."""

import numpy as np
import pytest

from rnncap.data import Task, load_dataset, prepare_task
from rnncap.forecast import Forecaster, forecast_frame
from rnncap.forecast.tasks import dataset_for


@pytest.fixture(scope="module")
def nyc_model():
    td = prepare_task(Task(history=6, horizon=2, stride=24))
    return Forecaster("gru:4", epochs=1, batch_size=256).fit(td)


@pytest.mark.slow  # trains models
def test_a_csv_with_the_same_columns_gives_the_same_forecasts(nyc_model, tmp_path):
    nyc = load_dataset("nyc2013")
    december = nyc.frame.loc["2013-12-01":]
    path = tmp_path / "december.csv"
    december.rename_axis("time").reset_index().to_csv(path, index=False)
    from_csv = forecast_frame(nyc_model, dataset_for(nyc_model, str(path)))
    from_nyc = forecast_frame(nyc_model, nyc).set_index("issued")
    assert len(from_csv) == len(december) - 6 + 1
    expected = from_nyc.loc[from_csv["issued"], "forecast"].to_numpy()
    np.testing.assert_allclose(from_csv["forecast"].to_numpy(), expected, rtol=1e-5, atol=1e-5)
    assert (from_csv["variable"] == "JFK.temp").all() and (from_csv["unit"] == "degC").all()
