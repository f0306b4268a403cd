"""Thread policy: one intra-op torch thread per training process unless asked otherwise, and
passive OpenMP waiting always.

The models rnncap trains are small (tens to thousands of units); on a shared machine spinning
OpenMP threads fight other processes for the cores (issue 16: 3-4x slowdowns at load 2-3.5 on
2 cores), so every training process (inline study, pool and Ray workers, forecast train) uses one
thread and parallelism comes from processes (``--workers``). More threads are opt-in because
they change the weights: torch's reductions add in another order (gru:2x5 trained by
``forecast train`` on 2 threads differs from the same model on 1: test_one_recipe.py), and a
default that followed the machine's load would make one command give different models at
different loads. ``RNNCAP_THREADS=N`` sets N threads; ``RNNCAP_THREADS=idle`` shares the idle
cores among the processes (`idle_thread_count`). Measured in docs/robustness.md.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager

from rnncap.errors import parse_int_text, require


def idle_thread_count(cores: int, load: float, processes: int) -> int:
    """Intra-op threads for each of `processes` training processes on `cores` cores whose load
    average is `load`: the idle cores (a core counts as idle when at least half of it is)
    divided among the processes, at least 1 (the one-thread rule under load), at most `cores`.

    An unknown load (NaN) counts as a busy machine.
    """
    require(cores >= 1 and processes >= 1, "cores and processes must be at least 1")
    if not math.isfinite(load) or load < 0:
        return 1
    idle = math.floor(cores - load + 0.5)
    return max(1, min(cores, idle // processes))


def machine_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def machine_load() -> float:
    """The 1-minute load average (NaN where the OS has none: then the policy is one thread)."""
    try:
        return float(os.getloadavg()[0])
    except (AttributeError, OSError):  # pragma: no cover - not POSIX
        return math.nan


def thread_count(processes: int = 1) -> int:
    """Intra-op threads for each of `processes` training processes started now: 1 (reproducible
    weights at any load), or ``RNNCAP_THREADS``: an integer >= 1, or ``idle`` for
    `idle_thread_count` of this machine."""
    text = os.environ.get("RNNCAP_THREADS", "").strip()
    if not text:
        return 1
    if text.lower() == "idle":
        return idle_thread_count(machine_cores(), machine_load(), processes)
    return parse_int_text(
        text, "RNNCAP_THREADS", low=1, high=1024, hint="e.g. RNNCAP_THREADS=2, or idle"
    )


def passive_waiting() -> None:
    """Idle OpenMP threads sleep instead of spinning (set before torch starts its pool)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@contextmanager
def torch_threads(n: int | None = None) -> Iterator[int]:
    """Run a block with `n` (default `thread_count()`) torch intra-op threads, then restore."""
    import torch

    n = thread_count() if n is None else n
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)
