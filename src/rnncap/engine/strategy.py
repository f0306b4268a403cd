"""Which way to train a group of same-shaped members: as one ensemble, or one torch model at a time.

On a GPU the ensemble always wins (the loop is launch-bound, ~2 ms per model-step). On a CPU the
hand-written ensemble competes with oneDNN's fused `nn.LSTM` (GRU and RNN have no fused CPU path).
It steps all members with one op per gate and time step, so its per-op overhead is shared and
it needs enough members to win; its edge shrinks as the per-step matrices grow, roughly with
``width * sqrt(batch)``. Both were measured with ``bench/engine_cpu.py`` (docs/performance.md):

* LSTM at the default study's shapes (120 steps of 37 inputs, 64 rows per batch): the fused
  loop was 1.2-5x faster at 1 and 3 members at every shape (layers 1-4 x widths 8-64), and at
  12, 32 and 64 members the ensemble won only at width 8 (1.2x for one layer, a tie for four)
  and lost from width 16 on (0.65-0.95x). So the ensemble needs `LSTM_ENSEMBLE_MIN_MEMBERS`
  members and the widest layer at most ``CROSSOVER_WIDTH[cell] * sqrt(128 / batch_rows)``
  (8 for an LSTM, the ``sqrt`` scaling carried over from the first benchmark at 128 rows).
  The depth is left out: it narrows the ensemble's edge (4 layers tie where 1 wins) but did
  not turn a win into a loss at any measured shape.
* GRU and RNN: the width rule alone, measured at 64 members (no fused CPU path to lose to).
"""

from __future__ import annotations

import math

import torch

from rnncap.arch.spec import Cell, RecurrentSpec
from rnncap.engine.bookkeeping import Strategy
from rnncap.errors import InvalidInput

#: widest layer at which the ensemble still beats the loop at 128 rows per batch, on CPU
CROSSOVER_WIDTH = {Cell.LSTM: 8, Cell.GRU: 64, Cell.RNN_TANH: 256, Cell.RNN_RELU: 256}

#: LSTM on CPU: below this many members the fused loop won or tied at every measured shape
LSTM_ENSEMBLE_MIN_MEMBERS = 16


def ensemble_supported(spec: RecurrentSpec) -> bool:
    return not (spec.bidirectional or spec.proj_size)


def choose_strategy(
    spec: RecurrentSpec, batch_rows: int, device: torch.device, members: int
) -> Strategy:
    """The ensemble or the loop for `members` models of `spec` stepping on `batch_rows` rows.

    The depth plays no part: the measured loop/ensemble ratio did not move with it. A member
    alone and the members of a study unit (3 seeds) both take the loop on a CPU for LSTMs, so
    their weights are bit-for-bit the same (`Forecaster.fit` is `fit_many` with one seed).
    """
    if not ensemble_supported(spec):
        return Strategy.LOOP
    if device.type != "cpu":
        return Strategy.ENSEMBLE
    if spec.cell is Cell.LSTM and members < LSTM_ENSEMBLE_MIN_MEMBERS:
        return Strategy.LOOP
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
