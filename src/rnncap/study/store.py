"""`ResultsStore`: one SQLite file (WAL mode) holding a study's plan and every finished unit.

A unit of work (one architecture x a chunk of seeds, trained as one ensemble) is recorded in one
transaction together with the hash of its configuration, so a study killed at any moment leaves
either the whole unit or nothing; running it again skips the units whose hash is already there.

Every JSON value is a record of `rnncap.study.records`, written and read by the one converter
(`rnncap.plain.to_plain` / `from_plain`); readers get the records back, never dicts. A new reader
is one method decorated with `stored` (a row that does not decode makes the store damaged).

The tables and the checks that open a store are in `store_schema`, the study folder's write check
and lock in `store_folder`, the row-by-row reading of a damaged store in `store_salvage`; their
public names are imported here too, where callers have always found them.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rnncap.errors import InvalidInput, require
from rnncap.measures.records import ModelPoint
from rnncap.plain import from_plain, to_plain
from rnncap.study.points import model_points
from rnncap.study.records import (
    ArchInfo,
    BoundNote,
    FailedUnit,
    RunResult,
    StudyInfo,
    TaskInfo,
    UnitResult,
)
from rnncap.study.store_folder import LOCK_NAME, ensure_writable_folder, study_lock
from rnncap.study.store_salvage import salvage_architectures, salvage_runs
from rnncap.study.store_schema import (
    SCHEMA,
    SCHEMA_VERSION,
    STORE_NAME,
    check_intact,
    check_version,
    connect,
    damaged_message,
    dumps,
    transaction,
)

__all__ = [
    "LOCK_NAME",
    "SCHEMA_VERSION",
    "STORE_NAME",
    "PlannedUnit",
    "ResultsStore",
    "StoredUnit",
    "damaged_message",
    "ensure_writable_folder",
    "salvage_architectures",
    "salvage_runs",
    "stored",
    "study_lock",
]

T = TypeVar("T")


def stored(read: Callable[..., T]) -> Callable[..., T]:
    """A reader of stored records: a row that does not decode (bad JSON, a record missing a
    field, a table gone) makes the store damaged, one line with the way to salvage the rest."""

    @functools.wraps(read)
    def wrapper(self: ResultsStore, *args: Any, **kwargs: Any) -> T:
        try:
            return read(self, *args, **kwargs)
        except InvalidInput:
            raise
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
            detail = f"{type(exc).__name__}: {exc}"
            raise InvalidInput(damaged_message(self.path, detail)) from None

    return wrapper


@dataclass(frozen=True)
class PlannedUnit:
    """A unit of the study last planned into the store: its key, architecture and seeds."""

    key: str
    arch: str
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class StoredUnit:
    """A finished unit as the store holds it: its key, its seeds and its typed result."""

    key: str
    seeds: tuple[int, ...]
    result: UnitResult


class ResultsStore:
    """The study's SQLite store. Open with `ResultsStore.create` (writer) or `.open` (reader).

    Parameters
    ----------
    path : Path
        The SQLite file (``<folder>/results.sqlite`` by convention).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self._conn = conn

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path) -> ResultsStore:
        """Open `path` for writing, creating it (and its folder) if missing."""
        path = Path(path)
        ensure_writable_folder(path.parent)
        fresh = not path.exists() or path.stat().st_size == 0
        conn = connect(path)
        if not fresh:
            check_version(path, conn)
            check_intact(path, conn)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        with transaction(conn):  # IF NOT EXISTS: also adds tables new to an older store
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
        if fresh:
            from rnncap import __version__

            with transaction(conn):
                conn.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    [
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("rnncap_version", __version__),
                        ("created", str(time.time())),
                    ],
                )
        return cls(path, conn)

    @classmethod
    def open(cls, path: str | Path) -> ResultsStore:
        """Open an existing store for reading (a folder means ``<folder>/results.sqlite``)."""
        path = Path(path)
        if path.is_dir():
            path = path / STORE_NAME
        require(
            path.is_file(),
            f"no results store at {str(path)!r}; run a study first (rnncap study --quick)",
        )
        conn = connect(path)
        check_version(path, conn)
        check_intact(path, conn)
        return cls(path, conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------
    def set_meta(self, items: dict[str, Any]) -> None:
        with transaction(self._conn):
            self._conn.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, dumps(v)) for k, v in items.items()],
            )

    def set_plan(
        self, units: Iterable[tuple[str, str, list[int]]], archs: dict[str, ArchInfo]
    ) -> None:
        """Replace the plan with (key, arch, seeds) units and record each architecture's info."""
        with transaction(self._conn):
            self._conn.execute("DELETE FROM plan")
            self._conn.executemany(
                "INSERT INTO plan VALUES (?, ?, ?, ?)",
                [(k, a, dumps(list(s)), i) for i, (k, a, s) in enumerate(units)],
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO architectures VALUES (?, ?)",
                [(a, dumps(to_plain(info))) for a, info in archs.items()],
            )

    def set_task(self, study: StudyInfo, task: TaskInfo, legend: Iterable[BoundNote]) -> None:
        """Record how the study runs, its task and baselines, and the legend of the bound keys."""
        self.set_meta(
            {
                "study_info": to_plain(study),
                "task_info": to_plain(task),
                "bound_legend": to_plain(list(legend)),
            }
        )

    def record_unit(
        self, key: str, config: dict, result: UnitResult, seeds: Iterable[int] | None = None
    ) -> bool:
        """Record a finished unit and its runs in one transaction; False if it was already there.

        ``seeds`` are the unit's seeds (default: those of its runs; a unit that trains nothing,
        e.g. memorization alone, has none).
        """
        with transaction(self._conn):
            return self._insert_unit(key, config, result, seeds)

    def record_batch(
        self,
        done: Iterable[tuple[str, dict, UnitResult, Iterable[int]]],
        failed: Iterable[FailedUnit] = (),
    ) -> int:
        """Record finished units (key, config, result, seeds) and failed ones in ONE transaction
        (a driver receiving many results at once commits once); how many units were new.

        A unit recorded as done leaves the failed table; a unit already done is not marked failed.
        """
        with transaction(self._conn):
            new = sum(self._insert_unit(k, c, r, s) for k, c, r, s in done)
            self._conn.executemany(
                "INSERT OR REPLACE INTO failed SELECT ?, ?, ?, ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM units WHERE key = ?)",
                [(f.key, f.arch, dumps(list(f.seeds)), f.error, f.attempts, f.node, time.time(),
                  f.key) for f in failed],
            )  # fmt: skip
        return new

    def _insert_unit(
        self, key: str, config: dict, result: UnitResult, seeds: Iterable[int] | None
    ) -> bool:
        """The unit and its runs (inside the caller's transaction); False if already there."""
        seeds = [int(s) for s in (seeds if seeds is not None else [r.seed for r in result.runs])]
        cur = self._conn.execute(
            "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING",
            (
                key,
                result.arch,
                dumps(seeds),
                dumps(config),
                dumps({k: v for k, v in to_plain(result).items() if k != "runs"}),
                float(result.seconds),
                result.device,
                time.time(),
            ),
        )
        if cur.rowcount == 0:
            return False
        rows = []
        for run in result.runs:
            d = to_plain(run)
            forecast = d.pop("forecast")
            rows.append((key, result.arch, run.seed, dumps(d), dumps(forecast)))
        self._conn.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?)", rows)
        self._conn.execute("DELETE FROM failed WHERE key = ?", (key,))
        return True

    # -- reading -----------------------------------------------------------------------------
    @stored
    def meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self._conn.execute("SELECT key, value FROM meta"):
            try:
                out[k] = json.loads(v)
            except json.JSONDecodeError:
                out[k] = v
        return out

    @stored
    def _meta_value(self, key: str) -> Any:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    @stored
    def study_info(self) -> StudyInfo | None:
        """How the study last run into the store was run (None before the first run)."""
        d = self._meta_value("study_info")
        return None if d is None else from_plain(StudyInfo, d)

    @stored
    def task_info(self) -> TaskInfo | None:
        """The task of the study last run into the store (None before the first run)."""
        d = self._meta_value("task_info")
        return None if d is None else from_plain(TaskInfo, d)

    @stored
    def bound_legend(self) -> tuple[BoundNote, ...]:
        return tuple(from_plain(BoundNote, n) for n in self._meta_value("bound_legend") or ())

    @stored
    def done_keys(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT key FROM units")}

    @stored
    def plan(self) -> list[PlannedUnit]:
        rows = self._conn.execute("SELECT key, arch, seeds FROM plan ORDER BY pos")
        return [PlannedUnit(k, a, tuple(json.loads(s))) for k, a, s in rows]

    @stored
    def architectures(self) -> dict[str, ArchInfo]:
        """Info of the planned architectures, in plan order."""
        rows = self._conn.execute("SELECT arch, info FROM architectures")
        infos = {a: from_plain(ArchInfo, json.loads(i)) for a, i in rows}
        order = list(dict.fromkeys(p.arch for p in self.plan()))
        return {a: infos[a] for a in order if a in infos}

    @stored
    def units(self, planned_only: bool = True) -> list[StoredUnit]:
        """Every finished unit with its runs (forecast samples included), in finishing order."""
        where = " WHERE unit_key IN (SELECT key FROM plan)" if planned_only else ""
        runs: dict[str, list[RunResult]] = {}
        for key, result, forecast in self._conn.execute(
            f"SELECT unit_key, result, forecast FROM runs{where} ORDER BY seed"
        ):
            d = {**json.loads(result), "forecast": json.loads(forecast)}
            runs.setdefault(key, []).append(from_plain(RunResult, d))
        sql = "SELECT key, seeds, result FROM units"
        if planned_only:
            sql += " WHERE key IN (SELECT key FROM plan)"
        return [
            StoredUnit(k, tuple(json.loads(s)),
                       from_plain(UnitResult, {**json.loads(r), "runs": runs.get(k, ())}))
            for k, s, r in self._conn.execute(sql + " ORDER BY finished")
        ]  # fmt: skip

    @stored
    def model_points(self) -> list[ModelPoint]:
        """Every trained model of the plan as a `ModelPoint` (`rnncap.study.points`): its axes,
        fixed ones included, its gaps and its complexity measures, for `rnncap.measures`."""
        return model_points(self.units())

    @stored
    def failures(self, planned_only: bool = True) -> list[FailedUnit]:
        """Units that failed every attempt and are not done since (none in a store from before
        the failed table existed)."""
        tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master")}
        if "failed" not in tables:
            return []
        sql = "SELECT key, arch, seeds, error, attempts, node FROM failed"
        if planned_only:
            sql += " WHERE key IN (SELECT key FROM plan)"
        return [
            FailedUnit(k, a, tuple(json.loads(s)), e, int(n), node)
            for k, a, s, e, n, node in self._conn.execute(sql + " ORDER BY finished")
        ]

    @stored
    def count_runs(self, planned_only: bool = True) -> int:
        sql = "SELECT COUNT(*) FROM runs"
        if planned_only:
            sql += " WHERE unit_key IN (SELECT key FROM plan)"
        return int(self._conn.execute(sql).fetchone()[0])

    def integrity_ok(self) -> bool:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
