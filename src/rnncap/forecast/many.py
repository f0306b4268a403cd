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
from rnncap.forecast.anchor import FittedAnchor, fit_anchor
from rnncap.forecast.forecaster import Forecaster

Progress = Callable[[int, int], None]


#: Seed of the draw of a training subset (`ForecastSettings.train_fraction`): fixed, so that
#: every model at one fraction trains on the same windows whatever its own seed.
SUBSET_SEED = 0


def training_rows(n: int, fraction: float) -> np.ndarray:
    """Indices (sorted) of the ``round(fraction * n)`` (at least 1) training windows kept: the
    first of one fixed permutation, so a smaller fraction keeps a subset of a larger one's."""
    if fraction >= 1.0:
        return np.arange(n)
    keep = max(1, round(fraction * n))
    return np.sort(np.random.default_rng(SUBSET_SEED).permutation(n)[:keep])


def training_data(td: TaskData, anchor: FittedAnchor, fraction: float = 1.0) -> MemberData:
    """The windows of `td` trained on (the share `fraction` of the training windows,
    `training_rows`; every validation window) as engine data, the network's output added to
    `anchor` (none: no anchor arrays, the network predicts the target). A holdout split
    (`rnncap.data.holdout`) is never part of it."""
    rows = training_rows(len(td.train), fraction)
    every = len(rows) == len(td.train)  # no copy of the windows

    def kept(a: np.ndarray) -> np.ndarray:
        return a if every else a[rows]

    anchors = {}
    if anchor.kind != "none":
        anchors = {"anchor_train": kept(anchor.scaled(td, "train")),
                   "anchor_val": anchor.scaled(td, "val")}  # fmt: skip
    return MemberData(kept(td.train.x), kept(td.train.y), td.val.x, td.val.y, **anchors)


def member_jobs(
    td: TaskData, members: Sequence[tuple[RecurrentSpec, int]], recipe: ForecastSettings
) -> tuple[list[Job], FittedAnchor]:
    """One engine `Job` per (spec, seed), trained with `recipe` on the windows of `td` (all jobs
    share one `MemberData`), and the recipe's anchor fitted on `td`: the jobs of
    `fit_forecasters` and of a study unit."""
    anchor = fit_anchor(td, recipe.anchor)
    data = training_data(td, anchor, recipe.train_fraction)
    settings = recipe.train_settings()
    jobs = [Job(spec, seed, data, settings, key=f"{spec.name}/seed={seed}")
            for spec, seed in members]  # fmt: skip
    return jobs, anchor


def member_forecast(
    td: TaskData, member: TrainedMember, split: str, anchor: FittedAnchor
) -> np.ndarray:
    """Forecasts (n, outputs), physical units, of an engine member trained on `td` with `anchor`
    for the windows of `split`, as `Forecaster.predict` gives them."""
    return td.y_scaler.inverse(member.predict(td.split(split).x, anchor.scaled(td, split)))


@dataclass(frozen=True)
class ForecastMember:
    """An engine member trained on a task, with its forecasts (n, outputs), physical units, of
    the splits asked for (none when only the weights are wanted), the engine data it was trained
    on, and which training windows of the task that data holds (`training_rows`)."""

    member: TrainedMember
    forecasts: Mapping[str, np.ndarray]
    data: MemberData
    train_rows: np.ndarray
    train_fraction: float = 1.0


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
    jobs, anchor = member_jobs(td, members, recipe)
    trained = train(jobs, device=device, progress=progress)
    rows = training_rows(len(td.train), recipe.train_fraction)
    return [
        ForecastMember(m, {s: member_forecast(td, m, s, anchor) for s in splits},
                       job.data, rows, recipe.train_fraction)
        for m, job in zip(trained, jobs, strict=True)
    ]  # fmt: skip


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
    wanted = [m.settings.anchor for m in models] + [m.settings.blend for m in models]
    anchors = {k: fit_anchor(td, k) for k in dict.fromkeys(wanted)}  # blend partners too
    kinds = dict.fromkeys((m.settings.anchor, m.settings.train_fraction) for m in models)
    data = {(k, f): training_data(td, anchors[k], f) for k, f in kinds}
    jobs = [
        Job(spec, m.seed, data[m.settings.anchor, m.settings.train_fraction],
            m.settings.train_settings(),
            key=f"{m.arch}/seed={m.seed}")
        for spec, m in zip(specs, models, strict=True)
    ]  # fmt: skip
    start = time.perf_counter()
    members = train(jobs, device=device, progress=progress)
    seconds = (time.perf_counter() - start) / len(jobs)
    return [m.adopt(td, member, seconds, anchors[m.settings.anchor], anchors[m.settings.blend])
            for m, member in zip(models, members, strict=True)]  # fmt: skip


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
        Settings by name on top of `settings` (``epochs``, ``lr``, ``anchor``, ...).
    """
    require(len(archs) >= 1, "no architectures to fit; pass at least one, e.g. ['lstm:2x32']")
    recipe = (settings or ForecastSettings()).replace(**overrides)
    models = [Forecaster(a, seed=int(s), settings=recipe) for a in archs for s in seeds]
    return fit_forecasters(td, models, progress=progress, device=device)
