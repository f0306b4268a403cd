"""The atlas table: the store's points as rows (a depth's curve, its verdicts and intervals),
h(L)/h(1) per cell and design, the slope of bits against w per cell, and the provenance that
the exported JSON carries (command, commit, machine, load, budgets, CPU time).

Only converged rows carry a figure that a sentence may quote; a row that has not converged is
kept with its curve and verdict (a lower bound), never in a ratio, a slope or a trend.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from rnncap.capacity.atlas.grid import AtlasGrid, AtlasPoint, Design
from rnncap.capacity.atlas.run import complete_levels, stopped_at
from rnncap.capacity.convergence import CONFIDENCE, INTERVAL_METHOD, MIN_BUDGETS, Convergence
from rnncap.capacity.depth import (
    EQUAL_PARAMS,
    DepthBudget,
    DepthMeasure,
    DepthMeasurement,
    DepthRow,
)
from rnncap.capacity.identifiable import identifiable_summary
from rnncap.capacity.stats import scaled
from rnncap.plain import to_plain

#: The atlas's layout version (the JSON's "version"; the package file is ``v<version>.json``).
ATLAS_VERSION = 1


def depth_rows(grid: AtlasGrid, points: dict, design: Design, cell: str) -> list[DepthRow]:
    """The rows of one cell and design that have 2 or more complete budget levels."""
    rows = []
    for spec in grid.specs(cell, design):
        levels = complete_levels(points, spec.name, grid.seeds)
        if levels < 2:
            continue
        at = [[points[(spec.name, s, k)] for s in grid.seeds] for k in range(levels)]
        vc = [[p.vc_h for p in level] for level in at]
        mem = [[p.bits for p in level] for level in at]
        vc, mem = vc[: stopped_at(vc)], mem[: stopped_at(mem)]  # each measure's own ladder
        rows.append(DepthRow(
            spec.num_layers, at[0][0].arch, at[0][0].parameters, DepthMeasure(tuple(vc)),
            DepthMeasure(tuple(mem)), all(p.vc_bracketed for p in at[len(vc) - 1]),
            tuple(grid.seeds),
        ))  # fmt: skip
    return rows


def measurement(grid: AtlasGrid, rows: list[DepthRow], design: Design, cell: str):
    """The rows as `DepthMeasurement` (ratios, sentences) of one cell and design."""
    p = grid.protocol
    budget = DepthBudget(p.epochs, p.sweep, None, p.vc_epochs, p.vc_lr, p.vc_repetitions)
    fixed = design.kind != EQUAL_PARAMS
    return DepthMeasurement(
        cell, design.size if fixed else None, p.input_bits, p.delay, tuple(grid.seeds),
        tuple(rows), budget, design.kind, None if fixed else design.size,
    )  # fmt: skip


def _measure_block(m: DepthMeasure, w: int, name: str) -> dict:
    c = m.convergence
    rise_ci = None if c.interval is None else list(c.interval)
    out = {name: m.summary, "verdict": c.verdict, "converged": c.converged,
           "last_rise": c.finite_rise, "last_rise_ci95": rise_ci,
           "budgets_used": len(m.by_budget)}  # fmt: skip
    out[f"{name}_per_parameter"] = scaled(m.summary, 1 / w)
    return out


def row_record(grid: AtlasGrid, row: DepthRow, design: Design, cell: str, points: dict) -> dict:
    levels = complete_levels(points, row.arch, grid.seeds)  # every level; each measure says
    spec = next(s for s in grid.specs(cell, design) if s.num_layers == row.layers)
    ident_count = identifiable_summary(spec.replace(outputs=1), row.memorization.summary)
    curve = []
    for k in range(levels):
        pts = [points[(row.arch, s, k)] for s in grid.seeds]
        curve.append({
            "level": k, "memorization_epochs": pts[0].memorization_epochs,
            "vc_epochs": pts[0].vc_epochs, "bits_by_seed": [p.bits for p in pts],
            "bits_mean": math.fsum(p.bits for p in pts) / len(pts),
            "vc_by_seed": [p.vc_h for p in pts],
            "vc_mean": math.fsum(p.vc_h for p in pts) / len(pts),
        })  # fmt: skip
    cpu = math.fsum(p.cpu_seconds for (arch, _, _), p in points.items() if arch == row.arch)
    return {
        "cell": cell, "design": design.kind, "size": design.size, "design_label": design.label,
        "layers": row.layers, "arch": row.arch, "parameters": row.parameters,
        "identifiable_parameters": ident_count.get("identifiable_parameters"),
        "seeds": list(row.seeds), "budgets": levels,
        "memorization": _measure_block(row.memorization, row.parameters, "bits"),
        "vc": {**_measure_block(row.vc, row.parameters, "h"), "bracketed": row.vc_bracketed},
        "curve": curve, "cpu_seconds": cpu,
    }  # fmt: skip


def slope(rows: list[dict]) -> dict:
    """Bits against w over the converged memorization rows of one cell (per-seed values at each
    row's last budget): the least-squares slope with its 95 % interval, when 3 or more distinct
    sizes converged (Collins et al. 2017 report about 5 bits per parameter)."""
    from scipy import stats

    used = [r for r in rows if r["memorization"]["converged"]]
    sizes = sorted({r["parameters"] for r in used})
    out: dict = {"rows": [f"{r['arch']} ({r['design_label']})" for r in used], "sizes": sizes}
    if len(sizes) < 3:
        out["slope"] = None
        out["note"] = f"{len(sizes)} size(s) converged; the slope needs 3 or more"
        return out
    w = [r["parameters"] for r in used for _ in r["seeds"]]
    at = [r["curve"][r["memorization"].get("budgets_used", len(r["curve"])) - 1] for r in used]
    bits = [b for level in at for b in level["bits_by_seed"]]
    fit = stats.linregress(w, bits)
    half = float(stats.t.ppf((1 + CONFIDENCE) / 2, len(w) - 2)) * fit.stderr
    out.update({"slope": fit.slope, "slope_ci95": [fit.slope - half, fit.slope + half],
                "intercept": fit.intercept, "points": len(w),
                "method": f"least squares over {len(w)} (w, bits) per-seed points, "
                          f"t-interval with {len(w) - 2} degrees of freedom"})  # fmt: skip
    return out


def git_commit(where: Path | None = None) -> str | None:
    """The commit of the checkout that holds rnncap's code (None outside a git checkout)."""
    where = where or Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def provenance(
    grid: AtlasGrid, points: dict, loads: list, command: str | None, runs: list = ()
) -> dict:
    """Where the table comes from: the export's command and commit, the runs that measured its
    points (commit, command, executor), the machine, the load, the budgets and the CPU time."""
    u = platform.uname()
    one_minute = [float(x[1]) for x in loads if len(x) >= 2]
    return {
        "command": command if command is not None else " ".join(["rnncap", *sys.argv[1:]]),
        "git_commit": git_commit(),
        "runs": list(runs),
        "machine": {"uname": f"{u.system} {u.release} {u.machine}", "node": u.node,
                    "cores": os.cpu_count(), "python": platform.python_version()},
        "load": {"one_minute_during_run": {"min": min(one_minute), "max": max(one_minute),
                                           "mean": math.fsum(one_minute) / len(one_minute),
                                           "samples": len(one_minute)} if one_minute else None,
                 "at_export": list(os.getloadavg())},
        "cpu_seconds": math.fsum(p.cpu_seconds for p in points.values()),
        "cpu_seconds_note": "process time of the points' measurements, summed over workers "
        "(worker start-up and the driver not included)",
        "points": len(points),
        "budgets": {"memorization_first_epochs": grid.protocol.epochs,
                    "vc_first_epochs": grid.protocol.vc_epochs, "doubling": True,
                    "min_budgets": MIN_BUDGETS, "max_budgets": grid.max_budgets},
        "exported": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }  # fmt: skip


def atlas_table(grid: AtlasGrid, points: dict[tuple, AtlasPoint], loads: list = (),
                command: str | None = None, fingerprint: str | None = None,
                runs: list = ()) -> dict:  # fmt: skip
    """The exported atlas: provenance, protocol, rows, per cell and design the depth ratios
    and sentences, per cell the slope, and what is missing (with why)."""
    from rnncap import __version__
    from rnncap.capacity.sweep import encoding_label

    rows, groups, missing = [], [], []
    for cell in grid.cells:
        for design in grid.designs:
            found = depth_rows(grid, points, design, cell)
            have = {r.layers for r in found}
            for spec in grid.specs(cell, design):
                levels = complete_levels(points, spec.name, grid.seeds)
                if spec.num_layers not in have:
                    missing.append({"cell": cell, "design_label": design.label,
                                    "layers": spec.num_layers, "arch": spec.name,
                                    "why": f"{levels} of {MIN_BUDGETS} budgets measured for "
                                           f"every seed (the run did not reach it)"})  # fmt: skip
            records = [row_record(grid, r, design, cell, points) for r in found]
            rows.extend(records)
            for r in records:
                mem, vc = r["memorization"], r["vc"]
                if not (mem["converged"] and vc["converged"]):
                    why = (f"not converged after {r['budgets']} budgets: memorization "
                           f"{mem['verdict']}; VC {vc['verdict']}")  # fmt: skip
                    missing.append(
                        {
                            "cell": cell,
                            "design_label": design.label,
                            "layers": r["layers"],
                            "arch": r["arch"],
                            "why": why,
                        }
                    )
            if found:
                m = measurement(grid, found, design, cell)
                groups.append({"cell": cell, "design": design.kind, "size": design.size,
                               "design_label": design.label, "described": m.described,
                               "ratios": m.ratios() if found[0].layers == min(grid.depths) else [],
                               "sentences": m.sentences()})  # fmt: skip
    slopes = {c: slope([r for r in rows if r["cell"] == c]) for c in grid.cells}
    return {
        "version": ATLAS_VERSION, "rnncap_version": __version__,
        "provenance": provenance(grid, points, list(loads), command, runs),
        "protocol": {**to_plain(grid.protocol),
                     "fingerprint": fingerprint or grid.protocol.fingerprint(),
                     "input_encoding": encoding_label(grid.protocol.sweep.encoding),
                     "interval": INTERVAL_METHOD, "convergence_rule": Convergence.RULE},
        "grid": to_plain(grid), "rows": rows, "depth": groups, "slopes": slopes,
        "missing": missing,
    }  # fmt: skip


def export_atlas(
    folder: str | Path, command: str | None = None, shape: AtlasGrid | None = None
) -> dict:
    """The atlas table of the store in `folder` (read-only: a running atlas may go on writing):
    the rows of `shape`'s cells, depths, designs and seeds (default: the grid the store's atlas
    was last run with; rows it has no points for are listed as missing), under the protocol the
    store's atlas was last run with."""
    import dataclasses

    from rnncap.capacity.atlas.run import (
        META_GRID,
        META_LOAD,
        META_PROTOCOL,
        META_RUNS,
        stored_points,
    )
    from rnncap.errors import require
    from rnncap.plain import from_plain
    from rnncap.study.store import ResultsStore

    with ResultsStore.open(folder) as store:
        meta = store.meta()
        require(META_GRID in meta, f"{str(folder)!r} holds no capacity atlas; run "
                "`rnncap capacity atlas --out DIR` first")  # fmt: skip
        last = from_plain(AtlasGrid, meta[META_GRID])
        grid = last if shape is None else dataclasses.replace(shape, protocol=last.protocol)
        # the fingerprint the run wrote: a later rnncap that adds a protocol field (and so
        # computes another fingerprint) still reads the points
        fingerprint = meta.get(META_PROTOCOL) or last.protocol.fingerprint()
        points = stored_points(store, fingerprint)
        loads, runs = meta.get(META_LOAD) or [], meta.get(META_RUNS) or []
    return atlas_table(grid, points, loads, command, fingerprint, runs)
