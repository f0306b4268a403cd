"""`RecurrentModel`: the plain torch module for a `RecurrentSpec` (one model, no ensemble).

Layers are a `ModuleList` of single-layer `nn.LSTM` / `nn.GRU` / `nn.RNN` modules, so that any
width per layer works, with dropout between layers and an `nn.Linear` head on the last time step.
This is the reference that the batched engine exports to and imports from.
"""

from __future__ import annotations

import torch
from torch import nn

from rnncap.arch.spec import Cell, RecurrentSpec


def dropout_noise(shape: tuple[int, ...], p: float, generator: torch.Generator) -> torch.Tensor:
    """Dropout's multiplier, Bernoulli(1 - p) / (1 - p), drawn from `generator` (a CPU tensor).

    Training draws each member's masks from the member's own generator, so its result does not
    depend on which other members share its ensemble.
    """
    return torch.empty(shape).bernoulli_(1 - p, generator=generator).div_(1 - p)


def make_layer(spec: RecurrentSpec, layer: int) -> nn.Module:
    """The single-layer torch module for layer `layer` (0-based) of `spec`, batch-first."""
    common = dict(
        input_size=spec.layer_input_size(layer),
        hidden_size=spec.hidden_sizes[layer],
        bias=spec.bias,
        batch_first=True,
        bidirectional=spec.bidirectional,
    )
    if spec.cell is Cell.LSTM:
        return nn.LSTM(**common, proj_size=spec.proj_size)
    if spec.cell is Cell.GRU:
        return nn.GRU(**common)
    nonlinearity = "relu" if spec.cell is Cell.RNN_RELU else "tanh"
    return nn.RNN(**common, nonlinearity=nonlinearity)


class RecurrentModel(nn.Module):
    """A recurrent stack with a linear head reading the last step: (batch, time, d) -> (batch, n).

    Parameters
    ----------
    spec : RecurrentSpec
        Architecture; ``spec.outputs`` (>= 1) is the width of the head.
    dropout : float, default=0.0
        Dropout applied to each layer's output sequence before the next layer (not after the last).
    seed : int or None
        When given, the initial weights depend on this seed alone.

    Attributes
    ----------
    dropout_generator : torch.Generator or None
        When set (the engine sets the member's own generator), dropout masks are drawn from it
        with `dropout_noise`; otherwise from torch's global generator (`nn.Dropout`).
    """

    def __init__(self, spec: RecurrentSpec, dropout: float = 0.0, seed: int | None = None):
        super().__init__()
        if spec.outputs < 1:
            spec = spec.replace(outputs=1)
        self.spec = spec
        self.dropout = float(dropout)
        with torch.random.fork_rng(enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            self.layers = nn.ModuleList(make_layer(spec, i) for i in range(spec.num_layers))
            self.head = nn.Linear(spec.layer_output_size(spec.num_layers - 1), spec.outputs)
        self.drop = nn.Dropout(self.dropout)
        self.dropout_generator: torch.Generator | None = None

    def sequence(self, x: torch.Tensor) -> torch.Tensor:
        """Output sequence of the last layer: (batch, time, width)."""
        for i, layer in enumerate(self.layers):
            if i and self.dropout_generator is not None and self.training and self.dropout:
                x = x * dropout_noise(x.shape, self.dropout, self.dropout_generator).to(x.device)
            elif i:
                x = self.drop(x)
            x, _ = layer(x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.sequence(x)[:, -1])
