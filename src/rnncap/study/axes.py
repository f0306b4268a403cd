"""Hyperparameter axes of a study: the ``[axes]`` table and the training points it plans.

Besides the architecture (cell, layers and units, from ``[grid]``), a study can vary the
training recipe along these axes, each a field of the one settings record
`rnncap.engine.ForecastSettings` and checked by it::

    [axes]
    design = "one-at-a-time"   # or "factorial" (every combination)
    lr = [0.003, 0.001, 0.01]  # the first value of each axis is the base point
    batch_size = [64, 256]
    train_fraction = [1.0, 0.5]

``factorial`` trains every combination of the axes' values. ``one-at-a-time`` trains the base
point (the first value of every axis) and, for each axis, each other value with every other
axis at its base: the groups that differ in one axis only, which granulated Kendall tau
(Jiang et al. 2020) averages over, at a fraction of the factorial's cost. Either is crossed
with the architecture grid, and every point of it with every seed.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from enum import Enum
from typing import Any

from rnncap.engine.settings import ForecastSettings
from rnncap.errors import InvalidInput, require

#: The hyperparameters a study's [axes] table can vary (fields of `ForecastSettings`).
AXES = ("lr", "batch_size", "dropout", "weight_decay", "train_fraction", "epochs")
#: The axes of the architecture, from [grid]; with `AXES`, what every trained model records.
ARCH_AXES = ("cell", "layers", "units")
#: Most training points one [axes] table may plan (each is crossed with the architectures).
MAX_POINTS = 1000


class Design(str, Enum):
    """How the axes' values combine: every combination, or one axis at a time around a base."""

    FACTORIAL = "factorial"
    ONE_AT_A_TIME = "one-at-a-time"


def _design(value: Any) -> Design:
    try:
        return Design(value)
    except ValueError:
        choices = ", ".join(d.value for d in Design)
        message = f"unknown design {value!r} in [axes]; choose one of: {choices}"
        raise InvalidInput(message) from None


def _values(axes: Mapping[str, Any], training: Mapping[str, Any]) -> dict[str, list]:
    """Each axis's values, checked: a known name, a non-empty list without repeats, not also a
    fixed [training] setting, every value one the recipe accepts."""
    values = {k: v for k, v in axes.items() if k != "design"}
    unknown = sorted(set(values) - set(AXES))
    require(
        not unknown,
        f"unknown axis {', '.join(map(str, unknown))} in [axes] of the study file; known axes: "
        f"{', '.join(AXES)} (cell, layers and units are set in [grid])",
    )
    for name, listed in values.items():
        require(
            isinstance(listed, list) and len(listed) >= 1,
            f"axis {name} in [axes] must be a non-empty list of values, e.g. {name} = "
            f"[{getattr(ForecastSettings(), name)!r}]; got {listed!r}",
        )
        require(
            len({repr(v) for v in listed}) == len(listed), f"axis {name} repeats a value: {listed}"
        )
        require(
            name not in training,
            f"{name} is both a [training] setting and an axis in [axes]; keep one of the two",
        )
        for v in listed:
            ForecastSettings.from_options({**training, name: v}, f"axis {name} in [axes]")
    return values


def axis_points(axes: Mapping[str, Any], training: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The training points of an [axes] table: one dict of axis values per point (one empty
    dict without axes), in a fixed order, the base point first; every one a valid recipe."""
    require(isinstance(axes, Mapping), f"[axes] must be a table; got {axes!r}")
    design = _design(axes.get("design", Design.FACTORIAL.value))
    values = _values(axes, training)
    names = list(values)
    if design is Design.FACTORIAL:
        count = 1
        for listed in values.values():
            count *= len(listed)
        require(
            count <= MAX_POINTS,
            f"the [axes] factorial has {count:,} points, over the limit of {MAX_POINTS:,}; "
            f'use fewer values or design = "{Design.ONE_AT_A_TIME.value}"',
        )
        return [
            dict(zip(names, combo, strict=True)) for combo in itertools.product(*values.values())
        ]
    base = {name: listed[0] for name, listed in values.items()}
    points = [base]
    for name, listed in values.items():
        points += [{**base, name: v} for v in listed[1:]]
    return points


def describe_axes(axes: Mapping[str, Any], training: Mapping[str, Any]) -> str:
    """What the [axes] table varies, in words, to follow the base point's recipe on the report's
    Training line ("" without axes)."""
    values = {k: v for k, v in axes.items() if k != "design"}
    if not values:
        return ""
    points = axis_points(axes, training)
    design = _design(axes.get("design", Design.FACTORIAL.value))
    varied = "; ".join(f"{k} {', '.join(f'{v:g}' for v in listed)}" for k, listed in values.items())
    how = "every combination" if design is Design.FACTORIAL else "one at a time"
    return (
        f" (the base point); {len(points)} training points per architecture vary {varied} "
        f"({how}); the tables average over seeds and points"
    )
