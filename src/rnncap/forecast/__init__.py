"""Forecasting: baselines, the recurrent `Forecaster`, metrics, checkpoints, evaluation.

>>> from rnncap.data import Task, prepare_task
>>> from rnncap.forecast import Forecaster, evaluate
>>> td = prepare_task(Task())                       # nyc2013, JFK temperature 24 h ahead
>>> model = Forecaster("lstm:2x32").fit(td)
>>> evaluate(model, td).get("lstm:2x32", "test").mae  # degC
"""

from rnncap.forecast.baselines import (
    Baseline,
    Climatology,
    DailyPersistence,
    LaggedRidge,
    Persistence,
    Ridge,
    all_baselines,
    missing_baselines,
)
from rnncap.forecast.boosted import LightGBM
from rnncap.forecast.bootstrap import Difference, mae_difference
from rnncap.forecast.checkpoint import load, save
from rnncap.forecast.evaluate import (
    BaselineResult,
    Evaluation,
    baseline_results,
    evaluate,
    forecast_frame,
    strongest_baseline,
)
from rnncap.forecast.forecaster import Forecaster
from rnncap.forecast.many import fit_many
from rnncap.forecast.metrics import Score, mae, rmse, score, skill
from rnncap.forecast.tasks import train_summary

__all__ = [
    "Baseline",
    "BaselineResult",
    "Climatology",
    "DailyPersistence",
    "Difference",
    "Evaluation",
    "Forecaster",
    "LaggedRidge",
    "LightGBM",
    "Persistence",
    "Ridge",
    "Score",
    "all_baselines",
    "baseline_results",
    "evaluate",
    "fit_many",
    "forecast_frame",
    "load",
    "mae",
    "mae_difference",
    "missing_baselines",
    "rmse",
    "save",
    "score",
    "skill",
    "strongest_baseline",
    "train_summary",
]
