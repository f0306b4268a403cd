"""The specification of training one member: a plain loop over one model and one optimizer.

Every backend of `rnncap.engine.train` must give, member by member, what `train_reference`
gives for that member's job alone (tests/engine check it for every strategy, to float
rounding). It is written to be read, nanoGPT-style, in the order things happen: it uses
`torch.optim.Adam` and `torch.nn.utils.clip_grad_norm_` as they come, and writes the
bookkeeping (best epoch, patience, non-finite losses, time limit) out by hand. It is slow
(one model at a time); use `train` for real work.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F

from rnncap.engine.bookkeeping import Loss, Status, Strategy, lr_factor
from rnncap.engine.model import RecurrentModel
from rnncap.engine.records import Job, MemberData, TrainedMember
from rnncap.engine.settings import TrainSettings

#: The loss of each `Loss` on (outputs + anchor, targets): hinge is squared, on logits.
LOSSES = {
    Loss.MSE: F.mse_loss,
    Loss.BCE: F.binary_cross_entropy_with_logits,
    Loss.HINGE: lambda z, t: torch.clamp(1 - (2 * t - 1) * z, min=0).pow(2).mean(),
}


def _tensors(data: MemberData, split: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Inputs, targets and anchor (zeros without one) of ``split`` ("train" or "val")."""
    x, y, a = (getattr(data, f"{name}_{split}") for name in ("x", "y", "anchor"))
    a = torch.zeros(y.shape) if a is None else torch.from_numpy(a)
    return torch.from_numpy(x), torch.from_numpy(y), a


def _train_epoch(
    model: RecurrentModel,
    optimizer: torch.optim.Optimizer,
    train: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    s: TrainSettings,
    generator: torch.Generator,
) -> float:
    """One pass over the training rows in this member's order; the mean training loss."""
    x, y, anchor = train
    n = len(x)
    model.train()
    order = torch.arange(n)
    if s.shuffle and s.batch_size < n:
        order = torch.randperm(n, generator=generator)
    seen = 0.0
    for i in range(0, n, s.batch_size):
        idx = order[i : i + s.batch_size]
        loss = LOSSES[s.loss](model(x[idx]) + anchor[idx], y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if s.clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), s.clip)
        optimizer.step()
        seen += loss.item() * len(idx)
    return seen / n


def train_reference(job: Job, snapshots: tuple[int, ...] = ()) -> TrainedMember:
    """Train `job` alone on the CPU, exactly as the recipe of docs/engine.md says, keeping its
    best weights so far at each of the `snapshots` epochs."""
    spec, seed, data, s = job.spec, job.seed, job.data, job.settings
    # the model, its own random generator (batch order, then dropout masks), the optimizer
    model = RecurrentModel(spec, dropout=s.dropout, seed=seed)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    generator = torch.Generator().manual_seed(seed)
    model.dropout_generator = generator
    optimizer = torch.optim.Adam(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    train = _tensors(data, "train")
    history, best_loss, best_epoch, bad_epochs = [], math.inf, 0, 0
    best_state, status, kept = initial, Status.MAX_EPOCHS, {}
    start = time.perf_counter()
    for epoch in range(1, s.epochs + 1):
        # 1. the learning rate of this epoch
        for group in optimizer.param_groups:
            group["lr"] = s.lr * lr_factor(s.schedule, epoch, s.epochs, snapshots)
        # 2. one pass over the training rows, in this member's order
        train_loss = _train_epoch(model, optimizer, train, s, generator)
        # 3. the validation loss
        val_loss = None
        if data.has_val:
            model.eval()
            xv, yv, av = _tensors(data, "val")
            with torch.no_grad():
                val_loss = LOSSES[s.loss](model(xv) + av, yv).item()
        history.append({"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss})
        # 4. bookkeeping: stop on NaN/inf, keep the best weights, patience, time limit
        watched = train_loss if val_loss is None else val_loss
        if not (math.isfinite(train_loss) and math.isfinite(watched)):
            status = Status.NON_FINITE
            break
        if val_loss is None or val_loss < best_loss:
            best_loss, best_epoch, bad_epochs = watched, epoch, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad_epochs += 1
            if s.patience and bad_epochs >= s.patience:
                status = Status.EARLY_STOPPED
                break
        if epoch in snapshots:  # 5. the best weights so far, kept at a snapshot epoch
            kept[epoch] = best_state
        if s.time_limit is not None and time.perf_counter() - start > s.time_limit:
            status = Status.TIME_LIMIT
            break
    return TrainedMember(
        spec=spec,
        seed=seed,
        settings=s,
        state_dict=best_state,
        initial_state_dict=initial,
        history=history,
        best_epoch=best_epoch,
        status=status,
        key=job.key,
        strategy=Strategy.LOOP,
        snapshots={e: kept.get(e, best_state) for e in snapshots},
    )
