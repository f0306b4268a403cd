"""`train(jobs)`: group jobs by shape, pick a strategy per group, split groups into chunks, train.

Jobs whose spec shape (`shape_key`), shared settings (all but the per-member ``lr``,
``schedule`` and ``time_limit``) and data shapes agree form a group; a group is trained as
ensembles of at most ``max_members`` members (or as a loop of single models, see
`choose_strategy`). Results come back in the order of the jobs, whatever the grouping.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import torch

from rnncap.engine.backends.ensemble import EnsembleBackend
from rnncap.engine.backends.loop import LoopBackend
from rnncap.engine.bookkeeping import Strategy, check_snapshots, parse_enum
from rnncap.engine.ensemble_module import check_supported, shape_key
from rnncap.engine.records import Job, TrainedMember
from rnncap.engine.strategy import choose_strategy, ensemble_supported, resolve_device
from rnncap.engine.trainer import Backend, Setup, run_members
from rnncap.engine.workers import run_in_processes, split, tune_allocator
from rnncap.errors import InvalidInput, check_int, require

Progress = Callable[[int, int], None]

CPU_CHUNK_BYTES = 1 << 30  # activations kept for backward, per ensemble chunk on CPU
MIN_CHUNK = 1


def group_key(job: Job) -> tuple:
    return (shape_key(job.spec), job.settings.shared(), job.data.shape_key)


def member_bytes(job: Job) -> int:
    """Rough bytes one member needs for a training step (saved activations, weights, Adam)."""
    spec, rows = job.spec, min(job.settings.batch_size, job.data.x_train.shape[0])
    steps = job.data.x_train.shape[1]
    acts = 0
    for layer, width in enumerate(spec.hidden_sizes):
        gates = spec.cell.gates * width
        acts += steps * rows * (3 * gates + 4 * width + spec.layer_input_size(layer))
    weights = sum(
        spec.cell.gates * w * (spec.layer_input_size(i) + w + 2)
        for i, w in enumerate(spec.hidden_sizes)
    )
    return 4 * (2 * acts + 6 * weights)


def chunk_size(jobs: Sequence[Job], device: torch.device, max_members: int | None) -> int:
    """Members per ensemble: what fits a quarter of the free GPU memory (a CUDA graph's pool
    coexists with eager allocations) or 1 GiB of CPU memory."""
    if max_members is not None:
        return max_members
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        budget = free // 4
    else:
        budget = CPU_CHUNK_BYTES
    return max(MIN_CHUNK, min(len(jobs), budget // max(member_bytes(jobs[0]), 1)))


class _Ticker:
    """Counts member-epochs for `progress(done, total)`; never counts a retried chunk twice."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0
        self.credit = 0  # ticks already reported by a failed attempt of the current chunk

    def __call__(self, n: int) -> None:
        absorbed = min(n, self.credit)
        self.credit -= absorbed
        self.add(n - absorbed)

    def add(self, n: int) -> None:
        """Count `n` more member-epochs as done and report the total."""
        if n and self.progress is not None:
            self.done = min(self.total, self.done + n)
            self.progress(self.done, self.total)
        elif n:
            self.done += n

    def finish(self, members: Sequence[TrainedMember]) -> None:
        """Members that stopped early still count all their epochs as done."""
        self.add(sum(m.settings.epochs - m.epochs_run for m in members))


def make_backend(how: Strategy, setup: Setup) -> Backend:
    """The backend for one chunk: the loop, or the ensemble; on a GPU the ensemble's step is a
    CUDA graph (eager with dropout, or with ``RNNCAP_CUDA_GRAPHS=0``)."""
    if how is Strategy.LOOP:
        return LoopBackend(setup)
    graphs = os.environ.get("RNNCAP_CUDA_GRAPHS", "1") != "0"
    if setup.device.type == "cuda" and graphs and not setup.settings.dropout:
        from rnncap.engine.backends.cuda_graph import GraphBackend

        return GraphBackend(setup)
    return EnsembleBackend(setup)


def run_chunk(
    jobs: Sequence[Job],
    how: Strategy,
    device: torch.device,
    tick: _Ticker | None = None,
    snapshots: tuple[int, ...] = (),
) -> list[TrainedMember]:
    """Train one chunk of same-group jobs with one backend (fp32 pinned on a GPU)."""
    setup = Setup(jobs, device)
    backend = make_backend(how, setup)
    if device.type != "cuda":
        return run_members(backend, setup, tick, snapshots)
    from rnncap.engine.backends.cuda_graph import pinned_fp32

    with pinned_fp32():
        return run_members(backend, setup, tick, snapshots)


def _is_oom(exc: BaseException) -> bool:
    return isinstance(exc, torch.cuda.OutOfMemoryError) or "out of memory" in str(exc).lower()


def _train_ensembles(
    jobs: Sequence[Job],
    device: torch.device,
    ticker: _Ticker,
    size: int,
    snapshots: tuple[int, ...] = (),
) -> list[TrainedMember]:
    """Train `jobs` in chunks of `size`; on out-of-memory, halve the chunk and retry it."""
    out: list[TrainedMember] = []
    start = 0
    while start < len(jobs):
        chunk = jobs[start : start + size]
        before = ticker.done
        try:
            members = run_chunk(chunk, Strategy.ENSEMBLE, device, ticker, snapshots)
        except (torch.cuda.OutOfMemoryError, RuntimeError) as exc:
            if not _is_oom(exc) or size <= MIN_CHUNK:
                raise
            ticker.credit += ticker.done - before
            if device.type == "cuda":
                torch.cuda.empty_cache()
            size = max(MIN_CHUNK, size // 2)
            continue
        ticker.finish(members)
        out += members
        start += len(chunk)
    return out


def _train_unit(
    jobs: Sequence[Job],
    how: Strategy,
    device: torch.device,
    max_members: int | None,
    ticker: _Ticker | None = None,
    snapshots: tuple[int, ...] = (),
) -> list[TrainedMember]:
    """Train jobs of one group with one strategy (also the entry point of worker processes)."""
    ticker = ticker or _Ticker(None, sum(j.settings.epochs for j in jobs))
    if device.type == "cpu":
        tune_allocator()
    if how is Strategy.ENSEMBLE:
        check_supported(jobs[0].spec)
        size = chunk_size(jobs, device, max_members)
        return _train_ensembles(jobs, device, ticker, size, snapshots)
    members = run_chunk(jobs, Strategy.LOOP, device, ticker, snapshots)
    ticker.finish(members)
    return members


def _checked(
    jobs: Sequence[Job], strategy: Strategy | str, max_members: int | None, workers: int
) -> tuple[list[Job], Strategy]:
    """`train`'s arguments checked (one line each when wrong): the jobs as a list, the strategy."""
    jobs = list(jobs)
    require(len(jobs) >= 1, "no jobs to train; pass at least one rnncap.engine.Job")
    for i, job in enumerate(jobs):
        require(isinstance(job, Job), f"jobs[{i}] is a {type(job).__name__}, not an engine Job")
    if max_members is not None:
        check_int(max_members, "max_members", low=1)
    check_int(workers, "workers", low=1)
    return jobs, parse_enum(Strategy, strategy, "strategy")


def _plan_units(
    jobs: list[Job], strategy: Strategy, dev: torch.device, workers: int
) -> list[tuple[list[int], Strategy]]:
    """The training units: each group of same-shaped jobs (their indexes) split over the
    workers, each part with its strategy (`choose_strategy` for ``auto``)."""
    groups: dict[tuple, list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault(group_key(job), []).append(i)
    units: list[tuple[list[int], Strategy]] = []
    for index in groups.values():
        first = jobs[index[0]]
        rows = min(first.settings.batch_size, first.data.x_train.shape[0])
        for part in split(index, workers):
            how = strategy
            if how is Strategy.AUTO:
                how = choose_strategy(first.spec, rows, dev, len(part))
            if how is Strategy.ENSEMBLE:
                check_supported(first.spec)
            units.append((part, how))
    return units


def train(
    jobs: Sequence[Job],
    device: str | torch.device | None = None,
    progress: Progress | None = None,
    *,
    strategy: Strategy | str = Strategy.AUTO,
    max_members: int | None = None,
    workers: int = 1,
    snapshots: Sequence[int] = (),
) -> list[TrainedMember]:
    """Train every job; same-shaped jobs are trained together as batched ensembles.

    Parameters
    ----------
    jobs : sequence of Job
    device : str or torch.device, optional
        Default: CUDA when available, else CPU.
    progress : callable(done, total), optional
        Called as members finish epochs (with ``workers > 1``: as each worker's share
        finishes); ``total`` is the sum of every job's ``epochs``.
    strategy : {"auto", "ensemble", "loop"}, default="auto"
        ``auto`` picks per group (per worker's share) with `choose_strategy` (measured CPU
        crossover in members and width; always the ensemble on a GPU). ``loop`` steps one
        `RecurrentModel` per member in lockstep.
    max_members : int, optional
        Cap on members per ensemble (default: what fits memory).
    workers : int, default=1
        CPU only: split each group over this many spawned processes with one torch thread
        each (2 on a 2-core machine is the measured best; start-up costs ~1-2 s per worker).
        Leave 1 when the caller already runs one process per core (study executors).
    snapshots : sequence of int, optional
        Epochs at which every member's best weights so far are kept (`TrainedMember.at`), and
        at which the ``restarts`` schedule ends a cosine cycle: one run to the last budget of a
        doubling ladder gives the model at each budget. Each within every job's ``epochs``.

    Returns
    -------
    list of TrainedMember, in the order of `jobs`.
    """
    jobs, strategy = _checked(jobs, strategy, max_members, workers)
    marks = check_snapshots(snapshots, min(j.settings.epochs for j in jobs))
    dev = resolve_device(device)
    if dev.type != "cpu":
        workers = 1
    units = _plan_units(jobs, strategy, dev, workers)
    ticker = _Ticker(progress, sum(j.settings.epochs for j in jobs))
    results: list[TrainedMember | None] = [None] * len(jobs)

    def store(unit: int, members: list[TrainedMember]) -> None:
        for i, member in zip(units[unit][0], members, strict=True):
            results[i] = member
        ticker.add(sum(m.settings.epochs for m in members))

    if workers > 1 and len(units) > 1:
        tasks = [
            ([jobs[i] for i in index], how, dev, max_members, None, marks) for index, how in units
        ]
        run_in_processes(_train_unit, tasks, min(workers, len(units)), store)
    else:
        for index, how in units:
            members = _train_unit([jobs[i] for i in index], how, dev, max_members, ticker, marks)
            for i, member in zip(index, members, strict=True):
                results[i] = member
    if any(r is None for r in results):  # pragma: no cover - a bug, not bad input
        raise InvalidInput("internal error: some jobs produced no result")
    return results  # type: ignore[return-value]


__all__ = ["train", "ensemble_supported"]
