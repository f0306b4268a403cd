"""The evaluation context of a bound: the architecture's figures (w, U, longest path) and the
learning setting (samples, delta, epsilon, regression or classification), validated once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rnncap.arch import RecurrentSpec, count_parameters, unrolled_graph
from rnncap.errors import InvalidInput, check_int, require


class Task(str, Enum):
    """Classification uses VC dimension; regression (forecasting) uses pseudo-dimension."""

    REGRESSION = "regression"
    CLASSIFICATION = "classification"


@dataclass(frozen=True)
class Context:
    """Everything a bound may need: the architecture's figures and the learning setting.

    ``w`` is ``count_parameters(spec).total``; ``units`` and ``path`` come from
    ``unrolled_graph(spec)`` (nonlinear units U and longest path, in cell applications).
    """

    spec: RecurrentSpec
    w: int
    units: int
    path: int
    m: int | None = None  # available training samples
    delta: float = 0.05
    epsilon: float = 0.1
    task: Task = Task.REGRESSION
    vc: float | None = None  # a user-supplied VC / Pdim proxy for the sample-size entries
    weights: Any = None  # a `RecurrentWeights` record for the norm-based bounds

    @property
    def k(self) -> int:
        return self.spec.seq_len

    @property
    def regression(self) -> bool:
        return self.task is Task.REGRESSION

    @property
    def w_eff(self) -> int:
        """Parameters after the pseudo-dimension adjustment (regression: W + 1, theory.md 4.6)."""
        return self.w + 1 if self.regression else self.w

    @property
    def path_eff(self) -> int:
        return self.path + 1 if self.regression else self.path


def context(
    spec: RecurrentSpec,
    *,
    m: int | None = None,
    delta: float = 0.05,
    epsilon: float = 0.1,
    task: Task | str = Task.REGRESSION,
    vc: float | None = None,
    weights: Any = None,
) -> Context:
    """Validate the learning setting and take w, U and the path from the arch room."""
    require(isinstance(spec, RecurrentSpec), "spec must be a RecurrentSpec (see parse_arch)")
    check_delta(delta)
    check_epsilon(epsilon)
    if m is not None:
        check_int(m, "samples", low=1, hint="e.g. m=20000")
    if vc is not None:
        require(vc > 0 and math.isfinite(vc), f"vc must be a number > 0; got {vc!r} (e.g. vc=10)")
    try:
        task = Task(task.value if isinstance(task, Enum) else task)
    except ValueError:
        raise InvalidInput(
            f"unknown task {task!r}; choose one of: regression, classification"
        ) from None
    graph = unrolled_graph(spec)
    return Context(
        spec=spec,
        w=count_parameters(spec).total,
        units=graph.nonlinear_units,
        path=graph.longest_path,
        m=m,
        delta=float(delta),
        epsilon=float(epsilon),
        task=task,
        vc=vc,
        weights=weights,
    )


def check_delta(delta: float) -> float:
    ok = isinstance(delta, (int, float)) and 0.0 < delta < 1.0
    require(ok, f"delta must lie in (0, 1); got {delta!r} (e.g. delta=0.05)")
    return float(delta)


def check_epsilon(epsilon: float) -> float:
    ok = isinstance(epsilon, (int, float)) and epsilon > 0 and math.isfinite(epsilon)
    require(ok, f"epsilon must be > 0; got {epsilon!r} (e.g. epsilon=0.1)")
    return float(epsilon)
