"""Errors in physical units: MAE, RMSE and skill against persistence, overall and per lead time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from rnncap.data.task import TaskData
from rnncap.errors import require


def mae(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean absolute error over every window and output."""
    return float(np.mean(np.abs(np.asarray(pred) - np.asarray(true))))


def rmse(pred: np.ndarray, true: np.ndarray) -> float:
    """Root mean squared error over every window and output."""
    return float(np.sqrt(np.mean((np.asarray(pred) - np.asarray(true)) ** 2)))


def skill(model_mae: float, persistence_mae: float) -> float:
    """1 - MAE / MAE_persistence: 0 = as good as persistence, 1 = perfect, < 0 = worse."""
    return 1.0 - model_mae / persistence_mae if persistence_mae > 0 else float("nan")


@dataclass(frozen=True)
class Score:
    """The errors of one model on one split (physical units of the target).

    ``by_lead`` maps each lead time (steps) to (MAE, RMSE) over the outputs at that lead.
    """

    model: str
    split: str
    mae: float
    rmse: float
    skill: float
    n: int
    by_lead: tuple[tuple[int, float, float], ...] = ()

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes
        "model": "model",
        "split": "split",
        "mae": "mae",
        "rmse": "rmse",
        "skill": "skill",
        "windows": "n",
        "by_lead": "lead_records",
    }

    def __post_init__(self) -> None:
        require(self.n >= 1, "a score needs at least one window")

    @property
    def lead_records(self) -> list[dict]:
        """`by_lead` as one named record per lead."""
        return [{"lead": h, "mae": m, "rmse": r} for h, m, r in self.by_lead]


def score(
    model: str,
    split: str,
    pred: np.ndarray,
    td: TaskData,
    persistence_mae: float | None = None,
) -> Score:
    """Score predictions `pred` (n, outputs), physical units, against the truth of `split`."""
    true = td.y_physical(td.split(split))
    pred = np.asarray(pred, dtype=np.float64)
    require(pred.shape == true.shape, f"predictions {pred.shape} do not match targets {true.shape}")
    leads = td.output_leads
    by_lead = tuple(
        (
            int(h),
            mae(pred[:, leads == h], true[:, leads == h]),
            rmse(pred[:, leads == h], true[:, leads == h]),
        )
        for h in td.leads
    )
    m = mae(pred, true)
    base = m if persistence_mae is None else persistence_mae
    return Score(model, split, m, rmse(pred, true), skill(m, base), len(true), by_lead)
