"""The path norm of a recurrent model, as the sum over input-to-output paths of squared weights.

Jiang et al. (2020, eq. 44) compute the path norm of a ReLU network without biases as one forward
pass of the network with every weight squared on an all-ones input: the output sums, over every
path from an input to an output, the product of the squared weights on the path. A recurrent cell
is not a ReLU network (gates multiply, sigmoid and tanh saturate), so the same forward pass through
the real cell would saturate and measure nothing. rnncap takes the sum over paths of the cell's
*linear skeleton* instead, unrolled over the sequence:

- every gate block of a layer's ``weight_ih`` and ``weight_hh`` is a linear map (the blocks are
  summed: a path may go through any gate), biases are left out, and so are the weight-free
  connections inside a cell (the LSTM's cell-state carry and the GRU's update interpolation);
- ``pre_t = P_ih x_t + P_hh r_{t-1}``, ``r_t = P_hr pre_t`` with an LSTM projection and
  ``r_t = pre_t`` without, where ``P = sum over gates of W_gate ** 2`` (elementwise), ``r_0 = 0``,
  ``x_t = 1`` at every step of the sequence for the first layer;
- a reverse direction runs the same recurrence from the last step back; a layer's output is the
  directions' states side by side, fed to the next layer at every step;
- the head reads the last step as `RecurrentModel` does: path norm = ``sum(P_head r_T)``.

For a vanilla ReLU RNN without biases this is exactly Jiang et al.'s forward pass (the ReLU is
the identity on non-negative values). The sums grow like ``rho(P_hh) ** t`` over the sequence,
so the recurrence runs in log space (log-sum-exp) in float64 and returns the natural log.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import torch

from rnncap.arch import RecurrentSpec

_NAME = re.compile(r"^layers\.(?P<layer>\d+)\.weight_(?P<kind>ih|hh|hr)_l0(?P<rev>_reverse)?$")


def _log_squared_blocks(weight: torch.Tensor, gates: int) -> torch.Tensor:
    """log of the gate blocks' squared weights summed: (rows / gates, cols); -inf where zero."""
    w = weight.detach().to(torch.float64).square()
    return w.reshape(gates, w.shape[0] // gates, w.shape[1]).sum(0).log()


def _log_matvec(log_p: torch.Tensor, log_v: torch.Tensor) -> torch.Tensor:
    """log(P v) from log P (rows, cols) and log v (cols,), without leaving log space."""
    return torch.logsumexp(log_p + log_v.unsqueeze(0), dim=1)


def _direction(
    log_ih: torch.Tensor,
    log_hh: torch.Tensor,
    log_hr: torch.Tensor | None,
    log_x: list[torch.Tensor],
) -> list[torch.Tensor]:
    """log r_t for each step of ``log_x`` in the order given."""
    log_r = torch.full((log_hh.shape[1],), -math.inf, dtype=torch.float64)
    out = []
    for log_xt in log_x:
        pre = torch.logaddexp(_log_matvec(log_ih, log_xt), _log_matvec(log_hh, log_r))
        log_r = pre if log_hr is None else _log_matvec(log_hr, pre)
        out.append(log_r)
    return out


def log_path_norm(
    spec: RecurrentSpec, state_dict: Mapping[str, torch.Tensor], seq_len: int
) -> float:
    """Natural log of the path norm (module docstring) of a `RecurrentModel(spec)` state dict
    unrolled over `seq_len` steps; -inf when every path has a zero weight."""
    gates = spec.cell.gates
    weights: dict[tuple[int, str, bool], torch.Tensor] = {}
    for key, value in state_dict.items():
        m = _NAME.match(key)
        if m:
            weights[int(m["layer"]), m["kind"], bool(m["rev"])] = torch.as_tensor(value)
    log_x = [torch.zeros(spec.input_size, dtype=torch.float64)] * seq_len
    directions = (False, True) if spec.bidirectional else (False,)
    for layer in range(spec.num_layers):
        per_direction = []
        for rev in directions:
            hr = weights.get((layer, "hr", rev))
            steps = _direction(
                _log_squared_blocks(weights[layer, "ih", rev], gates),
                _log_squared_blocks(weights[layer, "hh", rev], gates),
                None if hr is None else _log_squared_blocks(hr, 1),
                log_x[::-1] if rev else log_x,
            )
            per_direction.append(steps[::-1] if rev else steps)
        log_x = [torch.cat(parts) for parts in zip(*per_direction, strict=True)]
    log_head = torch.as_tensor(state_dict["head.weight"]).detach().to(torch.float64).square().log()
    return float(torch.logsumexp(_log_matvec(log_head, log_x[-1]), dim=0))
