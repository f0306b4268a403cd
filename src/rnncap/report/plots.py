"""The report's figures, drawn with matplotlib's object API (no pyplot state, no display).

Each function takes `StudyResults` and returns a `Figure`, or None when the study holds nothing
to draw for it (e.g. no frontier), so the report leaves that figure out rather than drawing an
empty one. Failed fits are drawn as red crosses, apart from the fitted models.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from rnncap.report.results import ArchResult, Spread, StudyResults

#: One marker per cell kind when a study mixes cells (colour always means depth).
CELL_MARKERS = ("o", "s", "^", "D")
FAILED = {"marker": "x", "color": "tab:red", "s": 70, "zorder": 3, "linewidths": 2}


def depth_colour(layers: int, max_layers: int) -> tuple:
    """One colour per depth, from the same colormap in every figure."""
    return colormaps["viridis"](0.85 * (layers - 1) / max(max_layers - 1, 1))


def _sd(s: Spread | None) -> float:
    return s.sd if s is not None and math.isfinite(s.sd) else 0.0


def _mean(s: Spread | None) -> float:
    return s.mean if s is not None else math.nan


def mae_vs_params(res: StudyResults) -> Figure | None:
    """Test MAE and generalization gap against parameter count, one colour per depth."""
    archs = [a for a in res.archs if a.test_mae is not None]
    if not archs:
        return None
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    axes = fig.subplots(1, 2)
    max_layers = max(a.info.layers for a in archs)
    u = res.unit
    cells = list(dict.fromkeys(a.info.cell for a in archs))
    panels = (
        (axes[0], lambda a: a.test_mae, f"test MAE ({u})"),
        (axes[1], lambda a: a.gap, f"generalization gap: test − train MAE ({u})"),
    )
    for ax, value, ylabel in panels:
        groups: dict[tuple[str, int], list[ArchResult]] = {}
        for a in archs:
            if not a.failed:
                groups.setdefault((a.info.cell, a.info.layers), []).append(a)
        for (cell, layers), part in sorted(groups.items()):
            part.sort(key=lambda a: a.info.params)
            depth = f"{layers} layer{'s' if layers > 1 else ''}"
            ax.errorbar(
                [a.info.params for a in part], [_mean(value(a)) for a in part],
                yerr=[_sd(value(a)) for a in part], capsize=3, linestyle="none",
                marker=CELL_MARKERS[cells.index(cell) % len(CELL_MARKERS)],
                color=depth_colour(layers, max_layers),
                label=f"{cell} {depth}" if len(cells) > 1 else depth,
            )  # fmt: skip
        failed = [a for a in archs if a.failed]
        if failed:
            ax.scatter([a.info.params for a in failed], [_mean(value(a)) for a in failed],
                       label="failed fit", **FAILED)  # fmt: skip
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels overlap on a short range
        ax.set_xlabel("parameters (exact count, log scale)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    pers = res.task.persistence
    axes[0].axhline(pers.test, color="grey", linestyle="--", label="persistence")
    strongest = res.strongest_baseline()
    if strongest is not None and strongest.name != "persistence":
        axes[0].axhline(strongest.test_mae, color="tab:brown", linestyle=":",
                        label=f"{strongest.name} (strongest baseline)")  # fmt: skip
    # the part of any gap that comes from the splits (seasons), not from a model
    axes[1].axhline(pers.gap, color="grey", linestyle="--", label="persistence's test − train")
    axes[1].axhline(0.0, color="black", linewidth=0.8)
    axes[1].legend(fontsize=8, loc="best")
    axes[0].legend(title="depth", fontsize=8)
    fig.suptitle("Forecast error and generalization gap against size (mean over seeds ± 1 sd)")
    return fig


def frontier(res: StudyResults) -> Figure | None:
    """Along the equal-budget frontier: measured gap, test MAE and bits per parameter by depth."""
    f = [a for a in res.frontier if a.test_mae is not None]
    if not f:
        return None
    u = res.unit
    panels: list[tuple[str, Callable[[ArchResult], Spread | None]]] = [
        (f"generalization gap: test − train MAE ({u})", lambda a: a.gap),
        (f"test MAE ({u})", lambda a: a.test_mae),
    ]
    if any(a.memorization for a in f):
        mems = [m for a in f for m in a.memorization]
        converged = all(a.memorization_converged for a in f if a.memorization)
        label = f"memorization (bits per parameter, w ≈ {mems[0].budget:,})"
        if not converged:
            label += "\nlower bound: not known to have converged"
        panels.append((label, lambda a: Spread.of([a.bits_per_parameter or math.nan])))
    fig = Figure(figsize=(3.4 * len(panels) + 0.8, 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    max_layers = max(a.info.layers for a in res.archs)
    for ax, (label, value) in zip(axes, panels, strict=True):
        ok = [a for a in f if not a.failed]
        ys = [_mean(value(a)) for a in ok]
        ax.errorbar([a.info.layers for a in ok], ys, yerr=[_sd(value(a)) for a in ok],
                    color="black", capsize=3, zorder=1)  # fmt: skip
        ax.scatter([a.info.layers for a in ok], ys, s=60, zorder=2,
                   color=[depth_colour(a.info.layers, max_layers) for a in ok])  # fmt: skip
        bad = [a for a in f if a.failed]
        if bad:
            ax.scatter([a.info.layers for a in bad], [_mean(value(a)) for a in bad],
                       label="failed fit", **FAILED)  # fmt: skip
            ax.legend(fontsize=8)
        for a in f:
            y = _mean(value(a))
            if math.isfinite(y):
                ax.annotate(a.name.split(":")[1], (a.info.layers, y), fontsize=8,
                            textcoords="offset points", xytext=(4, 4))  # fmt: skip
        ax.set_xlabel("layers (same parameter budget)")
        ax.set_ylabel(label)
        ax.set_xticks(sorted({a.info.layers for a in f}))
        ax.grid(alpha=0.3)
    title = "Equal-budget frontier"
    if f[0].info.budget is not None:
        title += f" (budget {f[0].info.budget:,} parameters; at each depth the closest width)"
    fig.suptitle(title)
    return fig


def depth_ratios(res: StudyResults) -> Figure | None:
    """At a fixed width: VC h(L)/h(1) and memorization bits(L)/bits(1) against L, beside the
    "L x" line of the seed question and the parameter ratio w(L)/w(1); hollow markers: the
    measurement did not converge (a lower bound)."""
    groups = [d for d in res.depth if len(d.rows) >= 1]
    if not groups:
        return None
    fig = Figure(figsize=(5 * len(groups) + 1, 4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(groups)))
    for ax, d in zip(axes, groups, strict=True):
        ratios = d.ratios()
        layers = [q["layers"] for q in ratios]
        ax.plot(layers, [q["layer_ratio"] for q in ratios], "--", color="grey", label="L / L₁")
        ax.plot(layers, [q["parameter_ratio"] for q in ratios], ":", color="black",
                label="w(L) / w(L₁)")  # fmt: skip
        for name, colour, label in (("vc", "tab:blue", "VC h"), ("memorization", "tab:orange",
                                                                 "memorized bits")):  # fmt: skip
            mid = [q[f"{name}_ratio"] for q in ratios]
            lo = [m - q[f"{name}_ratio_range"][0] for m, q in zip(mid, ratios, strict=True)]
            hi = [q[f"{name}_ratio_range"][1] - m for m, q in zip(mid, ratios, strict=True)]
            ax.errorbar(layers, mid, yerr=[lo, hi], color=colour, capsize=3, zorder=1)
            done = [getattr(r, name).convergence.converged for r in d.rows]
            for converged, text, face in (
                (True, "converged", colour),
                (False, "budget-limited (lower bound)", "white"),
            ):
                xs = [x for x, c in zip(layers, done, strict=True) if c is converged]
                ys = [y for y, c in zip(mid, done, strict=True) if c is converged]
                if xs:  # a legend entry only for what is drawn
                    ax.scatter(
                        xs,
                        ys,
                        s=50,
                        facecolors=face,
                        edgecolors=colour,
                        zorder=2,
                        label=f"{label} ratio: {text}",
                    )
        ax.set_xticks(layers)
        ax.set_xlabel(f"layers ({d.cell}, {d.units} units per layer)")
        ax.set_ylabel("ratio to the shallowest depth")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(
        "Is VC(L) = L × VC(1)? Measured at a fixed width\n(ratios to the shallowest "
        "depth; bars: seed range)",
        fontsize=10,
    )
    return fig


def _heat_text(v: float) -> str:
    ratio = 10**v
    return f"{ratio:.2f}" if abs(v) < 2 else f"10^{v:.1f}"


def bound_ratios(res: StudyResults) -> Figure | None:
    """Each bound's ratio to the one-layer reference, per architecture (heatmaps, log colour)."""
    panels = []
    for group in ("frontier", "grid"):
        archs = [a for a in res.archs if group in a.info.ratios]
        if group == "frontier":
            archs.sort(key=lambda a: a.info.layers)
        keys: list[str] = []
        for a in archs:
            keys += [k for k in a.info.ratios[group] if k not in keys]
        if archs and keys:
            panels.append((group, archs, keys))
    if not panels:
        return None
    heights = [max(2.8, 0.42 * len(k) + 1.6) for _, _, k in panels]
    fig = Figure(figsize=(11, sum(heights)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, height_ratios=heights))
    cmap = colormaps["RdBu_r"]
    for ax, (group, archs, keys) in zip(axes, panels, strict=True):
        m = np.full((len(keys), len(archs)), np.nan)
        for j, a in enumerate(archs):
            for i, k in enumerate(keys):
                v = a.info.ratios[group].get(k, math.nan)
                m[i, j] = v if math.isfinite(v) else np.nan
        lim = max(float(np.nanmax(np.abs(m))) if np.isfinite(m).any() else 1.0, 0.1)
        im = ax.imshow(m, cmap=cmap, vmin=-lim, vmax=lim, aspect="auto")
        ax.set_xticks(range(len(archs)), [a.name for a in archs], rotation=30, ha="right",
                      fontsize=9)  # fmt: skip
        ax.set_yticks(range(len(keys)), keys, fontsize=9)
        for i in range(len(keys)):
            for j in range(len(archs)):
                if np.isfinite(m[i, j]):
                    dark = abs(m[i, j]) > 0.55 * lim
                    ax.text(j, i, _heat_text(m[i, j]), ha="center", va="center", fontsize=9,
                            color="white" if dark else "black")  # fmt: skip
        where = "equal-budget frontier" if group == "frontier" else "grid, against cell:1xH"
        ax.set_title(f"{where}: each bound over its value for the one-layer model (× ratio)",
                     fontsize=11)  # fmt: skip
        fig.colorbar(im, ax=ax, label="log10 of the ratio (0: unchanged)")
    return fig


def best_forecast(res: StudyResults, arch: str, seed: int) -> Figure | None:
    """The chosen model's test forecasts against the observations."""
    run = next((r for r in res.arch(arch).runs if r.seed == seed), None)
    sample = run.forecast if run is not None else None
    if sample is None or not sample.truth:
        return None
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    ax = fig.subplots()
    if len(sample.times) == len(sample.truth):
        x = pd.to_datetime(list(sample.times))
        ax.set_xlabel("target time (first test windows)")
    else:
        x = np.arange(len(sample.truth))
        ax.set_xlabel("test window (first windows of the test split, in order)")
    ax.plot(x, sample.truth, color="black", linewidth=1.2, label="observed")
    ax.plot(x, sample.pred, color="tab:orange", linewidth=1.2, label=f"{arch} (seed {seed})")
    ax.set_ylabel(f"{res.task.target} ({res.unit})")
    ax.legend()
    ax.grid(alpha=0.3)
    ax.set_title(f"Chosen model's forecasts on the test split ({arch})")
    return fig
