"""`rnncap forecast train --holdout-weeks N`: the same-season holdout, opt-in, recorded."""

import json

import numpy as np
import pytest

from rnncap.cli.app import main

TINY = ["--arch", "lstm:1x4", "--history", "24", "--horizon", "6", "--stride", "12",
        "--epochs", "1", "--ensemble", "1"]  # fmt: skip


@pytest.mark.slow  # trains a model
def test_holdout_weeks_are_opt_in_scored_and_kept_in_the_checkpoint(tmp_path, capsys):
    from rnncap.data import Task, prepare_task
    from rnncap.forecast import load

    out = tmp_path / "m.pt"
    args = ["forecast", "train", *TINY, "--holdout-weeks", "3", "--holdout-seed", "7"]
    assert main([*args, "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    model = load(out)
    assert (model.task_.holdout_weeks, model.task_.holdout_seed) == (3, 7)
    td = prepare_task(Task(history=24, horizon=6, stride=12, holdout_weeks=3, holdout_seed=7))
    assert summary["windows"] == {s: len(td.split(s)) for s in ("train", "val", "test", "holdout")}
    truth = td.y_physical(td.holdout)
    holdout = float(np.mean(np.abs(model.predict(td, "holdout") - truth)))
    assert summary["holdout_mae"]["model"] == pytest.approx(holdout, rel=1e-6)
    assert summary["gap_iid"] == pytest.approx(
        summary["holdout_mae"]["model"] - summary["train_mae"]["model"]
    )
    assert main(["forecast", "train", *TINY, "--out", str(tmp_path / "n.pt"), "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert "holdout" not in plain["windows"] and "gap_iid" not in plain
    assert plain["windows"]["train"] > summary["windows"]["train"]
