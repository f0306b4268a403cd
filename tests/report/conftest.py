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


@pytest.fixture(scope="session")
def fake_report_store(tmp_path_factory):
    """A store with chosen results (no training): a fitted grid, a frontier and bound ratios."""
    from fake_store import Fake, make_store, seeds

    ratios = {"km97-pfaffian-unrolled": 0.52, "ks97-quadratic-vc": -0.2}
    fakes = [
        Fake("lstm:1x4", seeds(1.8, 3.6, 3.7)),
        Fake("lstm:2x4", seeds(1.7, 3.5, 3.6), ratios=ratios),
        Fake("lstm:1x8", seeds(1.6, 3.4, 3.5)),
        Fake("lstm:2x8", seeds(1.5, 3.3, 3.4), ("grid", "frontier"), ratios=ratios),
        Fake("lstm:1x12", seeds(1.5, 3.35, 3.45), ("frontier",)),
    ]
    return make_store(tmp_path_factory.mktemp("fake-report"), fakes, budget=1000).parent
