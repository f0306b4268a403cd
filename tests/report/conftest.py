"""A tiny finished study (two grid shapes and a two-point frontier) for the report tests."""

from __future__ import annotations

import pytest

from rnncap.study import StudyConfig, run_study
from rnncap.study.config import Frontier, Grid


@pytest.fixture(scope="session")
def report_store(tmp_path_factory):
    cfg = StudyConfig(
        name="tiny-report",
        task={"history": 24, "stride": 24},
        grid=Grid(layers=(1, 2), units=(4,), frontier=(Frontier("lstm", "lstm:2x4", (1, 2)),)),
        seeds=(0, 1),
        measures=("counts", "bounds", "forecast", "norms"),
        training={"epochs": 1, "batch_size": 64},
        forecast_points=48,
    )
    out = tmp_path_factory.mktemp("report-study")
    run_study(cfg, out)
    return out
