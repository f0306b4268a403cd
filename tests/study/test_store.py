"""ResultsStore: atomic units, resumability bookkeeping, WAL mode, incompatible stores refused."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from rnncap.engine.bookkeeping import Status
from rnncap.errors import InvalidInput
from rnncap.study.records import (
    ArchInfo,
    BaselineResult,
    BoundValue,
    ForecastSample,
    MemorizationResult,
    MemorizationVerdict,
    RunResult,
    SplitErrors,
    UnitResult,
    WeightNorms,
)
from rnncap.study.store import SCHEMA_VERSION, ResultsStore, ensure_writable_folder


def _run(seed: int, train: float = 2.0) -> RunResult:
    return RunResult(
        seed=seed,
        status="early_stopped",
        best_epoch=3,
        epochs=7,
        errors=SplitErrors(train, 2.5 + seed, 3.0 + seed),
        norms=WeightNorms(4.0, 1.5, 9.0, 1.2, 0.7, None),
        forecast=ForecastSample(("2013-11-01 00:00",), (5.0,), (4.0 + seed,)),
        attempts=1 + seed,
    )


def _result(arch="lstm:1x4", seeds=(0, 1)) -> UnitResult:
    mem = MemorizationResult(
        "lstm:1x9", 397, 400, 150, (198, 397), {0: 0.66, 1: 0.5}, False,
        MemorizationVerdict.BUDGET_LIMITED,
    )  # fmt: skip
    return UnitResult(
        arch, "cpu", 0.5, tuple(_run(s) for s in seeds), mem,
        (BaselineResult("persistence", 3.9, 3.87), BaselineResult("climatology", 4.1, 4.0)),
    )  # fmt: skip


def _info(arch="lstm:1x4") -> ArchInfo:
    bound = BoundValue("km97-pfaffian-unrolled", "STATED-VERIFIED", True, "Karpinski & Macintyre "
                       "1997, Theorem 1", "≈ 1e9", 9.0, True)  # fmt: skip
    return ArchInfo(
        arch, {"cell": "lstm"}, "lstm", 1, (4,), ("grid",), {"grid": arch}, None, 113, 96,
        (96,), 16, 24, (bound,), {"grid": {"km97-pfaffian-unrolled": 0.0}},
    )  # fmt: skip


def test_typed_records_round_trip_through_sqlite(tmp_path):
    """Every field written comes back equal, as the same record types (not dicts)."""
    result, info = _result(), _info()
    path = tmp_path / "r.sqlite"
    with ResultsStore.create(path) as store:
        store.set_plan([("k1", "lstm:1x4", [0, 1])], {"lstm:1x4": info})
        assert store.record_unit("k1", {"cfg": 1}, result)
    with ResultsStore.open(path) as store:  # a fresh connection: nothing cached
        (unit,) = store.units()
        assert store.architectures() == {"lstm:1x4": info}
    assert unit.key == "k1" and unit.seeds == (0, 1)
    assert unit.result == result
    assert isinstance(unit.result.runs[1].errors, SplitErrors)
    assert unit.result.runs[0].status is Status.EARLY_STOPPED  # typed, not the stored string
    assert unit.result.memorization.verdict is MemorizationVerdict.BUDGET_LIMITED
    assert unit.result.memorization.bits_per_parameter == pytest.approx((0.66 + 0.5) / 2)
    assert unit.result.runs[1].errors.gap == pytest.approx(4.0 - 2.0)


def test_a_unit_and_its_runs_are_recorded_once(tmp_path):
    with ResultsStore.create(tmp_path / "r.sqlite") as store:
        store.set_plan([("k1", "lstm:1x4", [0, 1])], {"lstm:1x4": _info()})
        assert store.record_unit("k1", {"cfg": 1}, _result())
        assert not store.record_unit("k1", {"cfg": 1}, _result(seeds=(5,)))  # ignored
        (unit,) = store.units()
        assert [(r.seed, r.errors.test) for r in unit.result.runs] == [(0, 3.0), (1, 4.0)]
        assert store.done_keys() == {"k1"} and store.count_runs() == 2
        assert store.integrity_ok()
    conn = sqlite3.connect(tmp_path / "r.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_failed_unit_leaves_nothing(tmp_path):
    with ResultsStore.create(tmp_path / "r.sqlite") as store:
        r = _result()
        bad = dataclasses.replace(r, runs=(*r.runs, _run(0)))  # duplicate seed: insert fails
        with pytest.raises(sqlite3.IntegrityError):
            store.record_unit("k1", {}, bad)
        assert store.done_keys() == set() and store.units(planned_only=False) == []


def test_runs_of_units_outside_the_plan_are_not_reported(tmp_path):
    with ResultsStore.create(tmp_path / "r.sqlite") as store:
        store.set_plan([("k1", "lstm:1x4", [0, 1])], {})
        store.record_unit("k1", {}, _result())
        store.set_plan([("k2", "lstm:1x8", [0])], {})
        assert store.units() == [] and store.count_runs() == 0
        assert store.count_runs(planned_only=False) == 2


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


#: The tables of schema 1 (free-form metric dicts), as rnncap 0.1.0 wrote them before typed records.
SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE units (key TEXT PRIMARY KEY, arch TEXT NOT NULL, seeds TEXT NOT NULL,
    config TEXT NOT NULL, result TEXT NOT NULL, seconds REAL NOT NULL, device TEXT NOT NULL,
    finished REAL NOT NULL);
CREATE TABLE runs (unit_key TEXT NOT NULL, arch TEXT NOT NULL, seed INTEGER NOT NULL,
    metrics TEXT NOT NULL, forecast TEXT, PRIMARY KEY (unit_key, seed));
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO runs VALUES ('k', 'lstm:1x4', 0, '{"test_mae": 3.1}', NULL);
"""


def test_a_store_of_the_untyped_schema_is_refused_with_one_line_and_exit_2(tmp_path, capsys):
    from rnncap.cli.app import main

    path = tmp_path / "old" / "results.sqlite"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_1)
    conn.close()
    before = path.read_bytes()
    with pytest.raises(InvalidInput, match="store schema 1, this rnncap reads 2"):
        ResultsStore.open(path)
    assert main(["study", "report", str(path.parent)]) == 2
    err = capsys.readouterr().err.strip()
    assert "store schema 1" in err and "another --out" in err and len(err.splitlines()) == 1
    assert path.read_bytes() == before  # untouched


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
