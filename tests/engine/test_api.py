"""`train(jobs)` against an independent plain loop over `RecurrentModel` (same seed, data)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnncap.arch import parse_arch
from rnncap.engine import Job, MemberData, RecurrentModel, TrainSettings, train
from rnncap.engine import trainer as trainer_module
from rnncap.errors import InvalidInput

# fp32 ensemble (bmm) vs fused torch kernels: different summation order, so equal to a tolerance
ATOL = 2e-4


def reference_train(spec, seed, data, s):
    """What training one model alone means: the recipe of docs/engine.md, written out plainly."""
    model = RecurrentModel(spec, seed=seed)
    opt = torch.optim.Adam(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    x, y = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    loss_fn = F.mse_loss if s.loss == "mse" else F.binary_cross_entropy_with_logits
    gen = torch.Generator().manual_seed(seed)
    n = len(x)
    history, best, best_epoch, bad, status = [], math.inf, 0, 0, "max_epochs"
    best_state = model.state_dict()
    for epoch in range(1, s.epochs + 1):
        order = torch.randperm(n, generator=gen) if s.shuffle and s.batch_size < n else None
        seen = 0.0
        for start in range(0, n, s.batch_size):
            idx = torch.arange(start, min(n, start + s.batch_size))
            if order is not None:
                idx = order[idx]
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            if s.clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), s.clip)
            opt.step()
            seen += loss.item() * len(idx)
        val = None
        if data.x_val is not None:
            with torch.no_grad():
                val = loss_fn(model(torch.from_numpy(data.x_val)), torch.from_numpy(data.y_val))
                val = val.item()
        history.append((seen / n, val))
        if not math.isfinite(seen) or (val is not None and not math.isfinite(val)):
            status = "non_finite"
            break
        if val is None or val < best:
            best, best_epoch, bad = (val if val is not None else 0.0), epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if s.patience and bad >= s.patience:
                status = "early_stopped"
                break
    return best_state, history, best_epoch, status


def make_data(seed, n=24, steps=5, features=3, outputs=1, val=True, labels=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n + 12, steps, features)).astype(np.float32)
    if labels:
        y = rng.integers(0, 2, size=(n + 12, outputs)).astype(np.float32)
    else:
        y = (x[:, -3:, :1].mean(axis=1) + 0.1 * rng.normal(size=(n + 12, 1))).repeat(outputs, 1)
    if not val:
        return MemberData(x[:n], y[:n].astype(np.float32))
    return MemberData(x[:n], y[:n].astype(np.float32), x[n:], y[n:].astype(np.float32))


def assert_same_as_alone(member, job):
    state, history, best_epoch, status = reference_train(job.spec, job.seed, job.data, job.settings)
    assert member.status == status
    assert member.best_epoch == best_epoch
    assert len(member.history) == len(history)
    for got, (train_loss, val_loss) in zip(member.history, history, strict=True):
        assert got["train_loss"] == pytest.approx(train_loss, rel=1e-4, abs=1e-6)
        if val_loss is None:
            assert got["val_loss"] is None
        else:
            assert got["val_loss"] == pytest.approx(val_loss, rel=1e-4, abs=1e-6)
    assert member.state_dict.keys() == state.keys()
    for key, value in state.items():
        torch.testing.assert_close(member.state_dict[key], value, atol=ATOL, rtol=0, msg=key)
    initial = RecurrentModel(job.spec, seed=job.seed).state_dict()
    for key, value in initial.items():
        assert torch.equal(member.initial_state_dict[key], value)


@pytest.mark.parametrize(
    ("arch", "settings"),
    [
        ("lstm:2x6", TrainSettings(epochs=3, batch_size=8, clip=0.5, patience=2)),
        ("gru:7,4", TrainSettings(epochs=3, batch_size=10, lr=3e-3, weight_decay=1e-3)),
        ("rnn_tanh:1x8", TrainSettings(epochs=3, batch_size=64, shuffle=True, clip=None)),
        ("rnn_relu:5,5", TrainSettings(epochs=3, batch_size=7, shuffle=False, lr=5e-3)),
    ],
)
def test_shared_inputs_train_like_models_alone(arch, settings):
    spec = parse_arch(arch, input_size=3, outputs=1)
    data = make_data(0)
    jobs = [Job(spec, seed, data, settings, key=f"s{seed}") for seed in (3, 1, 4)]
    members = train(jobs, device="cpu", strategy="ensemble")
    assert [m.key for m in members] == ["s3", "s1", "s4"]
    assert all(m.strategy == "ensemble" for m in members)
    for member, job in zip(members, jobs, strict=True):
        assert_same_as_alone(member, job)


def test_own_random_labels_train_like_models_alone():
    spec = parse_arch("lstm:1x5", input_size=3, outputs=2)
    settings = TrainSettings(epochs=3, batch_size=8, loss="bce", lr=1e-2, patience=0)
    jobs = [
        Job(spec, s, make_data(s, outputs=2, labels=True, val=False), settings) for s in range(3)
    ]
    members = train(jobs, device="cpu", strategy="ensemble")
    for member, job in zip(members, jobs, strict=True):
        assert member.status == "max_epochs" and member.best_epoch == 3
        assert_same_as_alone(member, job)


def test_early_stopping_is_per_member_and_restores_best_weights():
    spec = parse_arch("gru:1x6", input_size=3, outputs=1)
    data = make_data(1)
    settings = TrainSettings(epochs=6, batch_size=8, lr=5e-2, patience=1)
    jobs = [Job(spec, s, data, settings) for s in range(4)]
    members = train(jobs, device="cpu", strategy="ensemble")
    assert {m.status for m in members} >= {"early_stopped"}
    assert len({m.epochs_run for m in members}) > 1, "members should stop at different epochs"
    for member, job in zip(members, jobs, strict=True):
        assert_same_as_alone(member, job)
        vals = [h["val_loss"] for h in member.history]
        assert member.best_epoch == 1 + int(np.argmin(vals))


def test_non_finite_member_is_flagged_and_others_go_on():
    spec = parse_arch("lstm:1x4", input_size=3, outputs=1)
    settings = TrainSettings(epochs=3, batch_size=8, clip=None)
    good = make_data(2)
    huge = MemberData(good.x_train, np.full_like(good.y_train, 3e38), good.x_val, good.y_val)
    jobs = [
        Job(spec, 0, good, settings),
        Job(spec, 1, huge, settings),
        Job(spec, 2, good, settings),
    ]
    members = train(jobs, device="cpu", strategy="ensemble")
    assert members[1].status == "non_finite"
    assert members[1].best_epoch == 0 and len(members[1].history) == 1
    for key, value in members[1].initial_state_dict.items():
        assert torch.equal(members[1].state_dict[key], value)
    for i in (0, 2):
        assert members[i].status == "max_epochs"
        assert_same_as_alone(members[i], jobs[i])


def test_loop_strategy_and_chunks_give_the_same_members():
    spec = parse_arch("rnn_tanh:2x4", input_size=3, outputs=1)
    data = make_data(3)
    settings = TrainSettings(epochs=2, batch_size=8)
    jobs = [Job(spec, s, data, settings) for s in range(5)]
    whole = train(jobs, device="cpu", strategy="ensemble")
    chunked = train(jobs, device="cpu", strategy="ensemble", max_members=2)
    looped = train(jobs, device="cpu", strategy="loop")
    assert all(m.strategy == "loop" for m in looped)
    for a, b, c in zip(whole, chunked, looped, strict=True):
        for key, value in a.state_dict.items():
            torch.testing.assert_close(b.state_dict[key], value, atol=1e-6, rtol=0)
            torch.testing.assert_close(c.state_dict[key], value, atol=ATOL, rtol=0)


def test_groups_of_different_shapes_and_settings_in_one_call():
    data = make_data(4)
    a = parse_arch("lstm:1x4", input_size=3, outputs=1)
    b = parse_arch("gru:3,2", input_size=3, outputs=1)
    fast, slow = TrainSettings(epochs=2, batch_size=8), TrainSettings(epochs=2, lr=1e-2)
    jobs = [
        Job(a, 0, data, fast),
        Job(b, 0, data, fast),
        Job(a, 1, data, slow),
        Job(a, 2, data, fast),
    ]
    members = train(jobs, device="cpu")
    for member, job in zip(members, jobs, strict=True):
        assert member.spec == job.spec and member.settings == job.settings
        assert_same_as_alone(member, job)


def test_bidirectional_specs_go_to_the_loop_automatically():
    spec = parse_arch("lstm:1x4", input_size=3, outputs=1, bidirectional=True)
    job = Job(spec, 5, make_data(5), TrainSettings(epochs=2, batch_size=8))
    (member,) = train([job, Job(spec, 6, job.data, job.settings)], device="cpu")[:1]
    assert member.strategy == "loop"
    assert_same_as_alone(member, job)
    with pytest.raises(InvalidInput, match="not supported by the batched engine"):
        train([job], device="cpu", strategy="ensemble")


def test_progress_counts_every_member_epoch():
    spec = parse_arch("gru:1x3", input_size=3, outputs=1)
    data = make_data(6)
    settings = TrainSettings(epochs=6, batch_size=6, lr=5e-2, patience=1)
    calls = []
    jobs = [Job(spec, s, data, settings) for s in range(3)]
    train(jobs, device="cpu", progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (18, 18)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_out_of_memory_halves_the_chunk(monkeypatch):
    spec = parse_arch("lstm:1x3", input_size=3, outputs=1)
    data = make_data(7)
    jobs = [Job(spec, s, data, TrainSettings(epochs=1, batch_size=8)) for s in range(4)]
    sizes = []
    original = trainer_module.EnsembleTrainer.run

    def run(self, tick=None):
        sizes.append(len(self.jobs))
        if len(self.jobs) > 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")
        return original(self, tick)

    monkeypatch.setattr(trainer_module.EnsembleTrainer, "run", run)
    members = train(jobs, device="cpu", strategy="ensemble", max_members=4)
    assert sizes == [4, 2, 1, 1, 1, 1]
    for member, job in zip(members, jobs, strict=True):
        assert_same_as_alone(member, job)


def test_predict_matches_the_exported_model():
    spec = parse_arch("lstm:1x4", input_size=3, outputs=1)
    data = make_data(8)
    (member,) = train([Job(spec, 0, data, TrainSettings(epochs=1))], device="cpu")
    with torch.no_grad():
        expected = member.model()(torch.from_numpy(data.x_val)).numpy()
    np.testing.assert_allclose(member.predict(data.x_val), expected, atol=1e-6)
    assert member.to_dict()["arch"] == "lstm:1x4"


def test_worker_processes_give_the_same_members():
    spec = parse_arch("gru:1x4", input_size=3, outputs=1)
    data = make_data(9)
    jobs = [Job(spec, s, data, TrainSettings(epochs=2, batch_size=8)) for s in range(2)]
    calls = []
    members = train(jobs, device="cpu", workers=2, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (4, 4)
    for member, job in zip(members, jobs, strict=True):
        assert_same_as_alone(member, job)
    with pytest.raises(InvalidInput, match="workers must be an integer >= 1"):
        train(jobs, workers=0)


def test_cuda_graph_warm_up_leaves_no_trace():
    """The graph trainer's warm-up steps are undone exactly (checked with CPU tensors)."""
    from rnncap.engine.cuda import GraphEnsembleTrainer, pinned_fp32
    from rnncap.engine.trainer import EnsembleTrainer

    spec = parse_arch("lstm:1x4", input_size=3, outputs=1)
    data = make_data(10)
    jobs = [Job(spec, s, data, TrainSettings(epochs=1, batch_size=8)) for s in range(3)]
    graph = GraphEnsembleTrainer(jobs, torch.device("cpu"))
    graph.optimizer = EnsembleTrainer._optimizer(graph)  # capturable Adam needs a GPU
    eager = EnsembleTrainer(jobs, torch.device("cpu"))
    rows = torch.arange(8)
    for _ in range(2):
        snapshot = graph._snapshot()
        for _ in range(2):
            EnsembleTrainer.step(graph, rows)
        graph._restore(snapshot)
        EnsembleTrainer.step(graph, rows)
        eager.step(rows)
        for a, b in zip(graph.model.parameters(), eager.model.parameters(), strict=True):
            assert torch.equal(a, b)
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    with pinned_fp32():
        assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before


@pytest.mark.parametrize("strategy", ["ensemble", "loop"])
def test_dropout_training_runs_and_learns(strategy):
    spec = parse_arch("gru:2x6", input_size=3, outputs=1)
    data = make_data(11)
    settings = TrainSettings(epochs=4, batch_size=8, lr=1e-2, dropout=0.3, patience=0)
    members = train([Job(spec, s, data, settings) for s in (0, 1)], "cpu", strategy=strategy)
    for member in members:
        losses = [h["train_loss"] for h in member.history]
        assert member.status == "max_epochs" and all(math.isfinite(v) for v in losses)
        assert losses[-1] < losses[0]


def test_own_data_in_order_with_early_stopping_and_repacking():
    spec = parse_arch("rnn_tanh:1x6", input_size=3, outputs=1)
    settings = TrainSettings(epochs=6, batch_size=8, lr=5e-2, patience=1, shuffle=False)
    jobs = [Job(spec, s, make_data(20 + s), settings) for s in range(4)]
    for strategy in ("ensemble", "loop"):
        members = train(jobs, device="cpu", strategy=strategy)
        assert len({m.epochs_run for m in members}) > 1, "members should stop at different epochs"
        for member, job in zip(members, jobs, strict=True):
            assert_same_as_alone(member, job)
