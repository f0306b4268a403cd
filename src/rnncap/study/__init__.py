"""Studies: architecture grids trained on real data, recorded in a resumable SQLite store.

``run_study(config, out)`` plans the grid, skips units already in ``<out>/results.sqlite`` and
runs the rest in process, in a process pool or on Ray; `rnncap.report` reads the store alone.
"""

from rnncap.study.config import (
    ExecutorKind,
    ExecutorSettings,
    Frontier,
    Grid,
    StudyConfig,
    load_study,
)
from rnncap.study.defaults import default_study
from rnncap.study.runner import StudySummary, UnitDone, run_study
from rnncap.study.store import SCHEMA_VERSION, STORE_NAME, ResultsStore

__all__ = [
    "SCHEMA_VERSION",
    "STORE_NAME",
    "ExecutorKind",
    "ExecutorSettings",
    "Frontier",
    "Grid",
    "ResultsStore",
    "StudyConfig",
    "StudySummary",
    "UnitDone",
    "default_study",
    "load_study",
    "run_study",
]
