"""A hand-unrolled recurrent stack: explicit per-step products with `RecurrentModel`'s weights.

Used as the independent oracle for FLOPs (FlopCounterMode sees every `mm`) and for saved
activations (`saved_tensors_hooks` sees every tensor autograd keeps). The tests check that its
output equals the real `RecurrentModel`'s, so it is the same function.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from rnncap.arch import Cell, RecurrentSpec
from rnncap.engine import RecurrentModel


def _weights(module: torch.nn.Module, sfx: str) -> dict:
    return {name: getattr(module, f"{name}_l0{sfx}", None) for name in _NAMES}


_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")


def _step(spec: RecurrentSpec, w: dict, x, h, c):
    gi = F.linear(x, w["weight_ih"], w["bias_ih"])
    gh = F.linear(h, w["weight_hh"], w["bias_hh"])
    if spec.cell is Cell.LSTM:
        i, f, g, o = (gi + gh).chunk(4, dim=1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        if spec.proj_size:
            h = F.linear(h, w["weight_hr"])
        return h, c
    if spec.cell is Cell.GRU:
        i_r, i_z, i_n = gi.chunk(3, dim=1)
        h_r, h_z, h_n = gh.chunk(3, dim=1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        return n + z * (h - n), c
    act = torch.relu if spec.cell is Cell.RNN_RELU else torch.tanh
    return act(gi + gh), c


def unrolled_forward(
    model: RecurrentModel, x: torch.Tensor, h0_requires_grad: bool = False, head: bool = True
):
    """(batch, k, d) -> (batch, outputs), one explicit cell application per layer, direction, step.

    With ``head=False`` it returns the last layer's output sequence (batch, k, width) instead.
    """
    spec = model.spec
    seq = x
    for layer_index, layer in enumerate(model.layers):
        h_size, s_size = spec.hidden_sizes[layer_index], spec.state_size(layer_index)
        outputs = []
        for direction in range(spec.num_directions):
            w = _weights(layer, "_reverse" if direction else "")
            h = x.new_zeros(x.shape[0], s_size, requires_grad=h0_requires_grad)
            c = x.new_zeros(x.shape[0], h_size)
            steps = range(spec.seq_len - 1, -1, -1) if direction else range(spec.seq_len)
            hs = {}
            for t in steps:
                h, c = _step(spec, w, seq[:, t], h, c)
                hs[t] = h
            outputs.append(torch.stack([hs[t] for t in range(spec.seq_len)], dim=1))
        seq = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=2)
    return model.head(seq[:, -1]) if head else seq
