"""Weight norms against torch.linalg on real torch modules, and closed forms."""

import numpy as np
import pytest
import torch

from rnncap import parse_arch
from rnncap.capacity.norms import matrix_norms, weight_norms
from rnncap.engine import RecurrentModel
from rnncap.errors import InvalidInput


def test_closed_form_of_a_diagonal_matrix():
    row = matrix_norms(
        np.diag([3.0, 4.0]), np.zeros((2, 2)), layer="x", tensor="t", direction="", gate="all"
    )
    assert row.spectral == pytest.approx(4.0)
    assert row.frobenius == pytest.approx(5.0)
    assert row.stable_rank == pytest.approx(25 / 16)
    assert row.distance_from_init == pytest.approx(5.0)
    assert row.relative_distance is None  # ||W0|| = 0


@pytest.mark.parametrize(("arch", "gates"), [("lstm:2x6", 4), ("gru:5,3", 3), ("rnn_relu:1x4", 1)])
def test_gate_blocks_match_torch(arch, gates):
    spec = parse_arch(arch, input_size=3, outputs=2)
    model, start = RecurrentModel(spec, seed=0), RecurrentModel(spec, seed=1)
    result = weight_norms(spec, model.state_dict(), start.state_dict())
    for layer, module in enumerate(model.layers):
        for tensor in ("weight_ih", "weight_hh"):
            w = getattr(module, f"{tensor}_l0").detach().double()
            w0 = getattr(start.layers[layer], f"{tensor}_l0").detach().double()
            rows = [
                r for r in result.rows if r.layer == f"layer {layer + 1}" and r.tensor == tensor
            ]
            blocks = list(zip(torch.chunk(w, gates), torch.chunk(w0, gates), strict=True))
            per_gate = [r for r in rows if r.gate != "all"] if gates > 1 else []
            assert len(per_gate) == (gates if gates > 1 else 0)
            for r, (b, b0) in zip(per_gate, blocks if gates > 1 else [], strict=True):
                assert r.spectral == pytest.approx(torch.linalg.matrix_norm(b, 2).item(), rel=1e-9)
                assert r.frobenius == pytest.approx(torch.linalg.matrix_norm(b).item(), rel=1e-9)
                assert r.distance_from_init == pytest.approx(torch.dist(b, b0).item(), rel=1e-9)
            whole = next(r for r in rows if r.gate == "all")
            assert whole.spectral == pytest.approx(torch.linalg.matrix_norm(w, 2).item(), rel=1e-9)
            rank = torch.linalg.svdvals(w)
            assert whole.stable_rank == pytest.approx(
                (rank**2).sum().item() / rank[0].item() ** 2, rel=1e-9
            )
    head = next(r for r in result.rows if r.layer == "head")
    assert head.shape == (2, spec.hidden_sizes[-1])


def test_same_weights_are_at_distance_zero():
    spec = parse_arch("gru:1x4", input_size=2, outputs=1)
    sd = RecurrentModel(spec, seed=3).state_dict()
    result = weight_norms(spec, sd, sd)
    assert all(r.distance_from_init == 0.0 for r in result.rows)


def test_weights_of_another_architecture_are_refused():
    small = parse_arch("lstm:1x4", input_size=2, outputs=1)
    other = RecurrentModel(parse_arch("lstm:1x5", input_size=2, outputs=1)).state_dict()
    with pytest.raises(InvalidInput, match="another architecture"):
        weight_norms(small, other)
