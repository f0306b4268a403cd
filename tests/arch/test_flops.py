"""FLOPs: matrix products against torch's FlopCounterMode on a hand-unrolled stack."""

from __future__ import annotations

import pytest
import torch
from arch_unrolled import unrolled_forward
from torch.utils.flop_counter import FlopCounterMode

from rnncap.arch import RecurrentSpec, parse_arch
from rnncap.arch.flops import count_flops
from rnncap.engine import RecurrentModel

# torch falls back from oneDNN for projected LSTMs and says so; that is expected here
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")

CASES = [
    ("lstm:2x6", {}),
    ("lstm:5,3", {"proj_size": 2, "bidirectional": True}),
    ("gru:4,7", {"bidirectional": True}),
    ("gru:2x5", {"bias": False}),
    ("rnn_tanh:3x4", {}),
    ("rnn_relu:6,2", {"bidirectional": True, "bias": False}),
]


def _model(arch: str, options: dict) -> tuple[RecurrentSpec, RecurrentModel]:
    spec = parse_arch(arch, input_size=3, seq_len=5, outputs=2, **options)
    return spec, RecurrentModel(spec, seed=0)


@pytest.mark.parametrize(("arch", "options"), CASES)
def test_forward_matmul_flops_match_flop_counter(arch, options):
    spec, model = _model(arch, options)
    x = torch.randn(1, spec.seq_len, spec.input_size)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        out = unrolled_forward(model, x)
    torch.testing.assert_close(out, model(x))  # the oracle computes the real model's function
    assert counter.get_total_flops() == count_flops(spec).matmul_flops


@pytest.mark.parametrize(("arch", "options"), CASES)
def test_training_matmul_flops_are_three_forwards(arch, options):
    spec, model = _model(arch, options)
    x = torch.randn(1, spec.seq_len, spec.input_size, requires_grad=True)
    with FlopCounterMode(display=False) as counter:
        unrolled_forward(model, x, h0_requires_grad=True).sum().backward()
    flops = count_flops(spec)
    assert counter.get_total_flops() == 3 * flops.matmul_flops
    assert flops.training_flops == 3 * flops.forward_flops


def test_peers_exact_matmul_vector():
    # peers.md section 4: nn.LSTM(7, 32), T = 120: 4H(I+H) = 4,992 MACs per step, 599,040 in all
    flops = count_flops(parse_arch("lstm:1x32", input_size=7, seq_len=120))
    assert flops.matmul_macs == 599_040


@pytest.mark.parametrize(
    ("arch", "options", "elementwise"),
    [
        # LSTM d=3 h=2 k=1, torch: 13 per unit * 2 + 16 bias elements (b_ih, b_hh of 8)
        ("lstm:1x2", {}, 13 * 2 + 16),
        # same in Keras: one bias vector of 8
        ("lstm:1x2", {"convention": "keras"}, 13 * 2 + 8),
        # GRU, Keras reset_after=False: 10 per unit * 4 + 12 bias elements
        ("gru:1x4", {"convention": "keras", "reset_after": False}, 10 * 4 + 12),
        # vanilla RNN without bias, two directions: 2 per unit * 5 * 2
        ("rnn_tanh:1x5", {"bias": False, "bidirectional": True}, 2 * 5 * 2),
    ],
)
def test_elementwise_convention_by_hand(arch, options, elementwise):
    assert count_flops(parse_arch(arch, input_size=3, **options)).elementwise_flops == elementwise


def test_head_and_sequence_length_scaling():
    one = count_flops(parse_arch("gru:8", input_size=4, seq_len=1))
    many = count_flops(parse_arch("gru:8", input_size=4, seq_len=50, outputs=3))
    assert many.matmul_macs == 50 * one.matmul_macs + 3 * 8
    assert many.elementwise_flops == 50 * one.elementwise_flops + 3
    assert sum(r.forward_flops for r in many.layers) == many.forward_flops
