"""`build_report`: the report folder from a study's store alone.

The folder holds ``index.html`` (self-contained: figures embedded as base64 PNG), ``report.md``
(linking the PNGs), every figure as PNG and SVG, and ``results.csv`` (one row per trained model).
Each file is written to a temporary name in the same folder and renamed, so a reader never sees a
half-written file.
"""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from rnncap.atomic import write_atomic
from rnncap.report import plots
from rnncap.report.answer import CAVEATS, answer, best_run
from rnncap.report.captions import TITLES, caption
from rnncap.report.measures import FIGURE, heatmap, optional_ranking, section
from rnncap.report.results import ArchResult, Spread, StudyResults, load_results
from rnncap.study.store import ensure_writable_folder

#: What each bound status means, for the legend.
STATUS_MEANING = {
    "STATED-VERIFIED": "stated in the cited source, checked there",
    "STATED-SECONDARY": "stated, checked through a secondary source",
    "ABSTRACT-ONLY": "from the source's abstract; the full statement was not checked",
    "UNVERIFIED": "not checked against its source",
    "DERIVED": "derived by rnncap, not a published theorem",
}


@dataclass(frozen=True)
class ReportFiles:
    """Where the report went and what it holds."""

    folder: Path
    files: tuple[str, ...]
    figures: tuple[str, ...]
    answer: tuple[str, ...]
    runs: int


def _figure_bytes(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110)
    return buf.getvalue()


def _figures(res: StudyResults, best: tuple[str, int] | None) -> dict[str, Figure]:
    figs = {
        "mae_vs_params": plots.mae_vs_params(res),
        "frontier": plots.frontier(res),
        "bound_ratios": plots.bound_ratios(res),
        "depth_ratios": plots.depth_ratios(res),
        "best_forecast": plots.best_forecast(res, *best) if best else None,
    }
    return {k: v for k, v in figs.items() if v is not None}


def _num(s: Spread | None, sd: bool = False) -> str:
    if s is None:
        return ""
    if sd and math.isfinite(s.sd):
        return f"{s.mean:.3f} ± {s.sd:.3f}"
    return f"{s.mean:.3f}"


def _fit(a: ArchResult) -> str:
    if not a.failed:
        return "ok"
    seeds = ", ".join(map(str, a.failed_seeds))
    return f"failed (seed{'s' if len(a.failed_seeds) > 1 else ''} {seeds})"


def table(res: StudyResults) -> pd.DataFrame:
    """The per-architecture table, every column headed with its unit."""
    u = res.unit
    rows = []
    for a in res.archs:
        row = {
            "Architecture": a.name,
            "Group": " + ".join(a.info.groups),
            "Parameters": f"{a.info.params:,}",
            "Seeds": str(len(a.runs)),
            f"Train MAE ({u})": _num(a.train_mae),
            f"Validation MAE ({u})": _num(a.val_mae),
            f"Test MAE ({u}, mean ± sd)": _num(a.test_mae, sd=True),
            f"Gap ({u}, mean ± sd)": _num(a.gap, sd=True),
        }
        if any(x.memorization for x in res.archs):
            bits = a.bits_per_parameter
            mark = "" if a.memorization_converged else " (lower bound)"
            row["Memorization (bits per parameter)"] = "" if bits is None else f"{bits:.2f}{mark}"
        row["Largest spectral norm"] = _num(a.spectral_max)
        row["Frobenius norm"] = _num(a.frobenius)
        row["Fit"] = _fit(a)
        rows.append(row)
    return pd.DataFrame(rows)


TABLE_NOTE = (
    "Means over seeds; MAE in {u} on the target's own scale. Gap: test minus train MAE. Norms "
    "are of the trained weight matrices (dimensionless): the largest spectral norm of any matrix "
    "and the Frobenius norm of all of them together. Fit: failed when a model is worse than "
    "persistence ({p:.3f} {u}) on its own training data; such architectures are left out of "
    "the answer's comparisons."
)


def _markdown_table(t: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(t.columns) + " |", "|" + "---|" * len(t.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in t.itertuples(index=False)]
    return "\n".join(lines)


def header(res: StudyResults) -> list[tuple[str, str]]:
    """The study, its task and its training recipe, as (label, text) lines."""
    s = res.study
    seeds = ", ".join(map(str, s.seeds))
    return [
        ("Study", f"{s.name}: {len(res.archs)} architectures, {res.runs} of {res.planned_runs} "
                  f"planned models trained (seeds {seeds})"),
        ("Task", res.task.description),
        ("Training", s.training),
        ("Persistence", f"test MAE {res.task.persistence.test:.3f} {res.unit}, train MAE "
                        f"{res.task.persistence.train:.3f} {res.unit} (the last observed value "
                        "carried forward: the bar a forecaster must beat)"),
    ] + _baseline_line(res)  # fmt: skip


def _baseline_line(res: StudyResults) -> list[tuple[str, str]]:
    b = res.strongest_baseline()
    left_out = [("Baselines left out", line) for line in res.task.missing_baselines]
    if b is None or b.name == "persistence":
        return left_out
    others = len(res.baselines) - 1
    strongest = ("Strongest baseline", f"{b.name}: test MAE {b.test_mae:.3f} {res.unit}, "
                 f"validation MAE {b.val_mae:.3f} {res.unit} (the lowest validation MAE of the "
                 f"{others + 1} baselines recorded)")  # fmt: skip
    return [strongest, *left_out]


def legend(res: StudyResults) -> pd.DataFrame:
    """One row per bound key shown in the report: name, citation, status and caveat."""
    shown: list[str] = []
    for a in res.archs:
        for ratios in a.info.ratios.values():
            shown += [k for k in ratios if k not in shown]
    notes = {n.key: n for n in res.legend}
    rows = []
    for key in shown:
        n = notes.get(key)
        if n is None:  # a key the store's legend lacks: shown, not explained
            rows.append({"Key": key, "Bound": "", "Citation": "", "Status": "", "Note": ""})
            continue
        tag = n.status + (" · DERIVED" if n.derived and n.status != "DERIVED" else "")
        note = "; ".join(p for p in (STATUS_MEANING.get(n.status, ""), n.caveat) if p)
        rows.append(
            {"Key": key, "Bound": n.name, "Citation": n.citation, "Status": tag, "Note": note}
        )
    return pd.DataFrame(rows)


def build_report(store: str | Path, out: str | Path) -> ReportFiles:
    """Write the report of the study in `store` (folder or .sqlite file) into folder `out`."""
    res = load_results(store)
    folder = ensure_writable_folder(Path(out))
    best = best_run(res)
    figs = _figures(res, best)
    captions = {n: caption(res, n, best) for n in figs}
    paragraphs = answer(res)
    written = []
    png64 = {}
    for name, fig in figs.items():
        png = _figure_bytes(fig, "png")
        write_atomic(folder / f"{name}.png", png)
        write_atomic(folder / f"{name}.svg", _figure_bytes(fig, "svg"))
        png64[name] = base64.b64encode(png).decode()
        written += [f"{name}.png", f"{name}.svg"]
    measures = None  # the measures section, when the store holds enough measured models
    ranking = optional_ranking(store)
    if ranking is not None:
        fig = heatmap(ranking)
        png = _figure_bytes(fig, "png")
        write_atomic(folder / f"{FIGURE}.png", png)
        write_atomic(folder / f"{FIGURE}.svg", _figure_bytes(fig, "svg"))
        written += [f"{FIGURE}.png", f"{FIGURE}.svg"]
        measures = section(ranking, base64.b64encode(png).decode())
    write_atomic(folder / "results.csv", pd.DataFrame(res.rows()).to_csv(index=False).encode())
    t, keys = table(res), legend(res)
    note = TABLE_NOTE.format(u=res.unit, p=res.task.persistence.train)
    md = ["# rnncap study report", ""] + [f"- **{k}**: {v}" for k, v in header(res)]
    md += ["", "## The answer", ""] + [f"- {p}" for p in paragraphs]
    md += ["", "### Caveats from the theory", ""] + [f"- {c}" for c in CAVEATS]
    md += ["", "## Architectures", "", _markdown_table(t), "", note, ""]
    for n in figs:
        md += [f"## {TITLES[n]}", "", f"![{TITLES[n]}]({n}.png)", "", captions[n], ""]
    if measures is not None:
        md += list(measures.markdown)
    if not keys.empty:
        md += ["## Bound keys", "", _markdown_table(keys), ""]
    write_atomic(folder / "report.md", "\n".join(md).encode())
    extra = "" if measures is None else measures.html
    page = _html(res, paragraphs, t, note, keys, png64, captions, extra)
    write_atomic(folder / "index.html", page.encode())
    written += ["results.csv", "report.md", "index.html"]
    shown = (*figs, FIGURE) if measures is not None else tuple(figs)
    return ReportFiles(folder, tuple(written), shown, tuple(paragraphs), res.runs)


def _md_inline(text: str) -> str:
    """Escape text, then render the **bold** of the answer's Markdown."""
    parts = html.escape(text).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}table{border-collapse:collapse;font-size:13px;width:100%}
td,th{border:1px solid #ccc;padding:3px 5px;text-align:right;vertical-align:top}
td{white-space:nowrap}table.keys td{white-space:normal}
th{background:#f0f0f0;font-weight:600}td:first-child,th:first-child{text-align:left;
white-space:nowrap}table.keys td,table.keys th{text-align:left}tr.failed td{background:#fde8e8}
img{max-width:100%;display:block;margin:1em 0 .3em}figure{margin:0 0 2em}
figcaption{color:#333;font-size:14px}dl{display:grid;grid-template-columns:max-content auto;
gap:.2em 1em}dt{font-weight:600}dd{margin:0}.answer li{margin:.4em 0}
.caveat{color:#555;font-size:14px}.note{color:#555;font-size:13px}
table.measures{font-size:12px}table.measures td{white-space:normal}"""


def _html(
    res: StudyResults,
    paragraphs: list[str],
    t: pd.DataFrame,
    note: str,
    keys: pd.DataFrame,
    png64: dict[str, str],
    captions: dict[str, str],
    measures: str = "",
) -> str:
    esc = html.escape
    head = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in header(res))
    items = "".join(f"<li>{_md_inline(p)}</li>" for p in paragraphs)
    caveats = "".join(f"<li>{esc(c)}</li>" for c in CAVEATS)
    cols = "".join(f"<th>{esc(c)}</th>" for c in t.columns)
    body = "".join(
        f'<tr class="{"failed" if row[-1] != "ok" else ""}">'
        + "".join(f"<td>{esc(str(v))}</td>" for v in row)
        + "</tr>"
        for row in t.itertuples(index=False)
    )
    figures = "".join(
        f'<h2>{esc(TITLES[n])}</h2><figure><img alt="{esc(TITLES[n])}" id="fig-{n}" '
        f'src="data:image/png;base64,{b64}"><figcaption>{esc(captions[n])}</figcaption></figure>'
        for n, b64 in png64.items()
    )
    key_table = ""
    if not keys.empty:
        kcols = "".join(f"<th>{esc(c)}</th>" for c in keys.columns)
        krows = "".join(
            "<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in row) + "</tr>"
            for row in keys.itertuples(index=False)
        )
        key_table = (
            '<h2>Bound keys</h2><p class="note">Every bound named above, where it comes from and '
            "how far its statement was checked.</p>"
            f'<table class="keys"><tr>{kcols}</tr>{krows}</table>'
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>rnncap study report: {esc(res.study.name)}</title><style>{_CSS}</style></head>"
        f"<body><h1>rnncap study report</h1><dl>{head}</dl>"
        f'<h2>The answer</h2><ul class="answer">{items}</ul>'
        f'<h3>Caveats from the theory</h3><ul class="caveat">{caveats}</ul>'
        f"<h2>Architectures</h2><table><tr>{cols}</tr>{body}</table>"
        f'<p class="note">{esc(note)}</p>{figures}{measures}{key_table}</body></html>'
    )
