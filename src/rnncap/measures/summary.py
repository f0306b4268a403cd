"""A ranking of measures in words and table cells, for the command line and the report.

`ranking_table` lays out one table per gap (measure x {tau, granulated tau per axis, Psi}), and
`verdict` says in one sentence, computed from the ranking, which measures rank each gap best and
worst and whether any catalog bound ranks it better than the plain parameter count. A tau whose
95 % interval includes 0 is "no evidence". Torch-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnncap.measures.rank import MeasureRank, MeasureRanking, Tau
from rnncap.measures.records import BOUND_PREFIX, GAP_IID, GAP_SHIFT, LOG_PARAMS

#: How a gap and a measure family are named in sentences.
GAP_NAMES = {GAP_IID: "same-season gap", GAP_SHIFT: "season-shift gap"}
NO_EVIDENCE = "n.e."


@dataclass(frozen=True)
class GapTable:
    """One gap's table: column names and rows of text cells (measures by tau, best first)."""

    gap: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def gap_name(gap: str) -> str:
    return GAP_NAMES.get(gap, gap)


def fmt_signed(value: float) -> str:
    """``+0.41``; a value that rounds to zero is ``+0.00``, never ``-0.00``."""
    return f"{round(value, 2) + 0.0:+.2f}"


def fmt_tau(t: Tau) -> str:
    """``+0.41 [+0.30, +0.52]``; ``n.e.`` appended when the interval includes 0; ``—`` when no
    pair could be compared."""
    if t.value is None:
        return "—"
    if t.low is None or t.high is None:
        return fmt_signed(t.value)
    text = f"{fmt_signed(t.value)} [{fmt_signed(t.low)}, {fmt_signed(t.high)}]"
    return text if t.evidence else f"{text} {NO_EVIDENCE}"


def _key(row: MeasureRank, gap: str) -> float:
    value = row.overall[gap].value
    return -2.0 if value is None else value


def by_tau(ranking: MeasureRanking, gap: str) -> list[MeasureRank]:
    """The measures from the best (highest tau with the gap) to the worst; undefined last."""
    return sorted(ranking.rows, key=lambda r: (-_key(r, gap), r.measure))


def ranking_table(ranking: MeasureRanking) -> list[GapTable]:
    """One table per gap: measure, models, tau, psi per axis, Psi."""
    out = []
    for gap in ranking.gaps:
        columns = ("measure", "models", "tau", *(f"psi {a}" for a in ranking.axes), "Psi")
        rows = tuple(
            (
                r.measure,
                str(r.models),
                fmt_tau(r.overall[gap]),
                *(fmt_tau(r.granulated[gap][a]) for a in ranking.axes),
                fmt_tau(r.psi[gap]),
            )
            for r in by_tau(ranking, gap)
        )
        title = f"Kendall's tau with the {gap_name(gap)} ({gap}), {ranking.models} models"
        out.append(GapTable(gap, title, columns, rows))
    return out


def _named(row: MeasureRank, gap: str) -> str:
    t = row.overall[gap]
    shown = f"{row.measure} (tau {fmt_tau(t).removesuffix(' ' + NO_EVIDENCE)}"
    return shown + (")" if t.evidence else ", no evidence)")


def _gap_clause(ranking: MeasureRanking, gap: str) -> str:
    ranked = [r for r in by_tau(ranking, gap) if r.overall[gap].value is not None]
    if not ranked:
        return f"no measure could be compared with the {gap_name(gap)}"
    best, worst = ranked[0], ranked[-1]
    clause = f"the {gap_name(gap)} is ranked best by {_named(best, gap)}"
    if worst is not best:
        clause += f" and worst by {_named(worst, gap)}"
    params = next((r for r in ranked if r.measure == LOG_PARAMS), None)
    bounds = [r for r in ranked if r.measure.startswith(BOUND_PREFIX)]
    if params is None or not bounds:
        return clause + "; no bound and parameter count to compare"
    base = params.overall[gap].value
    better = [r for r in bounds if (r.overall[gap].value or -2.0) > base]
    if better:
        return clause + (
            f"; {len(better)} of {len(bounds)} bounds rank it better than the parameter count "
            f"(tau {fmt_signed(base)}), best {_named(better[0], gap)}"
        )
    return clause + f"; no bound ranks it better than the parameter count (tau {fmt_signed(base)})"


def verdict(ranking: MeasureRanking) -> str:
    """One sentence over every gap, from the ranking alone (module docstring)."""
    clauses = "; ".join(_gap_clause(ranking, gap) for gap in ranking.gaps)
    return (
        f"Over {ranking.models} models, {clauses} (95 % bootstrap intervals over models, "
        f"{ranking.resamples} resamples; a tau whose interval includes 0 is no evidence)."
    )
