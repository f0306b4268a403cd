"""Each measure of `model_measures` against an independent computation."""

import math

import numpy as np
import pytest
import torch

from rnncap.engine import MemberData, RecurrentModel
from rnncap.measures import compute as c


def _module(member) -> RecurrentModel:
    model = RecurrentModel(member.spec)
    model.load_state_dict(member.state_dict)
    return model


@pytest.mark.parametrize("arch", ["lstm:2x4", "gru:1x3", "rnn_tanh:3x2"])
def test_parameter_counts_are_the_torch_modules(arch, make_member):
    member = make_member(arch)
    model = _module(member)
    total = sum(p.numel() for p in model.parameters())
    head = sum(p.numel() for p in model.head.parameters())
    got = c.parameter_measures(member)
    assert got[c.LOG_PARAMS] == pytest.approx(math.log(total))
    assert got[c.LOG_PARAMS_RECURRENT] == pytest.approx(math.log(total - head))


@pytest.mark.parametrize(
    "arch, options",
    [("lstm:2x4", {}), ("gru:2x3", {}), ("lstm:1x4", {"bidirectional": True, "proj_size": 2})],
)
def test_norm_measures_match_torch_linalg(arch, options, make_member):
    member = make_member(arch, **options)
    model = _module(member)
    mats = [p.detach() for n, p in model.named_parameters() if "weight" in n]
    spec2 = [float(torch.linalg.matrix_norm(w, ord=2)) ** 2 for w in mats]
    frob2 = [float(torch.linalg.matrix_norm(w, ord="fro")) ** 2 for w in mats]
    got = c.norm_measures(member)
    assert got[c.LOG_PROD_SPECTRAL] == pytest.approx(sum(math.log(s) for s in spec2), rel=1e-5)
    assert got[c.LOG_SUM_SPECTRAL] == pytest.approx(math.log(sum(spec2)), rel=1e-5)
    assert got[c.LOG_PROD_FROBENIUS] == pytest.approx(sum(math.log(f) for f in frob2), rel=1e-5)
    assert got[c.LOG_SUM_FROBENIUS] == pytest.approx(math.log(sum(frob2)), rel=1e-5)
    assert got[c.STABLE_RANK_MEAN] == pytest.approx(np.mean(np.array(frob2) / spec2), rel=1e-5)
    initial = RecurrentModel(member.spec)
    initial.load_state_dict(member.initial_state_dict)
    weights = [p for n, p in model.named_parameters() if "weight" in n]
    weights0 = [p for n, p in initial.named_parameters() if "weight" in n]
    w = torch.nn.utils.parameters_to_vector(weights).detach().double()
    w0 = torch.nn.utils.parameters_to_vector(weights0).detach().double()
    assert got[c.DIST_INIT] == pytest.approx(float((w - w0).norm()), rel=1e-9)
    assert got[c.DIST_INIT_RATIO] == pytest.approx(float((w - w0).norm() / w0.norm()), rel=1e-9)


def test_a_zero_matrix_leaves_the_products_missing_not_zero(make_member):
    member = make_member("rnn_tanh:1x2")
    member.state_dict["layers.0.weight_hh_l0"].zero_()
    got = c.norm_measures(member)
    assert c.LOG_PROD_SPECTRAL not in got and c.LOG_PROD_FROBENIUS not in got
    assert c.LOG_SUM_SPECTRAL in got


def test_collins_bound_is_five_bits_per_torch_parameter(make_member, make_data):
    """Collins et al.'s capacity, about 5 bits per parameter for a tanh/sigmoid cell."""
    member = make_member("lstm:2x4")
    total = sum(p.numel() for p in _module(member).parameters())
    got = c.bound_measures(member, make_data())
    assert got[c.BOUND_PREFIX + "collins17-bits"] == pytest.approx(math.log10(5 * total))


def test_bounds_for_another_cell_and_weight_bounds_of_other_models_are_missing(
    make_member, make_data
):
    data = make_data()
    lstm = c.bound_measures(make_member("lstm:1x4"), data)
    vanilla = c.bound_measures(make_member("rnn_tanh:1x4"), data)
    # Koiran and Sontag's sigmoid results are for vanilla RNNs: references beside an LSTM only
    assert c.BOUND_PREFIX + "ks98-sigmoid-upper" not in lstm
    assert c.BOUND_PREFIX + "ks98-sigmoid-upper" in vanilla
    # the weight-based bounds cover a single-layer vanilla RNN, evaluated on its weights
    weight_keys = {c.BOUND_PREFIX + k for k in ("zld18-pac-bayes", "clz20-vanilla-order")}
    assert weight_keys <= vanilla.keys()
    assert not weight_keys & lstm.keys()
    # Tu, He and Tao's Fisher-Rao bound is stated for piecewise polynomial (ReLU) activations
    relu = c.bound_measures(make_member("rnn_relu:1x4", bias=False), data)
    assert c.BOUND_PREFIX + "tu20-fisher-rao" in relu
    assert c.BOUND_PREFIX + "tu20-fisher-rao" not in vanilla
    # with biases folded in, E[xx^T] is singular and the bound infinite: missing, not a number
    relu_bias = c.bound_measures(make_member("rnn_relu:1x4"), data)
    assert c.BOUND_PREFIX + "tu20-fisher-rao" not in relu_bias
    assert all(math.isfinite(v) for v in {**lstm, **vanilla, **relu}.values())


def test_steps_to_loss_counts_whole_epochs_of_batches(make_member):
    history = [{"epoch": i + 1, "train_loss": v} for i, v in enumerate([0.5, 0.2, 0.09, 0.05])]
    member = make_member("gru:1x2", history=history, batch_size=64)
    # 130 rows in batches of 64: 3 steps per epoch; the loss first reaches 0.1 in epoch 3
    assert c.steps_to_loss(member, 130, threshold=0.1) == 9
    assert c.steps_to_loss(member, 128, threshold=0.3) == 4
    assert c.steps_to_loss(member, 130, threshold=0.01) is None


def test_model_measures_leave_out_what_cannot_be_computed(make_member, make_data):
    history = [{"epoch": 1, "train_loss": 5.0}, {"epoch": 2, "train_loss": float("nan")}]
    member = make_member("lstm:1x3", history=history)
    got = c.model_measures(member, make_data())
    assert c.STEPS_TO_LOSS not in got  # never reached: missing, not 0
    assert not any(k.startswith(c.BOUND_PREFIX + "ks98") for k in got)
    expected = {c.LOG_PARAMS, c.LOG_PATH_NORM, c.DIST_INIT, c.PACBAYES_MAG_FLATNESS}
    assert expected <= got.keys()
    assert all(isinstance(v, float) and math.isfinite(v) for v in got.values())


def test_steps_count_to_a_fraction_of_the_anchor_only_loss(make_member):
    """Anchors 1 and targets 0 and 2: the zero network's MSE is 1; the threshold is 0.6."""
    n = 100
    x = np.zeros((n, 5, 3), np.float32)
    y = np.tile(np.array([[0.0], [2.0]], np.float32), (n // 2, 1))
    data = MemberData(x, y, anchor_train=np.ones((n, 1), np.float32))
    losses = [0.9, 0.61, 0.59, 0.3]
    history = [{"epoch": i + 1, "train_loss": v} for i, v in enumerate(losses)]
    member = make_member("gru:1x2", history=history, batch_size=32)
    assert c.zero_network_loss(member, data) == pytest.approx(1.0)
    assert c.STEPS_LOSS_FRACTION == 0.6
    # epoch 3 first reaches 0.6; 100 rows in batches of 32 are 4 steps per epoch
    assert c.model_measures(member, data)[c.STEPS_TO_LOSS] == 12
