"""Use both cores: worker processes with one torch thread each, and a calmer allocator.

Measured on 2-core machines (docs/performance.md): a second intra-op thread barely helps tiny
models, while two processes with one thread each come close to 2x for a loop of models and
~1.3x for ensembles. Large per-step temporaries page-fault under glibc's default malloc, which
returns big blocks to the OS after every step; `tune_allocator` keeps them in the heap.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

import torch

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_tuned = False


def tune_allocator() -> bool:
    """Make glibc keep freed memory (no mmap/trim for blocks under 1 GiB); True when applied.

    Process-wide and idempotent; a no-op (False) off Linux/glibc. The cost: the process's
    resident memory does not shrink after a large step.
    """
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, 1 << 30) == 1
        ok = ok and libc.mallopt(_M_TRIM_THRESHOLD, (1 << 31) - 1) == 1
    except (OSError, AttributeError):
        return False
    _tuned = ok
    return ok


def configure_worker(threads: int = 1) -> None:
    """Set up a training worker process: `threads` torch threads, tuned allocator."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    torch.set_num_threads(threads)
    tune_allocator()


def split(items: Sequence, parts: int) -> list[list]:
    """Cut `items` into at most `parts` contiguous pieces of near-equal length, none empty."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for p in range(parts):
        end = start + size + (1 if p < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def run_in_processes(
    fn: Callable, tasks: Sequence[tuple], workers: int, done: Callable[[int, object], None]
) -> None:
    """Run ``fn(*task)`` for each task in `workers` spawned processes (one torch thread each);
    call ``done(task_index, result)`` as each finishes."""
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=configure_worker) as pool:
        futures = {pool.submit(fn, *task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            done(futures[future], future.result())
