"""Where and how often units ran, and units that failed: records, batches, older stores, and the
line that stops a study on a node with other versions (no Ray needed here)."""

from __future__ import annotations

import sqlite3

import pytest
from study_helpers import tiny_payload
from test_store import _result

from rnncap.plain import from_plain, to_plain
from rnncap.study.ray_executor import dataset_files, version_mismatch
from rnncap.study.records import FailedUnit, UnitResult
from rnncap.study.store import ResultsStore


def _failed(key: str, attempts: int = 3) -> FailedUnit:
    return FailedUnit(key, "lstm:1x4", (0, 1), "TypeError: broken", attempts, "node-b")


def test_node_and_attempts_round_trip_and_older_records_read_as_one_local_attempt():
    placed = UnitResult("lstm:1x4", "cpu", 0.5, (), node="node-a", attempts=2)
    assert from_plain(UnitResult, to_plain(placed)) == placed
    older = to_plain(placed)
    del older["node"], older["attempts"]  # as written before units recorded their node
    assert (from_plain(UnitResult, older).node, from_plain(UnitResult, older).attempts) == (None, 1)


def test_a_batch_is_one_transaction_and_done_units_leave_the_failed_table(tmp_path):
    path = tmp_path / "r.sqlite"
    with ResultsStore.create(path) as store:
        store.set_plan([("k1", "lstm:1x4", [0, 1]), ("k2", "lstm:1x4", [0, 1])], {})
        assert store.record_batch([("k1", {}, _result(), (0, 1))], [_failed("k2")]) == 1
        assert store.done_keys() == {"k1"} and store.failures() == [_failed("k2")]
        # a rerun: k2 succeeds now; a late failure report of the done k1 is ignored
        assert store.record_batch([("k2", {}, _result(), (0, 1))], [_failed("k1")]) == 1
        assert store.done_keys() == {"k1", "k2"} and store.failures() == []
    conn = sqlite3.connect(path)  # a batch that fails part-way leaves nothing of itself
    conn.execute("CREATE TRIGGER boom BEFORE INSERT ON failed BEGIN SELECT RAISE(ABORT, 'x'); END")
    conn.commit()
    conn.close()
    with ResultsStore.create(path) as store:
        store.set_plan([("k3", "lstm:1x4", [0, 1]), ("k4", "lstm:1x4", [0, 1])], {})
        with pytest.raises(sqlite3.IntegrityError):
            store.record_batch([("k3", {}, _result(), (0, 1))], [_failed("k4")])
        assert "k3" not in store.done_keys()


def test_a_store_from_before_the_failed_table_is_read_and_upgraded_in_place(tmp_path):
    path = tmp_path / "r.sqlite"
    with ResultsStore.create(path) as store:
        store.set_plan([("k1", "lstm:1x4", [0, 1])], {})
        store.record_unit("k1", {}, _result())
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE failed")  # what a store written before this table looks like
    conn.commit()
    conn.close()
    with ResultsStore.open(path) as store:
        assert store.failures() == [] and store.done_keys() == {"k1"}
    with ResultsStore.create(path) as store:  # a writer adds the table, keeps the units
        store.set_plan([("k1", "lstm:1x4", [0, 1]), ("k2", "lstm:1x4", [0])], {})
        store.record_batch([], [_failed("k2", attempts=2)])
        assert store.failures() == [_failed("k2", attempts=2)] and store.done_keys() == {"k1"}


def test_a_version_mismatch_is_one_line_naming_the_node_and_both_versions():
    driver = {"rnncap": "0.1.0", "torch": "2.13.0"}
    node = {"node": "abc123", "host": "gpu-7", "rnncap": "0.1.0", "torch": "2.4.1"}
    line = version_mismatch(node, driver)
    assert line == (
        "Ray node abc123 (gpu-7) has torch 2.4.1, the driver has torch 2.13.0; install the same "
        "versions on every node (pip install torch==2.13.0) so results do not mix"
    )
    assert version_mismatch({**node, "torch": "2.13.0"}, driver) is None


def test_only_data_files_travel_with_the_tasks_not_embedded_names():
    from rnncap.study.plan import Unit

    datasets = ("nyc2013", "/x/w.csv", "/x/w.csv")
    units = [Unit("a", (0,), tiny_payload({"dataset": d})) for d in datasets]
    assert dataset_files(units) == ["/x/w.csv"]


class _FakeRay:
    """Just enough of `ray` for `check_node_versions`: each node's probe returns or raises."""

    import ray.exceptions as exceptions

    def __init__(self, outcomes):
        self.outcomes = outcomes

    def nodes(self):
        return [{"NodeID": n, "Alive": True, "Resources": {"CPU": 1.0}} for n in self.outcomes]

    def remote(self, **_):
        class Probe:
            def options(self, scheduling_strategy):
                node = scheduling_strategy.node_id

                class Call:
                    def remote(self):
                        return node

                return Call()

        return lambda fn: Probe()

    def wait(self, refs, num_returns, timeout):
        return refs, []

    def get(self, ref):
        out = self.outcomes[ref]
        if isinstance(out, BaseException):
            raise out
        return out


def test_a_node_that_died_after_being_listed_does_not_stop_the_version_check():
    """A probe pinned to a node that is gone raises TaskUnschedulableError ("doesn't exist any
    more"): that node runs no unit, so the study goes on with the others; a node whose rnncap
    cannot run still stops it."""
    import ray.exceptions as e

    from rnncap.errors import InvalidInput
    from rnncap.study.ray_executor import check_node_versions, driver_versions

    alive, gone = "a" * 56, "b" * 56
    versions = driver_versions()
    report = {"node": alive, "host": "h", **versions}
    unschedulable = e.TaskUnschedulableError("The node specified ... doesn't exist any more")
    fake = _FakeRay({alive: report, gone: unschedulable})
    assert check_node_versions(fake, versions, timeout=1) == [report]
    broken = _FakeRay({alive: report, gone: e.RayError("ModuleNotFoundError: rnncap")})
    with pytest.raises(InvalidInput, match=f"Ray node {gone} could not run rnncap's version"):
        check_node_versions(broken, versions, timeout=1)
