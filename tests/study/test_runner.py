"""run_study end to end on real data: what is recorded, and that a rerun skips what is done."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
import torch
from study_helpers import stored_runs, tiny_config

from rnncap.arch import parse_arch
from rnncap.data import Task, prepare_task
from rnncap.engine import RecurrentModel
from rnncap.forecast import Forecaster
from rnncap.plain import to_plain
from rnncap.study import ResultsStore, run_study


@pytest.mark.slow  # trains models
def test_every_planned_model_is_recorded_once_with_its_measures(tiny_study):
    out, summary = tiny_study
    assert (summary.planned, summary.skipped, summary.ran, summary.runs) == (4, 0, 4, 4)
    with ResultsStore.open(out) as store:
        infos = store.architectures()
        assert store.integrity_ok()
    runs = stored_runs(out)
    assert sorted(runs) == [("lstm:1x4", 0), ("lstm:1x4", 1), ("lstm:2x4", 0), ("lstm:2x4", 1)]
    for r in runs.values():
        e = r.errors
        assert e.test > 0 and e.val > 0 and e.train > 0
        assert e.gap == pytest.approx(e.test - e.train)
        assert r.status in ("early_stopped", "max_epochs") and r.epochs == 1
        assert len(r.forecast.truth) == len(r.forecast.pred) == len(r.forecast.times) == 48
    # exact counts against the real torch module
    for name, info in infos.items():
        spec = parse_arch(name, input_size=37, seq_len=24, outputs=1)
        model = RecurrentModel(spec)
        assert info.params == sum(p.numel() for p in model.parameters())


@pytest.mark.slow  # trains models
def test_recorded_test_mae_matches_an_independent_training(tiny_study):
    """Train lstm:2x4 seed 1 as `rnncap forecast train` would and compute its MAE with numpy."""
    out, _ = tiny_study
    recorded = stored_runs(out)
    td = prepare_task(Task(history=24, stride=24))
    model = Forecaster("lstm:2x4", seed=1, epochs=1, batch_size=64).fit(td)
    # residual recipe: prediction = network output + scaled value now, back in units
    now = td.target_values[td.test.rows][:, td.output_targets]
    with torch.no_grad():
        raw = model.model_(torch.from_numpy(td.test.x)).numpy()
    pred = td.y_to_physical(raw + td.y_scaler.transform(now))
    mae = float(np.mean(np.abs(pred - td.y_to_physical(td.test.y))))
    run = recorded[("lstm:2x4", 1)]
    assert run.errors.test == pytest.approx(mae, rel=1e-4)
    # weight measures: largest singular value and total Frobenius norm of the weight matrices
    mats = [v.numpy() for k, v in model.model_.state_dict().items() if "weight" in k]
    assert run.norms.spectral_max == pytest.approx(max(np.linalg.norm(m, 2) for m in mats), 1e-4)
    frob = np.sqrt(sum(np.sum(m.astype(np.float64) ** 2) for m in mats))
    assert run.norms.frobenius == pytest.approx(frob, rel=1e-4)
    # the forecast sample holds the first test forecasts, in physical units
    np.testing.assert_allclose(run.forecast.pred, pred[:48, 0], rtol=1e-4)


@pytest.mark.slow  # trains models
def test_a_rerun_skips_finished_units_and_redoes_only_missing_ones(tiny_study, tmp_path):
    out, _ = tiny_study
    copy = tmp_path / "copy"
    copy.mkdir()
    src = sqlite3.connect(out / "results.sqlite")
    dst = sqlite3.connect(copy / "results.sqlite")
    src.backup(dst)
    src.close()
    # forget one unit (and its run), as if the study had been killed before recording it
    key = dst.execute("SELECT key FROM units WHERE arch = 'lstm:2x4' LIMIT 1").fetchone()[0]
    dst.execute("DELETE FROM runs WHERE unit_key = ?", (key,))
    dst.execute("DELETE FROM units WHERE key = ?", (key,))
    dst.commit()
    dst.close()
    summary = run_study(tiny_config(), copy)
    assert (summary.skipped, summary.ran) == (3, 1)
    with ResultsStore.open(copy) as store:
        assert key in store.done_keys() and store.count_runs() == 4
    again = run_study(tiny_config(), copy)
    assert (again.skipped, again.ran) == (4, 0)


@pytest.mark.slow  # trains models
def test_a_changed_budget_gets_new_units(tiny_study, tmp_path):
    from rnncap.study.plan import TaskRef, TaskShape, plan_architectures, plan_units

    shape = TaskShape(37, 24, 1)
    a = tiny_config()
    b = tiny_config(training={"epochs": 2, "batch_size": 64})
    keys_a = {u.key for u in plan_units(a, plan_architectures(a, shape), TaskRef.of(a.task))}
    keys_b = {u.key for u in plan_units(b, plan_architectures(b, shape), TaskRef.of(b.task))}
    assert len(keys_a) == 4 and not keys_a & keys_b


@pytest.mark.slow  # trains models
def test_units_record_every_baseline_scored_as_the_forecast_room_scores_it(tiny_study):
    from rnncap.forecast import LaggedRidge

    out, _ = tiny_study
    with ResultsStore.open(out) as store:
        units = store.units()
    recorded = {b.name: b for b in units[0].result.baselines}
    assert list(recorded) == ["persistence", "daily persistence", "climatology", "ridge",
                              "lagged ridge", "lightgbm"]  # fmt: skip
    td = prepare_task(Task(history=24, stride=24))
    lagged = LaggedRidge().fit(td)
    for split, value in (("val", recorded["lagged ridge"].val_mae),
                         ("test", recorded["lagged ridge"].test_mae)):  # fmt: skip
        truth = td.y_physical(td.split(split))
        assert value == pytest.approx(float(np.mean(np.abs(lagged.predict(td, split) - truth))))


@pytest.mark.slow  # trains models
def test_baselines_are_fitted_once_per_task_not_once_per_unit(tmp_path, monkeypatch):
    """The driver fits the task's baselines once and records them with every unit; a unit
    (what a worker process runs) fits none."""
    import rnncap.forecast
    from rnncap.study import runner

    calls = []
    real = rnncap.forecast.baseline_results

    def counting(td):
        calls.append(real(td))
        return calls[-1]

    runner.task_baselines.cache_clear()  # a fit cached by an earlier test would not count
    monkeypatch.setattr(rnncap.forecast, "baseline_results", counting)  # whoever calls it
    summary = run_study(tiny_config(), tmp_path)
    assert len(calls) == 1
    with ResultsStore.open(tmp_path) as store:
        units = store.units()
        stored_phases = store.meta()["phases"]
    # where the time went: the units' own times, summed; the baselines' fit, once
    phases = summary.phases
    assert phases.forecast_units == pytest.approx(sum(u.result.seconds for u in units))
    assert phases.capacity == 0.0 and all(u.result.capacity_seconds == 0.0 for u in units)
    assert phases.baselines > 0 and phases.setup > 0 and 0 < phases.units_wall < summary.seconds
    assert stored_phases == to_plain(phases)
    fitted = tuple((r.name, r.val.mae, r.test.mae) for r in calls[0])
    assert len(units) == 4
    assert all(tuple((b.name, b.val_mae, b.test_mae) for b in u.result.baselines) == fitted
               for u in units)  # fmt: skip
    again = run_study(tiny_config(), tmp_path)  # nothing left to run: nothing fitted
    assert len(calls) == 1
    assert again.phases.forecast_units == 0.0 and again.phases.baselines == 0.0


def test_the_task_record_names_a_baseline_left_out_for_a_missing_package(monkeypatch):
    """Without LightGBM the study's task record carries the one-line reason (the report prints
    it); with it, nothing is left out."""
    from rnncap.forecast import boosted
    from rnncap.study.runner import _task_info

    task = Task(stride=24)
    td = prepare_task(task)
    assert _task_info(task, td, forecast=True).missing_baselines == ()
    monkeypatch.setattr(boosted.importlib.util, "find_spec", lambda name: None)
    assert _task_info(task, td, forecast=True).missing_baselines == (boosted.lightgbm_missing(),)
    # a study that fits no baselines (no forecast measure) has none to leave out
    assert _task_info(task, td, forecast=False).missing_baselines == ()
    assert "pip install 'rnncap[boost]'" in boosted.lightgbm_missing()


@pytest.mark.parametrize(("cell", "has_ks"), [("lstm", False), ("gru", False), ("rnn_tanh", True)])
def test_a_study_stores_only_bounds_that_hold_for_its_cell(cell, has_ks):
    """Koiran and Sontag's results are for vanilla RNNs: an LSTM's or GRU's study record leaves
    them out (issue 25), a tanh RNN's keeps them."""
    from rnncap.study.plan import PlannedArch, TaskShape
    from rnncap.study.runner import _bounds
    from rnncap.theory import bounds

    spec = parse_arch(f"{cell}:2x8", input_size=3, seq_len=10, outputs=1)
    values, _ = _bounds(PlannedArch(spec, {}), {}, TaskShape(3, 10, 1), m=500)
    keys = {v.key for v in values}
    other = {e.bound.key for e in bounds(spec, m=500) if e.result.other_cell}
    assert keys.isdisjoint(other)
    assert any(k.startswith("ks98-sigmoid") for k in keys) is has_ks
    assert bool(other) is not has_ks
