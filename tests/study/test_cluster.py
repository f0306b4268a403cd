"""Studies on a Ray cluster of several nodes: units spread, a lost node costs nothing, a unit that
always fails is recorded as failed without blocking the rest, a node with other versions stops
the study, and a user CSV travels with the tasks.

One cluster for the module: a head that runs no unit and two worker nodes of one CPU each (real
raylet processes on this machine, `ray.cluster_utils.Cluster`); tests that add a node remove it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cluster_helpers import kill_node, local_cluster, running_unit, wait_until
from study_helpers import TINY_TOML, tiny_config, tiny_payload

from rnncap.cli.app import main
from rnncap.study import ResultsStore, run_study
from rnncap.study.config import Grid
from rnncap.study.plan import UnitPayload
from rnncap.study.ray_executor import RayExecutor, with_local_data

pytestmark = pytest.mark.slow  # starts Ray nodes and trains models


@pytest.fixture(scope="module")
def cluster():
    with local_cluster([1, 1]) as c:
        yield c


def _weather_csv(path: Path) -> Path:
    """120 days of hourly synthetic weather: a daily temperature cycle with noise, and pressure."""
    t = pd.date_range("2020-01-01", periods=24 * 120, freq="h")
    h = np.arange(len(t))
    noise = np.random.default_rng(0).normal(0, 0.5, len(t))
    pd.DataFrame(
        {"time": t.strftime("%Y-%m-%d %H:%M"), "temp": 10 + 5 * np.sin(2 * np.pi * h / 24) + noise,
         "pressure": 1000 + np.cos(2 * np.pi * h / 240)}
    ).to_csv(path, index=False)  # fmt: skip
    return path


def _csv_config(csv: Path, layers=(1, 2, 3)):
    return tiny_config(
        task={"dataset": str(csv), "target": "temp", "history": 24, "stride": 24},
        grid=Grid(layers=layers, units=(4,), frontier=()),
    )


def _units(out: Path):
    with ResultsStore.open(out) as store:
        return store.units(), store.failures()


def _worker_ids(cluster) -> set[str]:
    return {n.node_id for n in cluster.worker_nodes}


def test_units_spread_over_the_nodes_and_a_csv_travels_with_them(cluster, tmp_path):
    csv = _weather_csv(tmp_path / "weather.csv")
    summary = run_study(_csv_config(csv), tmp_path / "out", executor=RayExecutor())
    assert (summary.ran, summary.failed) == (6, 0)
    units, failed = _units(tmp_path / "out")
    nodes = [u.result.node for u in units]
    assert failed == [] and len(units) == 6
    assert set(nodes) <= _worker_ids(cluster)  # the head (0 CPUs) trained nothing
    assert len(set(nodes)) == 2, nodes  # both worker nodes trained units
    assert all(u.result.attempts == 1 for u in units)


def test_shipped_data_are_read_from_a_node_local_copy(tmp_path):
    """A worker node without the driver's file trains from the bytes shipped with the task."""
    csv = _weather_csv(tmp_path / "weather.csv")
    payload = tiny_payload({"dataset": "/nowhere/weather.csv", "target": "temp"})
    local = with_local_data(payload, csv.read_bytes()).task.dataset
    assert local != payload.task.dataset and Path(local).name == "weather.csv"
    assert Path(local).read_bytes() == csv.read_bytes()
    assert payload.task.dataset == "/nowhere/weather.csv"  # the caller's payload unchanged


def test_a_node_killed_mid_study_loses_and_duplicates_nothing(cluster, tmp_path):
    victim = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    config = tiny_config(grid=Grid(layers=(1, 2, 3), units=(4,), frontier=()),
                         training={"epochs": 3, "batch_size": 64})  # fmt: skip
    outcome: dict = {}

    def study() -> None:
        try:
            outcome["summary"] = run_study(config, tmp_path, executor=RayExecutor())
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=study)
    thread.start()
    try:
        wait_until(lambda: running_unit(victim) or not thread.is_alive(), 90,
                   "a unit running on the victim node")  # fmt: skip
        assert thread.is_alive(), outcome
        assert kill_node(cluster, victim) == -9  # SIGKILL of the real raylet process
    finally:
        thread.join(timeout=120)
    assert not thread.is_alive() and "error" not in outcome, outcome
    assert (outcome["summary"].ran, outcome["summary"].failed) == (6, 0)
    units, failed = _units(tmp_path)
    pairs = sorted((u.result.arch, r.seed) for u in units for r in u.result.runs)
    assert pairs == sorted((f"lstm:{n}x4", s) for n in (1, 2, 3) for s in (0, 1))  # exactly once
    assert failed == []
    retried = [u for u in units if u.result.attempts > 1]
    assert retried, "no unit was running on the killed node"
    survivors = _worker_ids(cluster)
    assert all(u.result.node in survivors for u in retried)  # finished elsewhere


def _wrong_inputs(payload: UnitPayload) -> UnitPayload:
    """The payload with a spec that expects one input more than the task has."""
    spec = payload.spec.replace(input_size=payload.spec.input_size + 1)
    return dataclasses.replace(payload, spec=spec)


class _BreakOne:
    """The real Ray executor, with one unit's payload broken (a deterministic error)."""

    def __init__(self, inner: RayExecutor, arch: str):
        self.inner, self.arch = inner, arch

    def check(self) -> None:
        self.inner.check()

    def run(self, units, on_results, on_progress) -> None:
        broken = [dataclasses.replace(u, payload=_wrong_inputs(u.payload))
                  if u.arch == self.arch and u.seeds == (1,) else u for u in units]  # fmt: skip
        self.inner.run(broken, on_results, on_progress)


def test_a_unit_that_always_fails_is_recorded_failed_and_retried_next_run(
    cluster, tmp_path, capsys
):
    executor = _BreakOne(RayExecutor(max_attempts=2), "lstm:2x4")
    summary = run_study(tiny_config(), tmp_path, executor=executor)
    assert (summary.ran, summary.failed) == (4, 1)
    units, failed = _units(tmp_path)
    assert sorted((u.result.arch, u.seeds) for u in units) == [
        ("lstm:1x4", (0,)), ("lstm:1x4", (1,)), ("lstm:2x4", (0,))]  # fmt: skip
    (f,) = failed
    assert (f.arch, f.seeds, f.attempts) == ("lstm:2x4", (1,), 2)
    assert f.error.startswith("InvalidInput: job lstm:2x4/seed=1: x has") and "\n" not in f.error
    assert f.node in _worker_ids(cluster)  # the node of the last attempt
    assert main(["study", "status", str(tmp_path), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["units_done"], status["complete"]) == (3, False)
    assert [(d["arch"], d["attempts"]) for d in status["failed"]] == [("lstm:2x4", 2)]
    assert sum(status["nodes"].values()) == 3 and set(status["nodes"]) <= _worker_ids(cluster)
    again = run_study(tiny_config(), tmp_path, executor=RayExecutor())  # the error is gone
    assert (again.skipped, again.ran, again.failed) == (3, 1, 0)
    units, failed = _units(tmp_path)
    assert len(units) == 4 and failed == []


def _fake_rnncap(folder: Path, version: str = "", broken: bool = False) -> Path:
    """A copy of this rnncap that says it is `version`, or whose import fails (`broken`); its
    subpackages are linked, not copied. A node started with it on PYTHONPATH imports it."""
    import rnncap

    src = Path(rnncap.__file__).parent
    pkg = folder / "rnncap"
    pkg.mkdir(parents=True)
    for entry in src.iterdir():
        if entry.name not in ("__init__.py", "__pycache__"):
            (pkg / entry.name).symlink_to(entry)
    init = (src / "__init__.py").read_text()
    init = init.replace(f'"{rnncap.__version__}"', f'"{version or rnncap.__version__}"')
    (pkg / "__init__.py").write_text('raise ImportError("no torch here")' if broken else init)
    return folder


def _study_with_an_odd_node(cluster, tmp_path: Path, capsys, fake: Path) -> tuple[str, str]:
    """`rnncap study run --executor ray` with one more node whose PYTHONPATH leads to `fake`:
    it must exit 2 with one line and write nothing; (that node's id, the line)."""
    odd = cluster.add_node(num_cpus=1, env_vars={"PYTHONPATH": str(fake)})
    cluster.wait_for_nodes()
    study_file = tmp_path / "tiny.toml"
    study_file.write_text(TINY_TOML)
    out = tmp_path / "out"
    try:
        assert main(["study", "run", str(study_file), "--out", str(out), "--executor", "ray"]) == 2
    finally:
        cluster.remove_node(odd, allow_graceful=False)
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert not out.exists()  # checked before anything is written: no results from mixed code
    return odd.node_id, err


def test_a_node_with_another_rnncap_stops_the_study_with_one_line(cluster, tmp_path, capsys):
    import rnncap

    fake = _fake_rnncap(tmp_path / "other", "0.0.1")
    node, err = _study_with_an_odd_node(cluster, tmp_path, capsys, fake)
    assert f"Ray node {node} " in err
    assert f"has rnncap 0.0.1, the driver has rnncap {rnncap.__version__}" in err


def test_a_node_that_cannot_import_rnncap_stops_the_study_with_one_line(cluster, tmp_path, capsys):
    fake = _fake_rnncap(tmp_path / "broken", broken=True)
    node, err = _study_with_an_odd_node(cluster, tmp_path, capsys, fake)
    assert f"Ray node {node} could not run rnncap's version check" in err
    assert "ImportError: no torch here" in err


def test_a_driver_killed_with_sigkill_resumes_from_the_store(cluster, tmp_path):
    """`rnncap study run --address` killed with kill -9 after its first unit; run again, every
    (architecture, seed) is in the store exactly once."""
    from test_kill_resume import TOML, _units_done

    from rnncap.study import load_study

    study_file = tmp_path / "study.toml"
    study_file.write_text(TOML)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "rnncap", "study", "run", str(study_file), "--out", str(out),
           "--no-report", "--executor", "ray", "--address", cluster.address]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: _units_done(out / "results.sqlite") >= 1 or proc.poll() is not None,
                   120, "the first recorded unit", poll=0.01)  # fmt: skip
        assert proc.poll() is None, proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    killed_at = _units_done(out / "results.sqlite")
    assert 1 <= killed_at < 6, f"kill landed after {killed_at} of 6 units"
    summary = run_study(load_study(study_file), out, executor=RayExecutor())
    assert (summary.skipped, summary.ran, summary.failed) == (killed_at, 6 - killed_at, 0)
    units, _ = _units(out)
    pairs = sorted((u.result.arch, r.seed) for u in units for r in u.result.runs)
    assert pairs == sorted((f"lstm:{n}x4", s) for n in (1, 2, 3) for s in (0, 1))
