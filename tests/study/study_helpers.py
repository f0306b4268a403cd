"""Tiny studies for the study and report tests: LSTM 1x4 and 2x4 (and a frontier), one epoch."""

from __future__ import annotations

from rnncap.arch import parse_arch
from rnncap.engine.settings import ForecastSettings
from rnncap.study import StudyConfig
from rnncap.study.config import Frontier, Grid
from rnncap.study.plan import TaskRef, UnitPayload
from rnncap.study.records import Measure

TINY_TOML = """
name = "tiny"
seeds = [0, 1]
chunk = 1
measures = ["counts", "bounds", "forecast", "norms"]
forecast_points = 48

[task]
history = 24
stride = 24

[grid]
layers = [1, 2]
units = [4]
frontier = []

[training]
epochs = 1
batch_size = 64
"""


def tiny_payload(task: dict) -> UnitPayload:
    """A one-seed forecasting payload of lstm:1x4 for `task` (a study file's [task] table)."""
    return UnitPayload(
        spec=parse_arch("lstm:1x4", input_size=3, seq_len=4, outputs=1),
        seeds=(0,),
        task=TaskRef.of(task),
        training=ForecastSettings(),
        measures=(Measure.FORECAST,),
        forecast_points=0,
    )


def tiny_config(**changes) -> StudyConfig:
    """Two architectures x two seeds, one seed per unit (four units), on 24-step windows."""
    cfg = StudyConfig(
        name="tiny",
        task={"history": 24, "stride": 24},
        grid=Grid(layers=(1, 2), units=(4,), frontier=()),
        seeds=(0, 1),
        chunk=1,
        measures=("counts", "bounds", "forecast", "norms"),
        training={"epochs": 1, "batch_size": 64},
        forecast_points=48,
    )
    return cfg.replace(**changes)


def tiny_frontier_config() -> StudyConfig:
    return tiny_config(
        grid=Grid(layers=(1, 2), units=(4,), frontier=(Frontier("lstm", "lstm:2x4", (1, 2)),))
    )


def stored_runs(folder) -> dict:
    """(arch, seed) -> `RunResult` of every planned run in the store at `folder`."""
    from rnncap.study import ResultsStore

    with ResultsStore.open(folder) as store:
        return {(u.result.arch, r.seed): r for u in store.units() for r in u.result.runs}
