"""The capacity atlas's Markdown for docs/capacity.md section 7, from the package's atlas file
(or a given export): provenance, the table, slopes, converged depth ratios, what is missing; and
the README's answer to "VC(L) = L x VC(1)?" from it.

    python bench/atlas_markdown.py [ATLAS.json]           # print the section
    python bench/atlas_markdown.py --write [ATLAS.json]   # update both pages between markers

After re-exporting (`rnncap capacity atlas --out DIR --export-only --export
src/rnncap/capacity/atlas/v1.json --figures docs`), ``--write`` refreshes the pages.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rnncap.capacity.atlas.quote import ATLAS_PATH, converged_ratios
from rnncap.capacity.stats import interval_text


def markdown(t: dict) -> str:
    """The section (commands in quotes, not code spans: the docs test runs every `rnncap ...`
    code span, and these name a store on the machine that ran them)."""
    p = t["provenance"]
    load = p["load"]["one_minute_during_run"] or {}
    runs = "; ".join(
        f"\"{r['command']}\" at {(r.get('commit') or '?')[:10]} ({r['executor']}, from "
        f"{r['started']})" for r in p.get("runs", [])
    )  # fmt: skip
    out = [
        f'Exported {p["exported"]} by "{p["command"]}" (commit {(p["git_commit"] or "?")[:10]}); '
        f"measured by {runs}. Machine: {p['machine']['uname']}, {p['machine']['cores']} cores, "
        f"shared with other jobs: one-minute load average {load.get('min', 0):.1f}-"
        f"{load.get('max', 0):.1f} (mean {load.get('mean', 0):.1f}) over the run. "
        f"{p['points']} points, {p['cpu_seconds'] / 3600:.2f} CPU hours ({p['cpu_seconds_note']}).",
        "",
        "| cell | design | L | network | w (identifiable) | bits / w [95%] | memorization "
        "verdict | VC h [95%] | VC verdict | budgets (memorization epochs) | CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in t["rows"]:
        epochs = (
            f"{r['curve'][0]['memorization_epochs']:,}-{r['curve'][-1]['memorization_epochs']:,}"
        )
        out.append(
            f"| {r['cell']} | {r['design_label']} | {r['layers']} | {r['arch']} | "
            f"{r['parameters']:,} ({r['identifiable_parameters']}) | "
            f"{interval_text(r['memorization']['bits_per_parameter'], 2)} | "
            f"{r['memorization']['verdict']} | "
            f"{interval_text(r['vc']['h'], 0)} | {r['vc']['verdict']} | "
            f"{r['budgets']} ({epochs}) | "
            f"{r['cpu_seconds']:.0f} |"
        )
    out += ["", "Slope of memorized bits against w per cell (converged rows only):", ""]
    for cell, s in t["slopes"].items():
        if s.get("slope") is None:
            out.append(f"* {cell}: no slope ({s['note']}).")
        else:
            lo, hi = s["slope_ci95"]
            out.append(f"* {cell}: {s['slope']:.2f} bits per parameter [95% {lo:.2f}, {hi:.2f}] "
                       f"over sizes {s['sizes']} ({s['method']}).")  # fmt: skip
    out += ["", "Depth ratios (converged rows only; h(L)/h(1) with the 95% interval of the "
            "per-seed ratios):", ""]  # fmt: skip
    found = [(g, converged_ratios(g)) for g in t["depth"]]
    out += [f"* {g['described']}: " + "; ".join(r) + "." for g, r in found if r]
    if not any(r for _, r in found):
        out.append("* none: no depth ratio has both of its rows converged.")
    out += ["", "Missing (no converged figure), and why:", ""]
    out += [f"* {m['arch']} ({m['cell']}, {m['design_label']}): {m['why']}" for m in t["missing"]]
    return "\n".join(out)


ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- atlas results: start -->\n", "<!-- atlas results: end -->\n"


def replace_between(path: Path, text: str) -> None:
    """`text` between the atlas-results markers of `path`, the rest of the page kept."""
    page = path.read_text(encoding="utf-8")
    i, j = page.index(START) + len(START), page.index(END)
    path.write_text(page[:i] + text.rstrip() + "\n" + page[j:], encoding="utf-8")


if __name__ == "__main__":
    from rnncap.capacity.atlas.quote import vc_depth_answer

    args = [a for a in sys.argv[1:] if a != "--write"]
    table = json.loads((Path(args[0]) if args else ATLAS_PATH).read_text())
    if "--write" in sys.argv:
        replace_between(ROOT / "docs/capacity.md", markdown(table))
        replace_between(ROOT / "README.md", " ".join(vc_depth_answer(table, brief=True)))
    else:
        print(markdown(table))
