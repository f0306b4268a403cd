"""The ``ensemble`` backend: every member in one `EnsembleRecurrent`, stepped together.

The loss is the **sum** over members, so every member's slice of the stacked parameters gets
exactly its own gradient; clipping uses per-member gradient norms and `MemberAdam` is
element-wise with a per-member rate, so one step is M independent training steps. Finished
members are dropped from the stacked tensors (re-packing, optimizer state and best weights
included) so that they stop costing compute.
"""

from __future__ import annotations

import torch

from rnncap.engine.bookkeeping import Strategy
from rnncap.engine.ensemble_module import EnsembleRecurrent
from rnncap.engine.model import dropout_noise
from rnncap.engine.optim import MemberAdam
from rnncap.engine.trainer import Rows, Setup, batch_slices, elementwise_loss

EVAL_ELEMENTS = 1 << 24  # floats per evaluation chunk (gates of all members), ~64 MB


class EnsembleBackend:
    """Members of one shape as one `EnsembleRecurrent` (see `trainer.Backend`)."""

    strategy = Strategy.ENSEMBLE

    def __init__(self, setup: Setup):
        self.setup, self.device = setup, setup.device
        self.spec, self.settings, self.data = setup.spec, setup.settings, setup.data
        self.model = EnsembleRecurrent(self.spec, setup.initial, self.settings.dropout)
        self.model.to(self.device)
        self.generators = list(setup.generators)
        self.optimizer = self._optimizer(setup.lr)
        with torch.no_grad():
            self.best = {n: p.detach().clone() for n, p in self.model.named_parameters()}

    def _optimizer(self, lr: list[float]) -> MemberAdam:
        return MemberAdam(
            list(self.model.parameters()), lr, weight_decay=self.settings.weight_decay
        )

    def noise(self, rows: int, steps: int) -> list[torch.Tensor] | None:
        """Each member's dropout multipliers for this step, from its own generator."""
        p = self.settings.dropout
        if not p or self.spec.num_layers < 2:
            return None
        out = []
        for layer in range(1, self.spec.num_layers):
            shape = (rows, steps, self.spec.layer_output_size(layer - 1))
            noise = torch.stack([dropout_noise(shape, p, g) for g in self.generators])
            out.append(noise.to(self.device))
        return out

    def loss(self, rows: Rows) -> torch.Tensor:
        """Each member's training loss on `rows` (M,), with the graph for backward."""
        xb, yb, ab = self.data.stacked(rows)
        out = self.model(xb, self.noise(xb.shape[-3], xb.shape[-2]))
        if ab is not None:
            out = out + ab
        return elementwise_loss(self.settings.loss, out, yb).mean(dim=(1, 2))

    def step(self, rows: Rows) -> torch.Tensor:
        losses = self.loss(rows)
        self.update(losses)
        return losses.detach()

    def update(self, losses: torch.Tensor) -> None:
        """Backward of the summed losses, per-member clipping, one Adam step."""
        losses.sum().backward()
        if self.settings.clip:
            clip_per_member(self.model.parameters(), self.settings.clip)
        self.optimizer.step()
        self.optimizer.zero_grad()

    @torch.no_grad()
    def evaluate(self) -> torch.Tensor:
        self.model.eval()
        n_val = self.data.n_val
        steps = self.data.tensors["x_val"].shape[2]
        per_row = self.model.members * steps * 4 * max(self.spec.hidden_sizes)
        total = torch.zeros(self.model.members, device=self.device)
        for rows in batch_slices(n_val, max(1, EVAL_ELEMENTS // per_row)):
            xb, yb, ab = self.data.stacked(rows, "val")
            out = self.model(xb)
            if ab is not None:
                out = out + ab
            total += elementwise_loss(self.settings.loss, out, yb).sum(dim=(1, 2))
        self.model.train()
        return total / (n_val * self.data.tensors["y_val"].shape[2])

    @torch.no_grad()
    def save_best(self, improved: list[bool]) -> None:
        mask = torch.tensor(improved, device=self.device)
        for name, p in self.model.named_parameters():
            where = mask.view(-1, *[1] * (p.dim() - 1))
            self.best[name] = torch.where(where, p.detach(), self.best[name])

    def best_state(self, pos: int) -> dict[str, torch.Tensor]:
        return {key: self.best[attr][pos].cpu().clone() for attr, key in self.model.names}

    def drop(self, keep: list[int]) -> None:
        index = torch.tensor(keep, device=self.device)
        self.model.keep(index)
        self.optimizer.keep(keep, list(self.model.parameters()))
        self.best = {k: v[index].clone() for k, v in self.best.items()}
        self.generators = [self.generators[pos] for pos in keep]
        self.data.drop(index)


def clip_per_member(params, max_norm: float) -> None:
    """`clip_grad_norm_` applied to each member's slice (leading axis) of every gradient."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    norms = torch.stack([g.flatten(1).square().sum(1) for g in grads]).sum(0).sqrt()
    coef = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.view(-1, *[1] * (g.dim() - 1)))
