"""The epoch loop every backend runs under, and what backends share (data on the device, losses).

`run_members` is the one training loop of the engine. Per epoch it sets each member's learning
rate (its schedule), draws each member's batch order, asks the backend for one optimizer step
per batch and for the validation losses, and hands the losses to the torch-free bookkeeping
(`rnncap.engine.bookkeeping.Ledger`), which decides who improved and who stops. A backend
(`Backend`: the ensemble in `stacked`, the CUDA graph in `cuda`, the loop of fused modules in
`loop`) only steps, evaluates, saves the best weights and drops finished members.

The recipe, so that a member's result depends only on its spec, seed, data and settings:

* initial weights: `RecurrentModel(spec, seed=seed)`;
* one CPU generator per member, seeded with its seed, draws the batch order each epoch (rows
  ``0..n-1`` in order when ``shuffle`` is off or one batch holds every row, else
  ``torch.randperm(n, generator=g)`` cut into consecutive batches) and then, step by step, the
  member's dropout masks (`dropout_noise`, one per layer after the first);
* learning rate ``lr * lr_factor(schedule, epoch, epochs)`` for the whole epoch; Adam
  (`MemberAdam`); the gradient norm clipped per member as `torch.nn.utils.clip_grad_norm_`;
* loss: mean over the batch's rows and outputs of the loss of ``net(x) + anchor``;
* after each epoch: the validation loss (mean over every validation row and output, eval mode),
  then the bookkeeping; the best weights are kept;
* at each of the ``snapshots`` epochs, a copy of each member's best weights so far (the
  ``restarts`` schedule ends a cosine cycle there): one run gives the model at every budget of a
  doubling ladder, so a budget curve costs its last budget, not the sum of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F

from rnncap.engine.bookkeeping import Ledger, Loss, MemberBook, Strategy, lr_factor
from rnncap.engine.model import RecurrentModel
from rnncap.engine.optim import MemberAdam
from rnncap.engine.records import Job, TrainedMember, TrainSettings

Tick = Callable[[int], None]
Rows = torch.Tensor | slice


def batch_slices(n: int, batch_size: int) -> list[slice]:
    return [slice(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]


def uses_shuffle(settings: TrainSettings, n: int) -> bool:
    """Shuffling only changes anything when an epoch has more than one batch."""
    return settings.shuffle and settings.batch_size < n


def elementwise_loss(kind: Loss, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if kind is Loss.BCE:
        return F.binary_cross_entropy_with_logits(out, y.expand_as(out), reduction="none")
    if kind is Loss.HINGE:
        return F.relu(1.0 - (2.0 * y - 1.0) * out).square()
    return (out - y).square()


class DeviceData:
    """The jobs' arrays on the device: one copy per distinct `MemberData`, members point at theirs.

    ``source[pos]`` is the data index of the member at position ``pos``; `drop` follows the
    backend's re-packing.
    """

    SPLITS = {
        "train": ("x_train", "y_train", "anchor_train"),
        "val": ("x_val", "y_val", "anchor_val"),
    }

    def __init__(self, jobs: Sequence[Job], device: torch.device):
        unique: dict[int, int] = {}
        for j in jobs:
            unique.setdefault(id(j.data), len(unique))
        datas = {id(j.data): j.data for j in jobs}
        order = sorted(unique, key=unique.get)  # type: ignore[arg-type]
        self.shared = len(order) == 1
        self.own = len(order) == len(jobs) > 1  # every member its own data, in order
        self.tensors: dict[str, torch.Tensor | None] = {}
        for attrs in self.SPLITS.values():
            for attr in attrs:
                arrays = [getattr(datas[k], attr) for k in order]
                stacked = None if arrays[0] is None else torch.from_numpy(np.stack(arrays))
                self.tensors[attr] = None if stacked is None else stacked.to(device)
        self.source = torch.tensor([unique[id(j.data)] for j in jobs], device=device)
        self.n = int(jobs[0].data.x_train.shape[0])
        self.has_val = jobs[0].data.has_val
        self.n_val = int(jobs[0].data.x_val.shape[0]) if self.has_val else 0

    def stacked(self, rows: Rows, split: str = "train"):
        """(x, y, anchor or None) for every active member: x (b, k, d) when all members share
        their inputs in the same order (a slice or 1-D rows), else (M, b, k, d). `rows` (M, b)
        gives each member its own rows."""
        x, y, a = (self.tensors[attr] for attr in self.SPLITS[split])
        if isinstance(rows, slice) or rows.dim() == 1:
            if self.shared:
                return x[0, rows], y[0, rows], None if a is None else a[0, rows]
            if self.own and isinstance(rows, slice):  # views, no copy
                return x[:, rows], y[:, rows], None if a is None else a[:, rows]
            if isinstance(rows, slice):
                src = self.source
                return x[src, rows], y[src, rows], None if a is None else a[src, rows]
            rows = rows.unsqueeze(0)
        src = self.source.unsqueeze(1)
        return x[src, rows], y[src, rows], None if a is None else a[src, rows]

    def member(self, pos: int, rows: Rows, split: str = "train"):
        """(x, y, anchor or None) of the member at `pos`; `rows` as in `stacked`."""
        x, y, a = (self.tensors[attr] for attr in self.SPLITS[split])
        src = int(self.source[pos])
        if not isinstance(rows, slice) and rows.dim() == 2:
            rows = rows[pos]
        return x[src, rows], y[src, rows], None if a is None else a[src, rows]

    def drop(self, keep: torch.Tensor) -> None:
        self.source = self.source[keep]
        if self.own:  # keep member m's data at index m
            for attr, value in self.tensors.items():
                if value is not None:
                    self.tensors[attr] = value[keep]
            self.source = torch.arange(len(keep), device=keep.device)


class Backend(Protocol):
    """What a training strategy implements; `run_members` does the rest.

    ``optimizer`` is a `MemberAdam` (the loop sets its rates); positions 0..M-1 index the
    members still training, in the order of the backend's member axis.
    """

    strategy: Strategy
    optimizer: MemberAdam

    def step(self, rows: Rows) -> torch.Tensor:
        """One optimizer step on `rows`; each active member's loss (M,), detached."""

    def evaluate(self) -> torch.Tensor:
        """Each active member's mean validation loss (M,), in eval mode."""

    def save_best(self, improved: list[bool]) -> None:
        """Keep the current weights of the positions where `improved` as their best."""

    def best_state(self, pos: int) -> dict[str, torch.Tensor]:
        """The best weights of position `pos` as a `RecurrentModel` state dict on the CPU, the
        caller's to keep: a later epoch's best is a new dict, never written into this one."""

    def drop(self, keep: list[int]) -> None:
        """Keep only these positions (in order): the others finished."""


class Setup:
    """What a backend is built from: jobs, device, data, initial weights and member generators."""

    def __init__(self, jobs: Sequence[Job], device: torch.device):
        self.jobs = list(jobs)
        self.device = device
        self.spec, self.settings = self.jobs[0].spec, self.jobs[0].settings
        self.initial = [RecurrentModel(j.spec, seed=j.seed).state_dict() for j in self.jobs]
        self.data = DeviceData(self.jobs, device)
        self.generators = [torch.Generator().manual_seed(j.seed) for j in self.jobs]
        self.lr = [j.settings.lr for j in self.jobs]


def _epoch_rows(setup: Setup, active: list[int]) -> list[Rows]:
    n, s = setup.data.n, setup.settings
    slices = batch_slices(n, s.batch_size)
    if not uses_shuffle(s, n):
        return slices  # type: ignore[return-value]
    perms = torch.stack([torch.randperm(n, generator=setup.generators[j]) for j in active])
    perms = perms.to(setup.device)
    return [perms[:, sl] for sl in slices]


def run_members(
    backend: Backend, setup: Setup, tick: Tick | None = None, snapshots: tuple[int, ...] = ()
) -> list[TrainedMember]:
    """Train the backend's members to the end; results in the order of ``setup.jobs``, each
    with its best weights so far at every epoch of `snapshots` (`TrainedMember.snapshots`)."""
    jobs, s = setup.jobs, setup.settings
    ledger = Ledger([MemberBook(j.settings.patience, j.settings.time_limit) for j in jobs])
    results: dict[int, TrainedMember] = {}
    kept: dict[int, dict[int, dict]] = {j: {} for j in range(len(jobs))}
    start = time.perf_counter()
    for epoch in range(1, s.epochs + 1):
        backend.optimizer.set_lr(
            [jobs[j].settings.lr
             * lr_factor(jobs[j].settings.schedule, epoch, s.epochs, snapshots)
             for j in ledger.active]
        )  # fmt: skip
        total = torch.zeros(len(ledger.active), device=setup.device)
        for rows in _epoch_rows(setup, ledger.active):
            b = rows.stop - rows.start if isinstance(rows, slice) else rows.shape[1]
            total += backend.step(rows) * b
        train_loss = (total / setup.data.n).tolist()
        val_loss = backend.evaluate().tolist() if setup.data.has_val else None
        improved, stopped = ledger.end_epoch(
            epoch, train_loss, val_loss, time.perf_counter() - start
        )
        backend.save_best(improved)
        if epoch in snapshots:
            for pos, j in enumerate(ledger.active):
                kept[j][epoch] = _best_weights(backend, setup, ledger, pos)
        for pos in stopped:
            results[ledger.active[pos]] = _member(backend, setup, ledger, pos, kept, snapshots)
        if tick:
            tick(len(train_loss))
        if stopped:
            keep = ledger.drop(stopped)
            if not keep:
                break
            backend.drop(keep)
    ledger.finish()
    for pos, j in enumerate(ledger.active):
        results[j] = _member(backend, setup, ledger, pos, kept, snapshots)
    return [results[j] for j in range(len(jobs))]


def _best_weights(backend: Backend, setup: Setup, ledger: Ledger, pos: int) -> dict:
    """The best weights so far of the member at `pos` (a copy of its initial ones before any):
    a dict the backend never changes afterwards, so a snapshot may keep it as it is."""
    j = ledger.active[pos]
    if ledger.books[j].best_epoch:
        return backend.best_state(pos)
    return {k: v.clone() for k, v in setup.initial[j].items()}


def _member(
    backend: Backend,
    setup: Setup,
    ledger: Ledger,
    pos: int,
    kept: dict[int, dict[int, dict]],
    snapshots: tuple[int, ...],
) -> TrainedMember:
    j = ledger.active[pos]
    job, book = setup.jobs[j], ledger.books[j]
    state = _best_weights(backend, setup, ledger, pos)
    # a member that stopped before a snapshot epoch is at every later one what it ended as
    at = {e: kept[j].get(e, state) for e in snapshots}
    return TrainedMember(
        spec=job.spec,
        seed=job.seed,
        settings=job.settings,
        state_dict=state,
        initial_state_dict=setup.initial[j],
        history=book.history,
        best_epoch=book.best_epoch,
        status=book.status,  # type: ignore[arg-type]
        key=job.key,
        strategy=backend.strategy,
        snapshots=at,
    )
