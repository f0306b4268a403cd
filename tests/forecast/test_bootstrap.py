"""The circular moving-block bootstrap against its closed forms (Politis & Romano 1992)."""

import itertools

import numpy as np
import pytest

from rnncap.errors import InvalidInput
from rnncap.forecast.bootstrap import block_means, mae_difference, mean_interval


def circular_block_means(values: np.ndarray, block: int) -> np.ndarray:
    """Mean of the block starting at each position, wrapping around: the bootstrap's atoms."""
    n = len(values)
    return np.array([values[(i + np.arange(block)) % n].mean() for i in range(n)])


@pytest.mark.parametrize("block", [1, 4, 12])
def test_mean_and_variance_match_the_closed_form(block):
    # n a multiple of the block: a resample is the mean of n / block i.i.d. uniform block means,
    # so E* = sample mean exactly and Var* = Var(block means) / (n / block)
    rng = np.random.default_rng(1)
    values = np.cumsum(rng.normal(size=48))  # strongly autocorrelated
    atoms = circular_block_means(values, block)
    draws = block_means(values, block, resamples=40_000, seed=3)
    count = len(values) // block
    expected_var = atoms.var() / count
    assert atoms.mean() == pytest.approx(values.mean())
    assert draws.mean() == pytest.approx(values.mean(), abs=4 * np.sqrt(expected_var / 40_000))
    assert draws.var() == pytest.approx(expected_var, rel=0.03)


def test_exact_distribution_of_a_tiny_case():
    # n = 4, block = 2: two blocks drawn from 4 starts, 16 equally likely resamples
    values = np.array([0.0, 1.0, 5.0, 2.0])
    atoms = circular_block_means(values, 2)  # 0.5, 3.0, 3.5, 1.0
    exact = sorted((a + b) / 2 for a, b in itertools.product(atoms, repeat=2))
    draws = block_means(values, 2, resamples=64_000, seed=0)
    support, counts = np.unique(np.round(draws, 9), return_counts=True)
    want, want_counts = np.unique(np.round(exact, 9), return_counts=True)
    np.testing.assert_allclose(support, want)
    np.testing.assert_allclose(counts / counts.sum(), want_counts / 16, atol=0.01)


def test_blocks_widen_the_interval_of_autocorrelated_errors():
    rng = np.random.default_rng(2)
    values = np.repeat(rng.normal(size=50), 24)  # 50 "days" of one error each
    _, lo1, hi1 = mean_interval(values, block=1)
    _, lo24, hi24 = mean_interval(values, block=24)
    # i.i.d. resampling treats 1200 values as independent; blocks of a day see 50
    assert (hi24 - lo24) > 3 * (hi1 - lo1)
    # normal approximation of the closed-form standard error (block means over 50 blocks)
    se = circular_block_means(values, 24).std() / np.sqrt(50)
    assert hi24 - lo24 == pytest.approx(2 * 1.96 * se, rel=0.1)


def test_a_constant_difference_has_a_point_interval():
    pred, base, truth = np.full((30, 1), 2.0), np.full((30, 1), 3.5), np.zeros((30, 1))
    d = mae_difference("m", "b", "test", pred, base, truth, block=5)
    assert (d.difference, d.low, d.high) == (-1.5, -1.5, -1.5) and d.significant


def test_bad_settings_are_invalid_input():
    with pytest.raises(InvalidInput, match="block must be an integer"):
        block_means(np.arange(5.0), 6)
    with pytest.raises(InvalidInput, match="level must lie"):
        mean_interval(np.arange(5.0), 1, level=1.5)
