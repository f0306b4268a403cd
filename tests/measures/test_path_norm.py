"""The path norm of the linear skeleton against closed forms and real ReLU modules."""

import math

import pytest
import torch

from rnncap.arch import parse_arch
from rnncap.engine import RecurrentModel
from rnncap.measures.path_norm import log_path_norm


def _one_unit(cell: str, ih: list[float], hh: list[float], head: float, k: int) -> dict:
    spec = parse_arch(f"{cell}:1x1", input_size=1, seq_len=k, outputs=1)
    state = RecurrentModel(spec).state_dict()
    for key in state:
        state[key] = torch.zeros_like(state[key])
    state["layers.0.weight_ih_l0"] = torch.tensor(ih).reshape(-1, 1)
    state["layers.0.weight_hh_l0"] = torch.tensor(hh).reshape(-1, 1)
    state["head.weight"] = torch.tensor([[head]])
    return spec, state


def test_one_unit_vanilla_rnn_is_the_geometric_sum():
    """Paths enter at step t and ride the recurrent weight k - 1 - t times: c^2 a^2 sum b^(2j)."""
    a, b, c, k = 0.7, 0.9, 1.3, 6
    spec, state = _one_unit("rnn_tanh", [a], [b], c, k)
    expected = c**2 * a**2 * sum(b ** (2 * j) for j in range(k))
    assert log_path_norm(spec, state, k) == pytest.approx(math.log(expected))


def test_lstm_gate_blocks_are_summed():
    ih, hh, c, k = [0.1, 0.2, 0.3, 0.4], [0.5, -0.6, 0.7, 0.1], 2.0, 4
    spec, state = _one_unit("lstm", ih, hh, c, k)
    a2, b2 = sum(v * v for v in ih), sum(v * v for v in hh)
    expected = c**2 * a2 * sum(b2**j for j in range(k))
    assert log_path_norm(spec, state, k) == pytest.approx(math.log(expected))


def test_long_sequences_stay_finite_in_log_space():
    """b = 10 over 500 steps: the sum is about 10^1000, far beyond float64."""
    a, b, c, k = 1.0, 10.0, 1.0, 500
    spec, state = _one_unit("rnn_relu", [a], [b], c, k)
    # sum_j b^(2j) = (b^(2k) - 1) / (b^2 - 1); in logs, the -1 is below float64 resolution
    expected = 2 * k * math.log(b) - math.log(b**2 - 1)
    assert log_path_norm(spec, state, k) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("arch, bidirectional", [("rnn_relu:3,2", False), ("rnn_relu:2x3", True)])
def test_relu_rnn_is_jiangs_forward_pass_with_squared_weights(arch, bidirectional):
    """For a ReLU RNN without biases, Jiang et al.'s definition: the network with squared
    weights on an all-ones input, summed over outputs (torch's own nn.RNN does the pass)."""
    k = 7
    spec = parse_arch(arch, input_size=4, seq_len=k, outputs=2, bias=False,
                      bidirectional=bidirectional)  # fmt: skip
    model = RecurrentModel(spec, seed=3)
    state = {key: value.clone() for key, value in model.state_dict().items()}
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.square())
        forward = float(model(torch.ones(1, k, 4)).sum()) - float(model.head.bias.sum())
    assert log_path_norm(spec, state, k) == pytest.approx(math.log(forward), rel=1e-6)


def test_zero_head_means_no_path():
    spec, state = _one_unit("gru", [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], 0.0, 3)
    assert log_path_norm(spec, state, 3) == -math.inf
