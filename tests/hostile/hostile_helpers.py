"""Helpers of the hostile-input suite: run the CLI in-process, bounded in time, and check that a
case ends with exit 0 and a result, or exit 2 and exactly one line, leaving no partial file."""

from __future__ import annotations

import contextlib
import io
import signal
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rnncap.cli.app import main

#: Seconds any one hostile case may take before it counts as a hang.
CASE_LIMIT_S = 60


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\nstdout: {self.out[-500:]}\nstderr: {self.err[-800:]}"


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"a hostile case ran longer than {CASE_LIMIT_S} s")


def cli(*args: object, limit: int = CASE_LIMIT_S) -> Outcome:
    """`rnncap ARGS` in this process (no fork), with stdout/stderr captured and a time limit."""
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return Outcome(code, out.getvalue(), err.getvalue())


def refused(outcome: Outcome, *words: str) -> str:
    """Exit 2, one non-empty line on stderr starting with 'Error: ', naming `words`."""
    assert outcome.code == 2, outcome
    lines = outcome.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), outcome
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err, outcome
    for w in words:
        assert w.lower() in lines[0].lower(), (w, outcome)
    return lines[0]


def ok_or_refused(outcome: Outcome) -> None:
    """Either a result (exit 0, something on stdout) or one clear line (exit 2)."""
    if outcome.code == 0:
        assert outcome.out.strip(), outcome
    else:
        refused(outcome)


def no_partial_files(folder: Path) -> None:
    """No temp file of an interrupted atomic write is left in `folder` (recursively)."""
    leftovers = [p for p in Path(folder).rglob("*.tmp")]
    assert not leftovers, leftovers


def hourly_frame(days: int = 12, seed: int = 0) -> pd.DataFrame:
    """A smooth hourly series with two columns, small enough to train on in a second."""
    rng = np.random.default_rng(seed)
    n = days * 24
    t = np.arange(n)
    temp = 10 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n)
    return pd.DataFrame(
        {
            "time": pd.date_range("2020-01-01", periods=n, freq="1h").strftime("%Y-%m-%d %H:%M"),
            "temp": np.round(temp, 3),
            "wind": np.round(rng.gamma(2.0, 1.5, n), 3),
        }
    )


#: The smallest forecaster training run (a second on a CPU).
TINY_TRAIN = ("--arch", "lstm:1x2", "--target", "temp", "--history", "6", "--horizon", "1",
              "--epochs", "1", "--batch-size", "64", "--time-limit", "0")  # fmt: skip
