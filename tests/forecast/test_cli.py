"""`rnncap forecast train|evaluate|predict` end to end on the small lagged CSV, and bad input."""

import json

import pandas as pd
import pytest

from rnncap.cli.app import main

TINY = ["--arch", "lstm:1x6", "--history", "8", "--horizon", "3", "--target", "echo",
        "--epochs", "2", "--batch-size", "64", "--time-limit", "0"]  # fmt: skip


@pytest.fixture(scope="module")
def checkpoint(lagged_csv, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "m.pt"
    assert main(["forecast", "train", "--data", str(lagged_csv), *TINY, "--out", str(path)]) == 0
    return path


@pytest.mark.slow
def test_train_json(lagged_csv, tmp_path, capsys):
    out = tmp_path / "m.pt"
    code = main(
        ["forecast", "train", "--data", str(lagged_csv), *TINY, "--out", str(out), "--json"]
    )
    assert code == 0 and out.is_file()
    summary = json.loads(capsys.readouterr().out)
    assert summary["arch"] == "lstm:1x6" and summary["epochs_run"] == 2
    assert set(summary["loss"]) == {"train", "val", "test"}
    assert summary["test_mae"]["skill"] == pytest.approx(
        1 - summary["test_mae"]["model"] / summary["test_mae"]["persistence"]
    )
    blend = summary["blend"]  # the default: blended with the lagged ridge, share on validation
    assert blend["baseline"] == "lagged-ridge" and 0 <= blend["network_share"][0] <= 1
    assert blend["val_mae"]["blend"][0] <= min(blend["val_mae"]["network"][0],
                                               blend["val_mae"]["partner"][0])  # fmt: skip
    assert blend["val_mae"]["blend"][0] == pytest.approx(summary["val_mae"]["model"], rel=1e-4)


@pytest.mark.slow  # trains models
def test_evaluate_table_json_and_plot(checkpoint, tmp_path, capsys):
    png = tmp_path / "f.png"
    assert main(["forecast", "evaluate", str(checkpoint), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    names = ("persistence", "daily persistence", "climatology", "ridge", "lagged ridge", "lightgbm")
    for name in ("lstm:1x6", *names):
        assert name in out
    assert "95% interval" in out
    words = " ".join(out.split())  # the caption wraps
    assert "network + the rest lagged-ridge (fitted on train, share chosen on validation)" in words
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["forecast", "evaluate", str(checkpoint), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [s["split"] for s in result["scores"]] == ["val"] * 7 + ["test"] * 7
    test = {s["model"]: s["mae"] for s in result["scores"] if s["split"] == "test"}
    diffs = result["differences"]
    assert [d["baseline"] for d in diffs] == list(names)
    for d in diffs:
        assert d["mae_difference"] == pytest.approx(test["lstm:1x6"] - test[d["baseline"]])
        assert d["low"] <= d["mae_difference"] <= d["high"] and d["level"] == 0.95
    assert result["notes"] == []


@pytest.mark.slow  # trains models
def test_evaluate_says_in_one_line_when_lightgbm_is_missing(checkpoint, monkeypatch, capsys):
    from rnncap.forecast import boosted

    monkeypatch.setattr(boosted.importlib.util, "find_spec", lambda name: None)
    assert main(["forecast", "evaluate", str(checkpoint)]) == 0
    captured = capsys.readouterr()
    assert "lightgbm" not in captured.out
    assert captured.err.strip() == boosted.lightgbm_missing()


@pytest.mark.slow  # trains models
def test_predict_csv(checkpoint, lagged_csv, tmp_path, capsys):
    out = tmp_path / "f.csv"
    assert main(["forecast", "predict", str(checkpoint), "--data", str(lagged_csv),
                 "--out", str(out)]) == 0  # fmt: skip
    frame = pd.read_csv(out, parse_dates=["issued", "valid"])
    source = pd.read_csv(lagged_csv, parse_dates=["time"]).set_index("time")
    assert list(frame.columns) == ["issued", "valid", "lead", "variable", "unit", "forecast",
                                   "observed"]  # fmt: skip
    assert len(frame) == len(source) - 8 + 1  # one window per row with 8 steps of history
    assert (frame["valid"] - frame["issued"] == pd.Timedelta("3h")).all()
    known = frame.dropna(subset=["observed"])
    assert len(known) == len(frame) - 3  # the last 3 targets lie beyond the data
    assert (known["observed"].to_numpy() == source.loc[known["valid"], "echo"].to_numpy()).all()
    assert main(["forecast", "predict", str(checkpoint), "--data", str(lagged_csv), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"] == len(frame) and doc["forecasts"][-1]["observed"] is None


def _error(capsys) -> str:
    return " ".join(capsys.readouterr().err.split())


@pytest.mark.slow  # trains models
def test_checkpoint_for_another_task_or_data(checkpoint, tmp_path, capsys):
    other = tmp_path / "other.csv"
    pd.DataFrame({"time": pd.date_range("2020", periods=200, freq="1h").astype(str),
                  "echo": range(200)}).to_csv(other, index=False)  # fmt: skip
    assert main(["forecast", "evaluate", str(checkpoint), "--data", str(other)]) == 2
    err = _error(capsys)
    assert "cannot feed this model (it forecasts echo from 6 inputs)" in err
    assert "unknown variable 'driver'" in err
    assert main(["forecast", "predict", str(checkpoint), "--data", "nyc2013"]) == 2
    assert "unknown variable 'echo'" in _error(capsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--history", "0"], "history must be an integer >= 1; got 0"),
        (["--horizon", "-1"], "horizon must be an integer >= 1; got -1"),
        (["--split", "0.1,0.11"], "the val split .* has no complete window"),
        (["--history", "5000"], "shorter than history \\+ horizon"),
        (["--arch", "lstm:2xx"], "malformed architecture"),
        (["--target", "rain"], "unknown variable 'rain'"),
        (["--anchor", "lightgbm"], "unknown anchor 'lightgbm'.*only these baselines are fitted"),
        (["--blend", "lightgbm"], "unknown blend 'lightgbm'.*only these baselines are fitted"),
        (["--horizons", "1-9"], "lead 9 is over the 8-step input window"),
        (["--horizons", "3-5"], "--horizons takes 1-H .* or H"),
        (["--horizons", "1-3", "--horizon", "3"], "cannot be combined with --horizon"),
        (["--stations", "JFK"], "has no stations; drop stations="),
    ],
)
def test_bad_training_input_exits_2(lagged_csv, tmp_path, capsys, args, message):
    import re

    argv = ["forecast", "train", "--data", str(lagged_csv), *TINY, *args]
    assert main([*argv, "--out", str(tmp_path / "x.pt")]) == 2
    err = _error(capsys)
    assert err.startswith("Error: ") and re.search(message, err)
    assert not (tmp_path / "x.pt").exists()


def test_not_a_checkpoint_exits_2(tmp_path, capsys):
    junk = tmp_path / "junk.pt"
    junk.write_text("not a model")
    assert main(["forecast", "predict", str(junk), "--data", "nyc2013"]) == 2
    assert "not a readable rnncap checkpoint" in _error(capsys)


def test_a_preset_and_an_option_it_fixes_is_an_error(tmp_path, capsys):
    """--preset fixes history, horizon...; setting one as well must not silently lose either."""
    argv = ["forecast", "train", "--data", str(tmp_path / "jena.csv"), "--preset", "chollet"]
    assert main([*argv, "--history", "48", "--out", str(tmp_path / "x.pt")]) == 2
    assert "--history cannot be combined with --preset chollet" in _error(capsys)
    assert not (tmp_path / "x.pt").exists()


@pytest.mark.slow  # trains a tiny model
def test_forecast_train_uses_the_policy_by_default(lagged_csv, tmp_path, monkeypatch):
    """Without --threads, training runs on one thread even on a quiet machine (faked here: more
    threads would change the weights with the load) and the process's own setting is restored
    after; --threads N wins."""
    import torch

    from rnncap import threads
    from rnncap.forecast import Forecaster

    seen = []
    fit = Forecaster.fit

    def spy(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return fit(self, *args, **kwargs)

    monkeypatch.delenv("RNNCAP_THREADS", raising=False)
    monkeypatch.setattr(threads, "machine_cores", lambda: 2)
    monkeypatch.setattr(threads, "machine_load", lambda: 0.0)
    monkeypatch.setattr(Forecaster, "fit", spy)
    before = torch.get_num_threads()
    args = ["forecast", "train", "--data", str(lagged_csv), "--arch", "lstm:1x4",
            "--history", "8", "--horizon", "3", "--target", "echo", "--epochs", "1",
            "--ensemble", "1"]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "a.pt")]) == 0  # quiet machine: still 1
    assert main([*args, "--threads", "2", "--out", str(tmp_path / "b.pt")]) == 0
    assert seen == [1, 2]
    assert torch.get_num_threads() == before
