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
    Persistence,
    Ridge,
    all_baselines,
)
from rnncap.forecast.checkpoint import load, save
from rnncap.forecast.evaluate import Evaluation, evaluate, forecast_frame
from rnncap.forecast.forecaster import Forecaster
from rnncap.forecast.many import fit_many
from rnncap.forecast.metrics import Score, mae, rmse, score, skill
from rnncap.forecast.tasks import train_summary

__all__ = [
    "Baseline",
    "Climatology",
    "DailyPersistence",
    "Evaluation",
    "Forecaster",
    "Persistence",
    "Ridge",
    "Score",
    "all_baselines",
    "evaluate",
    "fit_many",
    "forecast_frame",
    "load",
    "mae",
    "rmse",
    "save",
    "score",
    "skill",
    "train_summary",
]
