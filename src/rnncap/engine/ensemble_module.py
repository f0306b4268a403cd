"""`EnsembleRecurrent`: M same-shaped recurrent models as one module with a leading member axis.

`torch.vmap` cannot batch `nn.LSTM` / `nn.GRU` / `nn.RNN` (no batching rules for the fused ops),
so the cells are written out: one batched matmul (`baddbmm`) per layer for the input projection
of all time steps, then one `baddbmm` per time step for the recurrence, plus pointwise gates,
with a hand-written backward pass (`rnncap.engine.cells`).
The math, gate order (LSTM i, f, g, o; GRU r, z, n) and the two-bias layout are PyTorch's, and
the parameters keep PyTorch's layout with a leading axis M, so that member m exports to a plain
`RecurrentModel` (and imports from one) by copying slices.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from rnncap.arch.spec import Cell, RecurrentSpec
from rnncap.engine.cells import GRULayer, LSTMLayer, Projection, RNNLayer
from rnncap.engine.model import RecurrentModel
from rnncap.errors import InvalidInput, require


def shape_key(spec: RecurrentSpec) -> tuple:
    """What must agree for two specs to share an ensemble (names and seq_len may differ)."""
    return (
        spec.cell,
        spec.input_size,
        spec.hidden_sizes,
        spec.bias,
        max(spec.outputs, 1),
        spec.bidirectional,
        spec.proj_size,
    )


def check_supported(spec: RecurrentSpec) -> None:
    """Raise `InvalidInput` for the options the hand-written cells do not implement."""
    if spec.bidirectional or spec.proj_size:
        what = "bidirectional layers" if spec.bidirectional else "LSTM projections (proj_size)"
        raise InvalidInput(
            f"{what} are not supported by the batched engine; train such specs with "
            "strategy='loop' (train() chooses it automatically) or use a plain RecurrentModel"
        )


def _param_names(spec: RecurrentSpec) -> list[tuple[str, str]]:
    """(ensemble attribute, RecurrentModel state_dict key) pairs, in a fixed order."""
    pairs = []
    for layer in range(spec.num_layers):
        kinds = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if spec.bias else [])
        pairs += [(f"{k}_l{layer}", f"layers.{layer}.{k}_l0") for k in kinds]
    return pairs + [("head_weight", "head.weight"), ("head_bias", "head.bias")]


class EnsembleRecurrent(nn.Module):
    """M independent recurrent stacks + linear heads, evaluated together.

    Parameters are `RecurrentModel`'s with a leading axis M: ``weight_ih_l{k}`` (M, G*h, in),
    ``weight_hh_l{k}`` (M, G*h, h), ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (M, G*h),
    ``head_weight`` (M, outputs, h_L), ``head_bias`` (M, outputs), with G gate blocks.

    Parameters
    ----------
    spec : RecurrentSpec
        The shared architecture (no bidirectional layers, no projections).
    states : sequence of dict
        One `RecurrentModel(spec)` state dict per member.
    dropout : float, default=0.0
        Dropout between layers, as in `RecurrentModel` (masks drawn independently per member).
    """

    def __init__(
        self, spec: RecurrentSpec, states: Sequence[dict[str, torch.Tensor]], dropout: float = 0.0
    ):
        super().__init__()
        check_supported(spec)
        require(len(states) >= 1, "an ensemble needs at least one member")
        self.spec = spec if spec.outputs >= 1 else spec.replace(outputs=1)
        self.dropout = float(dropout)
        self.names = _param_names(self.spec)
        for attr, key in self.names:
            try:
                stacked = torch.stack([s[key].detach() for s in states]).clone()
            except (KeyError, RuntimeError) as exc:
                raise InvalidInput(
                    f"member state dicts do not fit the spec {spec.arch_string()} at {key!r} "
                    f"({exc.__class__.__name__}); build them with RecurrentModel(spec)"
                ) from None
            setattr(self, attr, nn.Parameter(stacked))

    # -- import / export --------------------------------------------------------------------
    @classmethod
    def from_models(
        cls, models: Sequence[RecurrentModel], dropout: float | None = None
    ) -> EnsembleRecurrent:
        """Stack plain models; they must all have the same shape."""
        require(len(models) >= 1, "an ensemble needs at least one member")
        first = models[0].spec
        for i, model in enumerate(models):
            if shape_key(model.spec) != shape_key(first):
                raise InvalidInput(
                    f"members of different shapes cannot share an ensemble: member 0 is "
                    f"{first.arch_string()} (input {first.input_size}), member {i} is "
                    f"{model.spec.arch_string()} (input {model.spec.input_size}); "
                    "group members by shape (train() does this for you)"
                )
        drop = models[0].dropout if dropout is None else dropout
        return cls(first, [m.state_dict() for m in models], dropout=drop)

    @classmethod
    def from_seeds(
        cls, spec: RecurrentSpec, seeds: Sequence[int], dropout: float = 0.0
    ) -> EnsembleRecurrent:
        """Members initialised exactly as `RecurrentModel(spec, seed=s)` for each seed."""
        check_supported(spec)
        return cls(spec, [RecurrentModel(spec, seed=int(s)).state_dict() for s in seeds], dropout)

    @property
    def members(self) -> int:
        return int(self.head_bias.shape[0])

    def member_state_dict(self, m: int) -> dict[str, torch.Tensor]:
        """Member m as a `RecurrentModel(spec)` state dict (CPU copies)."""
        return {key: getattr(self, attr).detach()[m].cpu().clone() for attr, key in self.names}

    def load_member(self, m: int, state: dict[str, torch.Tensor]) -> None:
        """Overwrite member m with a `RecurrentModel(spec)` state dict."""
        with torch.no_grad():
            for attr, key in self.names:
                getattr(self, attr)[m].copy_(state[key])

    def to_model(self, m: int) -> RecurrentModel:
        model = RecurrentModel(self.spec, dropout=self.dropout)
        model.load_state_dict(self.member_state_dict(m))
        return model

    def keep(self, index: torch.Tensor) -> None:
        """Keep only the members at `index` (1-D long tensor), in that order (re-packing)."""
        for attr, _ in self.names:
            old = getattr(self, attr)
            setattr(self, attr, nn.Parameter(old.detach()[index].clone()))

    # -- forward ----------------------------------------------------------------------------
    def forward(self, x: torch.Tensor, noise: Sequence[torch.Tensor] | None = None) -> torch.Tensor:
        """Outputs on the last step.

        Parameters
        ----------
        x : Tensor, shape (batch, time, d) shared by all members, or (M, batch, time, d)
        noise : list of Tensor, optional
            Dropout multipliers for the input of each layer after the first, (M, batch, time,
            width) each (see `dropout_noise`); without them, in training mode, dropout draws
            from torch's global generator.

        Returns
        -------
        Tensor, shape (M, batch, outputs)
        """
        M = self.members
        if x.dim() == 3:
            b, t, d = x.shape
            seq = x.permute(2, 1, 0).reshape(1, d, t * b).expand(M, -1, -1)
        else:
            require(
                x.dim() == 4 and x.shape[0] == M,
                f"ensemble input must be (batch, time, d) or ({M}, batch, time, d); "
                f"got {tuple(x.shape)}",
            )
            _, b, t, d = x.shape
            seq = x.permute(0, 3, 2, 1).reshape(M, d, t * b)
        last = self.spec.num_layers - 1
        for layer in range(self.spec.num_layers):
            if layer and noise is not None:
                seq = seq * noise[layer - 1].permute(0, 3, 2, 1).reshape(seq.shape)
            elif layer and self.dropout:
                seq = F.dropout(seq, self.dropout, self.training)
            out = self._layer(layer, seq, t, b, layer == last)
            seq = out.reshape(M, out.shape[1], t * b) if layer < last else out
        head = self.head_weight.transpose(1, 2)
        return torch.baddbmm(self.head_bias.unsqueeze(1), seq.transpose(1, 2), head)

    def _layer(self, layer: int, seq: torch.Tensor, t: int, b: int, last: bool) -> torch.Tensor:
        """One layer over `seq` (M, in, time*batch): every h_t as (M, h, time, batch), or only
        the last one (M, h, batch) when `last` (feature-major layout, see `cells`)."""
        w_ih = getattr(self, f"weight_ih_l{layer}")
        w_hh = getattr(self, f"weight_hh_l{layer}")
        cell = self.spec.cell
        b_ih = getattr(self, f"bias_ih_l{layer}", None)
        b_hh = getattr(self, f"bias_hh_l{layer}", None)
        bias = None if b_ih is None else (b_ih if cell is Cell.GRU else b_ih + b_hh)
        xp = Projection.apply(w_ih, seq, bias)
        xp = xp.view(xp.shape[0], -1, t, b)
        if cell is Cell.LSTM:
            return LSTMLayer.apply(xp, w_hh, last)
        if cell is Cell.GRU:
            return GRULayer.apply(xp, w_hh, b_hh, last)
        return RNNLayer.apply(xp, w_hh, cell is Cell.RNN_RELU, last)
