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
    with pytest.raises(InvalidInput, match="raise the input size"):
        memorization_task(600, 10, 2, np.random.default_rng(0))


def test_default_grid_spans_w_to_eight_w():
    assert default_sample_grid(100) == (100, 200, 300, 400, 600, 800)
