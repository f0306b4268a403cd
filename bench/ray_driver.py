"""Does the Ray driver keep up? 1,000 tiny units through `RayExecutor`, recorded in the store.

Each unit's work is a stand-in that returns at once a `UnitResult` of the size a real unit
returns (one run with errors, weight norms and a 336-point forecast sample), so the benchmark
measures what the driver does per unit: `ray.wait`, `ray.get`, and writing the store. Three ways,
in the same run, on the same local Ray (the median of ``--rounds`` runs each):

* ``ray only``: results are received and dropped (Ray's own rate, the ceiling);
* ``batched``: what `run_study` does: each batch `ray.wait` returns is one `record_batch`
  transaction;
* ``per unit``: one transaction per unit (what the driver did before batches).

``--commit-ms`` adds a sleep to every transaction, as a slow disk (e.g. a network file system
that takes milliseconds per fsync) or a busy driver would: batches absorb it, per-unit commits
cannot. Compare the ratios within one run; the absolute rates depend on the machine's load.

    python bench/ray_driver.py                    # 1,000 units, commits at disk speed and 20 ms
    python bench/ray_driver.py --units 300 --commit-ms 0 5 50 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from rnncap.arch import parse_arch
from rnncap.engine.bookkeeping import Status
from rnncap.engine.settings import ForecastSettings
from rnncap.study.plan import TaskRef, Unit, UnitPayload
from rnncap.study.ray_executor import RayExecutor
from rnncap.study.records import (
    ForecastSample,
    Measure,
    RunResult,
    SplitErrors,
    UnitResult,
    WeightNorms,
)
from rnncap.study.store import ResultsStore


def tiny_unit(payload: UnitPayload) -> UnitResult:
    """A finished unit of realistic size, at once (runs on the Ray workers)."""
    hours = range(336)
    times = tuple(f"2013-11-{1 + i // 24:02d} {i % 24:02d}:00" for i in hours)
    sample = ForecastSample(times, tuple(map(float, hours)), tuple(i + 0.5 for i in hours))
    norms = WeightNorms(4.0, 1.5, 9.0, 1.2, 0.7, 0.1)
    seed = payload.seeds[0]
    run = RunResult(seed, Status.EARLY_STOPPED, 3, 7, SplitErrors(2.0, 2.5, 3.0), norms, sample)
    return UnitResult(payload.spec.name, "cpu", 0.001, (run,))


def units(n: int) -> list[Unit]:
    spec = parse_arch("lstm:1x4", input_size=10, seq_len=120, outputs=1)
    task = TaskRef.of({"dataset": "nyc2013"})
    recipe = ForecastSettings()
    return [
        Unit("lstm:1x4", (i,), UnitPayload(spec, (i,), task, recipe, (Measure.FORECAST,), 336))
        for i in range(n)
    ]


def run_mode(mode: str, n: int, commit_s: float, folder: Path) -> dict:
    store = ResultsStore.create(folder / f"{mode}-{commit_s}-{time.monotonic_ns()}.sqlite")
    work = units(n)
    store.set_plan([(u.key, u.arch, list(u.seeds)) for u in work], {})
    batches = []

    def on_results(batch: list) -> None:
        batches.append(len(batch))
        if mode == "ray only":
            return
        rows = [(u.key, {}, r, u.seeds) for u, r in batch]
        if mode == "batched":
            time.sleep(commit_s)
            store.record_batch(rows)
        else:
            for key, config, result, seeds in rows:
                time.sleep(commit_s)
                store.record_unit(key, config, result, seeds)

    start = time.perf_counter()
    RayExecutor(work=tiny_unit).run(work, on_results, lambda u, f: None)
    seconds = time.perf_counter() - start
    recorded = len(store.done_keys())
    store.close()
    assert recorded == (0 if mode == "ray only" else n), (mode, recorded)
    return {"mode": mode, "commit_ms": commit_s * 1000, "units": n, "seconds": seconds,
            "units_per_s": n / seconds, "batches": len(batches),
            "largest_batch": max(batches)}  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=1000)
    p.add_argument("--commit-ms", type=float, nargs="+", default=[0.0, 20.0])
    p.add_argument("--num-cpus", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3, help="per mode; the median is reported")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    import ray

    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            RayExecutor(work=tiny_unit).run(units(20), lambda b: None, lambda u, f: None)  # warm
            for commit_ms in args.commit_ms:
                for mode in ("ray only", "batched", "per unit"):
                    tries = [run_mode(mode, args.units, commit_ms / 1000, Path(tmp))
                             for _ in range(args.rounds)]  # fmt: skip
                    rows.append(sorted(tries, key=lambda r: r["seconds"])[len(tries) // 2])
    finally:
        ray.shutdown()
    for commit_ms in args.commit_ms:
        ceiling = next(r for r in rows if r["commit_ms"] == commit_ms and r["mode"] == "ray only")
        for r in rows:
            if r["commit_ms"] == commit_ms:
                r["ratio_to_ray_only"] = r["units_per_s"] / ceiling["units_per_s"]
    load = os.getloadavg()
    meta = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
            "load_average": [round(x, 2) for x in load], "ray_cpus": args.num_cpus}  # fmt: skip
    if args.json:
        print(json.dumps({"meta": meta, "rows": rows}, indent=2))
        return
    print(f"{args.units} tiny units on a local Ray ({args.num_cpus} CPUs); {meta['machine']}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
    print(f"{'commit':>8} {'mode':>9} {'seconds':>8} {'units/s':>8} {'vs ray':>7} "
          f"{'batches':>8} {'largest':>8}")  # fmt: skip
    for r in rows:
        print(f"{r['commit_ms']:>6.0f}ms {r['mode']:>9} {r['seconds']:>8.2f} "
              f"{r['units_per_s']:>8.0f} {r['ratio_to_ray_only']:>7.2f} {r['batches']:>8} "
              f"{r['largest_batch']:>8}")  # fmt: skip


if __name__ == "__main__":
    main()
