"""Jena Climate 2009-2016 (Max Planck Institute for Biogeochemistry), the Keras/Chollet dataset.

The file ``jena_climate_2009_2016.csv`` has a ``Date Time`` column (``%d.%m.%Y %H:%M:%S``, local
time without zone) and 14 numeric columns every 10 minutes. rnncap does not ship or download it:
give its path. ``wv`` and ``max. wv`` hold ``-9999`` sentinels; they become missing values, which
the gap rule then treats like any other gap, instead of the tutorials' zero or nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from rnncap.data.csvfile import finish, numeric_columns, parse_times, read_table
from rnncap.data.dataset import Dataset, Variable
from rnncap.data.gaps import check_timestamps

TIME_COLUMN = "Date Time"
TIME_FORMAT = "%d.%m.%Y %H:%M:%S"
COLUMNS = (
    "p (mbar)",
    "T (degC)",
    "Tpot (K)",
    "Tdew (degC)",
    "rh (%)",
    "VPmax (mbar)",
    "VPact (mbar)",
    "VPdef (mbar)",
    "sh (g/kg)",
    "H2OC (mmol/mol)",
    "rho (g/m**3)",
    "wv (m/s)",
    "max. wv (m/s)",
    "wd (deg)",
)
DESCRIPTIONS = (
    "air pressure",
    "air temperature",
    "potential temperature",
    "dew point",
    "relative humidity",
    "saturation vapour pressure",
    "vapour pressure",
    "vapour pressure deficit",
    "specific humidity",
    "water vapour concentration",
    "air density",
    "wind speed",
    "maximum wind speed",
    "wind direction",
)
WIND_COLUMNS = ("wv (m/s)", "max. wv (m/s)")
SENTINEL = -9999.0
TARGET = "T (degC)"

# Presets: the tasks of the two reference examples (../shared/reference/peers.md, section 3).
PRESETS: dict[str, dict] = {
    # Chollet, Deep Learning with Python, ch. 13: 5 days hourly -> temperature 24 h after the
    # last input, all 14 features, split 50/25/25. Book's persistence MAE: 2.44 / 2.62 degC.
    "chollet": dict(
        target=TARGET,
        history=120,
        horizon=24,
        resample="1h",
        split=(0.5, 0.75),
        time_features=False,
    ),
    # keras-io timeseries_weather_forecasting: 7 features, 120 hourly steps; the label sits 13 h
    # after the last input (the text says 12 h; keras-io#661). Train 71.5 %; the example has no
    # test set, so rnncap halves its validation part into validation and test.
    "keras": dict(
        target=TARGET,
        inputs=(
            "p (mbar)",
            "T (degC)",
            "VPmax (mbar)",
            "VPdef (mbar)",
            "sh (g/kg)",
            "rho (g/m**3)",
            "wv (m/s)",
        ),
        history=120,
        horizon=13,
        resample="1h",
        split=(0.715, 0.8575),
        time_features=False,
    ),
}


def is_jena_file(path: Path) -> bool:
    """True when the header starts with ``Date Time`` followed by the 14 Jena columns."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            header = fh.readline(4096)  # bounded: a file without newlines is not read whole
    except OSError:
        return False
    names = [h.strip().strip('"') for h in header.strip().split(",")]
    return len(names) == 15 and names[0] == TIME_COLUMN and tuple(names[1:]) == COLUMNS


def unit_of(column: str) -> str:
    m = re.search(r"\(([^)]*)\)\s*$", column)
    return m.group(1) if m else ""


def load_jena(path: Path, *, max_gap: str | None = None, fix_wind: bool = True) -> Dataset:
    """Read the Jena file at its native 10-minute step (subsample with ``resample="1h"``).

    Duplicate timestamps (exact repeats) keep their first row and rows are put in time order; both
    are counted in the dataset's notes. ``fix_wind`` turns the -9999 sentinels into gaps.
    """
    where = str(path)
    table = read_table(path)
    index = parse_times(table[TIME_COLUMN], where, fmt=TIME_FORMAT)
    values = numeric_columns(table.drop(columns=[TIME_COLUMN]), where)
    values.index = index
    notes = []
    order = values.index.argsort(kind="stable")
    if (order != range(len(order))).any():
        notes.append("rows put in time order")
        values = values.iloc[order]
    dup = values.index.duplicated()
    if dup.any():
        notes.append(f"{int(dup.sum())} duplicate timestamps dropped (first row kept)")
        values = values.loc[~dup]
    check_timestamps(values.index, where)
    if fix_wind:
        sentinel = values[list(WIND_COLUMNS)] == SENTINEL
        n = int(sentinel.to_numpy().sum())
        values[list(WIND_COLUMNS)] = values[list(WIND_COLUMNS)].mask(sentinel)
        notes.append(f"{n} wind-speed values of -9999 set missing")
    variables = tuple(
        Variable(column=c, name=c, station=None, unit=unit_of(c), description=d)
        for c, d in zip(COLUMNS, DESCRIPTIONS, strict=True)
    )
    return finish(
        name=where,
        values=values,
        step=pd.Timedelta(minutes=10),
        max_gap=max_gap,
        source="Jena Climate 2009-2016 (Max Planck Institute for Biogeochemistry)",
        variables=variables,
        default_split=PRESETS["chollet"]["split"],
        notes=tuple(notes),
    )


def jena_task(path: str | Path, preset: str = "chollet", **overrides: object):
    """The `Task` of a reference example on the Jena file at `path` (``chollet`` or ``keras``)."""
    from rnncap.data.task import Task
    from rnncap.errors import require

    require(
        preset in PRESETS, f"unknown Jena preset {preset!r}; choose one of: {', '.join(PRESETS)}"
    )
    return Task(dataset=str(path), **{**PRESETS[preset], **overrides})  # type: ignore[arg-type]
