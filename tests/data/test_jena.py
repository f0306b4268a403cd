"""Jena Climate loader and presets, on a small file written in the exact format of the real one."""

import numpy as np
import pandas as pd
import pytest

from rnncap.data import JENA_PRESETS, jena_task, load_dataset, prepare_task
from rnncap.data.jena import COLUMNS, is_jena_file


@pytest.fixture()
def jena_file(tmp_path):
    """12 days every 10 minutes from 01.01.2009 00:10:00, with two -9999 wind speeds."""
    times = pd.date_range("2009-01-01 00:10", periods=12 * 144, freq="10min")
    rng = np.random.default_rng(1)
    n = len(times)
    values = {c: np.round(rng.normal(size=n), 2) for c in COLUMNS}
    values["T (degC)"] = np.round(np.arange(n) * 0.01, 2)  # a ramp: easy to check by hand
    values["wv (m/s)"] = np.full(n, 2.0)
    values["wv (m/s)"][[100, 500]] = -9999.0
    values["max. wv (m/s)"] = np.full(n, 3.0)
    frame = pd.DataFrame(values)
    frame.insert(0, "Date Time", times.strftime("%d.%m.%Y %H:%M:%S"))
    path = tmp_path / "jena_climate_2009_2016.csv"
    frame.to_csv(path, index=False)
    return path


def test_detects_the_format(jena_file):
    assert is_jena_file(jena_file)
    header = jena_file.read_text().splitlines()[0]
    assert header.startswith("Date Time,p (mbar),T (degC)")


def test_reads_ten_minute_steps_and_fixes_wind(jena_file):
    ds = load_dataset(jena_file)
    assert ds.freq == "10min" and len(ds.frame) == 12 * 144 and len(ds.columns) == 14
    assert ds.variable("p (mbar)").unit == "mbar" and ds.variable("rho (g/m**3)").unit == "g/m**3"
    assert ds.frame.index[0] == pd.Timestamp("2009-01-01 00:10")
    assert (ds.frame["wv (m/s)"] == 2.0).all()  # the two sentinels were interpolated
    assert any("2 wind-speed values of -9999" in n for n in ds.notes)


def test_hourly_subsampling_matches_df_5_every_6(jena_file):
    raw = pd.read_csv(jena_file)
    hourly = load_dataset(jena_file, resample="1h")
    expected = raw[5::6]["T (degC)"].to_numpy()
    np.testing.assert_allclose(hourly.frame["T (degC)"].to_numpy(), expected)
    assert hourly.freq == "1h" and hourly.frame.index[0] == pd.Timestamp("2009-01-01 01:00")


def test_chollet_preset_task(jena_file):
    task = jena_task(jena_file, "chollet", history=24)
    assert (task.horizon, task.resample, task.split) == (24, "1h", (0.5, 0.75))
    td = prepare_task(task)
    assert td.input_size == 14 and td.target_columns == ("T (degC)",)
    r = td.val.rows[0]
    raw = pd.read_csv(jena_file)[5::6]["T (degC)"].to_numpy()
    assert td.y_to_physical(td.val.y[:1])[0, 0] == pytest.approx(raw[r + 24], abs=1e-5)


def test_keras_preset_uses_seven_features():
    assert len(JENA_PRESETS["keras"]["inputs"]) == 7
    assert JENA_PRESETS["keras"]["horizon"] == 13
