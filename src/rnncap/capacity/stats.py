"""Summaries of a measure repeated over seeds: mean, spread and the 95 % Student-t interval of
the mean, scaled (e.g. bits to bits per parameter) and written as text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
