"""I(b) = b (1 - H2(p)) against theory.md section 7, and the memorization task's data."""

import math

import numpy as np
import pytest

from rnncap.capacity.memorize import (
    binary_entropy,
    default_sample_grid,
    memorization_task,
    mutual_information_bits,
)
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain


def test_collins_vector_from_theory():
    # theory.md section 7: Collins I(b, p) with b = 1000, p = 0.9 is 531.0044 bits
    assert mutual_information_bits(1000, 0.9) == pytest.approx(531.0044, abs=1e-4)


@pytest.mark.parametrize(
    ("p", "bits"), [(0.5, 1.0), (0.0, 0.0), (1.0, 0.0), (0.25, 0.8112781244591328)]
)
def test_binary_entropy_closed_forms(p, bits):
    # H2(1/4) = 2 - (3/4) log2 3
    assert binary_entropy(p) == pytest.approx(bits, abs=1e-12)
    assert bits == pytest.approx(
        0.0 if p in (0, 1) else 2 - 0.75 * math.log2(3) if p == 0.25 else 1
    )


def test_information_is_b_at_perfect_recall_and_zero_at_chance():
    assert mutual_information_bits(640, 1.0) == 640
    assert mutual_information_bits(640, 0.5) == 0.0
    assert mutual_information_bits(640, 0.0) == 640  # inverted predictions carry every bit too


def test_bad_probability_and_sample_count():
    with pytest.raises(InvalidInput, match=r"\[0, 1\]"):
        binary_entropy(1.5)
    with pytest.raises(InvalidInput, match=">= 1"):
        mutual_information_bits(0, 0.9)


def test_task_inputs_are_distinct_binary_and_shown_once():
    x, y = memorization_task(300, 10, 3, np.random.default_rng(0))
    assert x.shape == (300, 4, 10) and y.shape == (300, 1)
    assert set(np.unique(x[:, 0])) <= {0.0, 1.0} and set(np.unique(y)) <= {0.0, 1.0}
    assert not x[:, 1:].any()  # zeros after the first step: the label is read after the delay
    assert len({row.tobytes() for row in x[:, 0]}) == 300
    assert 0.4 < y.mean() < 0.6


def test_task_refuses_too_few_input_bits():
    with pytest.raises(InvalidInput, match="raise input_size= to at least"):
        memorization_task(600, 10, 2, np.random.default_rng(0))


def test_default_grid_spans_w_to_eight_w():
    assert default_sample_grid(100) == (100, 200, 300, 400, 600, 800)


def test_gaussian_inputs_are_standard_normal_at_the_first_step_only():
    import numpy as np
    from scipy import stats

    from rnncap.capacity.memorize import memorization_task

    x, y = memorization_task(2000, 3, 2, np.random.default_rng(0), "gaussian")
    assert x.shape == (2000, 3, 3) and x.dtype == np.float32 and not x[:, 1:].any()
    assert stats.kstest(x[:, 0].ravel(), "norm").pvalue > 0.01
    assert len(np.unique(x[:, 0], axis=0)) == 2000  # distinct: 2,000 inputs in 3 numbers
    assert set(np.unique(y)) == {0.0, 1.0}


def test_gaussian_inputs_let_a_narrow_input_hold_many_samples(fake_training):
    """2 input bits give 4 codes, too few for b = 64; 2 Gaussian inputs are distinct at any b."""
    import json

    from rnncap import parse_arch
    from rnncap.capacity.sweep import Sweep
    from rnncap.capacity.tuned import tuned_memorization
    from rnncap.errors import InvalidInput

    spec = parse_arch("rnn_tanh:1x4", input_size=2, seq_len=2)
    with pytest.raises(InvalidInput, match="too few for"):
        tuned_memorization(spec, (32, 64), 3, epochs=10, sweep=Sweep((0.01,)))
    fake_training(lambda job: 0.9)
    sweep = Sweep((0.01,), encodings=("gaussian",))
    result = tuned_memorization(spec, (32, 64), 3, epochs=10, sweep=sweep)
    doc = json.loads(json.dumps(to_plain(result)))
    assert doc["input_encoding"] == "gaussian" and "general position" in doc["protocol"]
    assert doc["at_double_budget"]["input_encoding"] == "gaussian"
