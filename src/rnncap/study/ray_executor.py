"""The Ray executor: one task per unit across a cluster; a lost node costs a retry, not a unit.

The driver submits every unit, collects finished ones with `ray.wait` and hands them to the store
in batches (one transaction per batch). Each task reports the Ray node it ran on. A unit whose
task is lost with its node or worker, or raises, is submitted again, up to ``max_attempts`` times
in all; after that it is recorded as failed and the study goes on. Before the first unit, every
node that can run one reports its rnncap and torch versions, and each task checks them again (a
node may join later): a node that differs from the driver stops the study with one line. A task's
data travel with it: the embedded data are part of rnncap, and a CSV file is read once by the
driver and shipped through Ray's object store (`ray.put`), so worker nodes need no shared disk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import os
import re
import socket
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rnncap.errors import InvalidInput, check_float, check_int, require
from rnncap.study.executors import (
    OnProgress,
    OnResults,
    Outcome,
    start_reaper,
    watch_driver,
    worker_threads,
)
from rnncap.study.plan import Unit, UnitPayload
from rnncap.study.records import FailedUnit, UnitResult
from rnncap.study.unit import run_unit
from rnncap.threads import machine_cores

#: Attempts per unit before it is recorded as failed (a lost node or a raised error each count).
MAX_ATTEMPTS = 3
#: Seconds the nodes have to report their versions (a cold worker imports torch first).
VERSION_TIMEOUT_S = 120.0
#: The versions every node must share with the driver (they also enter each unit's key).
CHECKED = ("rnncap", "torch")


def check_ray_address(address: str, timeout: float = 5.0) -> None:
    """Fail fast, with one line, when nothing answers at a Ray address (HOST:PORT or ray://...)."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    require(
        bool(host) and port.isdigit(),
        f"Ray address {address!r} is not HOST:PORT or ray://HOST:PORT (e.g. 10.0.0.5:6379)",
    )
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(
            f"no Ray cluster answers at {address!r} ({reason}); start one with `ray start --head` "
            "or omit address= to run a local one"
        ) from None


def node_report() -> dict[str, str]:
    """This process's Ray node id, host name, and rnncap and torch versions (runs on a node)."""
    import ray

    import rnncap

    return {
        "node": ray.get_runtime_context().get_node_id(),
        "host": socket.gethostname(),
        "rnncap": rnncap.__version__,
        "torch": importlib.metadata.version("torch"),
    }


def driver_versions() -> dict[str, str]:
    import rnncap

    return {"rnncap": rnncap.__version__, "torch": importlib.metadata.version("torch")}


def version_mismatch(report: dict[str, str], expected: dict[str, str]) -> str | None:
    """One line naming the node and both versions when a node differs from the driver."""
    differ = [k for k in CHECKED if report[k] != expected[k]]
    if not differ:
        return None
    node = " and ".join(f"{k} {report[k]}" for k in differ)
    driver = " and ".join(f"{k} {expected[k]}" for k in differ)
    fix = " ".join(f"{k}=={expected[k]}" for k in differ)
    return (
        f"Ray node {report['node']} ({report['host']}) has {node}, the driver has {driver}; "
        f"install the same versions on every node (pip install {fix}) so results do not mix"
    )


def check_node_versions(ray: Any, expected: dict[str, str], timeout: float) -> list[dict]:
    """Every live node that can run a unit reports its versions; a mismatch is `InvalidInput`."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = [n for n in ray.nodes() if n["Alive"] and _can_run_units(n["Resources"])]
    probe = ray.remote(num_cpus=0, max_retries=0)(node_report)
    refs = {
        probe.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)
        ).remote(): n["NodeID"]
        for n in nodes
    }
    _, late = ray.wait(list(refs), num_returns=len(refs), timeout=timeout)
    if late:
        names = ", ".join(refs[r] for r in late)
        raise InvalidInput(
            f"Ray node {names} did not report its rnncap and torch versions within {timeout:.0f} "
            "s; check it with `ray status` (is rnncap installed there?) or remove it"
        )
    reports = []
    for ref, node in refs.items():
        try:
            reports.append(ray.get(ref))
        except _lost_node_errors(ray):  # the node was lost meanwhile: no unit will go there
            continue
        except ray.exceptions.RayError as exc:  # e.g. rnncap missing or broken on that node
            raise InvalidInput(
                f"Ray node {node} could not run rnncap's version check ({_cause(exc)}); install "
                "the driver's rnncap and torch there, or remove the node"
            ) from None
    for report in reports:
        line = version_mismatch(report, expected)
        if line:
            raise InvalidInput(line)
    return reports


def _lost_node_errors(ray: Any) -> tuple[type, ...]:
    """Ray's errors for a task lost with its worker or node (not raised by the task's code).

    TaskUnschedulableError: a probe pinned to a node that died after `ray.nodes()` listed it
    alive ("doesn't exist any more"); a node lost in an earlier study must not stop this one."""
    e = ray.exceptions
    return (
        e.NodeDiedError, e.WorkerCrashedError, e.ObjectLostError, e.LocalRayletDiedError,
        e.TaskUnschedulableError,
    )  # fmt: skip


def _cause(exc: BaseException) -> str:
    """The innermost error of a Ray task failure, in one line: Ray wraps e.g. an import error on
    the worker in a RuntimeError whose text ends with the original traceback's last line."""
    cause = getattr(exc, "cause", None)
    inner = cause if isinstance(cause, BaseException) else exc
    lines = [ln.strip() for ln in str(inner).splitlines() if ln.strip()]
    if lines and re.match(r"[\w.]+(Error|Exception)\b", lines[-1]):
        return lines[-1][:300]
    return _one_line(inner)


def _can_run_units(resources: dict) -> bool:
    return resources.get("CPU", 0) >= 1 or resources.get("GPU", 0) >= 1


def dataset_files(units: Sequence[Unit]) -> list[str]:
    """The data files the units read (paths, not embedded names): they travel with the tasks."""
    from rnncap.data.dataset import EMBEDDED

    names = {u.payload.task.dataset for u in units}
    return sorted(names - set(EMBEDDED))


def with_local_data(payload: UnitPayload, data: bytes) -> UnitPayload:
    """The payload reading ``data`` (its dataset file's bytes, shipped by the driver) from a copy
    on this node, named by its content and the original file name (whose suffix may matter)."""
    from rnncap.atomic import write_atomic

    name = Path(payload.task.dataset).name
    digest = hashlib.sha256(data).hexdigest()[:24]
    local = Path(tempfile.gettempdir()) / "rnncap-shipped-data" / digest / name
    if not local.is_file():
        local.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(local, data)
    return dataclasses.replace(payload, task=payload.task.at(str(local)))


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


Work = Callable[[UnitPayload], UnitResult]


def ray_task(
    payload: UnitPayload,
    driver_pid: int | None,
    expected: dict[str, str],
    data: bytes | None = None,
    work: Work | None = None,
) -> tuple:
    """One unit on a Ray worker: ``("done", UnitResult)``, ``("error", line, node)`` or
    ``("mismatch", line)``. Errors come back as values so the driver decides on a retry."""
    report = node_report()
    mismatch = version_mismatch(report, expected)
    if mismatch:
        return ("mismatch", mismatch)
    if driver_pid is not None:
        watch_driver(driver_pid, direct_child=False)
    worker_threads(machine_cores())  # Ray fills every CPU of the node with a task (num_cpus=1)
    try:
        if data is not None:
            payload = with_local_data(payload, data)
        result = (work or run_unit)(payload)
    except Exception as exc:  # noqa: BLE001 - any error of the unit is recorded, not raised
        return ("error", _one_line(exc), report["node"])
    return ("done", dataclasses.replace(result, node=report["node"]))


class RayExecutor:
    """Ray core tasks, one per unit; results come back to the driver as they finish.

    With no ``address`` a local Ray is started with ``num_cpus`` CPUs (default: all) and shut down
    afterwards; an already initialised Ray (e.g. a test fixture) is used as it is. Each task asks
    for one GPU when the cluster has one, else one CPU. ``work`` replaces `run_unit` (benchmarks).
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        version_timeout: float = VERSION_TIMEOUT_S,
        work: Work | None = None,
    ):
        check_int(max_attempts, "max_attempts", low=1, high=100)
        check_float(version_timeout, "version_timeout", low=0.1)
        self.address = address
        self.num_cpus = num_cpus
        self.max_attempts = max_attempts
        self.version_timeout = version_timeout
        self.work = work
        self._started, self._checked = False, False
        self._reaper: subprocess.Popen | None = None

    def check(self) -> None:
        """Ray is installed and the address answers; on a cluster (an address, or a Ray already
        initialised) every node's versions match the driver's, before anything is written."""
        try:
            import ray
        except ImportError:
            raise InvalidInput("the Ray executor needs ray: pip install 'rnncap[ray]'") from None
        if self.address:
            check_ray_address(self.address)
        if self.address or ray.is_initialized():
            self._connect(ray)
            try:
                check_node_versions(ray, driver_versions(), self.version_timeout)
            except BaseException:
                self._disconnect(ray)
                raise
            self._checked = True

    def _connect(self, ray: Any) -> None:
        if ray.is_initialized():
            return
        if not self.address:  # Ray's daemons on this machine die with this driver
            self._reaper = start_reaper()
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if self.address:
            kwargs["address"] = self.address
        else:  # a Ray of our own: never another driver's cluster, which may die under us
            kwargs["address"] = "local"
            if self.num_cpus:
                kwargs["num_cpus"] = self.num_cpus
        ray.init(**kwargs)
        self._started = True

    def _disconnect(self, ray: Any) -> None:
        """Shut down a Ray this executor started (one it found running is left as it is)."""
        if self._started:
            ray.shutdown()
            self._started = False
        if self._reaper is not None:
            self._reaper.kill()
            self._reaper.wait()
            self._reaper = None
        self._checked = False

    def run(self, units: Sequence[Unit], on_results: OnResults, on_progress: OnProgress) -> None:
        import ray

        if not self._checked:
            self.check()
        self._connect(ray)
        # tasks of a Ray started here run on this machine: they watch this driver's pid
        driver = os.getpid() if self._started and not self.address else None
        try:
            if units:
                expected = driver_versions()
                if not self._checked:  # a Ray started just now, on this machine
                    check_node_versions(ray, expected, self.version_timeout)
                self._run(ray, units, on_results, driver, expected)
        finally:
            self._disconnect(ray)

    def _run(
        self,
        ray: Any,
        units: Sequence[Unit],
        on_results: OnResults,
        driver: int | None,
        expected: dict[str, str],
    ) -> None:
        gpus = ray.cluster_resources().get("GPU", 0)
        # max_retries=0: the driver retries itself, so it knows each unit's attempts
        remote = ray.remote(num_cpus=1, num_gpus=1 if gpus else 0, max_retries=0)(ray_task)
        data = {path: ray.put(Path(path).read_bytes()) for path in dataset_files(units)}
        attempts = {u.key: 0 for u in units}

        def submit(unit: Unit) -> Any:
            attempts[unit.key] += 1
            shipped = data.get(unit.payload.task.dataset)
            return remote.remote(unit.payload, driver, expected, shipped, self.work)

        pending = {submit(u): u for u in units}
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                rest = [r for r in pending if r not in ready]
                if rest:  # whatever else has finished joins the same batch (one transaction)
                    ready += ray.wait(rest, num_returns=len(rest), timeout=0)[0]
                batch: list[Outcome] = []
                for ref in ready:
                    unit = pending.pop(ref)
                    outcome = self._outcome(ray, ref, unit, attempts[unit.key])
                    if outcome is None:
                        pending[submit(unit)] = unit
                    else:
                        batch.append((unit, outcome))
                on_results(batch)
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise

    def _outcome(
        self, ray: Any, ref: Any, unit: Unit, attempt: int
    ) -> UnitResult | FailedUnit | None:
        """The unit's result, its failure after the last attempt, or None to submit it again."""
        try:
            reply = ray.get(ref)
        except ray.exceptions.RayError as exc:  # its worker or node was lost, or Ray failed it
            reply = ("error", _cause(exc), None)
        if reply[0] == "mismatch":
            raise InvalidInput(reply[1])
        if reply[0] == "done":
            return dataclasses.replace(reply[1], attempts=attempt)
        if attempt < self.max_attempts:
            return None
        return FailedUnit(unit.key, unit.arch, tuple(unit.seeds), reply[1], attempt, reply[2])
