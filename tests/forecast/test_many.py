"""Many forecasters through the batched engine come back as ordinary fitted Forecasters."""

import numpy as np
import pytest
import torch

from rnncap.forecast import Persistence, evaluate, load, save
from rnncap.forecast.many import fit_many

pytestmark = pytest.mark.slow  # trains models


def test_fit_many_matches_the_engine_members(lagged_data, tmp_path):
    td = lagged_data
    models = fit_many(td, ["lstm:1x8", "gru:6,4"], seeds=(0, 1), epochs=12, batch_size=16,
                      lr=1e-2, patience=12, dropout=0.0, schedule="constant",
                      blend="none")  # the network alone (the blend: test_blend.py)  # fmt: skip
    assert [(m.spec_.name, m.seed) for m in models] == [
        ("lstm:1x8", 0), ("lstm:1x8", 1), ("gru:6,4", 0), ("gru:6,4", 1)
    ]  # fmt: skip
    truth = td.y_physical(td.test)
    persist = np.abs(Persistence().fit(td).predict(td, "test") - truth).mean()
    for m in models:
        assert len(m.history_) == 12 and 1 <= m.best_epoch_ <= 12
        # the residual network: prediction = network output + scaled persistence, in units
        now = td.target_values[td.test.rows][:, td.output_targets]
        with torch.no_grad():
            raw = m.model_(torch.from_numpy(td.test.x)).numpy()
        expected = td.y_to_physical(raw + td.y_scaler.transform(now))
        np.testing.assert_allclose(m.predict(td, "test"), expected, rtol=1e-5, atol=1e-5)
        assert np.abs(m.predict(td, "test") - truth).mean() < 0.5 * persist
    first = models[0]
    again = load(save(first, tmp_path / "m.pt"))
    np.testing.assert_array_equal(again.predict(td, "val"), first.predict(td, "val"))
    assert evaluate(first, td).get("lstm:1x8", "test").n == len(td.test)
