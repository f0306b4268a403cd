"""Many forecasters at once through the batched engine (`rnncap.engine.train`).

`fit_many` trains a grid of architectures and seeds on one task and returns ordinary, fitted
`Forecaster` objects (same predict/evaluate/save). It is the only way forecasters are trained:
`Forecaster.fit` is `fit_many` with one architecture and one seed, and `rnncap study` trains its
forecasting models with it, so one (architecture, seed, data, settings) gives one model.

Train N seeds of one architecture as one ensemble::

    models = fit_many(td, ["lstm:2x32"], seeds=range(5))   # 5 fitted Forecasters

The settings are one `rnncap.engine.ForecastSettings` record (``settings=``, or overrides by
name). Members whose settings differ only in ``lr``/``schedule`` can share an ensemble too;
build the Forecasters yourself and call `fit_forecasters`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnncap.arch import RecurrentSpec
from rnncap.data.task import TaskData
from rnncap.engine import ForecastSettings, Job, MemberData, TrainedMember, train
from rnncap.errors import require
from rnncap.forecast.forecaster import Forecaster

Progress = Callable[[int, int], None]


def training_data(td: TaskData, residual: bool) -> MemberData:
    """The windows of `td` as engine data; with `residual` the anchor is scaled persistence."""
    anchors = {}
    if residual:
        anchors = {f"anchor_{s}": td.scaled_now(s).astype(np.float32) for s in ("train", "val")}
    return MemberData(td.train.x, td.train.y, td.val.x, td.val.y, **anchors)


def member_jobs(
    td: TaskData, members: Sequence[tuple[RecurrentSpec, int]], recipe: ForecastSettings
) -> list[Job]:
    """One engine `Job` per (spec, seed), trained with `recipe` on the windows of `td` (all jobs
    share one `MemberData`): the jobs of `fit_forecasters` and of a study unit."""
    data = training_data(td, recipe.residual)
    settings = recipe.train_settings()
    return [Job(spec, seed, data, settings, key=f"{spec.name}/seed={seed}")
            for spec, seed in members]  # fmt: skip


def member_forecast(td: TaskData, member: TrainedMember, split: str, residual: bool) -> np.ndarray:
    """Forecasts (n, outputs), physical units, of an engine member trained on `td` for the
    windows of `split` (its output added to scaled persistence when trained `residual`), as
    `Forecaster.predict` gives them."""
    anchor = td.scaled_now(split).astype(np.float32) if residual else None
    return td.y_scaler.inverse(member.predict(td.split(split).x, anchor))


@dataclass(frozen=True)
class ForecastMember:
    """An engine member trained on a task, with its forecasts (n, outputs), physical units, of
    the splits asked for (none when only the weights are wanted)."""

    member: TrainedMember
    forecasts: Mapping[str, np.ndarray]


def train_and_forecast(
    td: TaskData,
    members: Sequence[tuple[RecurrentSpec, int]],
    recipe: ForecastSettings,
    splits: Sequence[str] = ("train", "val", "test"),
    *,
    device: str | None = None,
    progress: Progress | None = None,
) -> list[ForecastMember]:
    """Train (spec, seed) members with `recipe` on `td` in one `rnncap.engine.train` call (the
    jobs of `member_jobs`) and forecast the windows of each of `splits`: all a study unit needs
    from the forecast room, in one call, in the order of `members`."""
    trained = train(member_jobs(td, members, recipe), device=device, progress=progress)
    return [
        ForecastMember(m, {s: member_forecast(td, m, s, recipe.residual) for s in splits})
        for m in trained
    ]


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
    data = {r: training_data(td, r) for r in {m.settings.residual for m in models}}
    jobs = [
        Job(spec, m.seed, data[m.settings.residual], m.settings.train_settings(),
            key=f"{m.arch}/seed={m.seed}")
        for spec, m in zip(specs, models, strict=True)
    ]  # fmt: skip
    start = time.perf_counter()
    members = train(jobs, device=device, progress=progress)
    seconds = (time.perf_counter() - start) / len(jobs)
    return [m.adopt(td, member, seconds) for m, member in zip(models, members, strict=True)]


def fit_many(
    td: TaskData,
    archs: Sequence[str],
    seeds: Sequence[int] = (0,),
    *,
    progress: Progress | None = None,
    device: str | None = None,
    settings: ForecastSettings | None = None,
    **overrides: Any,
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
    settings : ForecastSettings, optional
        The recipe (`rnncap.engine.ForecastSettings`; its defaults when omitted).
    **overrides
        Settings by name on top of `settings` (``epochs``, ``lr``, ``residual``, ...).
    """
    require(len(archs) >= 1, "no architectures to fit; pass at least one, e.g. ['lstm:2x32']")
    recipe = (settings or ForecastSettings()).replace(**overrides)
    models = [Forecaster(a, seed=int(s), settings=recipe) for a in archs for s in seeds]
    return fit_forecasters(td, models, progress=progress, device=device)
