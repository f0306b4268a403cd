"""A Ray cluster of several nodes on this machine (`ray.cluster_utils.Cluster`), and node loss.

Each node is a real raylet process with its own CPU count; killing one is what losing a machine
does to the study: its raylet and the workers it started die with SIGKILL, mid-unit. Only the
processes these helpers started are ever killed (never `ray stop`, which would end every Ray on
the machine). Also used by bench/ray_node_loss.py for the docs' simulated run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rnncap.study.reaper import descendants, parents

#: Let the cluster notice a lost node in about two seconds instead of Ray's default thirty.
FAST_FAILURE = {
    "health_check_initial_delay_ms": 0,
    "health_check_period_ms": 500,
    "health_check_timeout_ms": 1000,
    "health_check_failure_threshold": 3,
}
#: The process title of a Ray worker while it runs a unit (`rnncap.study.ray_executor.ray_task`).
UNIT_TITLE = b"ray::ray_task"


def raylet(node: Any) -> subprocess.Popen:
    """The node's raylet process."""
    from ray._private import ray_constants

    return node.all_processes[ray_constants.PROCESS_TYPE_RAYLET][0].process


def running_unit(node: Any) -> bool:
    """Whether one of the workers the node's raylet started is running a unit now."""
    for pid in descendants({raylet(node).pid}, parents()):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(UNIT_TITLE):
                return True
    return False


def kill_node(cluster: Any, node: Any) -> int:
    """SIGKILL the node's raylet and every process below it at once, as a lost machine; return
    the raylet's exit status (-9 when the kill was real), then drop the node from the cluster."""
    proc = raylet(node)
    victims = descendants({proc.pid}, parents())
    os.kill(proc.pid, signal.SIGKILL)
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    status = proc.wait(timeout=30)
    cluster.remove_node(node, allow_graceful=False)  # the node's other daemons, if any
    # the next study's version check asks every node Ray lists as alive: wait until Ray has
    # noticed the loss (a study started sooner fails on a node that is gone)
    wait_until(lambda: not _listed_alive(node.node_id), 120, "Ray marking the killed node dead")
    return status


def _listed_alive(node_id: str) -> bool:
    import ray

    return any(n["NodeID"] == node_id and n["Alive"] for n in ray.nodes())


def wait_until(condition: Any, timeout: float, what: str, poll: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout:.0f} s"
        time.sleep(poll)


@contextlib.contextmanager
def local_cluster(worker_cpus: list[int], head_cpus: int = 0) -> Iterator[Any]:
    """A head (``head_cpus``, default 0: it runs no unit) and one worker node per entry of
    ``worker_cpus``, this process connected as the driver; everything is killed on exit."""
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        connect=False,
        head_node_args={"num_cpus": head_cpus, "include_dashboard": False,
                        "_system_config": FAST_FAILURE},
    )  # fmt: skip
    try:
        for cpus in worker_cpus:
            cluster.add_node(num_cpus=cpus)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False)
        yield cluster
    finally:
        stop_cluster(cluster)


def stop_cluster(cluster: Any) -> None:
    """Disconnect, shut every node down, and SIGKILL any worker its raylet left behind."""
    import ray

    nodes = [n for n in [cluster.head_node, *cluster.worker_nodes] if n is not None]
    roots = {p.process.pid for n in nodes for ps in n.all_processes.values() for p in ps}
    below = descendants(roots, parents())
    ray.shutdown()
    cluster.shutdown()
    for pid in below:
        with contextlib.suppress(OSError):  # still a Ray process (not a reused pid): kill it
            if b"ray" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
