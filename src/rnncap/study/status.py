"""What a store holds: the plan, what is done, and every run as one flat table (for export)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

import pandas as pd

from rnncap.atomic import atomic_path
from rnncap.errors import InvalidInput, require
from rnncap.plain import from_plain
from rnncap.study.axes import AXES
from rnncap.study.records import ArchInfo, FailedUnit, RunResult
from rnncap.study.store import ResultsStore, salvage_architectures, salvage_runs

EXPORT_FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class ArchStatus:
    arch: str
    params: int | None
    units_done: int
    units_planned: int
    runs_done: int


@dataclass(frozen=True)
class StudyStatus:
    """Progress of the study last planned into a store."""

    store: str
    name: str
    units_planned: int
    units_done: int
    runs_planned: int
    runs_done: int
    seconds: float  # training time of the finished units, summed over workers
    archs: tuple[ArchStatus, ...]
    nodes: dict[str, int] = field(default_factory=dict)  # Ray node id -> units it finished
    retried: int = 0  # finished units that took more than one attempt (e.g. a node was lost)
    failed: tuple[FailedUnit, ...] = ()  # units that failed every attempt, not done since

    PLAIN_EXTRA: ClassVar = ("complete",)  # written by `rnncap.plain.to_plain` after the fields

    @property
    def complete(self) -> bool:
        return self.units_done == self.units_planned


def study_status(path: str | Path) -> StudyStatus:
    """The plan of the store at `path` (a folder or the .sqlite file) and how much of it is done."""
    with ResultsStore.open(path) as store:
        plan = store.plan()
        done = {u.key: u for u in store.units()}
        infos = store.architectures()
        info = store.study_info()
        failed = tuple(store.failures())
    per_arch: dict[str, list[int]] = {}
    for u in plan:
        counts = per_arch.setdefault(u.arch, [0, 0, 0])
        counts[1] += 1
        if u.key in done:
            counts[0] += 1
            counts[2] += len(u.seeds)
    archs = tuple(
        ArchStatus(a, infos[a].params if a in infos else None, c[0], c[1], c[2])
        for a, c in per_arch.items()
    )
    return StudyStatus(
        store=str(store.path),
        name=info.name if info is not None else "",
        units_planned=len(plan),
        units_done=sum(1 for u in plan if u.key in done),
        runs_planned=sum(len(u.seeds) for u in plan),
        runs_done=sum(a.runs_done for a in archs),
        seconds=float(sum(u.result.seconds for u in done.values())),
        archs=archs,
        nodes=dict(Counter(u.result.node for u in done.values() if u.result.node)),
        retried=sum(1 for u in done.values() if u.result.attempts > 1),
        failed=failed,
    )


def run_row(info: ArchInfo, run: RunResult) -> dict:
    """One trained model as a flat row of named columns (the export and the report's CSV)."""
    row: dict = {
        "arch": info.arch,
        "cell": info.cell,
        "layers": info.layers,
        "units": ",".join(map(str, info.units)),
        "params": info.params,
        "groups": "+".join(info.groups),
    }
    return {**row, **run_fields(run)}


def run_fields(run: RunResult) -> dict:
    """The run's own columns: seed, how training ended, errors (the holdout's and ``gap_iid``
    with holdout weeks), weight norms, the hyperparameters of [axes] as ``axis_NAME``, the
    training windows and the complexity measures as ``measure_NAME`` (when recorded)."""
    row: dict = {
        "seed": run.seed,
        "status": run.status,
        "best_epoch": run.best_epoch,
        "epochs": run.epochs,
        "attempts": run.attempts,
    }
    if run.errors is not None:
        e = run.errors
        row.update(train_mae=e.train, val_mae=e.val, test_mae=e.test, gap=e.gap, val_gap=e.val_gap)
        if e.holdout is not None:
            row.update(holdout_mae=e.holdout, gap_iid=e.gap_iid)
    if run.norms is not None:
        row.update(asdict(run.norms))
    row.update({f"axis_{k}": run.axes[k] for k in AXES if k in run.axes})
    if run.train_windows is not None:
        row["train_windows"] = run.train_windows
    row.update({f"measure_{k}": v for k, v in sorted(run.measures.items())})
    return row


def runs_table(path: str | Path) -> pd.DataFrame:
    """Every finished run of the planned study: architecture columns, seed, measures."""
    with ResultsStore.open(path) as store:
        infos = store.architectures()
        units = store.units()
    rows = [run_row(infos[u.result.arch], r) for u in units for r in u.result.runs]
    rows.sort(key=lambda row: (row["arch"], row["seed"]))
    return pd.DataFrame(rows)


def salvaged_table(path: str | Path) -> tuple[pd.DataFrame, int]:
    """The runs still readable in a damaged store, as `runs_table` rows (the architecture columns
    only where its record is readable too), and how many runs were lost."""
    runs, lost = salvage_runs(path)
    infos = salvage_architectures(path)
    rows = []
    for r in runs:
        try:
            run = from_plain(RunResult, r["result"])
        except (KeyError, TypeError, ValueError):
            lost += 1
            continue
        info = infos.get(r["arch"])
        rows.append(run_row(info, run) if info else {"arch": r["arch"], **run_fields(run)})
    rows.sort(key=lambda row: (row["arch"], row["seed"]))
    return pd.DataFrame(rows), lost


def export_runs(path: str | Path, fmt: str, out: str | Path, *, salvage: bool = False) -> Path:
    """Write the runs table as CSV or Parquet to `out` (atomically: temp file, then rename).

    ``salvage``: read a damaged store row by row and export what is readable."""
    require(fmt in EXPORT_FORMATS, f"unknown format {fmt!r}; choose one of: csv, parquet")
    table = salvaged_table(path)[0] if salvage else runs_table(path)
    out = Path(out)
    from rnncap.study.store import ensure_writable_folder

    ensure_writable_folder(out.parent)
    with atomic_path(out) as tmp:
        if fmt == "csv":
            table.to_csv(tmp, index=False)
        else:
            try:
                table.to_parquet(tmp, index=False)
            except ImportError:
                raise InvalidInput("parquet export needs pyarrow: pip install pyarrow") from None
    return out
