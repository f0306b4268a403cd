"""Identifiable parameters under the memorization protocol: a hand count, and the rank of the
Jacobian of a real torch.nn network's outputs with respect to its parameters."""

import pytest
import torch
from torch.func import functional_call, jacrev

from rnncap import parse_arch
from rnncap.capacity.identifiable import identifiable_parameters
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain

MODULES = {"rnn_tanh": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


@pytest.mark.parametrize(
    ("arch", "n_in", "k", "w", "identifiable"),
    [
        # U(d + U + 2) + U + 1 = 373; one of the two biases per unit: 12
        ("rnn_tanh:1x12", 16, 3, 373, 373 - 12),
        # 3U(d + U + 2) + U + 1 = 367; the reset and update gates' second biases: 2 x 6
        ("gru:1x6", 12, 3, 367, 367 - 12),
        # 4U(d + U + 2) + U + 1 = 386; 4 x 5 second biases, 5 x 12 forget-gate input weights
        ("lstm:1x5", 12, 3, 386, 386 - 20 - 60),
        # k = 1: also the 4 x 5 x 5 hidden-to-hidden weights and the 5 forget biases
        ("lstm:1x5", 12, 1, 386, 386 - 20 - 60 - 100 - 5),
    ],
)
def test_hand_count(arch, n_in, k, w, identifiable):
    count = identifiable_parameters(parse_arch(arch, input_size=n_in, seq_len=k))
    assert (count.parameters, count.identifiable) == (w, identifiable)
    doc = to_plain(count)
    assert doc["identifiable_parameters"] == identifiable and "w" in doc["denominator"]


def _jacobian_rank(cell: str, layers: int, units: int, n_in: int, k: int, bidirectional: bool):
    """w and the rank of d(outputs)/d(parameters) of a float64 torch.nn stack + linear head on
    6 w Gaussian inputs at step 1 of k (zeros after, zero initial state), weights scaled x3 so
    that no direction is numerically flat; returns (w, rank, the gap around the rank)."""
    torch.manual_seed(0)
    rnn = MODULES[cell](
        n_in, units, num_layers=layers, batch_first=True, bidirectional=bidirectional
    ).double()
    head = torch.nn.Linear(units * (2 if bidirectional else 1), 1).double()
    with torch.no_grad():
        for p in rnn.parameters():
            p.mul_(3.0)
    params = {("rnn", n): p.detach() for n, p in rnn.named_parameters()}
    params |= {("head", n): p.detach() for n, p in head.named_parameters()}
    w = sum(p.numel() for p in params.values())
    x = torch.zeros(6 * w, k, n_in, dtype=torch.float64)
    x[:, 0] = 2 * torch.randn(6 * w, n_in, dtype=torch.float64)

    def outputs(flat):
        mine = dict(zip(params, flat, strict=True))
        r = {n: v for (m, n), v in mine.items() if m == "rnn"}
        h = {n: v for (m, n), v in mine.items() if m == "head"}
        last = functional_call(rnn, r, (x,))[0][:, -1]
        return functional_call(head, h, (last,))[:, 0]

    jac = jacrev(outputs)(tuple(params.values()))
    matrix = torch.cat([j.reshape(len(x), -1) for j in jac], dim=1)
    sv = torch.linalg.svdvals(matrix)
    sv = sv / sv[0]
    rank = int((sv > 1e-12).sum())
    return w, rank, (float(sv[rank - 1]), float(sv[rank]) if rank < len(sv) else 0.0)


@pytest.mark.parametrize(
    ("cell", "layers", "units", "n_in", "k", "bidirectional"),
    [
        ("rnn_tanh", 1, 3, 4, 1, False),
        ("gru", 1, 3, 4, 3, False),
        ("gru", 2, 2, 3, 1, False),
        ("lstm", 1, 3, 4, 3, False),
        ("lstm", 2, 2, 3, 3, False),
        ("lstm", 1, 2, 3, 3, True),  # the reverse direction read at the last step: a constant
        ("gru", 1, 2, 3, 1, True),  # k = 1: both directions see the input
    ],
)
def test_count_equals_the_jacobian_rank_of_a_torch_module(
    cell, layers, units, n_in, k, bidirectional
):
    w, rank, (above, below) = _jacobian_rank(cell, layers, units, n_in, k, bidirectional)
    spec = parse_arch(
        f"{cell}:{layers}x{units}", input_size=n_in, seq_len=k, bidirectional=bidirectional
    )
    count = identifiable_parameters(spec)
    assert count.parameters == w  # w counts every torch.nn parameter
    assert above > 1e-10 and below < 1e-14  # a clear gap: the rank is not a rounding artefact
    assert count.identifiable == rank


def test_keras_layout_and_stacked_bidirectional_layers_are_refused():
    spec = parse_arch("lstm:1x4", input_size=3, seq_len=2, convention="keras")
    with pytest.raises(InvalidInput, match="PyTorch's layout"):
        identifiable_parameters(spec)
    with pytest.raises(InvalidInput, match="stacks bidirectional layers"):
        identifiable_parameters(parse_arch("gru:2x3", input_size=3, seq_len=2, bidirectional=True))
