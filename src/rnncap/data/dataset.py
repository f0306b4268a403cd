"""`Dataset`: a regular, gap-checked multivariate series with units, and `load_dataset`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rnncap.data.gaps import ColumnGaps, format_step
from rnncap.errors import InvalidInput, require, shown


@dataclass(frozen=True)
class Variable:
    """One column of a dataset: ``column`` is its unique name, ``name`` the variable at a station.

    For nyc2013 the column ``JFK.temp`` is variable ``temp`` at station ``JFK``; single-station
    datasets (Jena, any CSV) have ``station=None`` and ``column == name``.
    """

    column: str
    name: str
    station: str | None
    unit: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        require(bool(self.column), "a variable needs a column name")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A multivariate series on a regular clock, in physical units.

    Parameters
    ----------
    name : str
        ``nyc2013``, ``jena`` or the CSV file's path.
    frame : pandas.DataFrame
        Shape (T, columns); a regular ``DatetimeIndex`` of step `step` (UTC when the source had
        time zones); float64 values; NaN only where a gap was too long to interpolate.
    variables : tuple of Variable
        One per column of `frame`, same order.
    step : pandas.Timedelta
        Spacing of the clock.
    default_split : tuple
        (end of training, end of validation): two ISO timestamps or two fractions of the span.
    default_station : str or None
        Station a task uses when it names none.
    gaps : tuple of ColumnGaps
        Per column, how many values were missing and how each was handled.
    missing_rows : int
        Rows absent from the source that the regular clock inserted.
    notes : tuple of str
        Other cleaning applied (for `rnncap data show`).
    """

    name: str
    frame: pd.DataFrame
    variables: tuple[Variable, ...]
    step: pd.Timedelta
    source: str = ""
    default_split: tuple = (0.7, 0.85)
    default_station: str | None = None
    gaps: tuple[ColumnGaps, ...] = ()
    missing_rows: int = 0
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        cols = [v.column for v in self.variables]
        require(
            list(self.frame.columns) == cols,
            f"dataset {self.name!r}: frame columns do not match its variables",
        )
        require(isinstance(self.frame.index, pd.DatetimeIndex), "a dataset needs a time index")

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(v.column for v in self.variables)

    @property
    def stations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.station for v in self.variables if v.station))

    @property
    def freq(self) -> str:
        return format_step(self.step)

    def variable(self, column: str) -> Variable:
        for v in self.variables:
            if v.column == column:
                return v
        raise InvalidInput(f"unknown column {column!r}; columns: {', '.join(self.columns)}")

    def resolve(self, name: str, station: str | None) -> list[str]:
        """Columns meant by `name`: a column, or a variable at `station` (all stations if None)."""
        if name in self.columns:
            return [name]
        matches = [
            v.column
            for v in self.variables
            if v.name == name and (station is None or v.station == station)
        ]
        if not matches:
            where = f" at station {station}" if station else ""
            names = ", ".join(dict.fromkeys(v.name for v in self.variables))
            stations = f"; stations: {', '.join(self.stations)}" if self.stations else ""
            raise InvalidInput(
                f"unknown variable {name!r}{where} in {self.name}; variables: {names}{stations}"
            )
        return matches

    def summary(self) -> dict:
        """Span, frequency, rows, variables with units, gaps and missing values (JSON-ready)."""
        gaps = {g.column: g for g in self.gaps}
        missing = self.frame.isna().sum()
        return {
            "name": self.name,
            "source": self.source,
            "start": self.frame.index[0].isoformat(),
            "end": self.frame.index[-1].isoformat(),
            "freq": self.freq,
            "rows": len(self.frame),
            "missing_rows": self.missing_rows,
            "stations": list(self.stations),
            "default_split": list(self.default_split),
            "notes": list(self.notes),
            "variables": [
                {
                    "column": v.column,
                    "name": v.name,
                    "station": v.station,
                    "unit": v.unit,
                    "description": v.description,
                    "missing": gaps[v.column].missing
                    if v.column in gaps
                    else int(missing[v.column]),
                    "filled": gaps[v.column].filled if v.column in gaps else 0,
                    "interpolated": gaps[v.column].interpolated if v.column in gaps else 0,
                    "remaining": int(missing[v.column]),
                    "longest_gap": gaps[v.column].longest_gap if v.column in gaps else 0,
                    "mean": _finite(self.frame[v.column].mean()),
                    "min": _finite(self.frame[v.column].min()),
                    "max": _finite(self.frame[v.column].max()),
                }
                for v in self.variables
            ],
        }


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


EMBEDDED = ("nyc2013",)


def load_dataset(
    source: str | Path = "nyc2013",
    *,
    freq: str = "",
    time_column: str = "",
    tz: str = "",
    max_gap: str = "",
    resample: str = "",
) -> Dataset:
    """Load the embedded ``nyc2013`` data, a Jena Climate file or any CSV file.

    Parameters
    ----------
    source : str or Path
        ``nyc2013``, or a path. A CSV whose first column is ``Date Time`` in the Jena format is
        read as Jena Climate; any other CSV needs a time column and numeric columns.
    freq : str
        Step of the clock (``1h``, ``10min``); inferred from the timestamps when empty.
    time_column : str
        Name of the time column (default: ``time``/``date``/``datetime``/``timestamp``, else the
        first column).
    tz : str
        Time zone of naive timestamps (e.g. ``Europe/Berlin``); everything is converted to UTC.
        Naive timestamps without `tz` stay naive.
    max_gap : str
        Longest gap interpolated (default ``6h``); longer gaps break the series.
    resample : str
        Keep only the rows on a coarser clock, e.g. ``1h`` for hourly Jena (as ``df[5::6]``).
    """
    from rnncap.data import csvfile, jena, nyc

    text = str(source)
    if text in EMBEDDED:
        ds = nyc.load_nyc2013(max_gap=max_gap or None)
    else:
        path = csvfile.check_data_file(
            Path(text),
            missing=f"no dataset {shown(text)}: give an embedded name ({', '.join(EMBEDDED)}) "
            "or the path of a CSV file",
        )
        if jena.is_jena_file(path):
            ds = jena.load_jena(path, max_gap=max_gap or None)
        else:
            ds = csvfile.load_csv(
                path, freq=freq, time_column=time_column, tz=tz, max_gap=max_gap or None
            )
    return subsample(ds, resample) if resample else ds


def subsample(ds: Dataset, every: str) -> Dataset:
    """Keep the rows whose timestamps lie on a coarser clock of step `every` (no averaging)."""
    from rnncap.data.gaps import parse_step

    step = parse_step(every, "resample step")
    require(
        step >= ds.step and step % ds.step == pd.Timedelta(0),
        f"resample step {every!r} must be a multiple of the data's step {ds.freq}",
    )
    if step == ds.step:
        return ds
    on_clock = (ds.frame.index - ds.frame.index[0].normalize()) % step == pd.Timedelta(0)
    frame = ds.frame.loc[on_clock]
    require(len(frame) >= 2, f"resampling to {every} leaves fewer than two rows")
    note = f"subsampled to one row every {format_step(step)} (rows on the clock, no averaging)"
    return Dataset(
        name=ds.name,
        frame=frame,
        variables=ds.variables,
        step=step,
        source=ds.source,
        default_split=ds.default_split,
        default_station=ds.default_station,
        gaps=ds.gaps,  # counted on the native clock, before subsampling
        missing_rows=ds.missing_rows,
        notes=(*ds.notes, note + "; gap counts are on the native clock"),
    )
