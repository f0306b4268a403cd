"""`run_atlas`: the atlas's points, run on a study's executors into a study's SQLite store.

Each point is a study unit (`rnncap.study.plan.Unit`, its payload an atlas `SideMeasure`), run by
`rnncap.study.unit.run_unit` on the inline, process-pool or Ray executor and recorded by the
one writer, `rnncap.study.store.ResultsStore`, a transaction per batch. The driver works in
waves: it reads what the store holds, plans the points that are due (the first `MIN_BUDGETS`
levels of every row, then one more doubling of each row whose curve has not converged, up to
the cap), cheapest first, and runs a wave of them. Killed at any moment, it resumes from the
store with nothing finished lost.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rnncap.capacity.atlas.grid import AtlasGrid, AtlasPoint, RowKey, point_options
from rnncap.capacity.checks import logit_parameters
from rnncap.capacity.convergence import MIN_BUDGETS, Convergence
from rnncap.errors import RnncapError
from rnncap.plain import to_plain

#: The meta key under which the store keeps the atlas's grid and its load samples.
META_GRID, META_LOAD, META_PROTOCOL = "atlas_grid", "atlas_load", "atlas_protocol"
#: The meta key of the runs that wrote the store: commit, command, executor, start time.
META_RUNS = "atlas_runs"


@dataclass(frozen=True)
class AtlasSummary:
    """What a run did: the store, the points it holds for this protocol, and the units (a
    network's seeds at one budget, read at the budgets below too) run now."""

    store: Path
    points: int
    ran: int
    failed: int
    seconds: float
    last_error: str | None = None  # of the last unit that failed every attempt in this run


def _cost(row: RowKey, level: int) -> float:
    """A relative cost for ordering: samples grow with w, time per sample with w and depth."""
    return logit_parameters(row.spec) * (1 + 0.25 * row.layers) * 2**level


def stored_points(store, protocol: str) -> dict[tuple, AtlasPoint]:
    """The points in `store` measured under `protocol`, by (network, seed, level): a network
    that two designs share (e.g. gru:4x4 at fixed width 4 and at ~400 parameters) is one row
    of points, measured once.

    A seed's curve is read from its longest run: the levels that run read below its own replace
    what shorter runs measured there (their CPU counted with it). Runs of other units differ
    by float rounding (other seeds beside them), which grows over thousands of epochs; one run's
    readings share every state up to each budget, so its curve, the most bits so far, cannot
    fall (a curve mixed from two runs fell 6 % on rnn_tanh:1x4)."""
    runs: dict[tuple[str, int], list[AtlasPoint]] = {}
    for unit in store.units(planned_only=False):
        for p in unit.result.atlas_points:
            if p.protocol == protocol:
                runs.setdefault((p.arch, p.seed), []).append(p)
    out: dict[tuple, AtlasPoint] = {}
    for (arch, seed), points in runs.items():
        points.sort(key=lambda p: p.level)
        out.update({(arch, seed, p.level): p for p in points})
        longest = points[-1]
        moved = 0.0
        for q in longest.below():
            replaced = out.get((arch, seed, q.level))
            moved += replaced.cpu_seconds if replaced is not None else 0.0
            out[(arch, seed, q.level)] = q
        cpu = longest.cpu_seconds + moved
        out[(arch, seed, longest.level)] = dataclasses.replace(longest, cpu_seconds=cpu)
    return out


def complete_levels(points: dict[tuple, AtlasPoint], arch: str, seeds) -> int:
    """How many levels from 0 up have a point for every seed."""
    level = 0
    while all((arch, s, level) in points for s in seeds):
        level += 1
    return level


def row_curves(points: dict, arch: str, seeds, levels: int) -> tuple[list, list]:
    """(memorization bits, VC h) per level (rising) and seed, over the first `levels` levels."""
    mem = [[points[(arch, s, k)].bits for s in seeds] for k in range(levels)]
    vc = [[points[(arch, s, k)].vc_h for s in seeds] for k in range(levels)]
    return mem, vc


def stopped_at(curve: list) -> int:
    """How many budgets of `curve` (rising) a measure's ladder uses: up to the first at which it
    converged (the ladder stops there; a row's other measure may have gone on doubling, and
    those later levels are not this measure's), else all of them."""
    for k in range(MIN_BUDGETS, len(curve) + 1):
        if Convergence(curve[:k]).converged:
            return k
    return len(curve)


def has_converged(curve: list) -> bool:
    return Convergence(curve[: stopped_at(curve)]).converged if len(curve) >= 2 else False


def due(grid: AtlasGrid, points: dict) -> list[tuple[RowKey, tuple[int, ...], int]]:
    """The (row, seeds, level) units to run next, cheapest first: per row and seed, the highest
    missing level of the first `MIN_BUDGETS` levels (its run reads the lower ones too), then the
    next level of each row whose memorization or VC curve has not converged (its levels all
    done), below the cap; the seeds of a row that need the same level train together."""
    out, seen = [], set()
    for row in grid.rows():
        if row.spec.name in seen:  # the same network in another design: its points serve both
            continue
        seen.add(row.spec.name)
        done = complete_levels(points, row.spec.name, grid.seeds)
        wanted = MIN_BUDGETS
        if done >= MIN_BUDGETS:
            mem, vc = row_curves(points, row.spec.name, grid.seeds, done)
            if has_converged(mem) and has_converged(vc):
                continue
            wanted = min(done + 1, grid.max_budgets)
        by_level: dict[int, list[int]] = {}
        for seed in grid.seeds:
            missing = [k for k in range(wanted) if (row.spec.name, seed, k) not in points]
            if missing:
                by_level.setdefault(missing[-1], []).append(seed)
        out += [(row, tuple(seeds), level) for level, seeds in by_level.items()]
    return sorted(out, key=lambda t: (_cost(t[0], t[2]), t[0].ident, t[2], t[1]))


def resumed_fingerprint(meta: dict, grid: AtlasGrid) -> str:
    """The fingerprint the store's points carry when `grid` runs its protocol again (a later
    rnncap that adds a protocol field computes another one), else the protocol's own."""
    from rnncap.plain import from_plain

    known = META_GRID in meta and META_PROTOCOL in meta
    if known and from_plain(AtlasGrid, meta[META_GRID]).protocol == grid.protocol:
        return str(meta[META_PROTOCOL])
    return grid.protocol.fingerprint()


def make_unit(row: RowKey, seeds: tuple[int, ...], level: int, grid: AtlasGrid, fingerprint: str):
    """The study unit of a row's points at one level (its key hashes the network, seeds, level
    and protocol)."""
    from rnncap.engine.settings import ForecastSettings
    from rnncap.study.plan import SideMeasure, TaskRef, Unit, UnitPayload

    seeds = tuple(int(s) for s in seeds)
    payload = UnitPayload(
        spec=row.spec, seeds=seeds, task=TaskRef.of({}), training=ForecastSettings(),
        measures=(), forecast_points=0,
        atlas=SideMeasure(row.spec, point_options(row, level, grid.protocol, fingerprint)),
    )  # fmt: skip
    return Unit(row.spec.name, seeds, payload)


def run_atlas(
    grid: AtlasGrid,
    out: str | Path,
    executor,
    *,
    wave: int = 4,
    on_point: Callable[[AtlasPoint, int], None] | None = None,
    stop_after: int | None = None,
) -> AtlasSummary:
    """Run the atlas into ``<out>/results.sqlite`` until every row converged or reached the cap.

    ``wave`` units (a network's seeds at one budget) run per executor call (the cheapest due);
    ``on_point(point, units done)`` is called as each point is recorded; ``stop_after`` ends the
    run after that many units (tests).
    """
    from rnncap.study.records import FailedUnit, UnitResult
    from rnncap.study.store import STORE_NAME, ResultsStore, ensure_writable_folder, study_lock

    start = time.perf_counter()
    executor.check()
    folder = ensure_writable_folder(Path(out))
    ran = failed = 0
    failed_now: dict[str, str] = {}  # key -> error of the units that failed in this run
    with study_lock(folder), ResultsStore.create(folder / STORE_NAME) as store:
        from rnncap.capacity.atlas.table import git_commit

        protocol = resumed_fingerprint(store.meta(), grid)
        runs = list(store.meta().get(META_RUNS) or [])
        runs.append({"commit": git_commit(), "command": " ".join(["rnncap", *sys.argv[1:]]),
                     "executor": getattr(executor, "name", type(executor).__name__),
                     "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})  # fmt: skip
        store.set_meta({META_GRID: to_plain(grid), META_PROTOCOL: protocol, META_RUNS: runs})
        loads = list(store.meta().get(META_LOAD) or [])
        while stop_after is None or ran < stop_after:
            points = stored_points(store, protocol)
            units = [make_unit(r, s, k, grid, protocol) for r, s, k in due(grid, points)]
            units = [u for u in units if u.key not in failed_now]  # a new run retries them
            if not units:
                break
            batch = units[: max(1, wave if stop_after is None else min(wave, stop_after - ran))]
            store.set_plan([(u.key, u.arch, list(u.seeds)) for u in batch], {})
            loads.append([time.time(), *os.getloadavg()])
            store.set_meta({META_LOAD: loads[-500:]})

            def record(outcomes) -> None:
                nonlocal ran, failed
                done = [(u.key, u.payload.plain(), r, u.seeds) for u, r in outcomes
                        if isinstance(r, UnitResult)]  # fmt: skip
                bad = [r for _, r in outcomes if isinstance(r, FailedUnit)]
                store.record_batch(done, bad)
                failed += len(bad)
                failed_now.update({f.key: f.error for f in bad})
                for _, _, result, _ in done:
                    ran += 1
                    for point in result.atlas_points if on_point is not None else ():
                        on_point(point, ran)

            failed_before = failed
            executor.run(batch, record, lambda unit, fraction: None)
            seen = len(stored_points(store, protocol))
            if seen == len(points) and failed == failed_before:
                # a wave whose points the store already held under other keys would repeat
                # forever: stop, saying so (it happened when a resumed run's fingerprint moved)
                raise RnncapError(
                    f"the capacity atlas in {str(folder)!r} recorded no new point in a wave of "
                    f"{len(batch)} units: its store holds these points under other keys; export "
                    "it, or run into a new --out folder"
                )
        total = len(stored_points(store, protocol))
    last = list(failed_now.values())[-1] if failed_now else None
    return AtlasSummary(folder / STORE_NAME, total, ran, failed, time.perf_counter() - start, last)
