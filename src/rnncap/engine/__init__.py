"""Engine: torch models for specs and batched training of many small recurrent models."""

from rnncap.engine.api import train
from rnncap.engine.bookkeeping import Loss, Schedule, Status, Strategy, lr_factor
from rnncap.engine.ensemble import EnsembleRecurrent, shape_key
from rnncap.engine.model import RecurrentModel, make_layer
from rnncap.engine.records import Job, MemberData, TrainedMember, TrainSettings
from rnncap.engine.reference import train_reference
from rnncap.engine.strategy import choose_strategy

__all__ = [
    "EnsembleRecurrent",
    "Job",
    "Loss",
    "MemberData",
    "RecurrentModel",
    "Schedule",
    "Status",
    "Strategy",
    "TrainSettings",
    "TrainedMember",
    "choose_strategy",
    "lr_factor",
    "make_layer",
    "shape_key",
    "train",
    "train_reference",
]
