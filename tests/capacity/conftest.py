import pytest

from rnncap.threads import torch_threads


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models: one intra-op thread is fastest, and the CLI commands default to it too."""
    with torch_threads(1):
        yield


class FakeMember:
    """Predicts the right label for the first `correct` rows of its training set, wrong after."""

    status = "max_epochs"
    snapshots: dict = {}  # one budget: no snapshot kept

    def __init__(self, y, correct: int):
        self.y, self.correct = y, correct

    def predict(self, x):
        assert len(x) == len(self.y)
        sign = 2.0 * self.y - 1.0
        sign[self.correct :] *= -1.0
        return sign


@pytest.fixture
def fake_training(monkeypatch):
    """Replace engine training in the memorization measure by deterministic members: `install(f)`
    makes each job's member recall the fraction f(job) of its b labels; returns the jobs seen."""
    from rnncap.capacity import memorize

    seen: list = []

    def install(recall):
        def train_members(jobs, progress=None, device=None, snapshots=()):
            seen.extend(jobs)
            return [
                FakeMember(j.data.y_train.copy(), int(round(recall(j) * len(j.data.y_train))))
                for j in jobs
            ]

        monkeypatch.setattr(memorize, "train_members", train_members)
        return seen

    return install
