"""kill -9 of a running study: its workers die with it (within 5 s), and a rerun completes with
every run recorded exactly once. Real processes, real signals: slow tests."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnncap.study.store import STORE_NAME

POOL_STUDY = """
name = "kill"
seeds = [0, 1]
chunk = 1
measures = ["counts", "forecast"]
forecast_points = 4

[task]
history = 24
stride = 4

[grid]
layers = [1, 2]
units = [4, 8]
frontier = []

[training]
epochs = 10
batch_size = 64
patience = 10

[executor]
kind = "process"
workers = 2
"""


#: `rnncap ARGS` as a child process (the `rnncap` script may belong to another checkout).
RNNCAP = [sys.executable, "-c", "import sys; from rnncap.cli.app import main; sys.exit(main())"]


def _ppids() -> dict[int, int]:
    """pid -> parent pid of every live (non-zombie) process, from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            out[int(entry.name)] = int(fields[1])
    return out


def _descendants(pid: int) -> set[int]:
    ppids, found, frontier = _ppids(), set(), {pid}
    while frontier:
        kids = {p for p, pp in ppids.items() if pp in frontier} - found
        found |= kids
        frontier = kids
    return found


def _alive(pids: set[int]) -> set[int]:
    return pids & set(_ppids())


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(
        [*RNNCAP, *args],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _kill_when_busy(proc: subprocess.Popen, workers: int, busy_s: float, limit_s: float = 240):
    """Wait for `workers` worker processes, let them train `busy_s` seconds, then kill -9 the
    driver; return the descendants it had."""
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        assert proc.poll() is None, proc.stderr.read().decode()
        kids = _descendants(proc.pid)
        if len(kids) >= workers:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"no {workers} workers after {limit_s} s")
    time.sleep(busy_s)
    assert proc.poll() is None, "the study ended before the kill: give it more work"
    kids |= _descendants(proc.pid)  # those seen starting, and any started since
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return kids


def _gone_within(kids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(kids)


@pytest.mark.slow
def test_kill9_of_a_pool_study_leaves_no_worker_and_the_rerun_records_each_run_once(tmp_path):
    study = tmp_path / "kill.toml"
    study.write_text(POOL_STUDY)
    out = tmp_path / "out"
    args = ["study", "run", str(study), "--out", str(out), "--no-report"]
    kids = _kill_when_busy(_start(args, tmp_path), workers=2, busy_s=2.0)
    assert kids, "the pool had no worker processes"
    assert not _gone_within(kids, 5.0), "workers outlived their killed driver"
    rerun = subprocess.run(
        [*RNNCAP, *args, "--json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    conn = sqlite3.connect(out / STORE_NAME)
    planned = {(a, s) for a, seeds in conn.execute("SELECT arch, seeds FROM plan")
               for s in json.loads(seeds)}  # fmt: skip
    runs = list(conn.execute("SELECT arch, seed FROM runs"))
    conn.close()
    assert len(planned) == 8
    assert sorted(runs) == sorted(planned)  # every planned run, each exactly once


@pytest.mark.slow
def test_kill9_of_the_default_study_leaves_no_process(tmp_path):
    """`rnncap study` (process pool of two) killed while its workers train."""
    args = ["study", "--out", str(tmp_path / "out"), "--no-report"]
    kids = _kill_when_busy(_start(args, tmp_path), workers=2, busy_s=5.0)
    assert not _gone_within(kids, 5.0), "workers outlived their killed driver"


@pytest.mark.slow
def test_kill9_of_a_local_ray_study_leaves_no_process(tmp_path):
    pytest.importorskip("ray")
    study = tmp_path / "ray.toml"
    ray_study = POOL_STUDY.replace('kind = "process"', 'kind = "ray"\nnum_cpus = 2')
    # more epochs: Ray starts slowly, and the study must still be training when it is killed
    ray_study = ray_study.replace("epochs = 10", "epochs = 60")
    study.write_text(ray_study.replace("patience = 10", "patience = 60"))
    args = ["study", "run", str(study), "--out", str(tmp_path / "out"), "--no-report"]
    # Ray's own processes (gcs, raylet, ...) and two task workers
    kids = _kill_when_busy(_start(args, tmp_path), workers=4, busy_s=15.0, limit_s=300)
    assert not _gone_within(kids, 5.0), "Ray processes outlived their killed driver"
