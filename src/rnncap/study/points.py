"""The trained models of a study as `ModelPoint`s: what the ranking of complexity measures reads.

`ResultsStore.model_points` reads them from a store; the conversion is here, from the typed
records alone (`StoredUnit` -> `RunResult`): each run's axes as the engine used them, its two
gaps in the target's units, and its complexity measures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from rnncap.errors import require
from rnncap.measures.records import GAP_IID, GAP_SHIFT, ModelPoint
from rnncap.study.records import RunResult


def run_gaps(run: RunResult) -> dict[str, float]:
    """The run's finite gaps: ``gap_iid`` (holdout - train MAE, with a holdout) and
    ``gap_shift`` (test - train MAE); a gap that is missing or not finite is left out."""
    if run.errors is None:
        return {}
    gaps = {GAP_IID: run.errors.gap_iid, GAP_SHIFT: run.errors.gap}
    return {k: float(v) for k, v in gaps.items() if v is not None and math.isfinite(v)}


def model_points(units: Iterable) -> list[ModelPoint]:
    """One `ModelPoint` per recorded run of `units` (`StoredUnit`s), keyed ``UNITKEY:SEED``, in
    the order the store gives them; measures that are not finite are left out (missing, never
    0). A run recorded before axes were kept (an older store of the same schema) is refused in
    one line."""
    points = []
    for unit in units:
        for run in unit.result.runs:
            require(
                bool(run.axes),
                f"unit {unit.key[:12]} of {unit.result.arch} was recorded before rnncap kept "
                "each model's axes and gaps; run the study again into a new folder (out=)",
            )
            measures = {k: float(v) for k, v in run.measures.items() if math.isfinite(v)}
            points.append(
                ModelPoint(f"{unit.key}:{run.seed}", dict(run.axes), run_gaps(run), measures)
            )
    return points
