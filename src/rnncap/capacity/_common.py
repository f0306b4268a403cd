"""Helpers shared by the capacity measures: grid validation, engine calls, summaries."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from rnncap.errors import check_int, is_int, require

Progress = Callable[[int, int], None]

#: Largest number of training samples any one member may get unless the caller raises it: the
#: default compute budget of a measurement on a 2-core CPU.
DEFAULT_MAX_SAMPLES = 20_000


def full_batch_bce_settings(epochs: int, lr: float, **overrides: Any):
    """Full-batch Adam on binary cross-entropy, in a fixed order, clipped at 1: the budget that
    every capacity measure trains with (``overrides`` e.g. ``patience=0``)."""
    from rnncap.engine import TrainSettings

    return TrainSettings(
        epochs=epochs, batch_size=DEFAULT_MAX_SAMPLES, lr=lr, clip=1.0, loss="bce", shuffle=False,
        **overrides,
    )  # fmt: skip


def sample_grid(values: Iterable[int], *, minimum: int, what: str, option: str) -> tuple[int, ...]:
    """Sorted distinct positive sample sizes, at least `minimum` of them, or `InvalidInput`."""
    raw = list(values)
    require(len(raw) > 0, f"the {what} grid is empty; give at least {minimum} sizes ({option})")
    for v in raw:
        check_int(v, f"{what} sizes", low=1, hint=option)
    grid = tuple(sorted({int(v) for v in raw}))
    require(
        len(grid) >= minimum,
        f"the {what} grid has {len(grid)} distinct size(s), too few for the fit; "
        f"give at least {minimum} ({option})",
    )
    return grid


def positive_int(value: object, what: str, hint: str) -> int:
    return check_int(value, what, low=1, hint=hint)


def seed_list(seeds: int | Sequence[int]) -> tuple[int, ...]:
    """`seeds` as a tuple: an int n means seeds 0..n-1."""
    if is_int(seeds):
        return tuple(range(positive_int(seeds, "number of seeds", "e.g. seeds=3")))
    out = tuple(int(s) for s in seeds)
    require(len(out) >= 1, "give at least one seed (e.g. seeds=3)")
    return out


def settings_dict(settings: Any) -> dict:
    """The training settings as plain data (the budget that a result states)."""
    return dataclasses.asdict(settings) if dataclasses.is_dataclass(settings) else dict(settings)


def train_members(jobs: list, progress: Progress | None = None, device: str | None = None) -> list:
    """Train `jobs` in one batched call of `rnncap.engine.train` (imported here, at use)."""
    from rnncap.arch.budget import check_trainable
    from rnncap.engine import train

    for spec in {job.spec for job in jobs}:
        check_trainable(spec)
    return train(jobs, device=device, progress=progress)


def summary(values: Sequence[float]) -> dict:
    """Mean, sample standard deviation, min, max and the 95 % Student-t interval of the mean
    (`ci95`, None for one value) of `values`, with their count `n`."""
    from rnncap.capacity.convergence import t_interval

    arr = np.asarray(values, dtype=float)
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    ci = t_interval([float(v) for v in arr])
    return {
        "mean": float(arr.mean()),
        "std": std,
        "min": float(arr.min()),
        "max": float(arr.max()),
        "ci95": None if ci is None else list(ci),
        "n": int(arr.size),
    }


def scaled(stats: dict, factor: float) -> dict:
    """A `summary` of values multiplied by `factor` > 0 (e.g. bits to bits per parameter)."""
    out = {k: v * factor for k, v in stats.items() if k in ("mean", "std", "min", "max")}
    out["ci95"] = None if stats["ci95"] is None else [v * factor for v in stats["ci95"]]
    return {**out, "n": stats["n"]}


def interval_text(stats: dict, digits: int = 2) -> str:
    """'3.37 [3.21, 3.52]': the mean and its 95 % interval (the mean alone for one value)."""
    if stats.get("ci95") is None:
        return f"{stats['mean']:.{digits}f}"
    lo, hi = stats["ci95"]
    return f"{stats['mean']:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
