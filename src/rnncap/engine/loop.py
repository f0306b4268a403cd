"""The ``loop`` strategy: one fused torch module per member, stepped in lockstep.

Where oneDNN's fused `nn.LSTM` beats the hand-written ensemble (CPU, wider LSTM layers) and for
what the ensemble does not implement (bidirectional layers, projections), each member is its own
`RecurrentModel`. They still share everything that does not couple them: one multi-tensor
(``foreach``) Adam over all members' parameters (element-wise, so exactly one Adam per member),
per-member gradient clipping computed with one ``_foreach_norm``, and the epoch bookkeeping of
`EnsembleTrainer` (early stopping, best weights, non-finite members). That removes the ~0.1-0.3
ms per model-step that separate optimizers and clipping cost in a plain loop.
"""

from __future__ import annotations

import torch

from rnncap.engine.model import RecurrentModel
from rnncap.engine.trainer import EnsembleTrainer, _elementwise_loss, batch_slices


class LoopTrainer(EnsembleTrainer):
    """`EnsembleTrainer`'s recipe over a list of `RecurrentModel`s."""

    strategy = "loop"

    def _build(self) -> None:
        self.models = []
        for state in self.initial:
            model = RecurrentModel(self.spec, dropout=self.settings.dropout)
            model.load_state_dict(state)
            self.models.append(model.to(self.device))

    def _params(self) -> list[torch.nn.Parameter]:
        return [p for m in self.models for p in m.parameters()]

    def _optimizer(self) -> torch.optim.Optimizer:
        s = self.settings
        return torch.optim.Adam(self._params(), lr=s.lr, weight_decay=s.weight_decay, foreach=True)

    def _save_best(self, improved: torch.Tensor) -> None:
        if not hasattr(self, "best"):
            self.best = [None] * len(self.models)
        for pos, better in enumerate(improved.tolist()):
            if better:
                self.best[pos] = {
                    k: v.detach().cpu().clone() for k, v in self.models[pos].state_dict().items()
                }

    def _best_state(self, pos: int) -> dict[str, torch.Tensor]:
        return self.best[pos]

    def _member_batch(self, pos: int, rows, x: torch.Tensor, y: torch.Tensor):
        src = int(self.source[pos])
        if not isinstance(rows, slice):
            rows = rows if rows.dim() == 1 else rows[pos]
        return x[src, rows], y[src, rows]

    def step(self, rows) -> torch.Tensor:
        losses = []
        for pos, model in enumerate(self.models):
            xb, yb = self._member_batch(pos, rows, self.x, self.y)
            loss = _elementwise_loss(self.settings.loss, model(xb), yb).mean()
            loss.backward()
            losses.append(loss.detach())
        if self.settings.clip:
            self._clip(self.settings.clip)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
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
        n_val = int(self.x_val.shape[1])
        out = []
        for pos, model in enumerate(self.models):
            model.eval()
            total = torch.zeros((), device=self.device)
            for sl in batch_slices(n_val, 4096):
                xb, yb = self._member_batch(pos, sl, self.x_val, self.y_val)
                total += _elementwise_loss(self.settings.loss, model(xb), yb).sum()
            model.train()
            out.append(total)
        return torch.stack(out) / (n_val * self.y_val.shape[2])

    def _repack(self, keep: torch.Tensor) -> None:
        index = keep.tolist()
        old_state = self.optimizer.state
        self.models = [self.models[i] for i in index]
        self.optimizer = self._optimizer()
        for p in self._params():
            if p in old_state:
                self.optimizer.state[p] = old_state[p]
        self.best = [self.best[i] for i in index]
        self.source = self.source[keep]
        self._repacked()
