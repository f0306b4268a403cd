"""The default study (`rnncap study`) and its quick version (`rnncap study --quick`).

Budgets are sized so that the default finishes within 15 minutes and the quick one within 3 on a
2-core CPU (measured figures in docs/study.md); a GPU only makes them faster.
"""

from __future__ import annotations

from rnncap.engine.settings import ForecastSettings
from rnncap.study.axes import describe_axes
from rnncap.study.config import ExecutorKind, ExecutorSettings, Frontier, Grid, StudyConfig

#: The default grid: LSTMs over layers {1,2,3,4} x units {8,16,32,64} and an equal-budget frontier
#: at the parameter count of lstm:2x32, depths 1 to 4; three seeds; counts, bounds, forecasts and
#: weight norms. Memorization and the depth measure are left out: under the curve rule (3
#: doubling budgets, 3 seeds) they cannot converge in a study's minutes, and an unconverged
#: figure supports no trend (docs/capacity.md); a study file can still ask for them. The task
#: (JFK temperature 24 h ahead from 120 h of every variable) keeps every 3rd window. Two worker
#: processes with one torch thread each use a 2-core CPU better than one process with two threads
#: (performance.md section 5.3). The budget is smaller than ``rnncap forecast train``'s, and the
#: weight decay stays 1e-3 (the recipe's 1e-2 early-stops later, so it trains longer), to keep the
#: study at about 6 minutes; the report's Training line says so (`training_line`).
FULL = StudyConfig(
    name="default",
    grid=Grid(cells=("lstm",), layers=(1, 2, 3, 4), units=(8, 16, 32, 64),
              frontier=(Frontier("lstm", "lstm:2x32", (1, 2, 3, 4)),)),
    seeds=(0, 1, 2),
    measures=("counts", "bounds", "forecast", "norms"),
    training={"epochs": 20, "batch_size": 64, "lr": 3e-3, "patience": 4, "weight_decay": 1e-3},
    task={"stride": 3},
    executor=ExecutorSettings(ExecutorKind.PROCESS, workers=2),
)  # fmt: skip

#: The quick study: layers {1,2} x units {8,16}, a frontier at lstm:2x16 (depths 1-3), two seeds,
#: six epochs on every 8th window.
QUICK = StudyConfig(
    name="quick",
    grid=Grid(cells=("lstm",), layers=(1, 2), units=(8, 16),
              frontier=(Frontier("lstm", "lstm:2x16", (1, 2, 3)),)),
    seeds=(0, 1),
    measures=("counts", "bounds", "forecast", "norms"),
    training={"epochs": 6, "batch_size": 64, "lr": 3e-3, "patience": 3, "weight_decay": 1e-3},
    task={"stride": 8},
)  # fmt: skip


def default_study(quick: bool = False) -> StudyConfig:
    """The study `rnncap study` runs with no file: `QUICK` with ``quick=True``, else `FULL`."""
    return QUICK if quick else FULL


#: Settings below the recipe's that make a study cheaper than ``forecast train`` (a lower weight
#: decay early-stops sooner); `training_line` says why when one is.
CHEAPER = ("epochs", "patience", "weight_decay")


def training_line(config: StudyConfig) -> str:
    """The report's Training line: the study's recipe in words (at the base point of its [axes],
    and what they vary: `rnncap.study.axes.describe_axes`), and, when it trains more
    cheaply than ``rnncap forecast train`` (fewer epochs, less patience or a lower weight
    decay), one sentence saying why, and one saying why its forecasts are not blended with a
    baseline (``ForecastSettings.blend``)."""
    recipe, full = config.recipe(config.points()[0]), ForecastSettings()
    line = recipe.describe() + describe_axes(config.axes, config.training)
    if any(getattr(recipe, k) < getattr(full, k) for k in CHEAPER):
        line += (
            f". This is a smaller budget than rnncap forecast train's (up to {full.epochs} "
            f"epochs, patience {full.patience}, weight decay {full.weight_decay:g}, 5-member "
            "ensembles) because a study trains every architecture and seed of its grid and "
            "must finish in minutes; the forecaster at full budget is measured in "
            "docs/forecasting.md"
        )
    if recipe.blend != full.blend:
        line += (
            f". Each model's forecast is its network's own, not blended with the {full.blend} "
            "as rnncap forecast train's is after training, because the study measures what "
            "the network's layers and units change"
        )
    return line
