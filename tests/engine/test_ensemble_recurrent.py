"""The ensemble's forward pass against real torch modules, and its import/export."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncap.arch import parse_arch
from rnncap.engine import EnsembleRecurrent, RecurrentModel
from rnncap.engine.cells import GRULayer, LSTMLayer, Projection, RNNLayer
from rnncap.errors import InvalidInput

CELLS = ["lstm", "gru", "rnn_tanh", "rnn_relu"]
PATTERNS = ["1x1", "1x8", "3x4", "8,3", "2,9,5"]


def _stack_forward(models, x):
    if x.dim() == 3:
        return torch.stack([m(x) for m in models])
    return torch.stack([m(xm) for m, xm in zip(models, x, strict=True)])


@pytest.mark.slow
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("bias", [True, False])
def test_forward_equals_torch_modules(cell, pattern, bias):
    spec = parse_arch(f"{cell}:{pattern}", input_size=3, outputs=2, bias=bias)
    models = [RecurrentModel(spec, seed=s) for s in range(3)]
    ensemble = EnsembleRecurrent.from_models(models)
    gen = torch.Generator().manual_seed(7)
    shared = torch.randn(5, 11, 3, generator=gen)
    own = torch.randn(3, 5, 11, 3, generator=gen)
    with torch.no_grad():
        for x in (shared, own):
            out = ensemble(x)
            assert out.shape == (3, 5, 2)
            torch.testing.assert_close(out, _stack_forward(models, x), atol=1e-5, rtol=0)


@pytest.mark.slow
@settings(max_examples=15)
@given(
    cell=st.sampled_from(CELLS),
    widths=st.lists(st.integers(1, 12), min_size=1, max_size=3),
    inputs=st.integers(1, 5),
    steps=st.integers(1, 9),
    members=st.integers(1, 4),
)
def test_forward_equals_torch_for_any_widths(cell, widths, inputs, steps, members):
    spec = parse_arch(f"{cell}:{','.join(map(str, widths))}", input_size=inputs, outputs=1)
    models = [RecurrentModel(spec, seed=100 + s) for s in range(members)]
    ensemble = EnsembleRecurrent.from_models(models)
    x = torch.randn(members, 4, steps, inputs, generator=torch.Generator().manual_seed(steps))
    with torch.no_grad():
        torch.testing.assert_close(ensemble(x), _stack_forward(models, x), atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bias", [True, False])
def test_gradients_equal_torch_modules(cell, bias):
    spec = parse_arch(f"{cell}:6,4", input_size=2, outputs=2, bias=bias)
    models = [RecurrentModel(spec, seed=s) for s in (1, 2)]
    ensemble = EnsembleRecurrent.from_models(models)
    x = torch.randn(2, 7, 5, 2, generator=torch.Generator().manual_seed(0))
    target = torch.randn(2, 7, 2, generator=torch.Generator().manual_seed(1))
    (ensemble(x) - target).square().sum().backward()
    for m, model in enumerate(models):
        (model(x[m]) - target[m]).square().sum().backward()
        for attr, key in ensemble.names:
            ref = dict(model.named_parameters())[key].grad
            torch.testing.assert_close(getattr(ensemble, attr).grad[m], ref, atol=1e-5, rtol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("layer", "extra"),
    [
        (LSTMLayer, ()),
        (GRULayer, ("bias",)),
        (GRULayer, (None,)),
        (RNNLayer, (False,)),
        (RNNLayer, (True,)),
    ],
)
@pytest.mark.parametrize("last_only", [False, True])
def test_hand_written_backward_passes_gradcheck(layer, extra, last_only):
    gen = torch.Generator().manual_seed(3)
    gates = {LSTMLayer: 4, GRULayer: 3, RNNLayer: 1}[layer]
    xp = torch.randn(2, gates * 3, 4, 5, generator=gen, dtype=torch.float64)
    if layer is RNNLayer and extra == (True,):
        xp.abs_().add_(0.1)  # keep ReLU pre-activations away from the kink
    xp.requires_grad_(True)
    w_hh = torch.randn(2, gates * 3, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    args = [xp, w_hh]
    for e in extra:
        if e == "bias":
            e = torch.randn(2, 9, generator=gen, dtype=torch.float64, requires_grad=True)
        args.append(e)
    args.append(last_only)
    assert torch.autograd.gradcheck(layer.apply, tuple(args), eps=1e-6, atol=1e-6)


@pytest.mark.parametrize("bias", [True, False])
def test_projection_backward_passes_gradcheck(bias):
    gen = torch.Generator().manual_seed(4)
    w = torch.randn(2, 6, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    x = torch.randn(2, 3, 10, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(2, 6, generator=gen, dtype=torch.float64, requires_grad=True) if bias else None
    assert torch.autograd.gradcheck(Projection.apply, (w, x, b), eps=1e-6, atol=1e-6)
    shared = torch.randn(1, 3, 10, generator=gen, dtype=torch.float64, requires_grad=True)

    def expanded(w, shared, b):  # inputs shared by all members arrive expanded over M
        return Projection.apply(w, shared.expand(2, -1, -1), b)

    assert torch.autograd.gradcheck(expanded, (w, shared, b), eps=1e-6, atol=1e-6)


def test_export_and_import_are_exact():
    spec = parse_arch("lstm:5,3", input_size=4, outputs=2)
    seeds = [11, 12, 13]
    ensemble = EnsembleRecurrent.from_seeds(spec, seeds)
    for m, seed in enumerate(seeds):
        reference = RecurrentModel(spec, seed=seed).state_dict()
        exported = ensemble.to_model(m).state_dict()
        assert exported.keys() == reference.keys()
        for key, value in reference.items():
            assert torch.equal(exported[key], value), key
    other = RecurrentModel(spec, seed=99)
    ensemble.load_member(1, other.state_dict())
    x = torch.randn(3, 6, 4)
    with torch.no_grad():
        torch.testing.assert_close(ensemble(x)[1], other(x), atol=1e-6, rtol=0)
        torch.testing.assert_close(ensemble(x)[0], ensemble.to_model(0)(x), atol=1e-6, rtol=0)


def test_initial_weights_depend_on_the_seed_alone():
    spec = parse_arch("rnn_tanh:2x6", input_size=2, outputs=1)
    alone = EnsembleRecurrent.from_seeds(spec, [42]).member_state_dict(0)
    among = EnsembleRecurrent.from_seeds(spec, [1, 2, 42, 3]).member_state_dict(2)
    for key, value in alone.items():
        assert torch.equal(value, among[key]), key


def test_keep_repacks_members_in_order():
    spec = parse_arch("gru:1x4", input_size=2, outputs=1)
    ensemble = EnsembleRecurrent.from_seeds(spec, [0, 1, 2, 3])
    ensemble.keep(torch.tensor([3, 1]))
    assert ensemble.members == 2
    ref = RecurrentModel(spec, seed=1).state_dict()
    for key, value in ensemble.member_state_dict(1).items():
        assert torch.equal(value, ref[key])


def test_members_of_different_shapes_are_rejected():
    a = RecurrentModel(parse_arch("lstm:1x8", input_size=3, outputs=1), seed=0)
    b = RecurrentModel(parse_arch("lstm:1x6", input_size=3, outputs=1), seed=0)
    c = RecurrentModel(parse_arch("gru:1x8", input_size=3, outputs=1), seed=0)
    for other in (b, c):
        with pytest.raises(InvalidInput, match="members of different shapes"):
            EnsembleRecurrent.from_models([a, other])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"bidirectional": True}, "bidirectional layers are not supported by the batched engine"),
        ({"proj_size": 2}, "proj_size\\) are not supported by the batched engine"),
    ],
)
def test_unsupported_options_are_named(options, message):
    spec = parse_arch("lstm:1x4", input_size=2, outputs=1, **options)
    with pytest.raises(InvalidInput, match=message):
        EnsembleRecurrent.from_seeds(spec, [0, 1])


def test_wrong_input_shape_is_rejected():
    ensemble = EnsembleRecurrent.from_seeds(parse_arch("lstm:1x4", input_size=2, outputs=1), [0, 1])
    with pytest.raises(InvalidInput, match="ensemble input must be"):
        ensemble(torch.randn(3, 5, 4, 2))


def test_dropout_between_layers_only_in_training_mode():
    spec = parse_arch("lstm:2x6", input_size=3, outputs=1)
    models = [RecurrentModel(spec, dropout=0.5, seed=s) for s in (0, 1)]
    ensemble = EnsembleRecurrent.from_models(models)
    assert ensemble.dropout == 0.5
    x = torch.randn(4, 5, 3, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        ensemble.eval()
        torch.testing.assert_close(
            ensemble(x), torch.stack([m.eval()(x) for m in models]), atol=1e-5, rtol=0
        )
        ensemble.train()
        torch.manual_seed(0)
        first = ensemble(x)
        torch.manual_seed(1)
        assert not torch.allclose(first, ensemble(x)), "dropout should change training outputs"
