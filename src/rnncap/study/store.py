"""`ResultsStore`: one SQLite file (WAL mode) holding a study's plan and every finished unit.

A unit of work (one architecture x a chunk of seeds, trained as one ensemble) is recorded in one
transaction together with the hash of its configuration, so a study killed at any moment leaves
either the whole unit or nothing; running it again skips the units whose hash is already there.

Tables
------
meta(key, value)               schema version, rnncap version, the resolved study config, task info
                               (`TaskInfo`), the bound legend (`BoundNote`s)
architectures(arch, info)      per architecture: an `ArchInfo` (counts, bounds, ratios)
plan(key, arch, seeds, pos)    the units of the study last planned into this store
units(key, arch, seeds, config, result, seconds, device, finished)   result: a `UnitResult`
                               without its runs
runs(unit_key, arch, seed, result, forecast)   one `RunResult` per trained model, its forecast
                               sample apart (PRIMARY KEY unit, seed)
failed(key, arch, seeds, error, attempts, node, finished)   units that failed every attempt
                               (a `FailedUnit`; added to older schema-2 stores when written to)

Every JSON value is a record of `rnncap.study.records`, written and read by the one converter
(`rnncap.plain.to_plain` / `from_plain`); readers get the records back, never dicts.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rnncap.errors import InvalidInput, require
from rnncap.plain import from_plain, to_plain
from rnncap.study.records import (
    ArchInfo,
    BoundNote,
    FailedUnit,
    RunResult,
    StudyInfo,
    TaskInfo,
    UnitResult,
)

#: Bumped whenever the tables or the JSON they hold change incompatibly.
#: 2: typed records (`rnncap.study.records`) in place of free-form metric dicts.
SCHEMA_VERSION = 2
T = TypeVar("T")
STORE_NAME = "results.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS architectures (arch TEXT PRIMARY KEY, info TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS plan (
    key TEXT PRIMARY KEY, arch TEXT NOT NULL, seeds TEXT NOT NULL, pos INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS units (
    key TEXT PRIMARY KEY, arch TEXT NOT NULL, seeds TEXT NOT NULL, config TEXT NOT NULL,
    result TEXT NOT NULL, seconds REAL NOT NULL, device TEXT NOT NULL, finished REAL NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    unit_key TEXT NOT NULL REFERENCES units(key), arch TEXT NOT NULL, seed INTEGER NOT NULL,
    result TEXT NOT NULL, forecast TEXT, PRIMARY KEY (unit_key, seed));
CREATE TABLE IF NOT EXISTS failed (
    key TEXT PRIMARY KEY, arch TEXT NOT NULL, seeds TEXT NOT NULL, error TEXT NOT NULL,
    attempts INTEGER NOT NULL, node TEXT, finished REAL NOT NULL);
"""


#: The tables every store has (a store missing one is damaged).
_TABLES = ("meta", "architectures", "plan", "units", "runs")


def _stored(read: Callable[..., T]) -> Callable[..., T]:
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


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, allow_nan=True)


def ensure_writable_folder(folder: Path) -> Path:
    """Create `folder` if needed and prove it is writable, or raise `InvalidInput`."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".rnncap-write-test-{time.monotonic_ns()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(
            f"cannot write to output folder {str(folder)!r} ({reason}); choose another with out="
        ) from None
    return folder


LOCK_NAME = ".results.lock"


def damaged_message(path: Path, detail: str) -> str:
    """One line: the store is damaged, and how to keep what is intact."""
    folder = path.parent
    return (
        f"results store {str(path)!r} is damaged ({detail[:160]}); export the runs that are still "
        f"readable with `rnncap study export {folder} --salvage --out runs.csv`, then run the "
        "study again into a new out= folder"
    )


@contextmanager
def study_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the study folder while a study writes it.

    A second study on the same folder exits with one line instead of training every unit again.
    The lock is an OS lock (flock), so it is released when its process dies, even by kill -9.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    lock_path = Path(folder) / LOCK_NAME
    fh = open(lock_path, "a+")  # noqa: SIM115 (held open for the lock's lifetime)
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            owner = fh.read().strip() or "unknown"
            raise InvalidInput(
                f"another rnncap study ({owner}) is writing to {str(folder)!r}; wait for it to "
                "finish (rnncap study status shows its progress) or choose another out= folder"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}")
        fh.flush()
        yield
    finally:
        fh.close()  # closing releases the lock


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
    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @classmethod
    def _check_version(cls, path: Path, conn: sqlite3.Connection) -> None:
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            row = (
                conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if "meta" in tables
                else None
            )
        except sqlite3.DatabaseError as exc:
            conn.close()
            with open(path, "rb") as fh:
                if fh.read(16) == b"SQLite format 3\x00":  # an SQLite file with damaged pages
                    raise InvalidInput(damaged_message(path, str(exc))) from None
            raise InvalidInput(
                f"{str(path)!r} is not an rnncap results store (not an SQLite database); "
                "choose another out= folder"
            ) from None
        if "meta" not in tables:
            conn.close()
            raise InvalidInput(
                f"{str(path)!r} is not an rnncap results store (an SQLite database without "
                "rnncap's tables); choose another out= folder"
            )
        if row is None or row[0] != str(SCHEMA_VERSION):
            conn.close()
            found = "none" if row is None else row[0]
            raise InvalidInput(
                f"results store {str(path)!r} was written by an incompatible rnncap (store schema "
                f"{found}, this rnncap reads {SCHEMA_VERSION}); start a new one with another out= "
                "folder"
            )
        missing = [t for t in _TABLES if t not in tables]
        if missing:
            conn.close()
            raise InvalidInput(damaged_message(path, f"table {', '.join(missing)} is missing"))

    @classmethod
    def _check_intact(cls, path: Path, conn: sqlite3.Connection) -> None:
        """`PRAGMA quick_check` (every page readable, indexes consistent) or one line."""
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as exc:
            rows = [str(exc)]
        if rows != ["ok"]:
            conn.close()
            raise InvalidInput(damaged_message(path, "; ".join(rows)))

    @classmethod
    def create(cls, path: str | Path) -> ResultsStore:
        """Open `path` for writing, creating it (and its folder) if missing."""
        path = Path(path)
        ensure_writable_folder(path.parent)
        fresh = not path.exists() or path.stat().st_size == 0
        conn = cls._connect(path)
        if not fresh:
            cls._check_version(path, conn)
            cls._check_intact(path, conn)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        with _transaction(conn):  # IF NOT EXISTS: also adds tables new to an older store
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
        if fresh:
            from rnncap import __version__

            with _transaction(conn):
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
        conn = cls._connect(path)
        cls._check_version(path, conn)
        cls._check_intact(path, conn)
        return cls(path, conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------
    def set_meta(self, items: dict[str, Any]) -> None:
        with _transaction(self._conn):
            self._conn.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, _dumps(v)) for k, v in items.items()],
            )

    def set_plan(
        self, units: Iterable[tuple[str, str, list[int]]], archs: dict[str, ArchInfo]
    ) -> None:
        """Replace the plan with (key, arch, seeds) units and record each architecture's info."""
        with _transaction(self._conn):
            self._conn.execute("DELETE FROM plan")
            self._conn.executemany(
                "INSERT INTO plan VALUES (?, ?, ?, ?)",
                [(k, a, _dumps(list(s)), i) for i, (k, a, s) in enumerate(units)],
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO architectures VALUES (?, ?)",
                [(a, _dumps(to_plain(info))) for a, info in archs.items()],
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
        with _transaction(self._conn):
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
        with _transaction(self._conn):
            new = sum(self._insert_unit(k, c, r, s) for k, c, r, s in done)
            self._conn.executemany(
                "INSERT OR REPLACE INTO failed SELECT ?, ?, ?, ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM units WHERE key = ?)",
                [(f.key, f.arch, _dumps(list(f.seeds)), f.error, f.attempts, f.node, time.time(),
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
                _dumps(seeds),
                _dumps(config),
                _dumps({k: v for k, v in to_plain(result).items() if k != "runs"}),
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
            rows.append((key, result.arch, run.seed, _dumps(d), _dumps(forecast)))
        self._conn.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?)", rows)
        self._conn.execute("DELETE FROM failed WHERE key = ?", (key,))
        return True

    # -- reading -----------------------------------------------------------------------------
    @_stored
    def meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self._conn.execute("SELECT key, value FROM meta"):
            try:
                out[k] = json.loads(v)
            except json.JSONDecodeError:
                out[k] = v
        return out

    @_stored
    def _meta_value(self, key: str) -> Any:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    @_stored
    def study_info(self) -> StudyInfo | None:
        """How the study last run into the store was run (None before the first run)."""
        d = self._meta_value("study_info")
        return None if d is None else from_plain(StudyInfo, d)

    @_stored
    def task_info(self) -> TaskInfo | None:
        """The task of the study last run into the store (None before the first run)."""
        d = self._meta_value("task_info")
        return None if d is None else from_plain(TaskInfo, d)

    @_stored
    def bound_legend(self) -> tuple[BoundNote, ...]:
        return tuple(from_plain(BoundNote, n) for n in self._meta_value("bound_legend") or ())

    @_stored
    def done_keys(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT key FROM units")}

    @_stored
    def plan(self) -> list[PlannedUnit]:
        rows = self._conn.execute("SELECT key, arch, seeds FROM plan ORDER BY pos")
        return [PlannedUnit(k, a, tuple(json.loads(s))) for k, a, s in rows]

    @_stored
    def architectures(self) -> dict[str, ArchInfo]:
        """Info of the planned architectures, in plan order."""
        rows = self._conn.execute("SELECT arch, info FROM architectures")
        infos = {a: from_plain(ArchInfo, json.loads(i)) for a, i in rows}
        order = list(dict.fromkeys(p.arch for p in self.plan()))
        return {a: infos[a] for a in order if a in infos}

    @_stored
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

    @_stored
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

    @_stored
    def count_runs(self, planned_only: bool = True) -> int:
        sql = "SELECT COUNT(*) FROM runs"
        if planned_only:
            sql += " WHERE unit_key IN (SELECT key FROM plan)"
        return int(self._conn.execute(sql).fetchone()[0])

    def integrity_ok(self) -> bool:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _rows_one_by_one(path: str | Path, table: str, columns: str) -> tuple[list[tuple], int]:
    """Every readable row of `table` in a damaged store, read one row id at a time, and how
    many row ids up to the largest could not be read."""
    path = Path(path)
    if path.is_dir():
        path = path / STORE_NAME
    require(path.is_file(), f"no results store at {str(path)!r}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            top = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            top = 100_000  # the b-tree's right edge is damaged: probe a generous range
        rows, lost = [], 0
        for rowid in range(1, int(top) + 1):
            try:
                row = conn.execute(
                    f"SELECT {columns} FROM {table} WHERE rowid = ?", (rowid,)
                ).fetchone()
            except sqlite3.DatabaseError:
                lost += 1
                continue
            if row is not None:
                rows.append(row)
        return rows, lost
    finally:
        conn.close()


def salvage_architectures(path: str | Path) -> dict[str, ArchInfo]:
    """The architecture records still readable in a damaged store."""
    out = {}
    for arch, info in _rows_one_by_one(path, "architectures", "arch, info")[0]:
        try:
            out[arch] = from_plain(ArchInfo, json.loads(info))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def salvage_runs(path: str | Path) -> tuple[list[dict], int]:
    """The runs still readable in a damaged store, read one row at a time (``arch``, ``seed``,
    ``unit_key`` and the `RunResult` JSON with its forecast sample as ``result``), and how many
    of the rows up to the largest row id could not be read. For `study export --salvage`."""
    rows, lost = _rows_one_by_one(path, "runs", "unit_key, arch, seed, result, forecast")
    out = []
    for k, a, seed, result, forecast in rows:
        try:
            d = {**json.loads(result), "forecast": json.loads(forecast or "null")}
            out.append({"arch": a, "seed": int(seed), "unit_key": k, "result": d})
        except (TypeError, ValueError):
            lost += 1
    return out, lost


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (autocommit connection)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
