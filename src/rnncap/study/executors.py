"""Executors: run units of work in this process, in a local process pool, or on a Ray cluster.

Every executor calls ``on_result(unit, result)`` on the driver as each unit finishes, so results
flow back to the one process that writes the store. Workers run `rnncap.study.work.run_unit`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

from rnncap.errors import InvalidInput, check_int, require
from rnncap.study.config import ExecutorKind, ExecutorSettings
from rnncap.study.plan import Unit
from rnncap.study.work import run_unit
from rnncap.threads import passive_waiting, thread_count, torch_threads

OnResult = Callable[[Unit, dict], None]
OnProgress = Callable[[Unit, float], None]  # fraction of a unit done (inline executor only)


class Executor(Protocol):
    def check(self) -> None:
        """Raise `InvalidInput` before anything is written if the executor cannot run."""

    def run(self, units: Sequence[Unit], on_result: OnResult, on_progress: OnProgress) -> None: ...


class InlineExecutor:
    """Units one after another in this process (the default; what CI uses)."""

    name = "inline"

    def check(self) -> None:
        return None

    def run(self, units: Sequence[Unit], on_result: OnResult, on_progress: OnProgress) -> None:
        with torch_threads():  # the thread policy, as in pool and Ray workers
            for unit in units:

                def progress(done: int, total: int, u: Unit = unit) -> None:
                    on_progress(u, done / max(total, 1))

                result = run_unit(unit.payload, progress=progress)
                on_result(unit, result)


def _one_thread() -> None:
    """The thread policy in a worker process: `thread_count()` torch threads (1 by default)."""
    n = thread_count()
    os.environ["OMP_NUM_THREADS"] = str(n)
    passive_waiting()
    import torch

    torch.set_num_threads(n)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _parent_death_signal() -> None:
    """Linux: have the kernel SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # the watchdog thread still applies


_WATCHED: set[int] = set()


def watch_driver(driver_pid: int, *, direct_child: bool, interval: float = 0.5) -> None:
    """End this worker when the study's driver process is gone, however it ended (even kill -9).

    A direct child also asks the kernel for a parent-death signal; a watchdog thread covers the
    rest (other systems, Ray workers whose parent is the raylet, a parent gone before the prctl).
    """
    if driver_pid in _WATCHED:  # a reused worker (Ray) already watches this driver
        return
    _WATCHED.add(driver_pid)
    if direct_child:
        _parent_death_signal()

    def gone() -> bool:
        if direct_child:
            return os.getppid() != driver_pid
        return not _alive(driver_pid)

    def watch() -> None:
        while not gone():
            time.sleep(interval)
        os._exit(70)

    if gone():
        os._exit(70)
    threading.Thread(target=watch, name="rnncap-driver-watchdog", daemon=True).start()


def _pool_worker_init(driver_pid: int) -> None:
    """Process-pool initializer: die with the driver, one torch thread."""
    watch_driver(driver_pid, direct_child=True)
    _one_thread()


class ProcessExecutor:
    """A local pool of ``workers`` spawned processes, one torch thread each."""

    name = "process"

    def __init__(self, workers: int = 2):
        check_int(workers, "workers", low=1, high=1024)
        self.workers = workers

    def check(self) -> None:
        return None

    def run(self, units: Sequence[Unit], on_result: OnResult, on_progress: OnProgress) -> None:
        if not units:
            return
        ctx = get_context("spawn")
        pool = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_pool_worker_init, initargs=(os.getpid(),)
        )
        pending = {pool.submit(run_unit, u.payload): u for u in units}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    on_result(pending.pop(fut), fut.result())
        except BaseException:
            # Ctrl-C or a failed unit: stop the workers now rather than wait for their units
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


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


class RayExecutor:
    """Ray core tasks, one per unit; results come back to the driver as they finish.

    With no ``address`` a local Ray is started with ``num_cpus`` CPUs (default: all) and shut down
    afterwards; an already initialised Ray (e.g. a test fixture) is used as it is. Each task asks
    for one GPU when the cluster has one, else one CPU.
    """

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None):
        self.address = address
        self.num_cpus = num_cpus

    def check(self) -> None:
        try:
            import ray  # noqa: F401
        except ImportError:
            raise InvalidInput("the Ray executor needs ray: pip install 'rnncap[ray]'") from None
        if self.address:
            check_ray_address(self.address)

    def run(self, units: Sequence[Unit], on_result: OnResult, on_progress: OnProgress) -> None:
        import ray

        self.check()
        started, reaper = False, None
        if not ray.is_initialized():
            if not self.address:  # Ray's daemons on this machine die with this driver
                reaper = start_reaper()
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if self.address:
                kwargs["address"] = self.address
            elif self.num_cpus:
                kwargs["num_cpus"] = self.num_cpus
            ray.init(**kwargs)
            started = True
        # tasks of a Ray started here run on this machine: they watch this driver's pid
        driver = os.getpid() if started and not self.address else None
        try:
            self._run(ray, units, on_result, driver)
        finally:
            if started:
                ray.shutdown()
            if reaper is not None:
                reaper.kill()
                reaper.wait()

    @staticmethod
    def _run(ray: Any, units: Sequence[Unit], on_result: OnResult, driver: int | None) -> None:
        if not units:
            return
        gpus = ray.cluster_resources().get("GPU", 0)
        remote = ray.remote(num_cpus=1, num_gpus=1 if gpus else 0)(_ray_task)
        pending = {remote.remote(u.payload, driver): u for u in units}
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    on_result(pending.pop(ref), ray.get(ref))
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise


def start_reaper() -> subprocess.Popen:
    """`reaper.py` in its own session: kills this process's tree once this process is gone."""
    script = Path(__file__).with_name("reaper.py")
    return subprocess.Popen(
        [sys.executable, str(script), str(os.getpid())],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def _ray_task(payload: dict, driver_pid: int | None = None) -> dict:
    if driver_pid is not None:
        watch_driver(driver_pid, direct_child=False)
    _one_thread()
    return run_unit(payload)


def make_executor(settings: ExecutorSettings) -> Executor:
    """The executor a study's ``[executor]`` table (or the CLI options) names."""
    if settings.kind is ExecutorKind.PROCESS:
        return ProcessExecutor(settings.workers)
    if settings.kind is ExecutorKind.RAY:
        return RayExecutor(settings.address, settings.num_cpus)
    return InlineExecutor()
