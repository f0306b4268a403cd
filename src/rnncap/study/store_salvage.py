"""Reading what is left of a damaged store, one row at a time (`rnncap study export --salvage`)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from rnncap.errors import require
from rnncap.plain import from_plain
from rnncap.study.records import ArchInfo
from rnncap.study.store_schema import STORE_NAME


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
