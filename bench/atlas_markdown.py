"""The capacity atlas's Markdown for docs/capacity.md section 7, from the package's atlas file
(or a given export): provenance, the table, slopes, converged depth ratios, what is missing.

    python bench/atlas_markdown.py [src/rnncap/capacity/atlas/v1.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rnncap.capacity.atlas.quote import ATLAS_PATH, converged_ratios


def _ci(stats: dict, digits: int) -> str:
    if stats.get("ci95") is None:
        return f"{stats['mean']:.{digits}f}"
    lo, hi = stats["ci95"]
    return f"{stats['mean']:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def markdown(t: dict) -> str:
    p = t["provenance"]
    load = p["load"]["one_minute_during_run"] or {}
    runs = "; ".join(
        f"`{r['command']}` at {(r.get('commit') or '?')[:10]} ({r['executor']}, from "
        f"{r['started']})" for r in p.get("runs", [])
    )  # fmt: skip
    out = [
        f"Exported {p['exported']} by `{p['command']}` (commit {(p['git_commit'] or '?')[:10]}); "
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
            f"{_ci(r['memorization']['bits_per_parameter'], 2)} | {r['memorization']['verdict']} | "
            f"{_ci(r['vc']['h'], 0)} | {r['vc']['verdict']} | {r['budgets']} ({epochs}) | "
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


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ATLAS_PATH
    print(markdown(json.loads(path.read_text())))
