"""The shipped atlas, quoted: `rnncap explain`, `rnncap capacity depth` and the study report read
the converged figures of the matching cell and design from the package's atlas file, naming it
(file, commit) as their source, and say once what it lacks. Only converged rows are quoted; a
row that has not converged is named as missing, never given as a figure or a trend.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from rnncap.capacity.atlas.table import ATLAS_VERSION

#: The package's atlas file (written by `rnncap capacity atlas --export`).
ATLAS_PATH = Path(__file__).with_name(f"v{ATLAS_VERSION}.json")
SHOWN_PATH = f"rnncap/capacity/atlas/{ATLAS_PATH.name}"
MEASURES = (("vc", "VC h(L)/h(1)"), ("memorization", "memorized bits(L)/bits(1)"))


@lru_cache(maxsize=4)
def load_atlas(path: str | None = None) -> dict | None:
    """The atlas table (None when no atlas file ships)."""
    p = Path(path) if path else ATLAS_PATH
    if not p.is_file():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def source(atlas: dict) -> str:
    """'capacity atlas rnncap/capacity/atlas/v1.json (measured at commit abc1234567, ...)'."""
    p = atlas["provenance"]
    commits = sorted({r["commit"][:10] for r in p.get("runs", []) if r.get("commit")})
    at = f"measured at commit {', '.join(commits)}" if commits else "commit unknown"
    proto = atlas["protocol"]
    return (
        f"capacity atlas {SHOWN_PATH} ({at}, exported {p['exported']}; its own task: "
        f"{proto['input_bits']} Gaussian inputs per step, k = {1 + proto['delay']} steps)"
    )


def _interval(ci: list | None) -> str:
    return "" if ci is None else f" [95% {ci[0]:.2f}-{ci[1]:.2f}]"


def converged_ratios(group: dict) -> list[str]:
    """'L=2: VC h(L)/h(1) 1.31 [95% 1.20-1.42] ...' for each depth whose ratio is converged."""
    out = []
    for r in group["ratios"]:
        if r["layers"] == group["ratios"][0]["layers"]:
            continue
        for key, what in MEASURES:
            if r[f"{key}_converged"]:
                out.append(
                    f"L={r['layers']}: {what} {r[f'{key}_ratio']:.2f}"
                    f"{_interval(r[f'{key}_ratio_ci95'])} beside L/1 = {r['layer_ratio']:.0f} "
                    f"and w(L)/w(1) = {r['parameter_ratio']:.2f}"
                )
    return out


def missing_text(atlas: dict, cell: str | None = None, design: str | None = None) -> str | None:
    """One sentence: the rows of `cell` (and design kind) that the atlas lacks, and why, grouped
    by cell and design (depths with the same reason together)."""
    rows = [m for m in atlas["missing"] if (cell is None or m["cell"] == cell)
            and (design is None or m["design_label"].startswith(design))]  # fmt: skip
    if not rows:
        return None
    groups: dict[tuple[str, str], dict[str, list[int]]] = {}
    for m in rows:
        why = groups.setdefault((m["cell"], m["design_label"]), {})
        why.setdefault(m["why"], []).append(m["layers"])
    items = "; ".join(
        f"{c} {d}: "
        + ", ".join(f"L={'/'.join(map(str, ls))} ({why})" for why, ls in reasons.items())
        for (c, d), reasons in groups.items()
    )
    return f"Not in the atlas (no converged figure): {items}."


def depth_quote(cell: str, design: str | None = None, atlas: dict | None = None) -> list[str]:
    """Lines quoting the atlas on depth for `cell` (and one design kind, or every design)."""
    atlas = atlas if atlas is not None else load_atlas()
    if atlas is None:
        return [f"No capacity atlas ships with this rnncap ({SHOWN_PATH} is missing)."]
    groups = [g for g in atlas["depth"] if g["cell"] == cell
              and (design is None or g["design"] == design)]  # fmt: skip
    lines = []
    for g in groups:
        found = converged_ratios(g)
        if found:
            lines.append(f"{g['described']}: " + "; ".join(found) + ".")
    head = f"From the {source(atlas)}:"
    missing = missing_text(atlas, cell, design)
    if not lines:
        what = f"{cell}" + (f" in the {design} design" if design else "")
        lines.append(f"it has no converged depth ratio for {what}.")
    return [head, *lines, *([missing] if missing else [])]


def vc_depth_answer(atlas: dict | None = None, ask: bool = True, brief: bool = False) -> list[str]:
    """The measured answer to "VC(L) = L x VC(1)?" from the atlas, per cell and design, as far
    as its rows converged (README, study report); `ask`: begin with the question; `brief`: count
    the rows without a converged figure instead of listing them (docs/capacity.md lists them)."""
    atlas = atlas if atlas is not None else load_atlas()
    question = "Is VC(L layers) = L × VC(1 layer)? " if ask else ""
    if atlas is None:
        return [f"{question}No capacity atlas ships with this rnncap ({SHOWN_PATH} is missing)."]
    lines = [f"{question}From the {source(atlas)}:"]
    found = [(g, converged_ratios(g)) for g in atlas["depth"]]
    lines += [f"{g['described']}: " + "; ".join(r) + "." for g, r in found if r]
    if not any(r for _, r in found):
        lines.append("no depth ratio has converged yet, so no trend is drawn.")
    if brief and atlas["missing"]:
        grid = atlas["grid"]
        total = len(grid["cells"]) * len(grid["depths"]) * len(grid["designs"])
        return lines + [
            f"{len(atlas['missing'])} of its grid's {total} rows (cell x design x depth) are not "
            "yet converged in both measures; docs/capacity.md, section 7, lists each and why."
        ]
    missing = missing_text(atlas)
    return lines + ([missing] if missing else [])


def atlas_bits_per_parameter(
    cell: str, hidden_sizes: tuple[int, ...], atlas: dict | None = None
) -> float | None:
    """The atlas's memorization in bits per parameter (mean over seeds) for the network of this
    cell and these layer widths, measured on the atlas's own task (its inputs, not the caller's);
    None when no row with a converged memorization figure matches (the measures room's
    ``atlas_bits_per_param``, missing then, never 0)."""
    atlas = atlas if atlas is not None else load_atlas()
    if atlas is None or not hidden_sizes or len(set(hidden_sizes)) != 1:
        return None  # the atlas's networks have one width for every layer
    arch = f"{cell}:{len(hidden_sizes)}x{hidden_sizes[0]}"
    for r in atlas["rows"]:
        if r["arch"] == arch and r["memorization"]["converged"]:
            return float(r["memorization"]["bits_per_parameter"]["mean"])
    return None


def pair_design(width_a: int, width_b: int) -> str:
    """The atlas design that matches a pair: fixed-width when both have the same width per
    layer, else equal-params (the atlas compares depths at equal w)."""
    return "fixed-width" if width_a == width_b else "equal-params"


def pair_measured(
    cell: str, layers_a: int, layers_b: int, design: str, atlas: dict | None = None
) -> tuple[list[tuple[str, float, float, str]], str | None]:
    """For `rnncap explain`: the atlas's converged (what, value at A's depth, at B's depth,
    source) for the pair's cell and design, and one note on what it lacks (None if nothing)."""
    atlas = atlas if atlas is not None else load_atlas()
    if atlas is None:
        return [], f"No capacity atlas ships with this rnncap ({SHOWN_PATH} is missing)."
    out = []
    sizes = sorted({r["size"] for r in atlas["rows"] if r["cell"] == cell
                    and r["design"] == design})  # fmt: skip
    for size in sizes:
        rows = {r["layers"]: r for r in atlas["rows"]
                if (r["cell"], r["design"], r["size"]) == (cell, design, size)}  # fmt: skip
        if layers_a not in rows or layers_b not in rows:
            continue
        ra, rb = rows[layers_a], rows[layers_b]
        for key, what, stat in (("vc", "VC-dimension estimate", "h"),
                                ("memorization", "memorized bits", "bits")):  # fmt: skip
            if ra[key]["converged"] and rb[key]["converged"]:
                label = f"{what} ({cell}:{layers_a} and {layers_b} layers, {ra['design_label']})"
                out.append((label, ra[key][stat]["mean"], rb[key][stat]["mean"], source(atlas)))
    note = None
    if not out:
        note = (
            f"The {source(atlas)} has no converged figure for {cell} at {layers_a} and "
            f"{layers_b} layers in the {design} design"
            + ("" if {layers_a, layers_b} <= set(atlas["grid"]["depths"]) else
               f" (it measures depths {', '.join(map(str, atlas['grid']['depths']))})")
            + "."
        )  # fmt: skip
    return out, note
