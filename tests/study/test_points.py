"""`ResultsStore.model_points`: each stored run as a `ModelPoint` (axes, both gaps, measures)."""

from __future__ import annotations

import math

import pytest
from test_store import _info

from rnncap.engine.bookkeeping import Status
from rnncap.measures.records import GAP_IID, GAP_SHIFT, ModelPoint
from rnncap.study import ResultsStore
from rnncap.study.records import RunResult, SplitErrors, UnitResult

AXES = {"cell": "lstm", "layers": 1, "units": 4, "lr": 0.003, "batch_size": 64, "dropout": 0.0,
        "weight_decay": 0.0, "train_fraction": 0.5, "epochs": 3}  # fmt: skip


def _run(seed, errors, measures):
    return RunResult(seed, Status.MAX_EPOCHS, 3, 3, errors, axes=AXES, train_windows=10,
                     measures=measures)  # fmt: skip


def test_points_carry_the_axes_both_gaps_and_only_finite_measures(tmp_path):
    runs = (
        _run(0, SplitErrors(1.0, 2.0, 3.5, 1.25), {"log_params": 4.5, "flat": math.nan}),
        _run(1, SplitErrors(1.0, 2.0, 3.0), {"log_params": 4.5}),  # no holdout: no gap_iid
        _run(2, SplitErrors(math.nan, 2.0, 3.0, 1.0), {}),  # diverged: no gap at all
    )
    with ResultsStore.create(tmp_path / "r.sqlite") as store:
        store.set_plan([("k1", "lstm:1x4", [0, 1, 2])], {"lstm:1x4": _info()})
        store.record_unit("k1", {}, UnitResult("lstm:1x4", "cpu", 0.5, runs))
    with ResultsStore.open(tmp_path / "r.sqlite") as store:
        points = store.model_points()
    assert points == [
        ModelPoint("k1:0", AXES, {GAP_IID: 0.25, GAP_SHIFT: 2.5}, {"log_params": 4.5}),
        ModelPoint("k1:1", AXES, {GAP_SHIFT: 2.0}, {"log_params": 4.5}),
        ModelPoint("k1:2", AXES, {}, {}),
    ]
    assert points[0].gaps[GAP_IID] == pytest.approx(1.25 - 1.0)


def test_a_run_recorded_without_axes_is_refused_in_one_line(tmp_path):
    from rnncap.errors import InvalidInput

    old = RunResult(0, Status.MAX_EPOCHS, 3, 3, SplitErrors(1.0, 2.0, 3.0))  # no axes
    with ResultsStore.create(tmp_path / "r.sqlite") as store:
        store.set_plan([("k1", "lstm:1x4", [0])], {"lstm:1x4": _info()})
        store.record_unit("k1", {}, UnitResult("lstm:1x4", "cpu", 0.5, (old,)))
        with pytest.raises(InvalidInput, match="recorded before rnncap kept each model's axes"):
            store.model_points()


def test_the_export_row_has_the_holdout_axes_and_measures():
    from rnncap.study.status import run_fields

    row = run_fields(_run(0, SplitErrors(1.0, 2.0, 3.5, 1.25), {"log_params": 4.5}))
    assert (row["holdout_mae"], row["gap_iid"], row["gap"]) == (1.25, 0.25, 2.5)
    assert row["axis_lr"] == 0.003 and row["axis_train_fraction"] == 0.5
    assert (row["train_windows"], row["measure_log_params"]) == (10, 4.5)
    plain = run_fields(RunResult(0, Status.MAX_EPOCHS, 3, 3, SplitErrors(1.0, 2.0, 3.0)))
    assert not [k for k in plain if k.startswith(("axis_", "measure_", "holdout", "gap_iid"))]
