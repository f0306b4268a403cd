"""Regular clocks and gaps: reindex to a fixed step, interpolate short gaps, keep long ones.

A long gap stays missing (NaN). `rnncap.data.task` never builds a window that touches a missing
value, so a long gap breaks the series into segments that no training or test window spans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnncap.errors import require

DEFAULT_MAX_GAP = "6h"  # longest gap that is linearly interpolated; longer gaps break the series


@dataclass(frozen=True)
class ColumnGaps:
    """What happened to the missing values of one column.

    ``missing`` counts missing values on the regular clock before any filling (rows absent from the
    file count as missing), ``filled`` those filled from other stations, ``interpolated`` those
    filled by linear interpolation, and ``remaining`` those left missing (long gaps and the ends).
    """

    column: str
    missing: int
    filled: int
    interpolated: int
    remaining: int
    longest_gap: int  # steps, before filling

    def __post_init__(self) -> None:
        require(
            self.missing == self.filled + self.interpolated + self.remaining,
            f"gap counts of {self.column!r} do not add up",
        )


def parse_step(text: str, what: str = "frequency") -> pd.Timedelta:
    """A positive time step from text such as ``1h``, ``10min`` or ``1D``."""
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(str(text)))
    except (ValueError, TypeError):
        step = None
    require(
        step is not None and step > pd.Timedelta(0),
        f"{what} {text!r} is not a positive time step; write e.g. 1h, 10min, 30s or 1D",
    )
    return step  # type: ignore[return-value]


def infer_step(index: pd.DatetimeIndex) -> pd.Timedelta:
    """The most common spacing between consecutive timestamps (robust to a few gaps)."""
    require(len(index) >= 2, "need at least two timestamps to infer the frequency; give freq=")
    diffs = pd.Series(index[1:] - index[:-1])
    return pd.Timedelta(diffs.mode().iloc[0])


#: Most rows of a regular clock (the series after gaps are filled in as missing rows).
MAX_CLOCK_ROWS = 20_000_000


def regularize(frame: pd.DataFrame, step: pd.Timedelta) -> tuple[pd.DataFrame, int]:
    """Reindex `frame` onto a regular clock of `step` from its first to its last timestamp.

    Returns the new frame and the number of rows inserted (as all-missing rows). Timestamps that
    are not on the clock are an error, not silently dropped.
    """
    span = (frame.index[-1] - frame.index[0]) // step + 1
    require(
        span <= MAX_CLOCK_ROWS,
        f"the {format_step(step)} clock from {frame.index[0]} to {frame.index[-1]} would have "
        f"{span:,} rows, more than rnncap loads ({MAX_CLOCK_ROWS:,}); gaps become missing rows on "
        "the clock, so split the file at the long gap or cut it to a shorter period",
    )
    clock = pd.date_range(frame.index[0], frame.index[-1], freq=step)
    off_grid = frame.index.difference(clock)
    require(
        len(off_grid) == 0,
        f"{len(off_grid)} timestamps are not on the {format_step(step)} clock starting at "
        f"{frame.index[0]} (first: {off_grid[:1].tolist()[0] if len(off_grid) else ''}); "
        "give the right freq= or resample the file",
    )
    return frame.reindex(clock), len(clock) - len(frame)


def run_lengths(missing: np.ndarray) -> np.ndarray:
    """For each position, the length of the run of missing values it belongs to (0 if present)."""
    missing = np.asarray(missing, dtype=bool)
    out = np.zeros(len(missing), dtype=np.int64)
    if not missing.any():
        return out
    edges = np.diff(np.concatenate([[0], missing.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    for s, e in zip(starts, ends, strict=True):
        out[s:e] = e - s
    return out


def fill_short_gaps(series: pd.Series, max_steps: int) -> pd.Series:
    """Linear interpolation across interior gaps of at most `max_steps` missing values."""
    runs = run_lengths(series.isna().to_numpy())
    filled = series.interpolate(method="linear", limit_area="inside")
    return filled.where((runs == 0) | (runs <= max_steps))


def max_gap_steps(max_gap: str, step: pd.Timedelta) -> int:
    """The gap limit `max_gap` (a duration) in steps of `step`, rounded down."""
    limit = parse_step(max_gap, "gap limit") if str(max_gap) not in ("0", "") else pd.Timedelta(0)
    return int(limit // step)


def format_step(step: pd.Timedelta) -> str:
    """``1h``, ``10min``... for messages and `data show`."""
    text = pd.tseries.frequencies.to_offset(step).freqstr
    return text if text[:1].isdigit() else f"1{text}"


def longest_run(missing: np.ndarray) -> int:
    runs = run_lengths(missing)
    return int(runs.max()) if len(runs) else 0


def interpolate_gaps(
    frame: pd.DataFrame,
    max_steps: int,
    *,
    missing: dict[str, int] | None = None,
    longest: dict[str, int] | None = None,
    filled: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, tuple[ColumnGaps, ...]]:
    """Interpolate gaps of at most `max_steps` in every column; report what was done.

    `missing`, `longest` and `filled` let a loader that already filled some values another way
    (nyc2013 pressure from the other airports) report the counts from before that step.
    """
    out = frame.copy()
    report = []
    for col in frame.columns:
        before = int(frame[col].isna().sum())
        out[col] = fill_short_gaps(frame[col], max_steps)
        after = int(out[col].isna().sum())
        n_filled = (filled or {}).get(col, 0)
        report.append(
            ColumnGaps(
                column=str(col),
                missing=(missing or {}).get(col, before),
                filled=n_filled,
                interpolated=before - after,
                remaining=after,
                longest_gap=(longest or {}).get(col, longest_run(frame[col].isna().to_numpy())),
            )
        )
    return out, tuple(report)


def check_timestamps(index: pd.DatetimeIndex, where: str) -> None:
    """Timestamps must be unique and strictly increasing; name the first offending row."""
    require(len(index) >= 1, f"{where}: no rows")
    dup = index.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise_at(where, i, f"duplicate timestamp {index[i]}", "remove or merge duplicate rows")
    back = np.flatnonzero(np.diff(index.asi8) < 0)
    if len(back):
        i = int(back[0]) + 1
        raise_at(
            where,
            i,
            f"timestamp {index[i]} comes before {index[i - 1]} (timestamps not increasing)",
            "sort the file by time",
        )


def raise_at(where: str, row: int, what: str, fix: str) -> None:
    """One line: file, data row (1-based, header excluded), what is wrong, how to fix it."""
    from rnncap.errors import InvalidInput

    raise InvalidInput(f"{where}, data row {row + 1}: {what}; {fix}")
