"""Hyperparameter axes of a study ([axes]): validated when the file is read, planned as one unit
per architecture x training point x seed chunk, and recorded per model as the engine used them."""

from __future__ import annotations

import pytest
from study_helpers import TINY_TOML, tiny_config

from rnncap.cli.app import main
from rnncap.errors import InvalidInput
from rnncap.study.axes import AXES, axis_points
from rnncap.study.config import load_study


def test_a_factorial_is_every_combination_in_order():
    points = axis_points({"lr": [0.01, 0.003], "batch_size": [32, 64, 128]}, {})
    assert points == [{"lr": lr, "batch_size": b} for lr in (0.01, 0.003) for b in (32, 64, 128)]


def test_one_at_a_time_varies_each_axis_alone_around_the_first_values():
    axes = {"design": "one-at-a-time", "lr": [0.003, 0.01, 0.001], "dropout": [0.3, 0.0],
            "epochs": [4, 8]}  # fmt: skip
    base = {"lr": 0.003, "dropout": 0.3, "epochs": 4}
    assert axis_points(axes, {}) == [
        base, {**base, "lr": 0.01}, {**base, "lr": 0.001}, {**base, "dropout": 0.0},
        {**base, "epochs": 8},
    ]  # fmt: skip
    assert axis_points({}, {}) == [{}]  # no axes: one point, the [training] recipe


def test_the_plan_crosses_architectures_points_and_seed_chunks():
    from rnncap.study.plan import TaskRef, TaskShape, plan_architectures, plan_units

    cfg = tiny_config(axes={"lr": [0.003, 0.01], "train_fraction": [1.0, 0.5]})
    archs = plan_architectures(cfg, TaskShape(10, 24, 1))
    units = plan_units(cfg, archs, TaskRef.of({"history": 24}))
    assert len(units) == cfg.planned_units() == 2 * 4 * 2  # archs x points x seed chunks
    assert len({u.key for u in units}) == len(units)
    seen = {(u.arch, u.payload.training.lr, u.payload.training.train_fraction) for u in units}
    assert len(seen) == 2 * 4


def _study(tmp_path, axes: str):
    path = tmp_path / "study.toml"
    path.write_text(TINY_TOML + "\n[axes]\n" + axes + "\n")
    return path


BAD = {
    "momentum = [0.9]": ["unknown axis momentum in [axes]", "known axes: lr, batch_size"],
    "layers = [1, 2]": ["unknown axis layers", "set in [grid]"],
    "lr = [-0.1]": ["axis lr in [axes]", "learning rate must be"],
    "lr = 0.1": ["axis lr in [axes] must be a non-empty list"],
    "lr = []": ["axis lr in [axes] must be a non-empty list"],
    "dropout = [0.1, 0.1]": ["axis dropout repeats a value"],
    "train_fraction = [0.5, 1.5]": ["axis train_fraction in [axes]", "train_fraction must be"],
    "weight_decay = [-1.0]": ["axis weight_decay in [axes]", "weight decay must be"],
    "epochs = [2]": ["epochs is both a [training] setting and an axis"],
    'design = "latin"': ["unknown design 'latin' in [axes]", "one-at-a-time"],
}


@pytest.mark.parametrize("line", sorted(BAD))
def test_an_unknown_axis_or_a_bad_value_is_one_line_exit_2(tmp_path, capsys, line):
    path = _study(tmp_path, line)
    with pytest.raises(InvalidInput):
        load_study(path)
    out = tmp_path / "out"
    assert main(["study", "run", str(path), "--out", str(out), "--no-report"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    for words in BAD[line]:
        assert words in err, err
    assert not out.exists()


def test_a_factorial_over_the_limit_is_refused():
    axes = {a: [0.1 * (i + 1) for i in range(4)] for a in ("lr", "dropout", "weight_decay")}
    axes["train_fraction"] = [0.2, 0.4, 0.6, 0.8]
    axes["batch_size"] = [16, 32, 64, 128]
    with pytest.raises(InvalidInput, match="factorial has 1,024 points"):
        axis_points(axes, {})


@pytest.mark.slow
def test_the_axes_reach_the_trained_models_and_the_store(tmp_path, monkeypatch):
    """Read back from what the engine was given (its jobs) and returned (`TrainedMember`), not
    from the study file: every stored run's axes are the settings of the job that trained it."""
    from rnncap.forecast import many
    from rnncap.study import ResultsStore, run_study

    given = []
    train = many.train  # the engine's `train`, as the forecast room calls it

    def spy(jobs, **kwargs):
        members = train(jobs, **kwargs)
        given.extend((job, member) for job, member in zip(jobs, members, strict=True))
        return members

    monkeypatch.setattr(many, "train", spy)
    axes = {"design": "one-at-a-time", "lr": [0.003, 0.01], "batch_size": [64, 16],
            "dropout": [0.0, 0.2], "weight_decay": [0.0, 0.01],
            "train_fraction": [1.0, 0.5], "epochs": [1, 2]}  # fmt: skip
    cfg = tiny_config(seeds=(0,), axes=axes, training={"patience": 0})
    run_study(cfg, tmp_path)
    with ResultsStore.open(tmp_path / "results.sqlite") as store:
        runs = [r for u in store.units() for r in u.result.runs]
    assert len(runs) == len(given) == 2 * 7  # two architectures x seven points, one seed
    by_trained = {}
    full = max(len(job.data.x_train) for job, _ in given)
    for job, member in given:
        s = member.settings
        key = (member.spec.num_layers, s.lr, s.batch_size, s.dropout, s.weight_decay, s.epochs,
               len(job.data.x_train))  # fmt: skip
        by_trained[key] = member
    for run in runs:
        a = run.axes
        assert set(a) == {"cell", "layers", "units", *AXES}
        assert (a["cell"], a["units"]) == ("lstm", 4)
        key = (a["layers"], a["lr"], a["batch_size"], a["dropout"], a["weight_decay"],
               a["epochs"], run.train_windows)  # fmt: skip
        assert key in by_trained, key
        assert run.train_windows == (full if a["train_fraction"] == 1.0 else round(full / 2))
        assert run.epochs == min(a["epochs"], len(by_trained[key].history))
    points = {(r.axes["lr"], r.axes["batch_size"], r.axes["dropout"], r.axes["weight_decay"],
               r.axes["train_fraction"], r.axes["epochs"]) for r in runs}  # fmt: skip
    assert len(points) == 7


def test_the_training_line_names_the_base_point_and_every_axis():
    from rnncap.engine import ForecastSettings
    from rnncap.study.defaults import training_line

    axes = {"design": "one-at-a-time", "lr": [0.003, 0.01], "train_fraction": [1.0, 0.5]}
    line = training_line(tiny_config(axes=axes, training={"epochs": 5}))
    base = ForecastSettings(epochs=5, lr=0.003, blend="none").describe()
    assert line.startswith(base + " (the base point); 3 training points per architecture vary ")
    assert "lr 0.003, 0.01; train_fraction 1, 0.5 (one at a time)" in line
    plain = training_line(tiny_config(training={"epochs": 5}))
    assert plain.startswith(
        ForecastSettings(epochs=5, blend="none").describe() + ". This is a smaller budget"
    )
