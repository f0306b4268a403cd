"""Engine: torch models for specs and batched training of many small recurrent models."""

from rnncap.engine.model import RecurrentModel, make_layer

__all__ = ["RecurrentModel", "make_layer"]
