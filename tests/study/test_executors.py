"""Process pool and Ray executors give the same records as the in-process one."""

from __future__ import annotations

import socket

import pytest
from study_helpers import stored_runs, tiny_config

from rnncap.errors import InvalidInput
from rnncap.study import run_study
from rnncap.study.executors import ProcessExecutor
from rnncap.study.ray_executor import RayExecutor, check_ray_address

pytestmark = pytest.mark.slow  # trains models


def _assert_same_runs(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:  # one torch thread per worker vs two inline: float noise only
        for split in ("train", "val", "test"):
            got, want = getattr(a[k].errors, split), getattr(b[k].errors, split)
            assert got == pytest.approx(want, rel=1e-3), (k, split)


def test_process_pool_matches_inline(tiny_study, tmp_path):
    inline, _ = tiny_study
    summary = run_study(tiny_config(), tmp_path, executor=ProcessExecutor(2))
    assert (summary.ran, summary.runs) == (4, 4)
    _assert_same_runs(stored_runs(inline), stored_runs(tmp_path))


@pytest.fixture(scope="module")
def local_ray():
    import ray  # a test dependency: CI must exercise the Ray path, never skip it

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_tasks_on_a_local_cluster_match_inline(tiny_study, tmp_path, local_ray):
    inline, _ = tiny_study
    summary = run_study(tiny_config(), tmp_path, executor=RayExecutor())
    assert (summary.ran, summary.runs) == (4, 4)
    assert local_ray.is_initialized()  # a cluster the study did not start is left running
    _assert_same_runs(stored_runs(inline), stored_runs(tmp_path))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_ray_address_that_does_not_answer_is_bad_input_and_writes_nothing(tmp_path):
    address = f"127.0.0.1:{_closed_port()}"
    with pytest.raises(InvalidInput, match=f"no Ray cluster answers at '{address}'"):
        check_ray_address(address)
    with pytest.raises(InvalidInput, match="no Ray cluster answers"):
        run_study(tiny_config(), tmp_path / "out", executor=RayExecutor(address))
    assert not (tmp_path / "out").exists()
    with pytest.raises(InvalidInput, match="not HOST:PORT"):
        check_ray_address("nonsense")


def test_without_an_address_ray_starts_its_own_cluster_not_another_drivers(monkeypatch):
    """ray.init() with no address joins the latest cluster started on the machine (Ray's docs);
    when that driver ends, its raylet dies under our tasks (seen: every atlas unit failed with
    LocalRayletDiedError). Without an address the executor asks for a new local instance."""
    ray = pytest.importorskip("ray")
    seen = {}
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kw: seen.update(kw))
    monkeypatch.setattr("rnncap.study.ray_executor.start_reaper", lambda: None)
    RayExecutor(num_cpus=2)._connect(ray)
    assert seen["address"] == "local" and seen["num_cpus"] == 2
    seen.clear()
    RayExecutor("10.0.0.5:6379")._connect(ray)
    assert seen["address"] == "10.0.0.5:6379" and "num_cpus" not in seen
