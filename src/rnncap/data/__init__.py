"""Data: the embedded nyc2013 weather, Jena and CSV loaders, gaps, forecasting tasks and windows.

>>> from rnncap.data import load_dataset, Task, prepare_task
>>> td = prepare_task(Task(dataset="nyc2013", target="temp", station="JFK"))
>>> td.train.x.shape   # (windows, history, inputs), float32, scaled on the training part only
"""

from rnncap.data.dataset import Dataset, Variable, load_dataset
from rnncap.data.jena import PRESETS as JENA_PRESETS
from rnncap.data.jena import jena_task
from rnncap.data.scaling import Scaler
from rnncap.data.task import Split, Task, TaskData, prepare_task

__all__ = [
    "JENA_PRESETS",
    "Dataset",
    "Scaler",
    "Split",
    "Task",
    "TaskData",
    "Variable",
    "jena_task",
    "load_dataset",
    "prepare_task",
]
