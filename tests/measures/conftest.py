import numpy as np
import pytest

from rnncap.arch import parse_arch
from rnncap.engine import MemberData, RecurrentModel, TrainedMember, TrainSettings
from rnncap.threads import torch_threads


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models: one intra-op thread is fastest."""
    with torch_threads(1):
        yield


def build_member(
    arch: str,
    *,
    input_size: int = 3,
    seq_len: int = 5,
    seed: int = 0,
    state: dict | None = None,
    history: list | None = None,
    batch_size: int = 64,
    **options: object,
) -> TrainedMember:
    """A `TrainedMember` built by hand: the weights of a real `RecurrentModel` at ``seed + 1`` (or
    `state`), initialised at ``seed``; `options` go to `parse_arch`."""
    spec = parse_arch(arch, input_size=input_size, seq_len=seq_len, outputs=1, **options)
    initial = RecurrentModel(spec, seed=seed).state_dict()
    trained = state if state is not None else RecurrentModel(spec, seed=seed + 1).state_dict()
    return TrainedMember(
        spec=spec,
        seed=seed,
        settings=TrainSettings(batch_size=batch_size),
        state_dict=trained,
        initial_state_dict=initial,
        history=history or [{"epoch": 1, "train_loss": 1.0, "val_loss": None}],
        best_epoch=1,
        status="max_epochs",
    )


def build_data(n: int = 40, input_size: int = 3, seq_len: int = 5, seed: int = 0) -> MemberData:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, seq_len, input_size)).astype(np.float32)
    y = rng.normal(size=(n, 1)).astype(np.float32)
    return MemberData(x, y)


@pytest.fixture
def make_member():
    """`build_member`: a hand-built `TrainedMember`."""
    return build_member


@pytest.fixture
def make_data():
    """`build_data`: random training windows."""
    return build_data


def synthetic_points(n: int = 36, seed: int = 0) -> list:
    """`ModelPoint`s over four axes (3 x 3 x 2 x 2 grid, seeds), with a measure that tracks the
    same-season gap ("good"), one that falls with it ("inverse"), noise, the parameter count
    and two bounds, one of which tracks the gap better than the count."""
    from rnncap.measures.records import BOUND_PREFIX, GAP_IID, GAP_SHIFT, LOG_PARAMS, ModelPoint

    rng = np.random.default_rng(seed)
    points = []
    for i in range(n):
        axes = {"units": (8, 16, 32)[i % 3], "lr": (1e-3, 3e-3, 1e-2)[(i // 3) % 3],
                "dropout": (0.0, 0.3)[(i // 9) % 2], "layers": (1, 2)[(i // 18) % 2]}  # fmt: skip
        iid, shift = float(rng.normal()), float(rng.normal())
        measures = {
            "good": iid + 0.1 * float(rng.normal()),
            "inverse": -iid + 0.1 * float(rng.normal()),
            "noise": float(rng.normal()),
            LOG_PARAMS: float(np.log(axes["units"] * 100)) + 0.3 * iid,
            BOUND_PREFIX + "km97-pfaffian-unrolled": 2 * iid + 0.2 * float(rng.normal()),
            BOUND_PREFIX + "ks97-quadratic-vc": float(rng.normal()),
        }
        points.append(ModelPoint(f"m{i}", axes, {GAP_IID: iid, GAP_SHIFT: shift}, measures))
    return points


@pytest.fixture
def measured_store(tmp_path, monkeypatch):
    """A real (empty) results store whose `model_points` returns `synthetic_points()` (a double
    for the study's own method)."""
    from rnncap.study.store import ResultsStore

    ResultsStore.create(tmp_path / "results.sqlite").close()
    points = synthetic_points()
    monkeypatch.setattr(ResultsStore, "model_points", lambda self: points, raising=False)
    return tmp_path


@pytest.fixture
def synthetic():
    return synthetic_points()
