"""The report's short answer in plain language, computed from the results (nothing canned).

Every sentence is built from numbers in `StudyResults`; a difference between architectures is
called clear only when it exceeds the seed-to-seed spread (two standard errors of the difference).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rnncap.report.results import StudyResults

#: The theory's global caveats (theory.md section 0.3), shown with every answer.
CAVEATS = (
    "VC and pseudo-dimension bounds are worst cases over data and weights: they bound the "
    "architecture class, not the trained model, and are usually vacuous at these sample sizes.",
    "No VC or pseudo-dimension bound stated for LSTM or GRU cells, or for stacked recurrent "
    "networks, is known; bounds applied to them through the unrolled network are derived by "
    "rnncap, not statements from the literature.",
    "No known result separates the effect of depth from the number of parameters w for "
    "recurrent networks: at a fixed w, theory allows but does not establish a change in capacity.",
)


def _se(row: pd.Series, col: str) -> float:
    sd = row.get(f"{col}_std")
    n = row.get("seeds", 1)
    return float(sd) / math.sqrt(n) if sd is not None and np.isfinite(sd) and n > 1 else 0.0


def _compare(a: pd.Series, b: pd.Series, col: str) -> tuple[float, bool]:
    """Difference b - a of the seed means and whether it exceeds two standard errors."""
    diff = float(b[col] - a[col])
    se = math.hypot(_se(a, col), _se(b, col))
    return diff, se > 0 and abs(diff) > 2 * se


def _rank_corr(x: pd.Series, y: pd.Series) -> float:
    rx, ry = x.rank().to_numpy(), y.rank().to_numpy()
    if len(rx) < 3 or rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def best_run(res: StudyResults) -> tuple[str, int] | None:
    """The architecture with the lowest mean validation MAE, and its seed with the lowest one."""
    a = res.archs
    if "val_mae" not in a or a["val_mae"].isna().all():
        return None
    arch = str(a.loc[a["val_mae"].idxmin(), "arch"])
    runs = res.runs[res.runs["arch"] == arch]
    return arch, int(runs.loc[runs["val_mae"].idxmin(), "seed"])


def answer(res: StudyResults) -> list[str]:
    """Paragraphs (Markdown) answering: how do layers and units change this forecaster?"""
    out: list[str] = []
    a = res.archs
    unit = res.meta.get("task_info", {}).get("target_unit", "")
    if "test_mae" in a and a["test_mae"].notna().any():
        out += _best(res, unit) + _size(res) + _depth(res, unit) + _frontier(res, unit)
    out += _bounds(res) + budget_note(res)
    return out


def _best(res: StudyResults, unit: str) -> list[str]:
    best = best_run(res)
    if best is None:
        return []
    row = res.archs.set_index("arch").loc[best[0]]
    text = (
        f"The best model by validation error is **{best[0]}** ({int(row['params']):,} parameters): "
        f"test MAE {row['test_mae']:.3f} {unit} (mean of {int(row['seeds'])} seeds)."
    )
    pers = res.meta.get("task_info", {}).get("persistence_mae", {}).get("test")
    if pers:
        skill = 1 - row["test_mae"] / pers
        text += (
            f" Persistence scores {pers:.3f} {unit}, so its skill over persistence is "
            f"{100 * skill:.1f}%" + (" (it does not beat persistence)." if skill <= 0 else ".")
        )
    return [text]


def _size(res: StudyResults) -> list[str]:
    g = res.archs[res.archs["groups"].str.contains("grid")]
    if len(g) < 3:
        return []
    r_mae = _rank_corr(g["params"], g["test_mae"])
    r_gap = _rank_corr(g["params"], g["gap"])
    if not np.isfinite(r_mae):
        return []
    pers = res.meta.get("task_info", {}).get("persistence_mae", {})
    season = ""
    if "train" in pers and "test" in pers:
        season = (
            f" Persistence itself scores {pers['test'] - pers['train']:+.3f} on the same test - "
            "train difference: that part of every gap comes from the splits (different seasons), "
            "not from the models."
        )

    def trend(r: float, what: str) -> str:
        if abs(r) < 0.3:
            return f"{what} shows no consistent trend with size (rank correlation {r:+.2f})"
        return f"{what} {'rises' if r > 0 else 'falls'} with size (rank correlation {r:+.2f})"

    return [
        f"Across the {len(g)} grid architectures ({int(g['params'].min()):,} to "
        f"{int(g['params'].max()):,} parameters), {trend(r_mae, 'test MAE')}, and "
        f"{trend(r_gap, 'the generalization gap')}." + season
    ]


def _depth(res: StudyResults, unit: str) -> list[str]:
    g = res.archs[res.archs["groups"].str.contains("grid")]
    better = worse = same = 0
    for _, part in g.groupby(["cell", "units"]):
        part = part.set_index("layers").sort_index()
        if len(part) < 2 or part.index[0] != 1:
            continue
        base = part.iloc[0]
        for _, row in part.iloc[1:].iterrows():
            diff, clear = _compare(base, row, "test_mae")
            if not clear:
                same += 1
            elif diff < 0:
                better += 1
            else:
                worse += 1
    total = better + worse + same
    if not total:
        return []
    return [
        f"At a fixed width, adding layers to a one-layer model gave a clearly lower test MAE in "
        f"{better} of {total} cases, a clearly higher one in {worse}, and no difference beyond "
        f"the seed-to-seed spread in {same} (deeper models there also have more parameters)."
    ]


def _frontier(res: StudyResults, unit: str) -> list[str]:
    f = res.archs[res.archs["groups"].str.contains("frontier")].sort_values("layers")
    if len(f) < 2:
        return []
    first, last = f.iloc[0], f.iloc[-1]
    diff, clear = _compare(first, last, "test_mae")
    gdiff, gclear = _compare(first, last, "gap")
    best = f.loc[f["test_mae"].idxmin()]
    verdict = (
        ("lower" if diff < 0 else "higher") + " by a margin beyond the seed spread"
        if clear
        else "within the seed-to-seed spread"
    )
    text = (
        f"At an equal budget (~{int(first['params']):,} parameters), going from "
        f"{first['arch']} to {last['arch']} changes test MAE from {first['test_mae']:.3f} to "
        f"{last['test_mae']:.3f} {unit} ({verdict}); the best depth there is "
        f"{int(best['layers'])} ({best['arch']}). The generalization gap goes from "
        f"{first['gap']:.3f} to {last['gap']:.3f} {unit}"
        + (" (a clear change)." if gclear else " (within the spread).")
    )
    if "bits_per_parameter" in f and f["bits_per_parameter"].notna().all():
        budget = ""
        mem_w, mem_epochs = first.get("memorization_budget"), first.get("memorization_epochs")
        if pd.notna(mem_w) and pd.notna(mem_epochs):
            budget = (
                f" at a {int(mem_w):,}-parameter budget: a lower bound after {int(mem_epochs)} "
                "epochs of full-batch Adam,"
            )
        text += (
            f" Measured memorization goes from {first['bits_per_parameter']:.2f} to "
            f"{last['bits_per_parameter']:.2f} bits per parameter{budget or ' (a lower bound),'} "
            "where Collins et al. report 3 to 6 at every depth after extensive tuning."
        )
    return [text]


def budget_note(res: StudyResults) -> list[str]:
    """How many models were still improving when the training budget ran out."""
    r = res.runs
    if "best_epoch" not in r or "epochs" not in r:
        return []
    still = r[(r["best_epoch"] == r["epochs"]) & (r.get("status") == "max_epochs")]
    if still.empty:
        stopped = int((r.get("status") == "early_stopped").sum())
        return [
            f"No model was still improving at its last epoch ({stopped} of {len(r)} stopped "
            "early on their validation loss), so the training budget did not cut them short."
        ]
    deep = still["layers"].mean() if "layers" in still else float("nan")
    return [
        f"{len(still)} of {len(r)} models were still improving at their last epoch "
        f"(mean depth {deep:.1f}, against {r['layers'].mean():.1f} over all models): with a "
        "larger training budget their errors would likely fall, so treat differences involving "
        "them as limited by the budget."
    ]


def _bounds(res: StudyResults) -> list[str]:
    names = [a for a, i in res.infos.items() if "frontier" in i.get("ratios", {})]
    if len(names) < 2:
        return []
    deepest = max(names, key=lambda a: res.infos[a]["layers"])
    ratios = res.infos[deepest]["ratios"]["frontier"]
    finite = {k: v for k, v in ratios.items() if isinstance(v, (int, float)) and math.isfinite(v)}
    if not finite:
        return []
    flat = sorted(k for k, v in finite.items() if abs(v) < math.log10(1.05))
    grow = sorted((k for k, v in finite.items() if v >= math.log10(1.05)), key=lambda k: -finite[k])
    shrink = sorted(k for k, v in finite.items() if v <= -math.log10(1.05))
    text = (
        f"Theory at equal budget ({deepest} against the one-layer model): {len(flat)} of "
        f"{len(finite)} bounds that apply to both stay within 5% of the one-layer value"
    )
    if grow:
        top = grow[0]
        derived = {b["key"] for b in res.infos[deepest].get("bounds", []) if b.get("derived")}
        n_derived = sum(k in derived for k in grow)
        text += (
            f"; {len(grow)} grow{'s' if len(grow) == 1 else ''}, the most {top} "
            f"(x{10 ** finite[top]:.3g}); {n_derived} of the growing ones "
            f"{'is' if n_derived == 1 else 'are'} derived by rnncap (a feed-forward bound applied "
            "to the unrolled network), not stated for recurrent networks"
        )
    if shrink:
        verb = "shrinks" if len(shrink) == 1 else "shrink"
        text += f"; {len(shrink)} {verb} ({', '.join(shrink[:3])})"
    return [text + ". Growing upper bounds allow, but do not show, more capacity."]
