"""Figures of the atlas table: each row's curve against the budget (memorization bits per
parameter and VC h per parameter, one panel per cell and measure), and bits against w per cell
(converged rows filled, the others hollow: lower bounds, not on the slope)."""

from __future__ import annotations

from pathlib import Path

CURVES, SIZES = "capacity_atlas_curves.png", "capacity_atlas_bits_vs_w.png"


def _axes(rows: int, cols: int, size: tuple[float, float]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False)
    return plt, fig, axes


def plot_curves(table: dict, path: Path) -> Path:
    """Per cell (rows) and measure (columns): value per parameter against the budget, one line
    per design and depth, labelled with its verdict."""
    cells = list(dict.fromkeys(r["cell"] for r in table["rows"])) or ["(none)"]
    plt, fig, axes = _axes(len(cells), 2, (13, 3.6 * len(cells)))
    for i, cell in enumerate(cells):
        for j, (key, epochs, mean, title) in enumerate((
            ("memorization", "memorization_epochs", "bits_mean", "memorized bits / w"),
            ("vc", "vc_epochs", "vc_mean", "VC h / w"),
        )):  # fmt: skip
            ax = axes[i][j]
            for r in (r for r in table["rows"] if r["cell"] == cell):
                x = [c[epochs] for c in r["curve"]]
                y = [c[mean] / r["parameters"] for c in r["curve"]]
                done = r[key]["converged"]
                ax.plot(x, y, marker="o", fillstyle="full" if done else "none",
                        linestyle="-" if done else "--",
                        label=f"{r['design_label']}, L={r['layers']} (w={r['parameters']}): "
                              f"{r[key]['verdict'].split(' (')[0]}")  # fmt: skip
            ax.set_xscale("log", base=2)
            ax.set_xlabel("budget (full-batch epochs)")
            ax.set_title(f"{cell}: {title}")
            ax.legend(fontsize=6)
    fig.suptitle("Capacity atlas: curves against the budget (filled: converged; hollow, dashed: "
                 "not converged, a lower bound)", fontsize=9)  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_sizes(table: dict, path: Path) -> Path:
    """Memorized bits against w per cell, with the slope where 3 or more sizes converged."""
    cells = list(dict.fromkeys(r["cell"] for r in table["rows"])) or ["(none)"]
    plt, fig, axes = _axes(1, len(cells), (4.5 * len(cells), 3.8))
    for ax, cell in zip(axes[0], cells, strict=True):
        rows = [r for r in table["rows"] if r["cell"] == cell]
        for r in rows:
            done, bits = r["memorization"]["converged"], r["memorization"]["bits"]
            low = (bits["ci95"] or [bits["mean"]])[0]
            ax.errorbar([r["parameters"]], [bits["mean"]], yerr=[[bits["mean"] - low]], fmt="o",
                        mfc=None if done else "none", color="C0" if done else "C3")  # fmt: skip
        s = table["slopes"].get(cell, {})
        if s.get("slope") is not None:
            xs = [min(s["sizes"]), max(s["sizes"])]
            ax.plot(xs, [s["intercept"] + s["slope"] * x for x in xs], color="C0",
                    label=f"slope {s['slope']:.2f} bits/param [95% {s['slope_ci95'][0]:.2f}-"
                          f"{s['slope_ci95'][1]:.2f}]")  # fmt: skip
            ax.legend(fontsize=7)
        ax.set_xlabel("parameters w")
        ax.set_ylabel("memorized bits")
        ax.set_title(f"{cell} (blue: converged; red hollow: lower bound)", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_atlas(table: dict, folder: str | Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [plot_curves(table, folder / CURVES), plot_sizes(table, folder / SIZES)]
