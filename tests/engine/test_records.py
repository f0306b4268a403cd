"""Bad input to the engine's records and to `train`: one InvalidInput naming the problem."""

import numpy as np
import pytest
import torch

from rnncap.arch import parse_arch
from rnncap.engine import Job, MemberData, TrainSettings, train
from rnncap.errors import InvalidInput

X = np.zeros((6, 4, 3), dtype=np.float32)
Y = np.zeros((6, 1), dtype=np.float32)
SPEC = parse_arch("lstm:1x4", input_size=3, outputs=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be an integer >= 1"),
        ({"batch_size": 2.5}, "batch size must be an integer >= 1"),
        ({"lr": 0.0}, "learning rate must be a finite number > 0"),
        ({"lr": float("nan")}, "learning rate must be a finite number"),
        ({"clip": -1.0}, "clip must be a finite number >= 0"),
        ({"patience": -1}, "patience must be an integer >= 0"),
        ({"loss": "mae"}, "unknown loss 'mae'; choose one of: mse, bce"),
        ({"dropout": 1.0}, "dropout must be below 1"),
        ({"weight_decay": -0.1}, "weight decay must be a finite number >= 0"),
        ({"shuffle": "yes"}, "shuffle must be True or False"),
    ],
)
def test_bad_settings(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        TrainSettings(**kwargs)


def test_settings_normalise_disabled_clipping():
    assert TrainSettings(clip=0).clip is None
    assert TrainSettings(clip=None).clip is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((X[0], Y), "x_train must have 3 dimensions"),
        ((X, Y[:, 0]), "y_train must have 2 dimensions"),
        ((X, Y[:5]), "x_train has 6 rows but y_train has 5"),
        ((X[:0], Y[:0]), "x_train has no rows"),
        ((np.full_like(X, np.nan), Y), "x_train contains NaN or infinite values"),
        ((X, Y, X), "pass both x_val and y_val, or neither"),
        ((X, Y, X[:, :2], Y), "validation shapes"),
        ((X, Y, X, Y[:4]), "x_val has 6 rows but y_val has 4"),
        ((X, [["a"]] * 6), "y_train must be a numeric array"),
    ],
)
def test_bad_data(args, message):
    with pytest.raises(InvalidInput, match=message):
        MemberData(*args)


def test_data_is_converted_to_float32():
    data = MemberData(X.astype(np.float64), Y.astype(np.int64))
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.float32


@pytest.mark.parametrize(
    ("spec", "y", "settings", "message"),
    [
        (parse_arch("lstm:1x4", input_size=5, outputs=1), Y, None, "x has 3 features"),
        (parse_arch("lstm:1x4", input_size=3, outputs=2), Y, None, "y has 1 columns"),
        (SPEC, Y + 2, TrainSettings(loss="bce"), "loss 'bce' needs targets in \\[0, 1\\]"),
        (SPEC, Y - 2, TrainSettings(loss="hinge"), "loss 'hinge' needs targets in \\[0, 1\\]"),
    ],
)
def test_job_checks_data_against_spec(spec, y, settings, message):
    with pytest.raises(InvalidInput, match=message):
        Job(spec, 0, MemberData(X, y), settings or TrainSettings())


def test_job_rejects_bad_seed_and_spec():
    with pytest.raises(InvalidInput, match="seed must be an integer >= 0"):
        Job(SPEC, -1, MemberData(X, Y))
    with pytest.raises(InvalidInput, match="spec must be a RecurrentSpec"):
        Job("lstm:1x4", 0, MemberData(X, Y))


def test_train_rejects_bad_calls():
    job = Job(SPEC, 0, MemberData(X, Y), TrainSettings(epochs=1))
    with pytest.raises(InvalidInput, match="no jobs to train"):
        train([])
    with pytest.raises(InvalidInput, match="not an engine Job"):
        train([job, "lstm"])
    with pytest.raises(InvalidInput, match="unknown strategy 'vmap'"):
        train([job], strategy="vmap")
    with pytest.raises(InvalidInput, match="max_members must be an integer >= 1"):
        train([job], max_members=0)
    with pytest.raises(InvalidInput, match="unknown device 'tpu9'"):
        train([job], device="tpu9")
    if not torch.cuda.is_available():
        with pytest.raises(InvalidInput, match="CUDA is not available"):
            train([job], device="cuda")
