"""The untied unrolled network of a recurrent spec: the feed-forward network (one parameter per
edge, layer j holding the cell applications (l, t) with t + l - 1 = j) whose class contains the
weight-shared RNN's, so that layer-by-layer bounds (BHLM Theorem 7, Bartlett–Maiorov–Meir) bound
the RNN too."""

from __future__ import annotations

import numpy as np

from rnncap.arch import count_parameters
from rnncap.theory.context import Context


def unsupported_layering(ctx: Context) -> str | None:
    """Why the untied network of `ctx` has no derived layering (None: it has one)."""
    if ctx.spec.bidirectional:
        return "layering of the bidirectional unrolled network is not derived"
    if not ctx.spec.outputs and not ctx.regression:
        return "the network model ends in a linear output unit: give the spec a head (outputs >= 1)"
    return None


def untied_layers(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Units and parameters per layer of the untied unrolled network, for one scalar output.

    Layer j (1-based) holds cell applications (l, t) with t + l - 1 = j; each application of layer
    l carries that layer's parameters from ``count_parameters(spec).per_layer``. The head row of
    one output forms the last layer; regression adds one more layer with one parameter.
    """
    spec = ctx.spec
    per_layer = count_parameters(spec).per_layer
    n_hidden = spec.seq_len + spec.num_layers - 1
    units = np.zeros(n_hidden)
    params = np.zeros(n_hidden)
    for layer, h in enumerate(spec.hidden_sizes):  # layer l (0-based) spans j = l .. l + k - 1
        units[layer : layer + spec.seq_len] += h
        params[layer : layer + spec.seq_len] += per_layer[f"layer {layer + 1}"]
    extra_units, extra_params = [], []
    if spec.outputs:
        extra_units.append(1.0)
        extra_params.append(per_layer["head"] / spec.outputs)
    if ctx.regression:
        extra_units.append(1.0)
        extra_params.append(1.0)
    return np.concatenate([units, extra_units]), np.concatenate([params, extra_params])


def untied_size(ctx: Context) -> tuple[float, int] | None:
    """(W, L) of the untied unrolled network (parameters of all cell applications, layers), the
    feed-forward network whose class contains the RNN's; None where its layering is not derived."""
    if unsupported_layering(ctx) is not None:
        return None
    units, params = untied_layers(ctx)
    return float(params.sum()), len(units)
