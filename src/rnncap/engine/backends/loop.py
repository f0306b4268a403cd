"""The ``loop`` backend: one fused torch module per member, stepped in lockstep.

Where oneDNN's fused `nn.LSTM` beats the hand-written ensemble (CPU, wider LSTM layers) and for
what the ensemble does not implement (bidirectional layers, projections), each member is its own
`RecurrentModel`. They still share everything that does not couple them: one multi-tensor
`MemberAdam` over all members' parameters (element-wise, so exactly one Adam per member) and
per-member gradient clipping computed with one ``_foreach_norm``. That removes the ~0.1-0.3 ms
per model-step that separate optimizers and clipping cost in a plain loop.
"""

from __future__ import annotations

import torch

from rnncap.engine.bookkeeping import Strategy
from rnncap.engine.model import RecurrentModel
from rnncap.engine.optim import MemberAdam
from rnncap.engine.trainer import Rows, Setup, batch_slices, elementwise_loss


class LoopBackend:
    """Members as separate `RecurrentModel`s (see `trainer.Backend`)."""

    strategy = Strategy.LOOP

    def __init__(self, setup: Setup):
        self.device, self.settings, self.data = setup.device, setup.settings, setup.data
        self.models = []
        for state, generator in zip(setup.initial, setup.generators, strict=True):
            model = RecurrentModel(setup.spec, dropout=self.settings.dropout)
            model.load_state_dict(state)
            model.dropout_generator = generator
            self.models.append(model.to(self.device))
        params, owner = self._params()
        self.optimizer = MemberAdam(
            params, setup.lr, owner=owner, weight_decay=self.settings.weight_decay
        )
        self.best: list[dict[str, torch.Tensor] | None] = [None] * len(self.models)

    def _params(self) -> tuple[list[torch.nn.Parameter], list[int]]:
        params, owner = [], []
        for pos, model in enumerate(self.models):
            for p in model.parameters():
                params.append(p)
                owner.append(pos)
        return params, owner

    def _predict(self, model: RecurrentModel, x: torch.Tensor, a: torch.Tensor | None):
        out = model(x)
        return out if a is None else out + a

    def step(self, rows: Rows) -> torch.Tensor:
        losses = []
        for pos, model in enumerate(self.models):
            xb, yb, ab = self.data.member(pos, rows)
            loss = elementwise_loss(self.settings.loss, self._predict(model, xb, ab), yb).mean()
            loss.backward()
            losses.append(loss.detach())
        if self.settings.clip:
            self._clip(self.settings.clip)
        self.optimizer.step()
        self.optimizer.zero_grad()
        return torch.stack(losses)

    def _clip(self, max_norm: float) -> None:
        """`clip_grad_norm_` per member, with one foreach norm over every gradient."""
        per_model = [[p.grad for p in m.parameters() if p.grad is not None] for m in self.models]
        grads = [g for gs in per_model for g in gs]
        norms = torch._foreach_norm(grads)
        coefs, start = [], 0
        for gs in per_model:
            total = torch.linalg.vector_norm(torch.stack(norms[start : start + len(gs)]))
            coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
            coefs += [coef] * len(gs)
            start += len(gs)
        torch._foreach_mul_(grads, coefs)

    @torch.no_grad()
    def evaluate(self) -> torch.Tensor:
        n_val, out = self.data.n_val, []
        for pos, model in enumerate(self.models):
            model.eval()
            total = torch.zeros((), device=self.device)
            for sl in batch_slices(n_val, 4096):
                xb, yb, ab = self.data.member(pos, sl, "val")
                out_b = self._predict(model, xb, ab)
                total += elementwise_loss(self.settings.loss, out_b, yb).sum()
            model.train()
            out.append(total)
        return torch.stack(out) / (n_val * self.data.tensors["y_val"].shape[2])

    def save_best(self, improved: list[bool]) -> None:
        for pos, better in enumerate(improved):
            if better:
                state = self.models[pos].state_dict()
                self.best[pos] = {k: v.detach().cpu().clone() for k, v in state.items()}

    def best_state(self, pos: int) -> dict[str, torch.Tensor]:
        return self.best[pos]  # type: ignore[return-value]

    def drop(self, keep: list[int]) -> None:
        self.models = [self.models[pos] for pos in keep]
        self.optimizer.keep(keep, self._params()[0])
        self.best = [self.best[pos] for pos in keep]
        self.data.drop(torch.tensor(keep, device=self.device))
