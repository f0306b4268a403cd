import numpy as np
import pytest
import torch

from rnncap.errors import InvalidInput
from rnncap.forecast import Forecaster, load, save
from rnncap.forecast.checkpoint import to_checkpoint


@pytest.fixture(scope="module")
def model(lagged_data):
    return Forecaster("gru:6,4", epochs=2, batch_size=64, seed=5).fit(lagged_data)


@pytest.mark.slow  # trains models
def test_round_trip_predicts_the_same(model, lagged_data, tmp_path):
    path = save(model, tmp_path / "m.pt")
    again = load(path)
    np.testing.assert_array_equal(again.predict(lagged_data, "test"),
                                  model.predict(lagged_data, "test"))  # fmt: skip
    assert again.task_ == model.task_ and again.spec_ == model.spec_
    assert again.x_scaler_ == model.x_scaler_ and again.losses_ == model.losses_
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # no temp file left behind


@pytest.mark.slow  # trains models
def test_checkpoint_is_a_plain_dict(model):
    ckpt = to_checkpoint(model)
    assert ckpt["spec"]["hidden_sizes"] == [6, 4]
    assert ckpt["task"]["target"] == ["echo"]
    assert set(ckpt["versions"]) >= {"rnncap", "torch", "numpy", "pandas"}
    assert sum(v.numel() for v in ckpt["state_dict"].values()) == sum(
        p.numel() for p in model.model_.parameters()
    )


def test_not_a_checkpoint(tmp_path):
    junk = tmp_path / "junk.pt"
    junk.write_text("hello")
    with pytest.raises(InvalidInput, match="not a readable rnncap checkpoint"):
        load(junk)
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(InvalidInput, match="not an rnncap forecaster checkpoint"):
        load(other)
    with pytest.raises(InvalidInput, match="no checkpoint file"):
        load(tmp_path / "missing.pt")
