"""ResultsStore: atomic units, resumability bookkeeping, WAL mode, incompatible stores refused."""

from __future__ import annotations

import sqlite3

import pytest

from rnncap.errors import InvalidInput
from rnncap.study.store import SCHEMA_VERSION, ResultsStore, ensure_writable_folder


def _result(arch="lstm:1x4", seeds=(0, 1)):
    runs = [{"seed": s, "metrics": {"test_mae": 1.0 + s}, "forecast": {"pred": [s]}} for s in seeds]
    return {"arch": arch, "seconds": 0.5, "device": "cpu", "runs": runs}


def test_a_unit_and_its_runs_are_recorded_once(tmp_path):
    with ResultsStore.create(tmp_path / "r.sqlite") as store:
        store.set_plan([("k1", "lstm:1x4", [0, 1])], {"lstm:1x4": {"params": 113}})
        assert store.record_unit("k1", {"cfg": 1}, _result())
        assert not store.record_unit("k1", {"cfg": 1}, _result())  # second time: ignored
        runs = store.runs()
        assert [(r["arch"], r["seed"], r["test_mae"]) for r in runs] == [
            ("lstm:1x4", 0, 1.0),
            ("lstm:1x4", 1, 2.0),
        ]
        assert store.done_keys() == {"k1"}
        assert store.forecast("k1", 1) == {"pred": [1]}
        assert store.architectures() == {"lstm:1x4": {"params": 113}}
        assert store.integrity_ok()
    conn = sqlite3.connect(tmp_path / "r.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_failed_unit_leaves_nothing(tmp_path):
    with ResultsStore.create(tmp_path / "r.sqlite") as store:
        bad = _result()
        bad["runs"].append({"seed": 0, "metrics": {}})  # duplicate seed: the insert fails
        with pytest.raises(sqlite3.IntegrityError):
            store.record_unit("k1", {}, bad)
        assert store.done_keys() == set() and store.runs(planned_only=False) == []


def test_runs_of_units_outside_the_plan_are_not_reported(tmp_path):
    with ResultsStore.create(tmp_path / "r.sqlite") as store:
        store.set_plan([("k1", "lstm:1x4", [0, 1])], {})
        store.record_unit("k1", {}, _result())
        store.set_plan([("k2", "lstm:1x8", [0])], {})
        assert store.runs() == []
        assert len(store.runs(planned_only=False)) == 2


def test_a_store_from_another_schema_is_refused(tmp_path):
    path = tmp_path / "r.sqlite"
    ResultsStore.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    msg = f"store schema 999, this rnncap reads {SCHEMA_VERSION}"
    with pytest.raises(InvalidInput, match=msg):
        ResultsStore.open(path)
    with pytest.raises(InvalidInput, match=msg):
        ResultsStore.create(path)


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    path = tmp_path / "r.sqlite"
    path.write_text("hello, not a database " * 100)
    with pytest.raises(InvalidInput, match="not an rnncap results store"):
        ResultsStore.create(path)
    assert path.read_text().startswith("hello")  # left as it was


def test_an_unwritable_folder_is_bad_input(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidInput, match="cannot write to output folder"):
        ensure_writable_folder(blocker / "out")
    with pytest.raises(InvalidInput, match="no results store"):
        ResultsStore.open(tmp_path / "missing")
