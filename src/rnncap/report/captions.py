"""One computed sentence per figure: what the figure shows, from the same records it draws."""

from __future__ import annotations

import math

from rnncap.report.answer import fitted
from rnncap.report.results import ArchResult, StudyResults, compare

#: Figure titles, as the report's headings.
TITLES = {
    "mae_vs_params": "Test error and generalization gap against size",
    "frontier": "The equal-budget frontier",
    "bound_ratios": "Bounds relative to the one-layer model",
    "best_forecast": "The chosen model's forecasts",
    "depth_ratios": "Capacity against depth at a fixed width",
}


def caption(res: StudyResults, name: str, best: tuple[str, int] | None = None) -> str:
    """The takeaway of figure `name`, in one line."""
    if name == "mae_vs_params":
        return _mae_vs_params(res)
    if name == "frontier":
        return _frontier(res)
    if name == "bound_ratios":
        return _bound_ratios(res)
    if name == "depth_ratios":
        return " ".join(d.sentence(m) for d in res.depth for m in ("vc", "memorization"))
    return _best_forecast(res, best)


def _failed(archs: tuple[ArchResult, ...]) -> str:
    """How the figure draws the failed fits among the architectures it shows."""
    n = sum(a.failed for a in archs)
    return (
        f"; {n} architecture{'s' if n != 1 else ''} with failed fits drawn as red crosses"
        if n
        else ""
    )


def _mae_vs_params(res: StudyResults) -> str:
    ok = fitted(res.archs)
    u = res.unit
    if not ok:
        return f"No architecture fitted; persistence scores {res.task.persistence.test:.3f} {u}."
    lo = min(ok, key=lambda a: a.test_mae.mean)  # type: ignore[union-attr]
    hi = max(ok, key=lambda a: a.test_mae.mean)  # type: ignore[union-attr]
    beat = sum(a.test_mae.mean < res.task.persistence.test for a in ok)  # type: ignore[union-attr]
    strongest = res.strongest_baseline()
    versus = ""
    if strongest is not None and strongest.name != "persistence":
        n = sum(a.test_mae.mean < strongest.test_mae for a in ok)  # type: ignore[union-attr]
        versus = f", {n} beat {strongest.name} ({strongest.test_mae:.3f} {u}, dotted)"
    return (
        f"Mean test MAE runs from {lo.test_mae.mean:.3f} {u} ({lo.name}) to "  # type: ignore[union-attr]
        f"{hi.test_mae.mean:.3f} {u} ({hi.name}); {beat} of {len(ok)} fitted architectures beat "  # type: ignore[union-attr]
        f"persistence ({res.task.persistence.test:.3f} {u}, dashed){versus}{_failed(res.archs)}."
    )


def _frontier(res: StudyResults) -> str:
    ok = fitted(res.frontier)
    if len(ok) < 2:
        return "Too few fitted frontier models to compare depths" + _failed(res.frontier) + "."
    first, last = ok[0], ok[-1]
    diff, clear = compare(first.test_mae, last.test_mae)  # type: ignore[arg-type]
    verdict = (
        "no spread to judge it (one seed)"
        if clear is None
        else ("beyond the seed spread" if clear else "within the seed spread: a tie")
    )
    return (
        f"From {first.info.layers} to {last.info.layers} layers at the same budget, test MAE "
        f"changes by {diff:+.3f} {res.unit} ({verdict}){_failed(res.frontier)}."
    )


def _bound_ratios(res: StudyResults) -> str:
    f = [a for a in res.frontier if "frontier" in a.info.ratios]
    if len(f) < 2:
        f = [a for a in res.grid if "grid" in a.info.ratios and a.info.layers > 1]
        group = "grid"
    else:
        group = "frontier"
    if not f:
        return "No bound ratio could be formed."
    deepest = max(f, key=lambda a: a.info.layers)
    ratios = {k: v for k, v in deepest.info.ratios[group].items() if math.isfinite(v)}
    if not ratios:
        return "No bound ratio could be formed."
    flat = sum(abs(v) < math.log10(1.05) for v in ratios.values())
    top = max(ratios, key=lambda k: ratios[k])
    return (
        f"For {deepest.name}, {flat} of {len(ratios)} bounds stay within 5% of the one-layer "
        f"value; the largest ratio is {top} (× {10 ** ratios[top]:.3g}); red: larger, "
        "blue: smaller."
    )


def _best_forecast(res: StudyResults, best: tuple[str, int] | None) -> str:
    if best is None:
        return ""
    arch, seed = best
    run = next(r for r in res.arch(arch).runs if r.seed == seed)
    sample = run.forecast
    if sample is None or not sample.truth:
        return ""
    mae = sum(abs(p - t) for p, t in zip(sample.pred, sample.truth, strict=True)) / len(
        sample.truth
    )
    whole = f" (on the whole test split: {run.errors.test:.3f} {res.unit})" if run.errors else ""
    return (
        f"{arch}, seed {seed}: mean absolute error {mae:.3f} {res.unit} over these "
        f"{len(sample.truth)} forecasts{whole}."
    )
