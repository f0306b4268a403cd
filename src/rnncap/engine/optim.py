"""`MemberAdam`: Adam with one learning rate per member, for every backend.

`torch.optim.Adam` has one learning rate per parameter group; an ensemble's parameters carry
all members on their leading axis, so a learning-rate grid inside one ensemble needs the rate
as a tensor. This is torch.optim.Adam's algorithm (L2 weight decay added to the gradient, bias
corrections, ``eps`` outside the square root) with the step size ``lr[m] / (1 - beta1^t)`` per
member. Everything, the step counter included, lives in device tensors, so the same code runs
eagerly and inside a captured CUDA graph (`rnncap.engine.backends.cuda_graph`), where `set_lr`
between replays changes the rate without capturing again. Multi-tensor (``torch._foreach_*``)
ops keep the launch count independent of the number of parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


class MemberAdam:
    """Adam over `params`, where member ``m``'s slices step with learning rate ``lr[m]``.

    Parameters
    ----------
    params : list of Tensor
        Leaf tensors with gradients.
    lr : sequence of float
        One peak rate per member (`set_lr` changes them).
    owner : list of int, optional
        Which member each parameter belongs to (a loop of separate models). Without it every
        parameter is stacked: its leading axis is the member axis.
    weight_decay : float, default=0.0
    """

    def __init__(
        self,
        params: Sequence[torch.Tensor],
        lr: Sequence[float],
        owner: Sequence[int] | None = None,
        weight_decay: float = 0.0,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ):
        self.params = list(params)
        device = self.params[0].device
        self.lr = torch.tensor(list(lr), dtype=torch.float32, device=device)
        self.owner = None if owner is None else list(owner)
        self.weight_decay, self.betas, self.eps = weight_decay, betas, eps
        self.steps = torch.zeros((), dtype=torch.float32, device=device)
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]

    def set_lr(self, lr: Sequence[float]) -> None:
        """New rates, one per member, in place (a captured graph sees them)."""
        self.lr.copy_(torch.tensor(list(lr), dtype=torch.float32))

    def state_tensors(self) -> list[torch.Tensor]:
        """Every state tensor (step counter, moments), for snapshots."""
        return [self.steps, *self.exp_avg, *self.exp_avg_sq]

    def _per_param(self, rate: torch.Tensor) -> list[torch.Tensor]:
        """`rate` (M,) as one view per parameter that broadcasts against it."""
        if self.owner is None:
            return [rate.view(-1, *[1] * (p.dim() - 1)) for p in self.params]
        return [rate[m] for m in self.owner]

    @torch.no_grad()
    def step(self) -> None:
        beta1, beta2 = self.betas
        grads = [p.grad for p in self.params]
        self.steps.add_(1)
        if self.weight_decay:
            grads = torch._foreach_add(grads, self.params, alpha=self.weight_decay)
        torch._foreach_lerp_(self.exp_avg, grads, 1 - beta1)
        torch._foreach_mul_(self.exp_avg_sq, beta2)
        torch._foreach_addcmul_(self.exp_avg_sq, grads, grads, value=1 - beta2)
        correction1 = 1 - torch.pow(beta1, self.steps)
        correction2_sqrt = (1 - torch.pow(beta2, self.steps)).sqrt()
        denom = torch._foreach_sqrt(self.exp_avg_sq)
        torch._foreach_div_(denom, correction2_sqrt)
        torch._foreach_add_(denom, self.eps)
        update = torch._foreach_div(self.exp_avg, denom)
        torch._foreach_mul_(update, self._per_param(self.lr / correction1))
        torch._foreach_sub_(self.params, update)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def keep(self, index: Sequence[int], params: Sequence[torch.Tensor]) -> None:
        """Keep the members at `index` (in that order); `params` are the re-packed parameters.

        Stacked: every state tensor is sliced on its member axis. Loop: the state of the kept
        members' parameters is kept, and `owner` renumbered.
        """
        idx = list(index)
        self.lr = self.lr[torch.tensor(idx, device=self.lr.device)].clone()
        if self.owner is None:
            pick = torch.tensor(idx, device=self.lr.device)
            self.exp_avg = [s[pick].clone() for s in self.exp_avg]
            self.exp_avg_sq = [s[pick].clone() for s in self.exp_avg_sq]
        else:
            new_pos = {m: k for k, m in enumerate(idx)}
            kept = sorted(
                (i for i, m in enumerate(self.owner) if m in new_pos),
                key=lambda i: (new_pos[self.owner[i]], i),
            )
            self.exp_avg = [self.exp_avg[i] for i in kept]
            self.exp_avg_sq = [self.exp_avg_sq[i] for i in kept]
            self.owner = [new_pos[self.owner[i]] for i in kept]
        self.params = list(params)
        self.steps = self.steps.clone()
