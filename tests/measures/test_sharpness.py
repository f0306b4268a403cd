"""The magnitude-aware flatness scale against a model whose perturbed loss has a closed form."""

import math

import numpy as np
import pytest
import torch

from rnncap.engine import MemberData
from rnncap.measures.compute import PACBAYES_MAG_FLATNESS, model_measures
from rnncap.measures.sharpness import EPS, flatness_sigma


@pytest.fixture
def bias_only(make_member):
    """A maker of bias-only models (below)."""
    return lambda bias: _bias_only(make_member, bias)


def _bias_only(make_member, bias: float):
    """rnn_tanh:1x1 with every weight 0 but the head's bias: it predicts `bias` everywhere. Under
    magnitude-aware noise the prediction is bias + u (u ~ N(0, s^2 bias^2 + eps^2)) up to eps^2
    terms through the zero weights, so on targets equal to `bias` the loss rise is E[u^2]."""
    member = make_member("rnn_tanh:1x1", input_size=1, seq_len=2)
    state = {k: torch.zeros_like(v) for k, v in member.state_dict.items()}
    state["head.bias"] = torch.tensor([bias])
    member.state_dict.clear()
    member.state_dict.update(state)
    x = np.ones((16, 2, 1), np.float32)
    return member, MemberData(x, np.full((16, 1), bias, np.float32))


def test_scale_of_the_closed_form(bias_only):
    """E[u^2] = s^2 b^2 + eps^2 = 0.1 gives s = sqrt(0.1 - eps^2) / b (300 draws: about 4 %)."""
    member, data = bias_only(1.0)
    s = flatness_sigma(member, data, samples=300, windows=16)
    assert s == pytest.approx(math.sqrt(0.1 - EPS**2), rel=0.1)


def test_scale_is_relative_to_the_weight_and_grows_with_the_allowance(bias_only):
    """The same noise draws: a weight twice as large halves s; four times the allowed rise
    doubles it (exactly, up to the eps term and the bisection's 0.3 %)."""
    one, data_one = bias_only(1.0)
    two, data_two = bias_only(2.0)
    s1 = flatness_sigma(one, data_one, samples=5, windows=16)
    assert flatness_sigma(two, data_two, samples=5, windows=16) == pytest.approx(s1 / 2, rel=0.01)
    s4 = flatness_sigma(one, data_one, samples=5, windows=16, loss_rise=0.4)
    assert s4 == pytest.approx(2 * s1, rel=0.01)


def test_a_model_no_noise_can_move_has_no_scale(bias_only):
    """All weights 0: only the eps noise remains, the loss never rises by 0.1, s is not found."""
    member, data = bias_only(0.0)
    assert flatness_sigma(member, data, samples=2, windows=16) is None
    assert PACBAYES_MAG_FLATNESS not in model_measures(member, data)


def test_the_trained_weights_are_left_untouched(bias_only):
    member, data = bias_only(1.0)
    before = {k: v.clone() for k, v in member.state_dict.items()}
    flatness_sigma(member, data, samples=2, windows=16)
    assert all(torch.equal(before[k], v) for k, v in member.state_dict.items())
