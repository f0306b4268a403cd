"""The evaluation figure: forecast against truth over a test fortnight, then the test MAE of the
model and every baseline (one bar each for one lead; against lead time with block-bootstrap
bands, one panel per target, for several leads)."""

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

    by_lead = bool(result.by_output) and len(td.leads) > 1
    targets = list(dict.fromkeys(c.target for c in result.by_output)) if by_lead else [None]
    fig, axes = plt.subplots(1 + len(targets), 1, figsize=(11, 3.6 * (1 + len(targets))),
                             constrained_layout=True)  # fmt: skip
    top = axes[0]
    top.plot(valid[keep], truth, color="black", lw=1.2, label="observed")
    top.plot(valid[keep], pred, color="tab:blue", lw=1.2, label=model.spec_.name)
    top.plot(valid[keep], persist, color="tab:gray", lw=0.8, ls="--", label="persistence")
    top.set_title(f"{td.target_columns[0]}, {lead} steps ahead: first {days} days of test")
    top.set_ylabel(unit)
    top.legend(loc="best")
    if by_lead:
        for panel, target in zip(axes[1:], targets, strict=True):
            _mae_by_lead(panel, result, target, unit)
    else:
        _mae_bars(axes[1], result, model.spec_.name, unit, td.leads[-1])
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=110)
    finally:
        plt.close(fig)
    return path


#: Left out of the lead-time panels: its error (8 degC on nyc2013's test) would flatten the rest.
OFF_SCALE = ("climatology",)


def _mae_by_lead(ax, result: Evaluation, target: str, unit: str) -> None:
    """Test MAE against lead time at one target, each model with its block-bootstrap 95 %
    interval (a band)."""
    rows = [c for c in result.by_output if c.target == target]
    leads = [c.lead for c in rows]
    for name in rows[0].test:
        if name in OFF_SCALE:
            continue
        mine = name == result.model
        line = ax.plot(leads, [c.test[name] for c in rows], lw=2 if mine else 1, label=name,
                       marker="o" if mine else None, ms=3)  # fmt: skip
        ax.fill_between(leads, [c.test_low[name] for c in rows],
                        [c.test_high[name] for c in rows], color=line[0].get_color(),
                        alpha=0.18 if mine else 0.08, lw=0)  # fmt: skip
    ax.set_title(f"{target}: test MAE by lead time, 95 % block-bootstrap bands "
                 f"({', '.join(OFF_SCALE)} off the scale)")  # fmt: skip
    ax.set_xlabel("lead time (steps)")
    ax.set_ylabel(f"test MAE ({unit})")
    ax.legend(loc="best", fontsize=8)


def _mae_bars(ax, result: Evaluation, model: str, unit: str, lead: int) -> None:
    names = list(dict.fromkeys(s.model for s in result.scores))
    errors = [result.get(name, "test").mae for name in names]
    ax.barh(names, errors, color=["tab:blue" if n == model else "tab:gray" for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(f"test MAE ({unit}) at lead {lead} steps")
    ax.set_title("error (test)")
