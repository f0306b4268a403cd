"""The report's figures, drawn with matplotlib's object API (no pyplot state, no display).

Each function takes `StudyResults` and returns a `Figure`, or None when the study holds nothing
to draw for it (e.g. no frontier), so the report leaves that figure out rather than drawing
an empty one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from rnncap.report.results import StudyResults

#: One marker per cell kind when a study mixes cells (colour always means depth).
CELL_MARKERS = ("o", "s", "^", "D")


def depth_colour(layers: int, max_layers: int) -> tuple:
    """One colour per depth, from the same colormap in every figure."""
    return colormaps["viridis"](0.85 * (layers - 1) / max(max_layers - 1, 1))


def _grid(res: StudyResults):
    a = res.archs
    return a[a["groups"].str.contains("grid")]


def _frontier(res: StudyResults):
    a = res.archs
    return a[a["groups"].str.contains("frontier")].sort_values("layers")


def mae_vs_params(res: StudyResults) -> Figure | None:
    """Test MAE and generalization gap against parameter count, one colour per depth."""
    a = res.archs
    if "test_mae" not in a:
        return None
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    axes = fig.subplots(1, 2)
    max_layers = int(a["layers"].max())
    unit = res.meta.get("task_info", {}).get("target_unit", "")
    for ax, col, ylabel in (
        (axes[0], "test_mae", f"test MAE {unit}".strip()),
        (axes[1], "gap", f"generalization gap: test - train MAE {unit}".strip()),
    ):
        cells = list(dict.fromkeys(a["cell"]))
        for (cell, layers), part in a.groupby(["cell", "layers"], sort=True):
            part = part.sort_values("params")
            depth = f"{layers} layer{'s' if layers > 1 else ''}"
            ax.errorbar(
                part["params"], part[col], yerr=part.get(f"{col}_std"), capsize=3,
                marker=CELL_MARKERS[cells.index(cell) % len(CELL_MARKERS)], linestyle="none",
                color=depth_colour(int(layers), max_layers),
                label=f"{cell} {depth}" if len(cells) > 1 else depth,
            )  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel("parameters (exact count)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    pers = res.meta.get("task_info", {}).get("persistence_mae", {})
    if "test" in pers:
        axes[0].axhline(pers["test"], color="grey", linestyle="--", label="persistence")
    if "test" in pers and "train" in pers:  # the part of any gap that comes from the splits
        axes[1].axhline(pers["test"] - pers["train"], color="grey", linestyle="--",
                        label="persistence's test - train")  # fmt: skip
        axes[1].legend(fontsize=8, loc="lower right")
    axes[1].axhline(0.0, color="black", linewidth=0.8)
    axes[0].legend(title="depth", fontsize=8)
    fig.suptitle("Forecast error and generalization gap vs size (mean over seeds, +- 1 sd)")
    return fig


def frontier(res: StudyResults) -> Figure | None:
    """Along the equal-budget frontier: measured gap, test MAE and bits per parameter by depth."""
    f = _frontier(res)
    if f.empty or "gap" not in f:
        return None
    panels = [("gap", "generalization gap (test - train MAE)"), ("test_mae", "test MAE")]
    if "bits_per_parameter" in f and f["bits_per_parameter"].notna().any():
        label = "memorization bits / parameter"
        if "memorization_budget" in f and f["memorization_budget"].notna().all():
            label += f" (w ~ {int(f['memorization_budget'].iloc[0])})"
        panels.append(("bits_per_parameter", label))
    fig = Figure(figsize=(4 * len(panels) + 1, 4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    max_layers = int(res.archs["layers"].max())
    for ax, (col, label) in zip(axes, panels, strict=True):
        ax.errorbar(
            f["layers"], f[col], yerr=f.get(f"{col}_std"), color="black", capsize=3, zorder=1,
        )  # fmt: skip
        ax.scatter(
            f["layers"], f[col], s=60, zorder=2,
            color=[depth_colour(int(n), max_layers) for n in f["layers"]],
        )  # fmt: skip
        for _, row in f.iterrows():
            ax.annotate(row["arch"].split(":")[1], (row["layers"], row[col]), fontsize=7,
                        textcoords="offset points", xytext=(4, 4))  # fmt: skip
        ax.set_xlabel("layers (same parameter budget)")
        ax.set_ylabel(label)
        ax.set_xticks(sorted(f["layers"].unique()))
        ax.grid(alpha=0.3)
    budget = f["budget"].dropna()
    title = "Equal-budget frontier"
    if len(budget):
        title += f" (budget {int(budget.iloc[0]):,} parameters; each depth: the closest width)"
    fig.suptitle(title)
    return fig


def bound_ratios(res: StudyResults) -> Figure | None:
    """log10 of each bound's ratio to the one-layer reference, per architecture (heatmap)."""
    panels = []
    for group in ("frontier", "grid"):
        names = [a for a, i in res.infos.items() if group in i.get("ratios", {})]
        if group == "frontier":
            names.sort(key=lambda a: res.infos[a]["layers"])
        keys: list[str] = []
        for a in names:
            keys += [k for k in res.infos[a]["ratios"][group] if k not in keys]
        if names and keys:
            panels.append((group, names, keys))
    if not panels:
        return None
    heights = [max(2.5, 0.35 * len(k) + 1.5) for _, _, k in panels]
    fig = Figure(figsize=(12, sum(heights)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, height_ratios=heights))
    for ax, (group, names, keys) in zip(axes, panels, strict=True):
        m = np.full((len(keys), len(names)), np.nan)
        for j, a in enumerate(names):
            for i, k in enumerate(keys):
                v = res.infos[a]["ratios"][group].get(k)
                m[i, j] = v if isinstance(v, (int, float)) and math.isfinite(v) else np.nan
        lim = max(float(np.nanmax(np.abs(m))) if np.isfinite(m).any() else 1.0, 0.1)
        im = ax.imshow(m, cmap="coolwarm", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_xticks(range(len(names)), [n.split(":")[1] for n in names], rotation=45, fontsize=7)
        ax.set_yticks(range(len(keys)), keys, fontsize=7)
        for i in range(len(keys)):
            for j in range(len(names)):
                if np.isfinite(m[i, j]):
                    ax.text(j, i, f"{10 ** m[i, j]:.3g}" if abs(m[i, j]) < 3 else
                            f"1e{m[i, j]:.1f}", ha="center", va="center", fontsize=6)  # fmt: skip
        ax.set_title(f"{group}: each bound's ratio to the one-layer model (colour: log10)")
        fig.colorbar(im, ax=ax, label="log10 ratio")
    return fig


def best_forecast(res: StudyResults, arch: str, seed: int) -> Figure | None:
    """The chosen model's test forecasts against the truth."""
    sample = res.forecasts.get(arch, {}).get(seed)
    if not sample or not sample.get("truth"):
        return None
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    ax = fig.subplots()
    times = sample.get("times")
    if times and len(times) == len(sample["truth"]):
        x = pd.to_datetime(times)
        ax.set_xlabel("target time (first test windows)")
        fig.autofmt_xdate()
    else:
        x = np.arange(len(sample["truth"]))
        ax.set_xlabel("test window (first windows of the test split, in order)")
    ax.plot(x, sample["truth"], color="black", linewidth=1.2, marker=".", label="observed")
    ax.plot(x, sample["pred"], color="tab:orange", linewidth=1.2, marker=".",
            label=f"{arch} (seed {seed})")  # fmt: skip
    unit = res.meta.get("task_info", {}).get("target_unit", "")
    ax.set_ylabel(f"{res.meta.get('task_info', {}).get('target', 'target')} {unit}".strip())
    ax.legend()
    ax.grid(alpha=0.3)
    ax.set_title(f"Best model by validation MAE: forecasts on the test split ({arch})")
    return fig
