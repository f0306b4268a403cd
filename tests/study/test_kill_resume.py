"""A study killed with SIGKILL mid-run, then started again, ends with every run exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from study_helpers import TINY_TOML

from rnncap.study import ResultsStore, load_study, run_study

pytestmark = pytest.mark.slow  # trains models

# three depths x two seeds, one seed per unit, three epochs: six units of a second or so each
TOML = TINY_TOML.replace("layers = [1, 2]", "layers = [1, 2, 3]").replace(
    "epochs = 1", "epochs = 3"
)


def _units_done(path) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM units").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_sigkill_mid_study_then_resume(tmp_path):
    study_file = tmp_path / "study.toml"
    study_file.write_text(TOML)
    out = tmp_path / "out"
    store_path = out / "results.sqlite"
    cmd = [sys.executable, "-m", "rnncap", "study", "run", str(study_file), "--out", str(out),
           "--no-report"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while _units_done(store_path) < 1:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the study recorded nothing within 120 s"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    killed_at = _units_done(store_path)
    assert 1 <= killed_at < 6, f"kill landed after {killed_at} of 6 units"

    with ResultsStore.open(store_path) as store:  # readable, consistent, partial
        assert store.integrity_ok()
        assert store.count_runs() == killed_at  # one seed per unit: a unit is all or nothing

    summary = run_study(load_study(study_file), out)
    assert (summary.skipped, summary.ran) == (killed_at, 6 - killed_at)
    with ResultsStore.open(store_path) as store:
        assert store.integrity_ok()
        pairs = [(u.result.arch, r.seed) for u in store.units() for r in u.result.runs]
    expected = [(f"lstm:{n}x4", s) for n in (1, 2, 3) for s in (0, 1)]
    assert sorted(pairs) == sorted(expected)  # every run present exactly once
