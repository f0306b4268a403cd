"""The report's measures section: which complexity measure ranks the generalization gaps.

Read from the store alone (`ResultsStore.model_points`), ranked by `rnncap.measures.rank`
(Jiang et al. 2020's Kendall's tau, granulated tau per axis and Psi, with bootstrap intervals),
and shown as one table per gap, a heatmap of tau (measures x axes) and the one-sentence verdict.
The section is left out when the store holds fewer than `MIN_MODELS` models with measures.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from rnncap.errors import InvalidInput, require
from rnncap.measures.rank import MIN_MODELS, MeasureRanking, Tau, rank_measures
from rnncap.measures.records import ModelPoint
from rnncap.measures.summary import by_tau, fmt_signed, gap_name, ranking_table, verdict
from rnncap.study.store import ResultsStore

FIGURE = "measures_tau"
TITLE = "Which complexity measure ranks the generalization gap?"
CAPTION = (
    "Kendall's tau between each measure and each gap, over all models (column 'all') and "
    "granulated per axis: only that axis varies, the others are held, averaged over the groups; "
    "Psi is the mean over the axes. A good measure rises with the gap (tau > 0, red). "
    "Blank: not computable. Measures ordered by tau with the first gap."
)


def model_points(store: str | Path) -> list[ModelPoint]:
    """Every model the store recorded, as the ranking sees it."""
    with ResultsStore.open(store) as s:
        return list(s.model_points())


def store_ranking(store: str | Path, *, resamples: int = 1000, seed: int = 0) -> MeasureRanking:
    """The ranking of the measures recorded in `store`; one line (`InvalidInput`) when it holds
    no measured models or too few."""
    measured = [p for p in model_points(store) if p.measures]
    require(
        bool(measured),
        f"the store {str(store)!r} holds no model measures; run a study that measures its models "
        "(rnncap study run examples/measures.toml)",
    )
    return rank_measures(measured, resamples=resamples, seed=seed)


def optional_ranking(store: str | Path, *, resamples: int = 1000) -> MeasureRanking | None:
    """The ranking for the report, or None when the store has too few measured models, or
    was recorded before models kept their axes (`model_points` refuses it in one line: that
    store's report has no measures section, and `rnncap study measures` says why)."""
    try:
        points = model_points(store)
    except InvalidInput:
        return None
    measured = [p for p in points if p.measures]
    if len(measured) < MIN_MODELS:
        return None
    return rank_measures(measured, resamples=resamples)


def _value(t: Tau) -> float:
    return np.nan if t.value is None else t.value


def heatmap(ranking: MeasureRanking) -> Figure:
    """tau per measure (rows) and axis (columns: all models, each axis, Psi), one panel per gap."""
    gaps = ranking.gaps
    order = by_tau(ranking, gaps[0])
    columns = ["all", *ranking.axes, "Psi"]
    height = 1.2 + 0.28 * len(order)
    fig = Figure(figsize=(min(4.2 * len(gaps) + 1.6, 11), height), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(gaps), sharey=True))
    image = None
    for ax, gap in zip(axes, gaps, strict=True):
        grid = np.array(
            [
                [
                    _value(r.overall[gap]),
                    *(_value(r.granulated[gap][a]) for a in ranking.axes),
                    _value(r.psi[gap]),
                ]
                for r in order
            ]
        )
        image = ax.imshow(np.ma.masked_invalid(grid), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            if np.isfinite(v):
                ax.text(j, i, fmt_signed(v), ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right", fontsize=8)
        ax.set_title(f"{gap_name(gap)} ({gap})", fontsize=10)
    axes[0].set_yticks(range(len(order)), [r.measure for r in order], fontsize=8)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="Kendall's tau")
    return fig


@dataclass(frozen=True)
class MeasuresSection:
    """The section as HTML and Markdown, and its sentence."""

    sentence: str
    html: str
    markdown: tuple[str, ...]


def section(ranking: MeasureRanking, png64: str) -> MeasuresSection:
    """The section for a ranking; `png64` is the heatmap's PNG, base64 (the page embeds it)."""
    esc = html.escape
    sentence = verdict(ranking)
    tables_html, md = [], [f"## {TITLE}", "", sentence, ""]
    for t in ranking_table(ranking):
        head = "".join(f"<th>{esc(c)}</th>" for c in t.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(v).replace(' [', '<br>[')}</td>" for v in row) + "</tr>"
            for row in t.rows
        )
        tables_html.append(
            f'<h3>{esc(t.title)}</h3><table class="measures"><tr>{head}</tr>{body}</table>'
        )
        md += [f"### {t.title}", "", "| " + " | ".join(t.columns) + " |"]
        md += ["|" + "---|" * len(t.columns)] + ["| " + " | ".join(r) + " |" for r in t.rows]
        md += [""]
    note = (
        "Each cell: tau and its 95 % bootstrap interval over models; n.e. (no evidence): the "
        "interval includes 0. docs/measures.md defines every measure and statistic."
    )
    md += [note, "", f"![{TITLE}]({FIGURE}.png)", "", CAPTION, ""]
    page = (
        f'<h2>{esc(TITLE)}</h2><p class="answer">{esc(sentence)}</p>{"".join(tables_html)}'
        f'<p class="note">{esc(note)}</p><figure><img alt="{esc(TITLE)}" id="fig-{FIGURE}" '
        f'src="data:image/png;base64,{png64}"><figcaption>{esc(CAPTION)}</figcaption></figure>'
    )
    return MeasuresSection(sentence, page, tuple(md))
