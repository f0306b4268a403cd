"""A study on a simulated 3-node Ray cluster with one node killed mid-study, against one node.

Each node is a real raylet on this machine (`ray.cluster_utils.Cluster`, a head that runs no
unit and worker nodes of ``--cpus`` CPUs each). The study runs through the real CLI,
``rnncap study run FILE --executor ray --address HEAD``; once a unit runs on the last node, that
node's raylet and workers are killed with SIGKILL (tests/study/cluster_helpers.py). Then the
store says which node trained which unit and how many attempts each took; the same study then
runs on a one-node cluster for the wall time. On one machine the nodes share its cores, so the
wall times show the mechanics, not a real cluster's speed-up.

    python bench/ray_node_loss.py            # docs/study.md's simulated run
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "study"))
from cluster_helpers import kill_node, local_cluster, running_unit, wait_until  # noqa: E402

from rnncap.study import ResultsStore  # noqa: E402

STUDY = """
name = "node-loss"
seeds = [0, 1, 2]
chunk = 1
measures = ["counts", "forecast"]
forecast_points = 48

[task]
history = 48
stride = 6

[grid]
layers = [1, 2]
units = [4, 8]
frontier = []

[training]
epochs = 10
"""


def run(study: Path, out: Path, nodes: int, cpus: int, kill: bool) -> float:
    """Run the study on a head + `nodes` worker nodes; print the CLI's lines; the wall time."""
    with local_cluster([cpus] * nodes) as cluster:
        cmd = [sys.executable, "-m", "rnncap", "study", "run", str(study), "--out", str(out),
               "--no-report", "--executor", "ray", "--address", cluster.address]  # fmt: skip
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

        def echo() -> None:  # the CLI's unit lines and summary, with the time since the start
            for line in proc.stdout:
                if line.startswith("[") or "planned" in line or "failed" in line:
                    print(f"{time.perf_counter() - start:6.1f} s  {line.rstrip()}", flush=True)

        reader = threading.Thread(target=echo)
        reader.start()
        try:
            if kill:
                victim = sorted(cluster.worker_nodes, key=lambda n: n.node_id)[-1]
                wait_until(lambda: running_unit(victim), 300, "a unit on the victim node")
                status = kill_node(cluster, victim)
                at = time.perf_counter() - start
                print(f"{at:6.1f} s  -- killed node {victim.node_id[:8]} while it trained a unit "
                      f"(raylet exit status {status})", flush=True)  # fmt: skip
            proc.wait(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
            reader.join()
        wall = time.perf_counter() - start
    return wall


def per_node(out: Path) -> None:
    with ResultsStore.open(out) as store:
        units = store.units()
    count = Counter(u.result.node[:8] for u in units)
    attempts = Counter(u.result.attempts for u in units)
    print("units per node: " + ", ".join(f"{n} {c}" for n, c in sorted(count.items())))
    print("attempts: " + ", ".join(f"{c} unit(s) {a}" for a, c in sorted(attempts.items())))
    print("retried: " + "; ".join(f"{u.result.arch} seeds {list(u.seeds)} on {u.result.node[:8]}"
                                  for u in units if u.result.attempts > 1))  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cpus", type=int, default=1, help="CPUs of each worker node")
    args = p.parse_args()
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "study.toml"
        study.write_text(STUDY)
        print("== 3 worker nodes, the last killed while it trains a unit")
        three = run(study, Path(tmp) / "three", 3, args.cpus, kill=True)
        per_node(Path(tmp) / "three")
        print("== 1 worker node")
        one = run(study, Path(tmp) / "one", 1, args.cpus, kill=False)
        per_node(Path(tmp) / "one")
    print(f"wall time: 3 nodes with one killed {three:.1f} s, 1 node {one:.1f} s")


if __name__ == "__main__":
    main()
