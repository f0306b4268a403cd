"""Stores with chosen results (no training), to check the report's wording against known data.

Architectures are real specs with exact parameter counts; each run's errors are given, so a test
can build a tie, a clear winner, a failed fit or a budget-limited memorization on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rnncap.arch import count_parameters, parse_arch
from rnncap.capacity.depth import DepthRow
from rnncap.plain import to_plain
from rnncap.study.records import (
    ArchInfo,
    BaselineResult,
    BoundNote,
    ForecastSample,
    MemorizationResult,
    MemorizationVerdict,
    RunResult,
    SplitErrors,
    StudyInfo,
    TaskInfo,
    UnitResult,
    WeightNorms,
)
from rnncap.study.store import ResultsStore

#: Persistence on the fake task: a model with train MAE above 2.0 is a failed fit.
PERSISTENCE = SplitErrors(train=2.0, val=3.5, test=3.9)


@dataclass(frozen=True)
class Fake:
    """One architecture and, per seed, its (train, val, test) MAE."""

    arch: str
    errors: tuple[tuple[float, float, float], ...]
    groups: tuple[str, ...] = ("grid",)
    memorization: MemorizationVerdict | None = None
    bits: float = 0.5
    ratios: dict[str, float] = field(default_factory=dict)
    depth: DepthRow | None = None  # the fixed-width depth measurement at this depth


def seeds(train: float, val: float, test: float, sd: float = 0.05, n: int = 3) -> tuple:
    """n seeds around the given means with spread about `sd` (deterministic)."""
    offsets = [sd * (i - (n - 1) / 2) for i in range(n)]
    return tuple((train + o, val + o, test + o) for o in offsets)


def make_store(
    folder: Path,
    fakes: list[Fake],
    budget: int | None = None,
    baselines: tuple[BaselineResult, ...] = (),
    missing_baselines: tuple[str, ...] = (),
) -> Path:
    """Write a store at ``folder/results.sqlite`` holding exactly these results (``baselines``
    recorded with every unit)."""
    infos, units = {}, []
    for f in fakes:
        spec = parse_arch(f.arch, input_size=37, seq_len=24, outputs=1)
        ref = f"{spec.cell.value}:{spec.hidden_sizes[0]}"
        infos[f.arch] = ArchInfo(
            f.arch, to_plain(spec), spec.cell.value, spec.num_layers, tuple(spec.hidden_sizes),
            f.groups, {g: ref for g in f.groups}, budget if "frontier" in f.groups else None,
            count_parameters(spec).total, count_parameters(spec).recurrent_total,
            tuple(count_parameters(spec).per_layer.values()), 1, 1, (),
            {g: dict(f.ratios) for g in f.groups} if f.ratios else {},
        )  # fmt: skip
        runs = tuple(
            RunResult(
                seed=s,
                status="early_stopped",
                best_epoch=4,
                epochs=8,
                errors=SplitErrors(*e),
                norms=WeightNorms(3.0, 1.2, 8.0, 1.5),
                forecast=ForecastSample(
                    ("2013-11-01 00:00", "2013-11-01 01:00"), (5.0, 6.0), (5.5, 6.5)
                ),
            )  # fmt: skip
            for s, e in enumerate(f.errors)
        )
        mem = None
        if f.memorization is not None:
            mem = MemorizationResult(f"lstm:{spec.num_layers}x5", 400, 400, 150, (200, 400),
                                     {0: f.bits}, False, f.memorization)  # fmt: skip
        result = UnitResult(f.arch, "cpu", 1.0, runs, mem, baselines, depth=f.depth)
        units.append((f"key-{f.arch}", f.arch, result))
    path = Path(folder) / "results.sqlite"
    with ResultsStore.create(path) as store:
        store.set_plan([(k, a, [r.seed for r in u.runs]) for k, a, u in units], infos)
        task = TaskInfo("temp 24 steps ahead (fake)", "temp", "degC", 37, 1,
                        {"train": 100, "val": 50, "test": 50}, PERSISTENCE, {},
                        missing_baselines)  # fmt: skip
        legend = [
            BoundNote(
                "km97-pfaffian-unrolled",
                "Karpinski-Macintyre Pfaffian bound",
                "Karpinski & Macintyre 1997, Theorem 1",
                "ABSTRACT-ONLY",
                True,
                "DERIVED: unrolled network; abstract only: constants unknown",
            )
        ]
        store.set_task(StudyInfo("fake", (0, 1, 2), "Adam, up to 8 epochs"), task, legend)
        for key, _, result in units:
            store.record_unit(key, {}, result)
    return path
