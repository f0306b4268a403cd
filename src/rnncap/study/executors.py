"""Executors: run units of work in this process, in a local process pool, or on a Ray cluster.

Every executor calls ``on_result(unit, result)`` on the driver as each unit finishes, so results
flow back to the one process that writes the store. Workers run `rnncap.study.work.run_unit`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any, Protocol

from rnncap.errors import InvalidInput, check_int, require
from rnncap.study.config import ExecutorKind, ExecutorSettings
from rnncap.study.plan import Unit
from rnncap.study.work import run_unit

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
        for unit in units:

            def progress(done: int, total: int, u: Unit = unit) -> None:
                on_progress(u, done / max(total, 1))

            result = run_unit(unit.payload, progress=progress)
            on_result(unit, result)


def _one_thread() -> None:
    """Worker initializer: one torch thread per process (tiny models gain little from 2)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)


class ProcessExecutor:
    """A local pool of ``workers`` spawned processes, one torch thread each."""

    name = "process"

    def __init__(self, workers: int = 2):
        check_int(workers, "--workers", low=1, high=1024)
        self.workers = workers

    def check(self) -> None:
        return None

    def run(self, units: Sequence[Unit], on_result: OnResult, on_progress: OnProgress) -> None:
        if not units:
            return
        ctx = get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_one_thread) as pool:
            pending = {pool.submit(run_unit, u.payload): u for u in units}
            try:
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        on_result(pending.pop(fut), fut.result())
            except BaseException:
                for fut in pending:
                    fut.cancel()
                raise


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
            "or omit --address to run a local one"
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
        started = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if self.address:
                kwargs["address"] = self.address
            elif self.num_cpus:
                kwargs["num_cpus"] = self.num_cpus
            ray.init(**kwargs)
            started = True
        try:
            self._run(ray, units, on_result)
        finally:
            if started:
                ray.shutdown()

    @staticmethod
    def _run(ray: Any, units: Sequence[Unit], on_result: OnResult) -> None:
        if not units:
            return
        gpus = ray.cluster_resources().get("GPU", 0)
        remote = ray.remote(num_cpus=1, num_gpus=1 if gpus else 0)(_ray_task)
        pending = {remote.remote(u.payload): u for u in units}
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    on_result(pending.pop(ref), ray.get(ref))
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise


def _ray_task(payload: dict) -> dict:
    _one_thread()
    return run_unit(payload)


def make_executor(settings: ExecutorSettings) -> Executor:
    """The executor a study's ``[executor]`` table (or the CLI options) names."""
    if settings.kind is ExecutorKind.PROCESS:
        return ProcessExecutor(settings.workers)
    if settings.kind is ExecutorKind.RAY:
        return RayExecutor(settings.address, settings.num_cpus)
    return InlineExecutor()
