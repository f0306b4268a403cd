"""A small hourly CSV where the target 3 h ahead is an input now: easy to learn, cheap to train."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnncap.data import Task, load_dataset, prepare_task

LAG = 3


def lagged_frame(days: int = 30, seed: int = 0) -> pd.DataFrame:
    """Columns ``driver`` (smooth random signal) and ``echo`` = driver LAG hours earlier."""
    rng = np.random.default_rng(seed)
    n = days * 24 + LAG
    t = np.arange(n)
    driver = np.sin(2 * np.pi * t / 24) * 3 + np.convolve(
        rng.normal(size=n), np.ones(6) / 2, "same"
    )
    frame = pd.DataFrame(
        {
            "time": pd.date_range("2020-01-01", periods=n - LAG, freq="1h").strftime(
                "%Y-%m-%d %H:%M"
            ),
            "driver": np.round(driver[LAG:], 4),
            "echo": np.round(driver[:-LAG], 4),
        }
    )
    return frame


@pytest.fixture(scope="session")
def lagged_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "lagged.csv"
    lagged_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def lagged_task(lagged_csv):
    return Task(dataset=str(lagged_csv), target="echo", history=8, horizon=LAG)


@pytest.fixture(scope="session")
def lagged_data(lagged_task):
    return prepare_task(lagged_task)


@pytest.fixture(scope="session")
def lagged_dataset(lagged_csv):
    return load_dataset(lagged_csv)


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models train several times faster on one thread than on two contended ones.

    Module scope: the setting is restored before tests of other rooms run.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
