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
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from rnncap.report import plots
from rnncap.report.answer import CAVEATS, answer, best_run
from rnncap.report.results import StudyResults, load_results
from rnncap.study.store import ensure_writable_folder

#: Columns of the per-architecture table, in order, when present.
TABLE_COLUMNS = (
    "arch", "groups", "layers", "params", "seeds", "train_mae", "val_mae", "test_mae",
    "test_mae_std", "gap", "gap_std", "bits_per_parameter", "spectral_norm_max", "frobenius_norm",
)  # fmt: skip


@dataclass(frozen=True)
class ReportFiles:
    """Where the report went and what it holds."""

    folder: Path
    files: tuple[str, ...]
    figures: tuple[str, ...]
    answer: tuple[str, ...]
    runs: int

    def to_dict(self) -> dict:
        return {
            "folder": str(self.folder),
            "files": list(self.files),
            "figures": list(self.figures),
            "answer": list(self.answer),
            "runs": self.runs,
        }


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _figure_bytes(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110)
    return buf.getvalue()


def _figures(res: StudyResults) -> dict[str, Figure]:
    figs = {
        "mae_vs_params": plots.mae_vs_params(res),
        "frontier": plots.frontier(res),
        "bound_ratios": plots.bound_ratios(res),
    }
    best = best_run(res)
    if best:
        figs["best_forecast"] = plots.best_forecast(res, *best)
    return {k: v for k, v in figs.items() if v is not None}


def _table(res: StudyResults) -> pd.DataFrame:
    cols = [c for c in TABLE_COLUMNS if c in res.archs]
    t = res.archs[cols].copy()
    for c in t.columns:
        if pd.api.types.is_float_dtype(t[c]):
            t[c] = t[c].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    return t


def _markdown_table(t: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(t.columns) + " |", "|" + "---|" * len(t.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in t.itertuples(index=False)]
    return "\n".join(lines)


def _summary_line(res: StudyResults) -> str:
    ti = res.meta.get("task_info", {})
    study = res.meta.get("study", {})
    return (
        f"Study `{study.get('name', '?')}`: {len(res.archs)} architectures, {len(res.runs)} of "
        f"{res.planned_runs} planned models trained; task: {ti.get('description', '')}; "
        f"training: {study.get('training', {})}."
    )


def build_report(store: str | Path, out: str | Path) -> ReportFiles:
    """Write the report of the study in `store` (folder or .sqlite file) into folder `out`."""
    res = load_results(store)
    folder = ensure_writable_folder(Path(out))
    figs = _figures(res)
    paragraphs = answer(res)
    written = []
    png64 = {}
    for name, fig in figs.items():
        png = _figure_bytes(fig, "png")
        write_atomic(folder / f"{name}.png", png)
        write_atomic(folder / f"{name}.svg", _figure_bytes(fig, "svg"))
        png64[name] = base64.b64encode(png).decode()
        written += [f"{name}.png", f"{name}.svg"]
    csv = res.runs.drop(columns=["unit_key"], errors="ignore").to_csv(index=False)
    write_atomic(folder / "results.csv", csv.encode())
    table = _table(res)
    md = ["# rnncap study report", "", _summary_line(res), "", "## The answer", ""]
    md += [f"- {p}" for p in paragraphs] + ["", "### Caveats from the theory", ""]
    md += [f"- {c}" for c in CAVEATS] + ["", "## Architectures", "", _markdown_table(table), ""]
    md += [f"## {n.replace('_', ' ')}\n\n![{n}]({n}.png)\n" for n in figs]
    write_atomic(folder / "report.md", "\n".join(md).encode())
    write_atomic(folder / "index.html", _html(res, paragraphs, table, png64).encode())
    written += ["results.csv", "report.md", "index.html"]
    return ReportFiles(folder, tuple(written), tuple(figs), tuple(paragraphs), len(res.runs))


def _md_inline(text: str) -> str:
    """Escape text, then render the **bold** of the answer's Markdown."""
    parts = html.escape(text).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;
padding:3px 6px;text-align:right}th{background:#f0f0f0}img{max-width:100%;display:block;
margin:1em 0}.answer li{margin:.4em 0}.caveat{color:#555;font-size:14px}"""


def _html(res: StudyResults, paragraphs: list[str], table: pd.DataFrame, png64: dict) -> str:
    items = "".join(f"<li>{_md_inline(p)}</li>" for p in paragraphs)
    caveats = "".join(f"<li>{html.escape(c)}</li>" for c in CAVEATS)
    figures = "".join(
        f'<h2>{html.escape(n.replace("_", " "))}</h2><img alt="{n}" id="fig-{n}" '
        f'src="data:image/png;base64,{b64}">'
        for n, b64 in png64.items()
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>rnncap study report</title><style>{_CSS}</style></head><body>"
        f"<h1>rnncap study report</h1><p>{_md_inline(_summary_line(res))}</p>"
        f'<h2>The answer</h2><ul class="answer">{items}</ul>'
        f'<h3>Caveats from the theory</h3><ul class="caveat">{caveats}</ul>'
        f"<h2>Architectures</h2>{table.to_html(index=False, border=0)}{figures}</body></html>"
    )
