"""Any CSV: a time column plus numeric columns; frequency inferred or given; time zones handled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rnncap.data.dataset import Dataset, Variable
from rnncap.data.gaps import (
    DEFAULT_MAX_GAP,
    check_timestamps,
    format_step,
    infer_step,
    interpolate_gaps,
    max_gap_steps,
    parse_step,
    raise_at,
    regularize,
)
from rnncap.errors import InvalidInput, check_limit, require, shown
from rnncap.readable import check_readable_file

TIME_NAMES = ("time", "date", "datetime", "timestamp", "date time", "time_hour", "ds")


#: Largest data file rnncap parses (pandas needs several times the file's size in memory).
MAX_CSV_BYTES = 512 * 2**20

#: Most columns of a data file (a time column and the variables).
MAX_CSV_COLUMNS = 1_000

#: Longest header line read to count the columns.
_MAX_HEADER_BYTES = 2**20

_LIMITS_FIX = "docs/robustness.md lists rnncap's limits"


def check_data_file(path: Path, what: str = "the data file", missing: str = "") -> Path:
    """A readable regular file within `MAX_CSV_BYTES` whose header has at most
    `MAX_CSV_COLUMNS` columns, checked before anything is parsed."""
    check_readable_file(
        path,
        what,
        missing=missing,
        max_bytes=MAX_CSV_BYTES,
        limit_name=f"split it or cut it to a shorter period ({_LIMITS_FIX})",
    )
    with open(path, "rb") as fh:
        header = fh.readline(_MAX_HEADER_BYTES + 1)
    columns = header.count(b",") + 1
    if len(header) > _MAX_HEADER_BYTES and not header.endswith(b"\n"):
        columns = max(columns, MAX_CSV_COLUMNS + 1)  # the header alone is over a MiB
    check_limit(
        columns,
        MAX_CSV_COLUMNS,
        f"the number of columns of {shown(str(path))}",
        f"keep the time column and the variables you use ({_LIMITS_FIX})",
    )
    return path


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV file; a malformed file is `InvalidInput`, not a parser traceback."""
    check_data_file(path)
    try:
        table = pd.read_csv(path, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidInput(f"{path}: malformed CSV ({first}); expected a header row") from None
    require(len(table.columns) >= 2, f"{path}: need a time column and at least one value column")
    require(len(table) >= 1, f"{path}: the file has a header but no rows")
    return table


def pick_time_column(table: pd.DataFrame, time_column: str, where: str) -> str:
    if time_column:
        require(
            time_column in table.columns,
            f"{where}: no time column {time_column!r}; "
            f"columns: {', '.join(map(str, table.columns))}",
        )
        return time_column
    for col in table.columns:
        if str(col).strip().lower() in TIME_NAMES:
            return str(col)
    return str(table.columns[0])


def parse_times(values: pd.Series, where: str, *, fmt: str | None = None, tz: str = "") -> pd.Index:
    """Timestamps as a DatetimeIndex in UTC (aware input, or naive input with `tz`), else naive."""
    text = values.astype(str)
    with_offset = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)\s*$", regex=True).to_numpy()
    if with_offset.any() and not with_offset.all():
        i = int(np.flatnonzero(with_offset != with_offset[0])[0])
        raise_at(
            where,
            i,
            f"timestamp {text.iloc[i]!r} mixes times with and without a UTC offset",
            "give every timestamp an offset (e.g. +01:00) or none, with tz= for the zone",
        )
    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=False)
    except ValueError:  # mixed offsets (pandas asks for utc=True)
        parsed = None
    if parsed is None or parsed.dtype == object:  # mixed offsets: normalise to UTC
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        hint = f"expected the format {fmt!r}" if fmt else "expected e.g. 2013-01-01 06:00"
        raise_at(where, i, f"unparseable timestamp {text.iloc[i]!r}", hint)
    index = pd.DatetimeIndex(parsed)
    if tz:
        require(index.tz is None, f"{where}: timestamps carry offsets already; drop tz=")
        try:
            index = index.tz_localize(tz, ambiguous="infer", nonexistent="raise")
        except Exception as exc:  # pytz/zoneinfo raise several types for bad zones and DST
            raise InvalidInput(
                f"{where}: cannot place timestamps in time zone {tz!r}: {exc}"
            ) from None
    if index.tz is not None:
        index = index.tz_convert("UTC")
    return index


def numeric_columns(table: pd.DataFrame, where: str) -> pd.DataFrame:
    """Every value column must be numeric (empty cells are missing values)."""
    out = {}
    for col in table.columns:
        values = pd.to_numeric(table[col], errors="coerce")
        bad = values.isna() & table[col].notna() & (table[col].astype(str).str.strip() != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise_at(
                where,
                i,
                f"column {col!r} is not numeric (value {table[col].iloc[i]!r})",
                "keep only numeric value columns besides the time column",
            )
        infinite = np.isinf(values.to_numpy(dtype="float64"))
        if infinite.any():
            i = int(np.flatnonzero(infinite)[0])
            raise_at(
                where,
                i,
                f"column {col!r} holds an infinite value",
                "replace it by a number, or leave the cell empty for a missing value",
            )
        out[str(col)] = values.astype("float64")
    return pd.DataFrame(out, index=table.index)


def load_csv(
    path: Path,
    *,
    freq: str = "",
    time_column: str = "",
    tz: str = "",
    max_gap: str | None = None,
) -> Dataset:
    """Read a CSV of one time column and numeric columns onto a regular clock."""
    where = str(path)
    table = read_table(path)
    tcol = pick_time_column(table, time_column, where)
    index = parse_times(table[tcol], where, tz=tz)
    values = numeric_columns(table.drop(columns=[tcol]), where)
    values.index = index
    check_timestamps(index, where)
    require(len(values) >= 2, f"{where}: need at least two rows")
    step = parse_step(freq) if freq else infer_step(index)
    return finish(
        name=where,
        values=values,
        step=step,
        max_gap=max_gap,
        source=f"CSV file {path.name}",
        variables=tuple(Variable(column=c, name=c, station=None) for c in values.columns),
    )


def finish(
    *,
    name: str,
    values: pd.DataFrame,
    step: pd.Timedelta,
    max_gap: str | None,
    source: str,
    variables: tuple[Variable, ...],
    default_split: tuple = (0.7, 0.85),
    notes: tuple[str, ...] = (),
) -> Dataset:
    """Regular clock, short gaps interpolated, long gaps kept: the common end of every loader."""
    regular, inserted = regularize(values, step)
    limit = max_gap or DEFAULT_MAX_GAP
    frame, gaps = interpolate_gaps(regular, max_gap_steps(limit, step))
    note = f"gaps up to {limit} interpolated linearly on the {format_step(step)} clock"
    return Dataset(
        name=name,
        frame=frame,
        variables=variables,
        step=step,
        source=source,
        default_split=default_split,
        gaps=gaps,
        missing_rows=inserted,
        notes=(*notes, note),
    )
