"""Training loop of one ensemble of same-shaped members (`loop.LoopTrainer` reuses it).

Every strategy follows the same recipe, so that a member's result depends only on its spec,
seed, data and settings, whichever way it was trained:

* initial weights: `RecurrentModel(spec, seed=seed)`;
* batch order: rows ``0..n-1`` in order when ``shuffle`` is off or one batch holds every row;
  otherwise each epoch ``torch.randperm(n, generator=g)`` with ``g`` a CPU generator seeded once
  with the member's seed, cut into consecutive batches (the last one may be smaller);
* loss: mean over the batch's rows and outputs; optimizer: `torch.optim.Adam`; gradient norm
  clipped per member as `torch.nn.utils.clip_grad_norm_` does (coefficient
  ``clip / (norm + 1e-6)``, at most 1);
* after each epoch: the validation loss (mean over every validation row and output), then early
  stopping when it has not decreased for ``patience`` epochs; the best weights are restored.

In the ensemble the loss is the **sum** over members, so one Adam step over the stacked parameters
is exactly M independent Adam steps (Adam is element-wise); a member whose loss turns NaN or
infinite is stopped and flagged ``non_finite`` while the others go on; finished members are
dropped from the stacked tensors (re-packing) so they stop costing compute.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from rnncap.engine.ensemble import EnsembleRecurrent
from rnncap.engine.model import RecurrentModel
from rnncap.engine.records import Job, TrainedMember, TrainSettings

Tick = Callable[[int], None]
EVAL_ELEMENTS = 1 << 24  # floats per evaluation chunk (gates of all members), ~64 MB


def batch_slices(n: int, batch_size: int) -> list[slice]:
    return [slice(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]


def uses_shuffle(settings: TrainSettings, n: int) -> bool:
    """Shuffling only changes anything when an epoch has more than one batch."""
    return settings.shuffle and settings.batch_size < n


def _elementwise_loss(kind: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(out, y.expand_as(out), reduction="none")
    return (out - y).square()


def _state_to_device(state: dict[str, torch.Tensor], device: torch.device) -> dict:
    return {k: v.to(device) for k, v in state.items()}


class EnsembleTrainer:
    """Train jobs that share spec shape, settings and data shapes as one `EnsembleRecurrent`.

    Parameters
    ----------
    jobs : sequence of Job
        Same `shape_key(spec)`, equal settings, equal data shapes (checked by the caller).
    device : torch.device
    """

    def __init__(self, jobs: Sequence[Job], device: torch.device):
        self.jobs = list(jobs)
        self.device = device
        first = self.jobs[0]
        self.spec, self.settings = first.spec, first.settings
        self.initial = [RecurrentModel(j.spec, seed=j.seed).state_dict() for j in self.jobs]
        self._build()
        self.optimizer = self._optimizer()
        # data: one copy per distinct MemberData object; members point at theirs
        unique: dict[int, int] = {}
        for j in self.jobs:
            unique.setdefault(id(j.data), len(unique))
        datas = {id(j.data): j.data for j in self.jobs}
        order = sorted(unique, key=unique.get)  # type: ignore[arg-type]
        self.shared = len(order) == 1
        self.own = len(order) == len(self.jobs) > 1  # every member its own data, in order

        def stack(attr: str) -> torch.Tensor | None:
            arrays = [getattr(datas[k], attr) for k in order]
            if arrays[0] is None:
                return None
            return torch.from_numpy(np.stack(arrays)).to(device)

        self.x, self.y = stack("x_train"), stack("y_train")
        self.x_val, self.y_val = stack("x_val"), stack("y_val")
        self.source = torch.tensor([unique[id(j.data)] for j in self.jobs], device=device)
        self.n = int(self.x.shape[1])
        self.generators = [torch.Generator().manual_seed(j.seed) for j in self.jobs]
        # bookkeeping, one entry per active member (positions follow the packed tensors)
        self.active = list(range(len(self.jobs)))
        self.history: list[list[dict]] = [[] for _ in self.jobs]
        self.best_loss = [math.inf] * len(self.jobs)
        self.best_epoch = [0] * len(self.jobs)
        self.bad_epochs = [0] * len(self.jobs)
        self.results: dict[int, TrainedMember] = {}
        self._save_best(torch.ones(len(self.jobs), dtype=torch.bool, device=device))

    strategy = "ensemble"

    def _build(self) -> None:
        self.model = EnsembleRecurrent(self.spec, self.initial, self.settings.dropout)
        self.model.to(self.device)

    def _save_best(self, improved: torch.Tensor) -> None:
        """Copy the current weights of the members where `improved` (M,) into the best ones."""
        with torch.no_grad():
            if not hasattr(self, "best"):
                self.best = {n: p.detach().clone() for n, p in self.model.named_parameters()}
                return
            for name, p in self.model.named_parameters():
                where = improved.view(-1, *[1] * (p.dim() - 1))
                self.best[name] = torch.where(where, p.detach(), self.best[name])

    def _best_state(self, pos: int) -> dict[str, torch.Tensor]:
        return {key: self.best[attr][pos].cpu().clone() for attr, key in self.model.names}

    def _optimizer(self) -> torch.optim.Optimizer:
        s = self.settings
        return torch.optim.Adam(self.model.parameters(), lr=s.lr, weight_decay=s.weight_decay)

    def _repacked(self) -> None:
        """Hook: the member axis has just shrunk (the CUDA-graph trainer re-captures)."""

    # -- one step ---------------------------------------------------------------------------
    def _batch(self, rows: torch.Tensor | slice, x: torch.Tensor, y: torch.Tensor):
        """Inputs (b, k, d) when shared and in the same order for all (a slice or 1-D rows),
        else (M, b, k, d); targets to match. `rows` (M, b) gives each member its own rows."""
        if isinstance(rows, slice) or rows.dim() == 1:
            if self.shared:
                return x[0, rows], y[0, rows]
            if self.own and isinstance(rows, slice):
                return x[:, rows], y[:, rows]  # views, no copy
            if isinstance(rows, slice):
                return x[self.source, rows], y[self.source, rows]
            rows = rows.unsqueeze(0)
        src = self.source.unsqueeze(1)
        return x[src, rows], y[src, rows]

    def step(self, rows: torch.Tensor | slice) -> torch.Tensor:
        """One optimizer step on the given rows; returns each member's loss (M,), detached."""
        xb, yb = self._batch(rows, self.x, self.y)
        out = self.model(xb)
        losses = _elementwise_loss(self.settings.loss, out, yb).mean(dim=(1, 2))
        losses.sum().backward()
        if self.settings.clip:
            clip_per_member(self.model.parameters(), self.settings.clip)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return losses.detach()

    @torch.no_grad()
    def evaluate(self) -> torch.Tensor:
        """Mean validation loss per member (M,), in eval mode, in row chunks that fit memory."""
        self.model.eval()
        n_val = int(self.x_val.shape[1])
        per_row = self.model.members * self.x_val.shape[2] * 4 * max(self.spec.hidden_sizes)
        chunk = max(1, EVAL_ELEMENTS // per_row)
        total = torch.zeros(self.model.members, device=self.device)
        for rows in batch_slices(n_val, chunk):
            xb, yb = self._batch(rows, self.x_val, self.y_val)
            total += _elementwise_loss(self.settings.loss, self.model(xb), yb).sum(dim=(1, 2))
        self.model.train()
        return total / (n_val * self.y_val.shape[2])

    # -- epochs -----------------------------------------------------------------------------
    def _epoch_rows(self) -> list[torch.Tensor | slice]:
        slices = batch_slices(self.n, self.settings.batch_size)
        if not uses_shuffle(self.settings, self.n):
            return slices  # type: ignore[return-value]
        perms = torch.stack(
            [torch.randperm(self.n, generator=self.generators[j]) for j in self.active]
        )
        perms = perms.to(self.device)
        return [perms[:, s] for s in slices]

    def run(self, tick: Tick | None = None) -> list[TrainedMember]:
        s = self.settings
        for epoch in range(1, s.epochs + 1):
            total = torch.zeros(len(self.active), device=self.device)
            for rows in self._epoch_rows():
                b = rows.stop - rows.start if isinstance(rows, slice) else rows.shape[1]
                total += self.step(rows) * b
            train_loss = (total / self.n).tolist()
            val_loss = self.evaluate().tolist() if self.x_val is not None else None
            self._end_epoch(epoch, train_loss, val_loss)
            if tick:
                tick(len(train_loss))
            if not self.active:
                break
        for pos, j in enumerate(list(self.active)):
            self._finish(pos, j, "max_epochs")
        return [self.results[j] for j in range(len(self.jobs))]

    def _end_epoch(self, epoch: int, train_loss: list[float], val_loss: list[float] | None) -> None:
        s = self.settings
        improved = []
        stop: dict[int, str] = {}
        for pos, j in enumerate(self.active):
            vl = None if val_loss is None else val_loss[pos]
            self.history[j].append({"epoch": epoch, "train_loss": train_loss[pos], "val_loss": vl})
            watched = train_loss[pos] if vl is None else vl
            if not (math.isfinite(train_loss[pos]) and math.isfinite(watched)):
                improved.append(False)
                stop[pos] = "non_finite"
                continue
            better = vl is None or vl < self.best_loss[j]
            improved.append(better)
            if better:
                self.best_loss[j], self.best_epoch[j], self.bad_epochs[j] = watched, epoch, 0
            else:
                self.bad_epochs[j] += 1
                if s.patience and self.bad_epochs[j] >= s.patience:
                    stop[pos] = "early_stopped"
        self._save_best(torch.tensor(improved, device=self.device))
        if not stop:
            return
        for pos, status in stop.items():
            self._finish(pos, self.active[pos], status)
        keep = [pos for pos in range(len(self.active)) if pos not in stop]
        self.active = [self.active[pos] for pos in keep]
        if keep:
            self._repack(torch.tensor(keep, device=self.device))

    def _finish(self, pos: int, j: int, status: str) -> None:
        job = self.jobs[j]
        if self.best_epoch[j]:
            state = self._best_state(pos)
        else:
            state = {k: v.clone() for k, v in self.initial[j].items()}
        self.results[j] = TrainedMember(
            spec=job.spec,
            seed=job.seed,
            settings=job.settings,
            state_dict=state,
            initial_state_dict=self.initial[j],
            history=self.history[j],
            best_epoch=self.best_epoch[j],
            status=status,
            key=job.key,
            strategy=self.strategy,
        )

    def _repack(self, keep: torch.Tensor) -> None:
        """Drop finished members from the parameters, Adam's state and the best weights."""
        old_params = list(self.model.parameters())
        old_state = [self.optimizer.state.get(p, {}) for p in old_params]
        self.model.keep(keep)
        self.optimizer = self._optimizer()
        for p, state in zip(self.model.parameters(), old_state, strict=True):
            self.optimizer.state[p] = {
                k: v[keep].clone() if torch.is_tensor(v) and v.dim() > 0 else v
                for k, v in state.items()
            }
        self.best = {k: v[keep].clone() for k, v in self.best.items()}
        self.source = self.source[keep]
        if self.own:  # keep member m's data at index m
            self.x, self.y = self.x[keep], self.y[keep]
            if self.x_val is not None:
                self.x_val, self.y_val = self.x_val[keep], self.y_val[keep]
            self.source = torch.arange(len(keep), device=self.device)
        self._repacked()


def clip_per_member(params, max_norm: float) -> None:
    """`clip_grad_norm_` applied to each member's slice (leading axis) of every gradient."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    norms = torch.stack([g.flatten(1).square().sum(1) for g in grads]).sum(0).sqrt()
    coef = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.view(-1, *[1] * (g.dim() - 1)))
