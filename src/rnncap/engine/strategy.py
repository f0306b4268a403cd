"""Which way to train a group of same-shaped members: as one ensemble, or one torch model at a time.

On a GPU the ensemble always wins (the loop is launch-bound, ~2 ms per model-step). On a CPU the
hand-written ensemble competes with oneDNN's fused `nn.LSTM` (GRU and RNN have no fused CPU path),
and its edge shrinks as the per-step matrices grow, roughly with ``width * sqrt(batch)``. The
crossover widths at 128 rows per batch were measured with ``bench/engine_cpu.py`` (see
docs/performance.md); the ensemble is chosen when the widest layer is at most
``CROSSOVER_WIDTH[cell] * sqrt(128 / batch_rows)``.
"""

from __future__ import annotations

import math

import torch

from rnncap.arch.spec import Cell, RecurrentSpec
from rnncap.engine.bookkeeping import Strategy
from rnncap.errors import InvalidInput

#: widest layer at which the ensemble still beats the loop at 128 rows per batch, on CPU
CROSSOVER_WIDTH = {Cell.LSTM: 12, Cell.GRU: 64, Cell.RNN_TANH: 256, Cell.RNN_RELU: 256}


def ensemble_supported(spec: RecurrentSpec) -> bool:
    return not (spec.bidirectional or spec.proj_size)


def choose_strategy(spec: RecurrentSpec, batch_rows: int, device: torch.device) -> Strategy:
    """The ensemble or the loop for models of `spec` stepping on `batch_rows` rows.

    Not a function of the number of members: one member alone takes the same path as in a
    crowd, so its weights do not depend on who else was trained (`Forecaster.fit` is
    `fit_many` with one seed).
    """
    if not ensemble_supported(spec):
        return Strategy.LOOP
    if device.type != "cpu":
        return Strategy.ENSEMBLE
    limit = CROSSOVER_WIDTH[spec.cell] * math.sqrt(128 / max(batch_rows, 1))
    return Strategy.ENSEMBLE if max(spec.hidden_sizes) <= limit else Strategy.LOOP


def resolve_device(device: str | torch.device | None) -> torch.device:
    """None -> the first CUDA device when there is one, else the CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise InvalidInput(f"unknown device {device!r}; use 'cpu' or 'cuda'") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InvalidInput(f"device {device!r} asked for but CUDA is not available; use 'cpu'")
    if dev.type not in ("cpu", "cuda"):
        raise InvalidInput(f"device {device!r} is not supported; use 'cpu' or 'cuda'")
    return dev
