"""The residual anchor (any fitted baseline), several stations and every lead time at once.

Expected values come from the baselines themselves (each checked against least squares in
test_baselines.py), from the network's own output and from plain per-column MAEs.
"""

import numpy as np
import pytest
import torch

from rnncap.data import Task, prepare_task
from rnncap.errors import InvalidInput
from rnncap.forecast import (
    Forecaster,
    LaggedRidge,
    Persistence,
    Ridge,
    evaluate,
    forecast_frame,
    load,
    save,
)
from rnncap.forecast.anchor import fit_anchor
from rnncap.forecast.bootstrap import block_windows, mae_difference


@pytest.fixture(scope="module")
def td():
    """nyc2013, temperature at every station, leads 1..3, a short history, windows daily."""
    return prepare_task(Task(stations="all", history=6, horizon=3, all_leads=True, stride=24))


@pytest.fixture(scope="module")
def model(td):
    return Forecaster(  # the anchor alone: the blend is tested in test_blend.py
        "gru:4", epochs=1, batch_size=256, anchor="lagged-ridge", blend="none"
    ).fit(td)


def test_the_stations_are_outputs_after_the_target_station(td):
    assert td.target_columns == ("JFK.temp", "EWR.temp", "LGA.temp")
    assert td.outputs == 9 and td.output_names[:4] == (
        "JFK.temp@+1", "EWR.temp@+1", "LGA.temp@+1", "JFK.temp@+2"
    )  # fmt: skip
    two = prepare_task(Task(station="LGA", stations="EWR", history=6, stride=24))
    assert two.target_columns == ("LGA.temp", "EWR.temp")


def test_an_unknown_station_is_one_line():
    with pytest.raises(InvalidInput, match="unknown station 'ORD'; stations of nyc2013: "):
        prepare_task(Task(stations="JFK,ORD", history=6, stride=24))


@pytest.mark.parametrize(("kind", "baseline"), [("ridge", Ridge), ("lagged-ridge", LaggedRidge)])
def test_a_ridge_anchor_forecasts_what_its_baseline_forecasts(td, kind, baseline):
    anchor = fit_anchor(td, kind)
    expected = baseline().fit(td)
    for split in ("train", "val", "test"):
        got = td.y_to_physical(anchor.scaled(td, split))
        np.testing.assert_allclose(got, expected.predict(td, split), rtol=1e-5, atol=1e-4)


def test_auto_keeps_the_candidate_with_the_lowest_validation_mae(td):
    truth = td.y_physical(td.val)
    maes = {
        name: float(np.mean(np.abs(b.fit(td).predict(td, "val") - truth)))
        for name, b in [("persistence", Persistence()), ("ridge", Ridge()),
                        ("lagged-ridge", LaggedRidge())]
    }  # fmt: skip
    auto = fit_anchor(td, "auto")
    assert auto.kind == min(maes, key=maes.get)
    assert auto.val_mae == pytest.approx(maes, rel=1e-5)


def test_each_output_keeps_its_own_level_or_change():
    """Wind speed 1-12 h ahead: the change wins at some leads, the level at others (a choice
    shared by every output, as before issue 27, could not give both)."""
    td = prepare_task(Task(target="wind_speed", history=6, horizon=12, all_leads=True, stride=24))
    level, change = Ridge(target="level").fit(td), Ridge(target="change").fit(td)
    auto = Ridge().fit(td)
    truth = td.y_physical(td.val)
    for j in range(td.outputs):
        errors = {k: np.mean(np.abs(m.predict(td, "val")[:, j] - truth[:, j]))
                  for k, m in (("level", level), ("change", change))}  # fmt: skip
        kept = min(errors, key=errors.get)
        assert auto.output_targets_[j] == kept
        want = (level if kept == "level" else change).predict(td, "test")[:, j]
        np.testing.assert_allclose(auto.predict(td, "test")[:, j], want, rtol=1e-9)
    assert set(auto.output_targets_) == {"level", "change"} and auto.target_ == "per output"


@pytest.mark.slow  # trains a model
def test_the_forecast_is_the_network_plus_the_anchor_also_after_a_checkpoint(td, model, tmp_path):
    ridge = LaggedRidge().fit(td)
    with torch.no_grad():
        net = model.model_(torch.from_numpy(td.test.x)).numpy()
    expected = td.y_to_physical(net + td.y_scaler.transform(ridge.predict(td, "test")))
    np.testing.assert_allclose(model.predict(td, "test"), expected, rtol=1e-5, atol=1e-4)
    save(model, tmp_path / "m.pt")
    again = load(tmp_path / "m.pt")
    assert again.anchor_.kind == "lagged-ridge" and again.settings.anchor == "lagged-ridge"
    np.testing.assert_array_equal(again.predict(td, "test"), model.predict(td, "test"))
    # the prediction path (raw windows, target times from the issue time) gives the same
    frame = forecast_frame(again, td.task.load()).set_index(["issued", "lead", "variable"])
    issued = td.times[td.test.rows]
    for j, name in enumerate(td.output_names):
        variable, lead = name.split("@+")
        rows = frame.loc[[(t, int(lead), variable) for t in issued], "forecast"].to_numpy()
        np.testing.assert_allclose(rows, expected[:, j], rtol=1e-5, atol=1e-4)


@pytest.mark.slow  # trains a model
def test_a_checkpoint_without_its_fitted_anchor_is_refused(model, tmp_path):
    path = tmp_path / "m.pt"
    save(model, path)
    ckpt = torch.load(path, weights_only=True)
    del ckpt["anchor"]
    torch.save(ckpt, path)
    with pytest.raises(InvalidInput, match="lagged-ridge anchor was not fitted"):
        load(path)
    ckpt["settings"].pop("anchor")
    ckpt["settings"]["residual"] = True  # a checkpoint from before the anchor: persistence
    torch.save(ckpt, path)
    assert load(path).anchor_.kind == "persistence"


@pytest.mark.slow  # trains a model
def test_each_output_is_compared_alone_with_its_interval(td, model):
    result = evaluate(model, td, [Persistence(), LaggedRidge()])
    assert [(c.target, c.lead) for c in result.by_output] == [
        (name.split("@+")[0], int(name.split("@+")[1])) for name in td.output_names
    ]
    truth = td.y_physical(td.test)
    pred, ridge = model.predict(td, "test"), LaggedRidge().fit(td).predict(td, "test")
    block, name = block_windows(td), model.spec_.name
    for j, c in enumerate(result.by_output):
        assert c.test[name] == pytest.approx(np.mean(np.abs(pred[:, j] - truth[:, j])))
        assert c.test_low[name] <= c.test[name] <= c.test_high[name]
        want = mae_difference(name, "lagged ridge", "test", pred[:, [j]], ridge[:, [j]],
                              truth[:, [j]], block)  # fmt: skip
        got = next(d for d in c.differences if d.baseline == "lagged ridge")
        assert (got.difference, got.low, got.high) == pytest.approx(
            (want.difference, want.low, want.high)
        )


@pytest.mark.slow  # trains a model and fits every baseline
def test_the_command_line_trains_every_station_and_lead_and_evaluates_each(tmp_path, capsys):
    from rnncap.cli.app import main

    path, png = tmp_path / "m.pt", tmp_path / "f.png"
    argv = ["forecast", "train", "--stations", "all", "--horizons", "1-3", "--history", "6",
            "--stride", "24", "--epochs", "1", "--ensemble", "1", "--arch", "gru:4",
            "--anchor", "lagged-ridge", "--out", str(path)]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["forecast", "evaluate", str(path), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "per target and lead time" in out and png.stat().st_size > 0
    for station in ("JFK.temp", "EWR.temp", "LGA.temp"):
        assert station in out
