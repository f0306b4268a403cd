"""Executors: run units of work in this process, in a local process pool, or on a Ray cluster
(`rnncap.study.ray_executor`).

Every executor calls ``on_results(batch)`` on the driver with the units finished since its last
call, each as ``(unit, UnitResult)`` or ``(unit, FailedUnit)``, so results flow back to the one
process that writes the store, a batch per transaction. Workers run `rnncap.study.unit.run_unit`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path
from typing import Protocol

from rnncap.errors import check_int
from rnncap.study.config import ExecutorKind, ExecutorSettings
from rnncap.study.plan import Unit
from rnncap.study.records import FailedUnit, UnitResult
from rnncap.study.unit import run_unit
from rnncap.threads import passive_waiting, thread_count, torch_threads

Outcome = tuple[Unit, UnitResult | FailedUnit]
OnResults = Callable[[list[Outcome]], None]  # the units finished since the last call
OnProgress = Callable[[Unit, float], None]  # fraction of a unit done (inline executor only)


class Executor(Protocol):
    def check(self) -> None:
        """Raise `InvalidInput` before anything is written if the executor cannot run."""

    def run(
        self, units: Sequence[Unit], on_results: OnResults, on_progress: OnProgress
    ) -> None: ...


class InlineExecutor:
    """Units one after another in this process (the default; what CI uses)."""

    name = "inline"

    def check(self) -> None:
        return None

    def run(self, units: Sequence[Unit], on_results: OnResults, on_progress: OnProgress) -> None:
        with torch_threads():  # the thread policy for one process, as in pool and Ray workers
            for unit in units:

                def progress(done: int, total: int, u: Unit = unit) -> None:
                    on_progress(u, done / max(total, 1))

                on_results([(unit, run_unit(unit.payload, progress=progress))])


def worker_threads(processes: int) -> None:
    """The thread policy in one of `processes` worker processes: `thread_count(processes)` torch
    threads (its share of the idle cores; 1 under load)."""
    n = thread_count(processes)
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


def _pool_worker_init(driver_pid: int, processes: int) -> None:
    """Process-pool initializer: die with the driver, its share of the idle cores as threads."""
    watch_driver(driver_pid, direct_child=True)
    worker_threads(processes)


class ProcessExecutor:
    """A local pool of ``workers`` spawned processes, each with its share of the idle cores as
    torch threads (one under load)."""

    name = "process"

    def __init__(self, workers: int = 2):
        check_int(workers, "workers", low=1, high=1024)
        self.workers = workers

    def check(self) -> None:
        return None

    def run(self, units: Sequence[Unit], on_results: OnResults, on_progress: OnProgress) -> None:
        if not units:
            return
        ctx = get_context("spawn")
        processes = min(self.workers, len(units))
        pool = ProcessPoolExecutor(
            processes, mp_context=ctx, initializer=_pool_worker_init,
            initargs=(os.getpid(), processes),
        )  # fmt: skip
        pending = {pool.submit(run_unit, u.payload): u for u in units}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                on_results([(pending.pop(fut), fut.result()) for fut in done])
        except BaseException:
            # Ctrl-C or a failed unit: stop the workers now rather than wait for their units
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def start_reaper() -> subprocess.Popen:
    """`reaper.py` in its own session: kills this process's tree once this process is gone."""
    script = Path(__file__).with_name("reaper.py")
    return subprocess.Popen(
        [sys.executable, str(script), str(os.getpid())],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def make_executor(settings: ExecutorSettings) -> Executor:
    """The executor a study's ``[executor]`` table (or the CLI options) names."""
    if settings.kind is ExecutorKind.PROCESS:
        return ProcessExecutor(settings.workers)
    if settings.kind is ExecutorKind.RAY:
        from rnncap.study.ray_executor import RayExecutor

        return RayExecutor(settings.address, settings.num_cpus)
    return InlineExecutor()
