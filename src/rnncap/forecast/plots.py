"""Two panels: forecast against truth over a test fortnight, and test MAE by lead time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rnncap.atomic import atomic_path
from rnncap.data.task import TaskData
from rnncap.forecast.baselines import Persistence
from rnncap.forecast.evaluate import Evaluation
from rnncap.forecast.forecaster import Forecaster


def plot_evaluation(
    model: Forecaster, td: TaskData, result: Evaluation, path: Path | str, days: int = 14
) -> Path:
    """Write a PNG (Agg backend, atomic) for the first target at the longest lead."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    column = int(np.flatnonzero(td.output_targets == 0)[-1])  # target 0 at the longest lead
    lead = int(td.output_leads[column])
    rows = td.test.rows
    valid = pd.DatetimeIndex(td.times[rows + lead])
    keep = valid < valid[0] + pd.Timedelta(days=days)
    truth = td.y_physical(td.test)[keep, column]
    pred = model.predict(td, "test")[keep, column]
    persist = Persistence().fit(td).predict(td, "test")[keep, column]
    unit = td.target_units[0]

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), constrained_layout=True)
    top.plot(valid[keep], truth, color="black", lw=1.2, label="observed")
    top.plot(valid[keep], pred, color="tab:blue", lw=1.2, label=model.spec_.name)
    top.plot(valid[keep], persist, color="tab:gray", lw=0.8, ls="--", label="persistence")
    top.set_title(f"{td.target_columns[0]}, {lead} steps ahead: first {days} days of test")
    top.set_ylabel(unit)
    top.legend(loc="best")
    names = list(dict.fromkeys(s.model for s in result.scores))
    if len(td.leads) == 1:  # one lead: a bar per model reads better than lone points
        errors = [result.get(name, "test").mae for name in names]
        colors = ["tab:blue" if n == model.spec_.name else "tab:gray" for n in names]
        bottom.barh(names, errors, color=colors)
        bottom.invert_yaxis()
        bottom.set_xlabel(f"test MAE ({unit}) at lead {td.leads[0]} steps")
    else:
        for name in names:
            by_lead = result.get(name, "test").by_lead
            width = 2 if name == model.spec_.name else 1
            bottom.plot([h for h, _, _ in by_lead], [m for _, m, _ in by_lead], marker="o",
                        lw=width, label=name)  # fmt: skip
        bottom.set_xlabel("lead time (steps)")
        bottom.set_ylabel(f"test MAE ({unit})")
        bottom.legend(loc="best")
    bottom.set_title("error by lead time (test)")
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=110)
    finally:
        plt.close(fig)
    return path
