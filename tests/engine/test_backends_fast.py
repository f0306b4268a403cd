"""Every engine backend, 2 epochs, against the reference loop member by member: in the FAST
subset, so that ``pytest -m "not slow"`` still checks each way the engine trains.

Backends: the batched ensemble (`stacked.EnsembleBackend`), the loop of fused torch modules
(`loop.LoopBackend`) and, on a GPU, the ensemble's step as a CUDA graph (`cuda.GraphBackend`),
the eager ensemble and the loop there too. The recipe is the forecaster's (cosine schedule,
weight decay, clipping, a residual anchor, validation), with and without dropout.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from engine_helpers import assert_same_as_alone, make_data

from rnncap.arch import parse_arch
from rnncap.engine import ForecastSettings, Job, MemberData, train
from rnncap.engine import api as api_module

ARCHS = ("lstm:2x3", "gru:3,2", "rnn_tanh:1x3")
SEEDS = (0, 1, 2)
CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

#: (device, strategy, CUDA graphs on, dropout) -> the backend class that must train it
BACKENDS = [
    pytest.param("cpu", "ensemble", True, 0.0, "EnsembleBackend", id="cpu-ensemble"),
    pytest.param("cpu", "ensemble", True, 0.3, "EnsembleBackend", id="cpu-ensemble-dropout"),
    pytest.param("cpu", "loop", True, 0.0, "LoopBackend", id="cpu-loop"),
    pytest.param("cpu", "loop", True, 0.3, "LoopBackend", id="cpu-loop-dropout"),
    pytest.param("cuda", "ensemble", True, 0.0, "GraphBackend", id="cuda-graph", marks=CUDA),
    pytest.param("cuda", "ensemble", False, 0.3, "EnsembleBackend", id="cuda-eager", marks=CUDA),
    pytest.param("cuda", "loop", True, 0.0, "LoopBackend", id="cuda-loop", marks=CUDA),
]


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models: one thread is several times faster than two contended ones (16 s against
    under 1 s for the CPU ensemble case at load 5); restored for the other modules."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def anchored(data: MemberData, seed: int) -> MemberData:
    """`data` with a residual anchor (n, 1) on both splits, as a forecaster trains."""
    rng = np.random.default_rng(seed)
    a_train = rng.normal(size=data.y_train.shape).astype(np.float32)
    a_val = rng.normal(size=data.y_val.shape).astype(np.float32)
    return MemberData(data.x_train, data.y_train, data.x_val, data.y_val, a_train, a_val)


@pytest.mark.parametrize(("device", "strategy", "graphs", "dropout", "backend"), BACKENDS)
def test_every_backend_trains_each_member_as_the_reference_loop(
    monkeypatch, device, strategy, graphs, dropout, backend
):
    monkeypatch.setenv("RNNCAP_CUDA_GRAPHS", "1" if graphs else "0")
    used = []
    make_backend = api_module.make_backend

    def spy(how, setup):
        chosen = make_backend(how, setup)
        used.append(type(chosen).__name__)
        return chosen

    monkeypatch.setattr(api_module, "make_backend", spy)
    data = anchored(make_data(5), 5)
    settings = ForecastSettings(epochs=2, batch_size=8, lr=1e-2, dropout=dropout)
    jobs = [
        Job(parse_arch(arch, input_size=3, outputs=1), seed, data, settings.train_settings())
        for arch in ARCHS
        for seed in SEEDS
    ]
    members = train(jobs, device=device, strategy=strategy)
    assert used and set(used) == {backend}
    for member, job in zip(members, jobs, strict=True):
        assert member.strategy == strategy and member.epochs_run == 2
        assert_same_as_alone(member, job)
