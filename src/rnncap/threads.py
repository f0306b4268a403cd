"""Thread policy: one intra-op torch thread per training process, and passive OpenMP waiting.

The models rnncap trains are small (tens to thousands of units); their matrix products are too
short to gain much from a second intra-op thread, and on a shared machine spinning OpenMP threads
fight other processes for the cores (issue 16: 3-4x slowdowns at load 2-3.5 on 2 cores). So every
training process (inline study, pool and Ray workers, forecast train, capacity) uses
`thread_count()` threads, 1 unless ``RNNCAP_THREADS`` says otherwise, and parallelism comes from
processes (``--workers``). Measured in docs/robustness.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from rnncap.errors import parse_int_text


def thread_count() -> int:
    """Intra-op threads per training process: ``RNNCAP_THREADS`` (an integer >= 1), default 1."""
    text = os.environ.get("RNNCAP_THREADS", "").strip()
    if not text:
        return 1
    return parse_int_text(text, "RNNCAP_THREADS", low=1, high=1024, hint="e.g. RNNCAP_THREADS=2")


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
