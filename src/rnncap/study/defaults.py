"""The default study (`rnncap study`) and its quick version (`rnncap study --quick`).

Budgets are sized so that the default finishes within 15 minutes and the quick one within 3 on a
2-core CPU (measured figures in docs/study.md); a GPU only makes them faster.
"""

from __future__ import annotations

from rnncap.study.config import Frontier, Grid, StudyConfig

#: The default grid: LSTMs over layers {1,2,3,4} x units {8,16,32,64} and an equal-budget frontier
#: at the parameter count of lstm:2x32, depths 1 to 4.
FULL = StudyConfig(
    name="default",
    grid=Grid(cells=("lstm",), layers=(1, 2, 3, 4), units=(8, 16, 32, 64),
              frontier=(Frontier("lstm", "lstm:2x32", (1, 2, 3, 4)),)),
    seeds=(0, 1, 2),
    training={"epochs": 8, "batch_size": 128, "lr": 3e-3, "patience": 3},
    task={},
)  # fmt: skip

#: The quick study: a smaller grid, two seeds and a shorter budget.
QUICK = StudyConfig(
    name="quick",
    grid=Grid(cells=("lstm",), layers=(1, 2), units=(8, 16),
              frontier=(Frontier("lstm", "lstm:2x16", (1, 2, 3)),)),
    seeds=(0, 1),
    training={"epochs": 3, "batch_size": 128, "lr": 3e-3, "patience": 2},
    task={},
)  # fmt: skip


def default_study(quick: bool = False) -> StudyConfig:
    """The study `rnncap study` runs with no file: `QUICK` with ``quick=True``, else `FULL`."""
    return QUICK if quick else FULL
