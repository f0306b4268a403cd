"""Fixtures of the study tests."""

from __future__ import annotations

import pytest
from study_helpers import tiny_config

from rnncap.study import run_study


@pytest.fixture(scope="session")
def tiny_study(tmp_path_factory):
    """A finished tiny study (inline executor): its folder and run summary."""
    out = tmp_path_factory.mktemp("tiny-study")
    summary = run_study(tiny_config(), out)
    return out, summary
