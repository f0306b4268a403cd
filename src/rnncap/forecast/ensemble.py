"""Seed ensembles: several networks of one architecture whose forecasts are averaged.

The members are trained at once by the batched engine (`fit_many`, one seed each); the mean
of their forecasts is one `nn.Module`, so an ensemble is an ordinary `Forecaster` (predict,
evaluate, save and load work unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from rnncap.arch.spec import RecurrentSpec
from rnncap.engine.model import RecurrentModel


class MeanOf(nn.Module):
    """The mean of the members' outputs; ``spec`` is the (shared) architecture of a member."""

    def __init__(self, members: Sequence[RecurrentModel]):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.spec = members[0].spec

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([m(x) for m in self.members]).mean(dim=0)


def network(spec: RecurrentSpec, dropout: float, members: int) -> nn.Module:
    """An untrained network of `members` copies of `spec` (one plain model when 1), the shape a
    checkpoint's weights are loaded into."""
    if members == 1:
        return RecurrentModel(spec, dropout=dropout)
    return MeanOf([RecurrentModel(spec, dropout=dropout) for _ in range(members)])


def fit_ensemble(model, td, progress=None, device=None):
    """Fit `model` (a `Forecaster` with ``ensemble`` > 1) as the mean of its seed members.

    The members (seeds ``seed .. seed + ensemble - 1``) are trained at once by `fit_many`, each
    exactly as ``Forecaster(arch, seed=s, ...)`` alone (docs/engine.md); `progress(done,
    total)` counts member-epochs. ``history_``, ``best_epoch_`` and ``status_`` are the first
    member's; ``members_`` describes every member. The blend's share (``blend_``) is chosen
    again for the mean of the members, against the same fitted baseline.
    """
    from rnncap.forecast.many import fit_many

    seeds = range(model.seed, model.seed + model.ensemble)
    members = fit_many(
        td, [model.arch], seeds, progress=progress, device=device, settings=model.settings
    )
    first = members[0]
    seconds = sum(m.train_seconds_ for m in members)
    model.adopt_network(td, MeanOf([m.model_ for m in members]), first.history_,
                        first.best_epoch_, first.status_, seconds, first.anchor_,
                        first.blend_ and first.blend_.partner)  # fmt: skip
    model.members_ = tuple(
        {
            "seed": m.seed,
            "epochs_run": len(m.history_),
            "best_epoch": m.best_epoch_,
            "status": m.status_,
            "losses": m.losses_,
        }
        for m in members
    )
    return model
