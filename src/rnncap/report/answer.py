"""The report's short answer in plain language, computed from the results (nothing canned).

Every sentence is built from `StudyResults` and claims no more than the data hold:

* a difference between architectures is *clear* only beyond two standard errors of the
  difference of the seed means; otherwise it is a tie, and the tied architectures are named;
* a trend with size is stated only over at least `MIN_TREND_ARCHS` architectures, with a 95%
  interval of the rank correlation, and called a trend only when the interval excludes zero
  (`rnncap.report.trends`);
* failed fits (worse than persistence on their own training data) are counted and named, and
  their architectures are left out of every comparison and trend;
* memorization is quoted only where its measurement converged.
"""

from __future__ import annotations

import math
from collections import Counter

from rnncap.engine.bookkeeping import Status
from rnncap.report.results import ArchResult, Spread, StudyResults, compare
from rnncap.report.trends import MIN_TREND_ARCHS, trend_text

#: How many tied architectures a sentence names before "and N more".
NAMED = 4

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


def _mae(s: Spread, unit: str) -> str:
    sd = f" ± {s.sd:.3f}" if math.isfinite(s.sd) else ""
    return f"{s.mean:.3f}{sd} {unit}"


def _names(archs: list[ArchResult]) -> str:
    names = [f"**{a.name}**" for a in archs[:NAMED]]
    if len(archs) > NAMED:
        names.append(f"{len(archs) - NAMED} more")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def fitted(archs: tuple[ArchResult, ...] | list[ArchResult]) -> list[ArchResult]:
    """Architectures with test errors and no failed fit: the ones trends are computed over."""
    return [a for a in archs if a.test_mae is not None and a.val_mae is not None and not a.failed]


def best_choice(res: StudyResults) -> tuple[ArchResult, list[ArchResult], bool] | None:
    """The fitted architecture with the lowest mean validation MAE, the others tied with it
    within the seed spread, and whether a spread was known at all (False: single seeds)."""
    cands = fitted(res.archs)
    if not cands:
        return None
    best = min(cands, key=lambda a: a.val_mae.mean)  # type: ignore[union-attr]
    tied, known = [], True
    for a in cands:
        if a is best:
            continue
        _, clear = compare(best.val_mae, a.val_mae)  # type: ignore[arg-type]
        if clear is None:
            known = False
        elif not clear:
            tied.append(a)
    tied.sort(key=lambda a: a.val_mae.mean)  # type: ignore[union-attr]
    return best, tied, known


def best_run(res: StudyResults) -> tuple[str, int] | None:
    """The chosen architecture and its seed with the lowest validation MAE (for the figure)."""
    choice = best_choice(res)
    if choice is None or choice[0].best_seed() is None:
        return None
    return choice[0].name, int(choice[0].best_seed())  # type: ignore[arg-type]


def answer(res: StudyResults) -> list[str]:
    """Paragraphs (Markdown) answering: how do layers and units change this forecaster?"""
    out: list[str] = []
    if any(a.test_mae is not None for a in res.archs):
        out += _best(res) + _size(res) + _depth(res) + _frontier(res)
    out += _fixed_width_depth(res) + _bounds(res) + failed_note(res) + budget_note(res)
    return out


#: Said once when a study measured no depth: what is missing and why (issue 23, item 6); the
#: paragraph goes on with the capacity atlas's answer (`rnncap.capacity.atlas.quote`).
NO_DEPTH_MEASURE = (
    "Is VC(L layers) = L × VC(1 layer)? This study did not measure it live: a live measurement "
    "converges only at 3 or more doubling budgets over 3 or more seeds, far beyond a study's "
    "minutes (docs/capacity.md). Theory does not settle it either: no known result separates "
    "depth from the number of parameters for recurrent networks (the bound ratios below)."
)


def _fixed_width_depth(res: StudyResults) -> list[str]:
    """The measured answer to "is VC(L layers) = L x VC(1 layer)?": computed sentences that state
    a trend only from converged measurements (`DepthMeasurement.sentence`), or, where the study
    measured no depth, one paragraph saying so and why, with the capacity atlas's answer (its
    converged rows only, its source named, what it lacks said once)."""
    from rnncap.capacity.atlas.quote import vc_depth_answer

    measured = [d for d in res.depth if len(d.rows) >= 2]
    if not measured:
        # the question is asked once, by NO_DEPTH_MEASURE
        atlas = vc_depth_answer(ask=False, brief=True)
        return [f"{NO_DEPTH_MEASURE} {' '.join(atlas)}"]
    return [
        f"Is VC(L layers) = L × VC(1 layer)? {d.sentence('vc')} {d.sentence('memorization')}"
        for d in measured
    ]


def _best(res: StudyResults) -> list[str]:
    u = res.unit
    choice = best_choice(res)
    if choice is None:
        return [
            "Every architecture has a failed fit (a model worse than persistence on its own "
            "training data), so the report names no best model."
        ]
    best, tied, known = choice
    assert best.test_mae is not None and best.val_mae is not None
    detail = (
        f"{best.info.params:,} parameters; validation MAE {_mae(best.val_mae, u)}, "
        f"test MAE {_mae(best.test_mae, u)}, mean ± sd of {best.test_mae.n} seeds"
    )
    if tied:
        text = (
            f"The lowest validation error is tied within the seed spread between "
            f"{_names([best, *tied])}: the data do not single out one model. The lowest mean is "
            f"{best.name}'s ({detail})."
        )
    elif not known:
        text = (
            f"The lowest validation error is **{best.name}**'s ({detail}); with a single seed per "
            "architecture the seed spread is unknown, so this is not shown to be a real difference."
        )
    else:
        text = (
            f"The best model by validation error is **{best.name}** ({detail}); every other "
            "architecture is higher by more than the seed spread."
        )
    pers = res.task.persistence.test
    skill = 1 - best.test_mae.mean / pers
    text += (
        f" Persistence scores {pers:.3f} {u} on the same test windows, so {best.name}'s skill over "
        f"persistence is {100 * skill:.1f}%"
        + (" (it does not beat persistence)." if skill <= 0 else ".")
    )
    strongest = res.strongest_baseline()
    if strongest is not None and strongest.name != "persistence":
        skill_b = 1 - best.test_mae.mean / strongest.test_mae
        text += (
            f" The strongest baseline by validation error, {strongest.name}, scores "
            f"{strongest.test_mae:.3f} {u} (skill over it {100 * skill_b:.1f}%)."
        )
    return [text]


def _size(res: StudyResults) -> list[str]:
    grid = res.grid
    if not grid:
        return []
    g = fitted(grid)
    left_out = len(grid) - len(g)
    dropped = f"; {left_out} with failed fits left out" if left_out else ""
    if len(g) < MIN_TREND_ARCHS:
        return [
            f"The grid has {len(g)} architectures with fitted models"
            + (f" ({dropped[2:]})" if dropped else "")
            + f", fewer than the "
            f"{MIN_TREND_ARCHS} the report needs to state a trend with size: no trend is claimed."
        ]
    params = [float(a.info.params) for a in g]
    mae = [a.test_mae.mean for a in g]  # type: ignore[union-attr]
    gap = [a.gap.mean for a in g]  # type: ignore[union-attr]
    pers = res.task.persistence
    return [
        f"Across the {len(g)} grid architectures with fitted models "
        f"({min(params):,.0f} to {max(params):,.0f} parameters{dropped}), "
        f"{trend_text(params, mae, 'test MAE')},"
        f" and {trend_text(params, gap, 'the generalization gap')}. Persistence itself scores "
        f"{pers.gap:+.3f} {res.unit} on the same test minus train difference: that part of every "
        "gap comes from the splits (different seasons), not from the models."
    ]


def _depth(res: StudyResults) -> list[str]:
    better = worse = same = unknown = 0
    g = fitted(res.grid)
    by_width: dict[tuple[str, tuple[int, ...]], dict[int, ArchResult]] = {}
    for a in g:
        if len(set(a.info.units)) == 1:
            by_width.setdefault((a.info.cell, a.info.units[:1]), {})[a.info.layers] = a
    for part in by_width.values():
        if 1 not in part:
            continue
        base = part[1]
        for layers, a in sorted(part.items()):
            if layers == 1:
                continue
            diff, clear = compare(base.test_mae, a.test_mae)  # type: ignore[arg-type]
            if clear is None:
                unknown += 1
            elif not clear:
                same += 1
            elif diff < 0:
                better += 1
            else:
                worse += 1
    total = better + worse + same + unknown
    if not total:
        return []
    text = (
        f"At a fixed width, adding layers to a one-layer model gave a clearly lower test MAE in "
        f"{better} of {total} cases, a clearly higher one in {worse}, and no difference beyond "
        f"the seed-to-seed spread in {same}"
    )
    if unknown:
        text += f" ({unknown} with a single seed cannot be compared)"
    return [text + "; deeper models there also have more parameters."]


def _frontier(res: StudyResults) -> list[str]:
    f = res.frontier
    ok = fitted(f)
    if len(f) < 2:
        return []
    u = res.unit
    failed = [a.name for a in f if a.failed]
    if len(ok) < 2:
        return [
            f"On the equal-budget frontier, {', '.join(failed)} failed to fit, so depths are not "
            "compared there."
        ]
    first, last = ok[0], ok[-1]
    diff, clear = compare(first.test_mae, last.test_mae)  # type: ignore[arg-type]
    _, gclear = compare(first.gap, last.gap)  # type: ignore[arg-type]
    best = min(ok, key=lambda a: a.test_mae.mean)  # type: ignore[union-attr]
    if clear is None:
        verdict = "a single seed: no spread to judge the difference against"
    elif clear:
        verdict = ("lower" if diff < 0 else "higher") + " by more than the seed spread"
    else:
        verdict = "a tie within the seed spread"
    text = (
        f"At an equal budget (about {first.info.params:,} parameters), going from {first.name} "
        f"to {last.name} changes test MAE from {first.test_mae.mean:.3f} to "  # type: ignore[union-attr]
        f"{last.test_mae.mean:.3f} {u} ({verdict}); the lowest mean there is at depth "  # type: ignore[union-attr]
        f"{best.info.layers} ({best.name}). The generalization gap goes from "
        f"{first.gap.mean:.3f} to {last.gap.mean:.3f} {u}"  # type: ignore[union-attr]
        + (" (beyond the seed spread)." if gclear else " (within the seed spread or unjudged).")
    )
    if failed:
        text += f" Left out as failed fits: {', '.join(failed)}."
    return [text + _memorization(f)]


def _memorization(f: tuple[ArchResult, ...]) -> str:
    measured = [a for a in f if a.memorization]
    if not measured:
        return ""
    if all(a.memorization_converged for a in measured) and len(measured) >= 2:
        first, last = measured[0], measured[-1]
        m = first.memorization[0]
        return (
            f" Measured memorization goes from {first.bits_per_parameter:.2f} to "
            f"{last.bits_per_parameter:.2f} bits per parameter ({first.name} to {last.name}, "
            f"networks of the same cells and depths at a {m.budget:,}-parameter budget, "
            f"converged within {m.epochs} epochs), where Collins et al. report 3 to 6 at every "
            "depth after extensive tuning."
        )
    unconverged = [m for a in measured for m in a.memorization if m.verdict.value != "converged"]
    counts = Counter(m.verdict.value for m in unconverged)
    why = ", ".join(f"{n} {VERDICT_MEANING[v]}" for v, n in sorted(counts.items()))
    return (
        f" Memorization was measured along the frontier, but {len(unconverged)} of "
        f"{sum(len(a.memorization) for a in measured)} measurements did not converge by the rule "
        f"(the last of 3 doubling budgets rising < 5 % with its 95 % interval over >= 3 seeds): "
        f"{why}. So the report compares no bits per parameter across depths (the table lists "
        "them as lower bounds)."
    )


#: What each verdict that is not "converged" means, for the report's sentence.
VERDICT_MEANING = {
    "budget-limited": "budget-limited (still rising, or the interval allows a rise of 5 % or more)",
    "unstable": "unstable (the last doubling fell)",
    "unverified": "unverified (fewer than 3 seeds or budgets)",
    "unchecked": "unchecked (recorded before convergence was checked)",
}


def failed_note(res: StudyResults) -> list[str]:
    """How many models are failed fits, which, and what the report does with them."""
    n = res.failed_runs
    pers = res.task.persistence.train
    u = res.unit
    if n == 0:
        return [
            f"Every one of the {res.runs} models beat persistence on its own training data "
            f"(persistence: train MAE {pers:.3f} {u}): no failed fit."
        ]
    parts = []
    for a in res.archs:
        if a.failed:
            worst = max(r.errors.train for r in a.runs if r.seed in a.failed_seeds)  # type: ignore[union-attr]
            seeds = ", ".join(map(str, a.failed_seeds))
            parts.append(f"{a.name} (seed{'s' if len(a.failed_seeds) > 1 else ''} {seeds}; "
                         f"train MAE up to {worst:.3f} {u})")  # fmt: skip
    retried = sum(r.attempts > 1 for a in res.archs for r in a.runs)
    text = (
        f"{n} of {res.runs} models {'is a failed fit' if n == 1 else 'are failed fits'}, worse "
        f"than persistence ({pers:.3f} {u}) on "
        f"their own training data: {'; '.join(parts[:NAMED])}"
        + (f"; and {len(parts) - NAMED} more architectures" if len(parts) > NAMED else "")
        + ". They are flagged in the table and figures and left out of every comparison above."
    )
    if retried:
        text += f" {retried} models were retried with a new initialisation."
    return [text]


def budget_note(res: StudyResults) -> list[str]:
    """How many fitted models were still improving when the training budget ran out."""
    runs = [r for a in res.archs for r in a.runs if not r.failed_fit(res.task.persistence.train)]
    if not runs:
        return []
    still = [r for r in runs if r.still_improving]
    if not still:
        stopped = sum(r.status is Status.EARLY_STOPPED for r in runs)
        return [
            f"None of the {len(runs)} fitted models was still improving at its last epoch "
            f"({stopped} stopped early on their validation loss), so the training budget did "
            "not cut them short."
        ]
    return [
        f"{len(still)} of {len(runs)} fitted models were still improving at their last epoch: "
        "with a larger training budget their errors would likely fall, so treat differences "
        "involving them as limited by the budget."
    ]


def _bounds(res: StudyResults) -> list[str]:
    f = [a for a in res.frontier if "frontier" in a.info.ratios]
    if len(f) < 2:
        return []
    deepest = f[-1]
    ratios = deepest.info.ratios["frontier"]
    finite = {k: v for k, v in ratios.items() if math.isfinite(v)}
    if not finite:
        return []
    tol = math.log10(1.05)
    flat = sorted(k for k, v in finite.items() if abs(v) < tol)
    grow = sorted((k for k, v in finite.items() if v >= tol), key=lambda k: -finite[k])
    shrink = sorted(k for k, v in finite.items() if v <= -tol)
    text = (
        f"Theory at equal budget ({deepest.name} against the one-layer model): {len(flat)} of "
        f"{len(finite)} bounds that apply to both stay within 5% of the one-layer value"
    )
    if grow:
        top = grow[0]
        derived = {b.key for b in deepest.info.bounds if b.derived}
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
