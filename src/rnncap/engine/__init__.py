"""Engine: torch models for specs and batched training of many small recurrent models."""

from rnncap.engine.api import train
from rnncap.engine.ensemble import EnsembleRecurrent, shape_key
from rnncap.engine.model import RecurrentModel, make_layer
from rnncap.engine.records import Job, MemberData, TrainedMember, TrainSettings
from rnncap.engine.strategy import choose_strategy

__all__ = [
    "EnsembleRecurrent",
    "Job",
    "MemberData",
    "RecurrentModel",
    "TrainSettings",
    "TrainedMember",
    "choose_strategy",
    "make_layer",
    "shape_key",
    "train",
]
