"""The SQLite layout of a results store and the checks that open one.

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

A store of another schema version, a file that is not a store, and a store with damaged pages or
a missing table are each refused with one line (`InvalidInput`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rnncap.errors import InvalidInput

#: Bumped whenever the tables or the JSON they hold change incompatibly.
#: 2: typed records (`rnncap.study.records`) in place of free-form metric dicts.
SCHEMA_VERSION = 2
STORE_NAME = "results.sqlite"

SCHEMA = """
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
TABLES = ("meta", "architectures", "plan", "units", "runs")


def dumps(obj: Any) -> str:
    """The JSON text of a stored value (sorted keys, so equal records give equal text)."""
    return json.dumps(obj, sort_keys=True, allow_nan=True)


def damaged_message(path: Path, detail: str) -> str:
    """One line: the store is damaged, and how to keep what is intact."""
    folder = path.parent
    return (
        f"results store {str(path)!r} is damaged ({detail[:160]}); export the runs that are still "
        f"readable with `rnncap study export {folder} --salvage --out runs.csv`, then run the "
        "study again into a new out= folder"
    )


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection that waits up to 30 s for another writer's lock."""
    conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def check_version(path: Path, conn: sqlite3.Connection) -> None:
    """An rnncap store of this schema version with every table, or close `conn` and raise."""
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
    missing = [t for t in TABLES if t not in tables]
    if missing:
        conn.close()
        raise InvalidInput(damaged_message(path, f"table {', '.join(missing)} is missing"))


def check_intact(path: Path, conn: sqlite3.Connection) -> None:
    """`PRAGMA quick_check` (every page readable, indexes consistent) or one line."""
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows != ["ok"]:
        conn.close()
        raise InvalidInput(damaged_message(path, "; ".join(rows)))


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (autocommit connection)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
