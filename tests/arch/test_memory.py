"""Memory: saved activations against autograd's saved tensors, Adam state against torch.optim."""

from __future__ import annotations

import pytest
import torch
from arch_unrolled import unrolled_forward

from rnncap.arch import parse_arch
from rnncap.arch.memory import count_memory
from rnncap.engine import RecurrentModel
from rnncap.errors import InvalidInput


def _saved_values(model: RecurrentModel, x: torch.Tensor, head: bool) -> int:
    """Distinct storages autograd keeps for backward (parameters excluded), in values."""
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    storages: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        s = t.untyped_storage()
        if s.data_ptr() not in params:
            storages[s.data_ptr()] = s.nbytes() // t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        unrolled_forward(model, x, head=head)
    return sum(storages.values())


@pytest.mark.parametrize(
    ("arch", "options"),
    [
        ("lstm:2x6", {"outputs": 1}),
        ("lstm:5,3", {"proj_size": 2, "bidirectional": True, "outputs": 2}),
        ("lstm:4,4", {"outputs": 0}),
        ("gru:4,7", {"bidirectional": True, "outputs": 1}),
        ("gru:2x5", {"bias": False, "outputs": 0}),
        ("rnn_tanh:3x4", {"outputs": 3}),
        ("rnn_relu:6,2", {"bidirectional": True, "outputs": 0}),
    ],
)
def test_activation_values_match_saved_tensors(arch, options):
    spec = parse_arch(arch, input_size=3, seq_len=7, **options)
    model = RecurrentModel(spec, seed=0)
    batch = 2
    x = torch.randn(batch, spec.seq_len, spec.input_size)
    saved = _saved_values(model, x, head=spec.outputs > 0)
    memory = count_memory(spec)
    assert saved == batch * memory.activation_values
    assert memory.activation_bytes == 4 * memory.activation_values


@pytest.mark.parametrize("arch", ["lstm:2x6", "gru:5,3", "rnn_relu:4"])
def test_adam_and_gradient_bytes_match_torch(arch):
    spec = parse_arch(arch, input_size=3, seq_len=4, outputs=2, bidirectional=True)
    model = RecurrentModel(spec, seed=0)
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.randn(2, spec.seq_len, spec.input_size)).sum().backward()
    optimizer.step()
    memory = count_memory(spec)
    state = [v for s in optimizer.state.values() for v in s.values()]
    assert sum(v.nbytes for v in state) == memory.adam_bytes
    assert sum(p.grad.nbytes for p in model.parameters()) == memory.gradient_bytes
    assert sum(p.nbytes for p in model.parameters()) == memory.parameter_bytes


def test_dtype_scales_bytes_and_unknown_dtype_is_rejected():
    spec = parse_arch("lstm:2x8", input_size=4, seq_len=10, outputs=1)
    single, double = count_memory(spec), count_memory(spec, "float64")
    assert double.parameter_bytes == 2 * single.parameter_bytes
    fixed = 2 * single.parameter_bytes + single.adam_bytes  # weights, gradients, Adam state
    assert single.training_bytes(3) == fixed + 3 * single.activation_bytes
    with pytest.raises(InvalidInput, match="unknown dtype 'int8'"):
        count_memory(spec, "int8")
