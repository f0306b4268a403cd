"""One recipe: `rnncap forecast train`, `fit_many` and the study's `run_unit` give one model."""

import pytest
import torch

import rnncap.forecast.many as many
from rnncap.cli.app import main
from rnncap.data import Task, prepare_task
from rnncap.engine import ForecastSettings
from rnncap.forecast import Forecaster, fit_many, load
from rnncap.study.work import run_unit

pytestmark = pytest.mark.slow  # trains models

# default recipe (cosine, residual, dropout 0.3 between the two layers, weight decay), short
ARCH, SEED, EPOCHS, BATCH, LR = "gru:2x5", 1, 3, 32, 0.01


def same_weights(a: dict, b: dict, atol: float = 0.0) -> None:
    assert a.keys() == b.keys()
    for key, value in a.items():
        torch.testing.assert_close(b[key], value, rtol=0, atol=atol, msg=key)


@pytest.fixture(scope="module")
def task(lagged_csv):
    return Task(dataset=str(lagged_csv), target="echo", history=8, horizon=3)


@pytest.fixture(scope="module")
def cli_weights(lagged_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("recipe") / "m.pt"
    args = ["forecast", "train", "--data", str(lagged_csv), "--target", "echo", "--history", "8",
            "--horizon", "3", "--arch", ARCH, "--seed", str(SEED), "--epochs", str(EPOCHS),
            "--batch-size", str(BATCH), "--lr", str(LR), "--time-limit", "0",
            "--ensemble", "1", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    return load(out).model_.state_dict()


def test_forecast_train_fit_many_and_the_study_give_identical_weights(
    task, cli_weights, monkeypatch
):
    td = prepare_task(task)
    settings = dict(epochs=EPOCHS, batch_size=BATCH, lr=LR)
    alone = fit_many(td, [ARCH], seeds=(SEED,), **settings)[0]
    same_weights(cli_weights, alone.model_.state_dict())
    fitted = Forecaster(ARCH, seed=SEED, **settings).fit(td)
    same_weights(cli_weights, fitted.model_.state_dict())
    # the study: its unit trains through fit_many with the same recipe (spied on, not replaced)
    trained = []
    real = many.fit_many

    def spy(*args, **kwargs):
        trained.extend(real(*args, **kwargs))
        return trained

    spec = alone.spec_
    payload = {"spec": spec.to_dict(), "seeds": [SEED], "task": task.to_dict(),
               "training": ForecastSettings(**settings).to_dict(), "measures": ["forecast"],
               "forecast_points": 4, "memorization": {}}  # fmt: skip
    monkeypatch.setattr(many, "fit_many", spy)
    result = run_unit(payload, device="cpu")
    same_weights(cli_weights, trained[0].model_.state_dict())
    test_mae = result.runs[0].errors.test
    truth = td.y_physical(td.test)
    assert test_mae == pytest.approx(float(abs(alone.predict(td, "test") - truth).mean()), 1e-12)


def test_a_member_trained_with_other_seeds_is_the_same_to_float_rounding(task, cli_weights):
    """In a crowd the ensemble's batched matmuls round differently (about 1e-8 per step)."""
    td = prepare_task(task)
    crowd = fit_many(td, [ARCH], seeds=(0, SEED, 2), epochs=EPOCHS, batch_size=BATCH, lr=LR)
    same_weights(cli_weights, crowd[1].model_.state_dict(), atol=1e-5)
    assert not torch.equal(crowd[0].model_.head.weight, crowd[1].model_.head.weight)
