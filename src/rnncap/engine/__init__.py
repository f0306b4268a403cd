"""Engine: torch models for specs and batched training of many small recurrent models.

Names are imported on first use (PEP 562), so that the settings records
(`rnncap.engine.settings`: `TrainSettings`, `ForecastSettings`) load without torch: the command
line reads its defaults from them before anything starts torch.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "api": ("train",),
    "bookkeeping": ("Loss", "Schedule", "Status", "Strategy", "lr_factor"),
    "ensemble_module": ("EnsembleRecurrent", "shape_key"),
    "model": ("RecurrentModel", "make_layer"),
    "records": ("Job", "MemberData", "TrainedMember"),
    "settings": ("ForecastSettings", "TrainSettings"),
    "reference": ("train_reference",),
    "strategy": ("choose_strategy",),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'rnncap.engine' has no attribute {name!r}")
    return getattr(importlib.import_module(f"rnncap.engine.{_MODULE_OF[name]}"), name)


def __dir__() -> list[str]:
    return __all__
