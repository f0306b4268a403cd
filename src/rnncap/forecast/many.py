"""Many forecasters at once through the batched engine (`rnncap.engine.train`).

`fit_many` trains a grid of architectures and seeds on one task and returns ordinary, fitted
`Forecaster` objects (same predict/evaluate/save). It is the only way forecasters are trained:
`Forecaster.fit` is `fit_many` with one architecture and one seed, and `rnncap study` trains its
forecasting models with it, so one (architecture, seed, data, settings) gives one model.

Train N seeds of one architecture as one ensemble::

    models = fit_many(td, ["lstm:2x32"], seeds=range(5))   # 5 fitted Forecasters

Members whose settings differ only in ``lr``/``schedule`` can share an ensemble too; build
the Forecasters yourself and call `fit_forecasters`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rnncap.data.task import TaskData
from rnncap.engine import Job, MemberData, train
from rnncap.errors import require
from rnncap.forecast.forecaster import SETTINGS, Forecaster, persistence_anchor

Progress = Callable[[int, int], None]


def training_data(td: TaskData, residual: bool) -> MemberData:
    """The windows of `td` as engine data; with `residual` the anchor is scaled persistence."""
    anchors = {}
    if residual:
        anchors = {f"anchor_{s}": persistence_anchor(td, s, td.y_scaler) for s in ("train", "val")}
    return MemberData(td.train.x, td.train.y, td.val.x, td.val.y, **anchors)


def fit_forecasters(
    td: TaskData,
    models: Sequence[Forecaster],
    progress: Progress | None = None,
    device: str | None = None,
) -> list[Forecaster]:
    """Fit unfitted `models` on `td` in one `rnncap.engine.train` call; returns them, fitted.

    Models of one shape whose settings differ only in learning rate, schedule, time limit and
    seed train as one ensemble. ``train_seconds_`` is the run's time divided among them.
    """
    models = list(models)
    require(len(models) >= 1, "no models to fit; pass at least one architecture and seed")
    specs = [m.build_spec(td) for m in models]
    data = {r: training_data(td, r) for r in {m.residual for m in models}}
    jobs = [
        Job(spec, m.seed, data[m.residual], m.train_settings(), key=f"{m.arch}/seed={m.seed}")
        for spec, m in zip(specs, models, strict=True)
    ]
    start = time.perf_counter()
    members = train(jobs, device=device, progress=progress)
    seconds = (time.perf_counter() - start) / len(jobs)
    return [m.adopt(td, member, seconds) for m, member in zip(models, members, strict=True)]


def recipe(**overrides) -> dict:
    """Every `Forecaster` training setting, defaults filled in and `overrides` checked: the one
    recipe that `forecast train`, `fit_many` and `rnncap study` train with (the study stores
    it with each unit, so a change of recipe is a change of unit)."""
    known = [k for k in SETTINGS if k not in ("arch", "seed", "ensemble")]
    unknown = sorted(set(overrides) - set(known))
    require(
        not unknown,
        f"unknown forecaster setting(s) {', '.join(unknown)}; known: {', '.join(known)}",
    )
    params = Forecaster(**overrides).get_params()
    Forecaster(**overrides).train_settings()  # bad values: one clear line, now
    return {k: params[k] for k in known}


def fit_many(
    td: TaskData,
    archs: Sequence[str],
    seeds: Sequence[int] = (0,),
    *,
    progress: Progress | None = None,
    device: str | None = None,
    **settings,
) -> list[Forecaster]:
    """One fitted `Forecaster` per (arch, seed), in that order (arch-major).

    Parameters
    ----------
    td : TaskData
    archs : sequence of str
        Architecture strings (``lstm:2x32``); input size and outputs come from the task.
    seeds : sequence of int, default=(0,)
    progress : callable(done, total), optional
        Counts member-epochs.
    device : str, optional
        As in `rnncap.engine.train` (CUDA when available).
    **settings
        `Forecaster` settings (``epochs``, ``lr``, ``schedule``, ``dropout``, ``residual``,
        ...); the defaults are the Forecaster's: one recipe everywhere.
    """
    require(len(archs) >= 1, "no architectures to fit; pass at least one, e.g. ['lstm:2x32']")
    settings = recipe(**settings)
    models = [Forecaster(a, seed=int(s), **settings) for a in archs for s in seeds]
    return fit_forecasters(td, models, progress=progress, device=device)
