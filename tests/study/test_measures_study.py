"""examples/measures.toml end to end, shrunk: study -> store -> model_points with measures.

The shrunk file keeps the preset's task (with its holdout weeks), measures and [axes] design,
with fewer architectures, values, seeds and epochs, so that it runs in seconds; one model is
trained again through `fit_many` (the `rnncap forecast train` path) and its holdout and
training MAE, on the windows it was given, must equal the study's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnncap.measures.records import GAP_IID, GAP_SHIFT
from rnncap.study import ResultsStore, run_study
from rnncap.study.axes import AXES
from rnncap.study.config import StudyConfig, load_study
from rnncap.study.points import model_points

PRESET = Path(__file__).resolve().parents[2] / "examples" / "measures.toml"


def test_the_preset_is_big_enough_and_varies_at_least_four_axes():
    cfg = load_study(PRESET)
    points = cfg.points()
    g = cfg.grid
    models = len(g.cells) * len(g.layers) * len(g.units) * len(points) * len(cfg.seeds)
    assert models >= 150
    varied = [a for a in AXES if len({p[a] for p in points}) > 1]
    varied += [a for a, v in (("cell", g.cells), ("layers", g.layers), ("units", g.units))
               if len(v) > 1]  # fmt: skip
    assert len(varied) >= 4, varied
    assert cfg.task["holdout_weeks"] >= 1 and "complexity" in [m.value for m in cfg.measures]


def tiny(cfg: StudyConfig) -> StudyConfig:
    axes = {"design": cfg.axes["design"], "lr": [0.003, 0.01], "train_fraction": [1.0, 0.5],
            "epochs": [2, 1]}  # fmt: skip
    return cfg.replace(
        seeds=(0, 1), grid=cfg.grid.__class__(cells=("lstm",), layers=(1, 2), units=(4,),
                                              frontier=()),
        task={**cfg.task, "stride": 12}, axes=axes, training={"patience": 0},
        executor=cfg.executor.__class__(),  # inline: the test's own process
    )  # fmt: skip


@pytest.mark.slow  # trains 16 small models
def test_the_tiny_preset_gives_model_points_with_gaps_and_measures(tmp_path):
    from rnncap.forecast import fit_many
    from rnncap.forecast.many import training_rows
    from rnncap.study.plan import TaskRef
    from rnncap.study.unit import task_data

    cfg = tiny(load_study(PRESET))
    summary = run_study(cfg, tmp_path)
    with ResultsStore.open(tmp_path / "results.sqlite") as store:
        points = store.model_points()
        units = store.units()
    assert len(points) == summary.runs == 2 * 4 * 2  # archs x one-at-a-time points x seeds
    assert points == model_points(units)
    for p in points:
        assert set(p.axes) == {"cell", "layers", "units", *AXES}
        assert set(p.gaps) == {GAP_IID, GAP_SHIFT}
        assert {"log_params", "dist_init", "stable_rank_mean"} <= set(p.measures)
        assert all(np.isfinite(v) for v in p.measures.values())
    # one model again through fit_many: same holdout and training MAE as the study recorded
    (run,) = [
        r
        for u in units
        for r in u.result.runs
        if r.seed == 1 and r.axes["layers"] == 2 and r.axes["train_fraction"] == 0.5
    ]
    td = task_data(TaskRef.of({"dataset": "nyc2013", **cfg.task}))
    (model,) = fit_many(td, ["lstm:2x4"], [1], settings=cfg.recipe(
        {"lr": 0.003, "train_fraction": 0.5, "epochs": 2}), device="cpu")  # fmt: skip
    truth = {s: td.y_physical(td.split(s)) for s in ("train", "holdout")}
    pred = {s: model.predict(td, s) for s in truth}
    rows = training_rows(len(td.train), 0.5)
    train = float(np.mean(np.abs(pred["train"] - truth["train"])[rows]))
    holdout = float(np.mean(np.abs(pred["holdout"] - truth["holdout"])))
    assert run.errors.train == pytest.approx(train, rel=1e-5)
    assert run.errors.holdout == pytest.approx(holdout, rel=1e-5)
    assert run.train_windows == len(rows) == round(0.5 * len(td.train))
