"""The recurrent forecaster: learning, determinism, train-only dependence, task checks."""

import numpy as np
import pytest
import torch

from rnncap.data import prepare_task
from rnncap.data.csvfile import finish
from rnncap.errors import InvalidInput
from rnncap.forecast import Forecaster, Persistence, evaluate

FAST = dict(epochs=15, batch_size=16, lr=1e-2, patience=15, dropout=0.0)


@pytest.fixture(scope="module")
def fitted(lagged_data):
    return Forecaster("lstm:1x8", seed=0, **FAST).fit(lagged_data)


@pytest.mark.slow  # trains models
def test_beats_persistence_when_the_answer_is_in_the_window(fitted, lagged_data):
    td = lagged_data
    truth = td.y_physical(td.test)
    model_mae = np.abs(fitted.predict(td, "test") - truth).mean()
    persist_mae = np.abs(Persistence().fit(td).predict(td, "test") - truth).mean()
    assert model_mae < 0.5 * persist_mae  # echo(t + 3) = driver(t): the last input has it


@pytest.mark.slow  # trains models
def test_history_losses_and_best_epoch(fitted):
    assert len(fitted.history_) == 15 and fitted.status_ == "max_epochs"
    val = [h["val_loss"] for h in fitted.history_]
    assert fitted.best_epoch_ == int(np.argmin(val)) + 1
    assert fitted.losses_["val"] == pytest.approx(min(val), rel=1e-5)
    assert set(fitted.losses_) == {"train", "val", "test"}


@pytest.mark.slow  # trains models
def test_same_seed_same_model_other_seed_other_model(fitted, lagged_data):
    again = Forecaster("lstm:1x8", seed=0, **FAST).fit(lagged_data)
    other = Forecaster("lstm:1x8", seed=1, **{**FAST, "epochs": 1}).fit(lagged_data)
    for k, v in again.model_.state_dict().items():
        torch.testing.assert_close(v, fitted.model_.state_dict()[k], rtol=0, atol=0)
    assert again.history_ == fitted.history_
    assert not torch.equal(again.model_.head.weight, other.model_.head.weight)


def _changed(dataset, factor):
    """The same data with everything after the training part multiplied by `factor`."""
    frame = dataset.frame.copy()
    cut = frame.index[round(0.7 * (len(frame) - 1))]
    frame.loc[frame.index >= cut] *= factor
    return finish(name=dataset.name, values=frame, step=dataset.step, max_gap="6h",
                  source="", variables=dataset.variables)  # fmt: skip


@pytest.mark.slow
def test_validation_and_test_data_change_neither_scaler_nor_training(lagged_task, lagged_dataset):
    settings = dict(seed=3, **{**FAST, "epochs": 2})
    td = prepare_task(lagged_task, lagged_dataset)
    td2 = prepare_task(lagged_task, _changed(lagged_dataset, 5.0))
    assert td.x_scaler == td2.x_scaler and td.y_scaler == td2.y_scaler
    a = Forecaster("gru:1x6", **settings).fit(td)
    b = Forecaster("gru:1x6", **settings).fit(td2)
    # validation only selects the epoch: the training trajectory is the same
    assert [h["train_loss"] for h in a.history_] == [h["train_loss"] for h in b.history_]
    if a.best_epoch_ == b.best_epoch_:
        for k, v in a.model_.state_dict().items():
            torch.testing.assert_close(v, b.model_.state_dict()[k], rtol=0, atol=0)


@pytest.mark.slow
def test_test_data_never_changes_the_model(lagged_task, lagged_dataset):
    settings = dict(seed=3, **{**FAST, "epochs": 2})
    td = prepare_task(lagged_task, lagged_dataset)
    frame = lagged_dataset.frame.copy()
    cut = frame.index[round(0.85 * (len(frame) - 1))]
    frame.loc[frame.index >= cut] += 50.0
    other = finish(name="x", values=frame, step=lagged_dataset.step, max_gap="6h", source="",
                   variables=lagged_dataset.variables)  # fmt: skip
    a = Forecaster("rnn_tanh:1x6", **settings).fit(td)
    b = Forecaster("rnn_tanh:1x6", **settings).fit(prepare_task(lagged_task, other))
    for k, v in a.model_.state_dict().items():
        torch.testing.assert_close(v, b.model_.state_dict()[k], rtol=0, atol=0)


@pytest.mark.slow  # trains models
def test_a_model_refuses_another_task(fitted, lagged_task):
    other = prepare_task(lagged_task.replace(horizon=2))
    with pytest.raises(InvalidInput, match="trained for another task .* differs in horizon"):
        fitted.predict(other, "test")
    with pytest.raises(InvalidInput, match="differs in"):
        evaluate(fitted, other)


@pytest.mark.slow  # trains models
def test_evaluate_lists_model_and_every_baseline(fitted, lagged_data):
    result = evaluate(fitted, lagged_data)
    names = [s.model for s in result.scores if s.split == "test"]
    assert names == ["lstm:1x8", "persistence", "daily persistence", "climatology", "ridge",
                     "lagged ridge", "lightgbm"]  # fmt: skip
    assert result.get("persistence", "val").skill == 0.0
    truth = lagged_data.y_physical(lagged_data.test)
    expected = np.abs(fitted.predict(lagged_data, "test") - truth).mean()
    assert result.get("lstm:1x8", "test").mae == pytest.approx(expected)


def test_settings_are_checked_and_unfitted_use_is_an_error(lagged_data):
    with pytest.raises(InvalidInput, match="dropout must be below 1"):
        Forecaster(dropout=1.5).fit(lagged_data)
    with pytest.raises(InvalidInput, match="epochs must be an integer >= 1"):
        Forecaster(epochs=0).fit(lagged_data)
    with pytest.raises(InvalidInput, match="not fitted yet"):
        Forecaster().predict(lagged_data)


def test_time_limit_stops_after_the_epoch_that_passes_it(lagged_data):
    model = Forecaster("rnn_relu:1x4", epochs=50, time_limit=1e-9).fit(lagged_data)
    assert model.status_ == "time_limit" and len(model.history_) == 1
