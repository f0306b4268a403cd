"""Magnitude-aware PAC-Bayes flatness (Jiang et al. 2020, "pacbayes.mag.flatness", eq. 52-54).

Jiang et al. perturb every weight ``w_i`` with Gaussian noise ``u_i ~ N(0, s**2 w_i**2 + eps**2)``
(``eps`` = 1e-3), find by bisection the largest ``s`` for which the expected training loss of the
perturbed model stays within a fixed deviation of the trained one, and take ``1 / s**2``: a flat
minimum tolerates large relative noise and scores low. rnncap does the same on the member's own
training loss (the engine's loss on ``net(x) + anchor``, in scaled units), with:

- the rise allowed: ``loss_rise`` (default 0.1; for MSE on standardized targets, a tenth of the
  target's variance), measured as the mean over ``samples`` noise draws minus the loss unperturbed;
- ``windows`` training windows drawn once without replacement (default 256), the same for every
  ``s``; the noise directions ``z`` are drawn once per sample and scaled, ``u = z sqrt(s**2 w**2 +
  eps**2)`` (common random numbers, so the loss rise grows smoothly with ``s``);
- bisection on ``log10 s`` over [-4, 1] for ``steps`` halvings (default 12: ``s`` to within 0.3 %);
  a draw whose loss is not finite counts as a rise beyond the allowance.

Cost: ``samples * (steps + 2) + 1`` forward passes over ``windows`` windows, no gradients
(3 x 14 + 1 = 43 passes of 256 windows by default: well under a second for the study's models on
one CPU core). When even ``s`` = 10 keeps the loss within the allowance, or ``s`` = 1e-4 already
breaks it, ``s`` is not located and the measure is missing (None).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from rnncap.engine import MemberData, TrainedMember
from rnncap.engine.trainer import elementwise_loss

EPS = 1e-3
LOG10_RANGE = (-4.0, 1.0)


def _loss(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, anchor: torch.Tensor, kind):
    with torch.no_grad():
        return float(elementwise_loss(kind, model(x) + anchor, y).mean())


def flatness_sigma(
    member: TrainedMember,
    data: MemberData,
    *,
    seed: int = 0,
    loss_rise: float = 0.1,
    samples: int = 3,
    windows: int = 256,
    steps: int = 12,
) -> float | None:
    """The largest relative noise scale ``s`` keeping the training loss within `loss_rise` of the
    trained model's (module docstring), or None when it lies outside [1e-4, 10]."""
    rng = np.random.default_rng(seed)
    n = len(data.x_train)
    rows = np.sort(rng.choice(n, size=min(n, windows), replace=False))
    x = torch.from_numpy(data.x_train[rows])
    y = torch.from_numpy(data.y_train[rows])
    anchor = (
        torch.zeros(y.shape)
        if data.anchor_train is None
        else torch.from_numpy(data.anchor_train[rows])
    )
    model = member.model().eval()
    params = [p for p in model.parameters()]
    trained = [p.detach().clone() for p in params]
    gen = torch.Generator().manual_seed(seed)
    draws = [[torch.randn(w.shape, generator=gen, dtype=w.dtype) for w in trained]
             for _ in range(samples)]  # fmt: skip
    kind = member.settings.loss
    base = _loss(model, x, y, anchor, kind)

    def within(log10_s: float) -> bool:
        s = 10.0**log10_s
        total = 0.0
        for z in draws:
            with torch.no_grad():
                for p, w, zi in zip(params, trained, z, strict=True):
                    p.copy_(w + zi * torch.sqrt(s**2 * w.square() + EPS**2))
            total += _loss(model, x, y, anchor, kind)
        rise = total / samples - base
        return math.isfinite(rise) and rise <= loss_rise

    lo, hi = LOG10_RANGE
    if within(hi) or not within(lo):
        return None
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if within(mid) else (lo, mid)
    return 10.0**lo
