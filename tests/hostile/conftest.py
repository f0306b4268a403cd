"""Fixtures of the hostile-input suite: a small hourly CSV and a real checkpoint trained on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_helpers import TINY_TRAIN, cli, hourly_frame


@pytest.fixture(scope="session")
def hourly_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile-data") / "hourly.csv"
    hourly_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def checkpoint(hourly_csv, tmp_path_factory) -> Path:
    """A real checkpoint trained on `hourly_csv` (the reference the damaged copies start from)."""
    path = tmp_path_factory.mktemp("hostile-model") / "model.pt"
    outcome = cli("forecast", "train", "--data", hourly_csv, *TINY_TRAIN, "--out", path, "--json")
    assert outcome.code == 0, outcome
    return path
