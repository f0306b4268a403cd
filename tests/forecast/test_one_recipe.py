"""One recipe, one record: `rnncap forecast train --ensemble 1`, `fit_many` and a study run give
one model, and the study's report describes the record that trained it."""

import pytest
import torch

from rnncap.cli.app import main
from rnncap.data import Task, prepare_task
from rnncap.engine import ForecastSettings
from rnncap.forecast import Forecaster, fit_many, load, many
from rnncap.study import ResultsStore, run_study
from rnncap.study.config import load_study
from rnncap.study.store import STORE_NAME

pytestmark = pytest.mark.slow  # trains models

# the default recipe (cosine, residual, dropout 0.3 between the two layers, weight decay), short
ARCH, SEED, EPOCHS, BATCH, LR = "gru:2x5", 1, 3, 32, 0.01
STUDY = """
name = "one-recipe"
seeds = [{seed}]
measures = ["forecast"]
forecast_points = 4

[task]
dataset = "{data}"
target = "echo"
history = 8
horizon = 3

[grid]
cells = ["gru"]
layers = [2]
units = [5]
frontier = []

[training]
epochs = {epochs}
batch_size = {batch}
lr = {lr}
{extra}
"""


def same_weights(a: dict, b: dict, atol: float = 0.0) -> None:
    assert a.keys() == b.keys()
    for key, value in a.items():
        torch.testing.assert_close(b[key], value, rtol=0, atol=atol, msg=key)


class Spy:
    """Records what the study trains (spied on, not replaced): the engine's jobs and the trained
    members the study scores."""

    def __init__(self, monkeypatch):
        self.jobs, self.members = [], []
        train = many.train  # the engine's `train`, as the forecast room calls it

        def spy_train(jobs, *args, **kwargs):
            self.jobs.extend(jobs)
            members = train(jobs, *args, **kwargs)
            self.members.extend(members)
            return members

        monkeypatch.setattr(many, "train", spy_train)


def run_study_file(tmp_path, lagged_csv, monkeypatch, extra: str = ""):
    """Run the study file (inline) with `extra` lines in [training]; the spy and the store."""
    path = tmp_path / "study.toml"
    path.write_text(STUDY.format(seed=SEED, data=lagged_csv, epochs=EPOCHS, batch=BATCH, lr=LR,
                                 extra=extra))  # fmt: skip
    spy = Spy(monkeypatch)
    run_study(load_study(path), tmp_path / "out")
    with ResultsStore.open(tmp_path / "out" / STORE_NAME) as store:
        return spy, store.study_info(), store.units()


@pytest.fixture(scope="module")
def task(lagged_csv):
    return Task(dataset=str(lagged_csv), target="echo", history=8, horizon=3)


@pytest.fixture(scope="module")
def cli_model(lagged_csv, tmp_path_factory):
    """`forecast train` with the study's settings and `--ensemble 1`, and `--blend none` (a
    study measures the network's own forecast, `StudyConfig.recipe`): no other flag."""
    out = tmp_path_factory.mktemp("recipe") / "m.pt"
    args = ["forecast", "train", "--data", str(lagged_csv), "--target", "echo", "--history", "8",
            "--horizon", "3", "--arch", ARCH, "--seed", str(SEED), "--epochs", str(EPOCHS),
            "--batch-size", str(BATCH), "--lr", str(LR), "--ensemble", "1", "--blend", "none",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    return load(out)


def test_a_study_run_equals_forecast_train_with_ensemble_1(tmp_path, lagged_csv, monkeypatch,
                                                           cli_model, task):  # fmt: skip
    spy, info, units = run_study_file(tmp_path, lagged_csv, monkeypatch)
    (member,) = spy.members
    same_weights(cli_model.model_.state_dict(), member.state_dict)  # bit for bit
    # the report's Training line is the record that trained the model, every field of it
    recipe = ForecastSettings(epochs=EPOCHS, batch_size=BATCH, lr=LR, blend="none")
    assert cli_model.settings == recipe
    (job,) = spy.jobs
    assert job.settings == recipe.train_settings() and job.data.has_anchor
    assert info.training.startswith(recipe.describe())  # then why its budget is smaller
    # the stored test MAE is the one of the command line's model (same weights)
    td = prepare_task(task)
    truth = td.y_physical(td.test)
    (unit,) = units
    expected = float(abs(cli_model.predict(td, "test") - truth).mean())
    assert unit.result.runs[0].errors.test == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("line", ['anchor = "none"', "residual = false"])
def test_residual_false_in_a_study_file_trains_without_the_anchor(
    tmp_path, lagged_csv, monkeypatch, task, line
):
    spy, info, units = run_study_file(tmp_path, lagged_csv, monkeypatch, line)
    (job,) = spy.jobs
    assert not job.data.has_anchor and job.data.anchor_train is None
    assert "no residual anchor" in info.training
    # the stored error is of net(x) alone: no persistence added back
    (member,) = spy.members
    td = prepare_task(task)
    with torch.no_grad():
        net = member.model()(torch.from_numpy(td.test.x)).numpy()
    (unit,) = units
    expected = float(abs(td.y_to_physical(net) - td.y_physical(td.test)).mean())
    assert unit.result.runs[0].errors.test == pytest.approx(expected, rel=1e-6)


def test_fit_many_and_forecaster_give_the_cli_model(task, cli_model):
    td = prepare_task(task)
    settings = dict(epochs=EPOCHS, batch_size=BATCH, lr=LR)
    alone = fit_many(td, [ARCH], seeds=(SEED,), **settings)[0]
    same_weights(cli_model.model_.state_dict(), alone.model_.state_dict())
    fitted = Forecaster(ARCH, seed=SEED, **settings).fit(td)
    same_weights(cli_model.model_.state_dict(), fitted.model_.state_dict())


def test_a_member_trained_with_other_seeds_is_the_same_to_float_rounding(task, cli_model):
    """In a crowd the ensemble's batched matmuls round differently (about 1e-8 per step)."""
    td = prepare_task(task)
    crowd = fit_many(td, [ARCH], seeds=(0, SEED, 2), epochs=EPOCHS, batch_size=BATCH, lr=LR)
    same_weights(cli_model.model_.state_dict(), crowd[1].model_.state_dict(), atol=1e-5)
    assert not torch.equal(crowd[0].model_.head.weight, crowd[1].model_.head.weight)
