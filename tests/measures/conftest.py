import numpy as np
import pytest
import torch

from rnncap.arch import parse_arch
from rnncap.engine import MemberData, RecurrentModel, TrainedMember, TrainSettings


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models: one intra-op thread is fastest."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


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
