import numpy as np
import pytest

from rnncap.forecast.baselines import Persistence
from rnncap.forecast.metrics import mae, rmse, score, skill


def test_hand_vectors():
    pred, true = np.array([1.0, 2.0, 4.0]), np.array([1.0, 4.0, 1.0])
    assert mae(pred, true) == pytest.approx(5 / 3)
    assert rmse(pred, true) == pytest.approx(np.sqrt(13 / 3))
    assert skill(1.5, 2.0) == pytest.approx(0.25)
    assert skill(2.0, 2.0) == 0.0


def test_score_per_lead_uses_physical_truth(lagged_csv):
    from rnncap.data import Task, prepare_task

    td = prepare_task(Task(dataset=str(lagged_csv), target="echo", history=4, horizon=3,
                           all_leads=True))  # fmt: skip
    truth = td.y_physical(td.test)
    pred = truth + np.array([1.0, -2.0, 0.5])  # constant error per lead 1, 2, 3
    s = score("shifted", "test", pred, td, persistence_mae=2.0)
    assert [round(m, 9) for _, m, _ in s.by_lead] == [1.0, 2.0, 0.5]
    assert s.mae == pytest.approx(3.5 / 3) and s.skill == pytest.approx(1 - 3.5 / 6)
    p = Persistence().fit(td).predict(td, "test")
    assert score("p", "test", p, td).skill == 0.0
