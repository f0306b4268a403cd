"""`train(jobs)` against an independent plain loop over `RecurrentModel` (same seed, data)."""

import math

import numpy as np
import pytest
import torch
from engine_helpers import ATOL, assert_same_as_alone, make_data

from rnncap.arch import parse_arch
from rnncap.engine import (
    Job,
    MemberData,
    Status,
    TrainSettings,
    train,
)
from rnncap.engine import api as api_module
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain

pytestmark = pytest.mark.slow  # trains models


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


@pytest.mark.parametrize("loss", ["bce", "hinge"])
def test_own_random_labels_train_like_models_alone(loss):
    spec = parse_arch("lstm:1x5", input_size=3, outputs=2)
    settings = TrainSettings(epochs=3, batch_size=8, loss=loss, lr=1e-2, patience=0)
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
    original = api_module.run_chunk

    def run(chunk, how, device, tick=None, snapshots=()):
        sizes.append(len(chunk))
        if len(chunk) > 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")
        return original(chunk, how, device, tick, snapshots)

    monkeypatch.setattr(api_module, "run_chunk", run)
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
    assert to_plain(member)["arch"] == "lstm:1x4"


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
    """The graph backend's warm-up steps are undone exactly (checked with CPU tensors)."""
    from rnncap.engine.backends.cuda_graph import GraphBackend, pinned_fp32
    from rnncap.engine.backends.ensemble import EnsembleBackend
    from rnncap.engine.trainer import Setup

    spec = parse_arch("lstm:1x4", input_size=3, outputs=1)
    data = make_data(10)
    jobs = [Job(spec, s, data, TrainSettings(epochs=1, batch_size=8)) for s in range(3)]
    graph = GraphBackend(Setup(jobs, torch.device("cpu")))
    eager = EnsembleBackend(Setup(jobs, torch.device("cpu")))
    rows = torch.arange(8)
    for _ in range(2):
        snapshot = graph.snapshot()
        for _ in range(2):
            EnsembleBackend.step(graph, rows)
        graph.restore(snapshot)
        EnsembleBackend.step(graph, rows)
        eager.step(rows)
        for a, b in zip(graph.model.parameters(), eager.model.parameters(), strict=True):
            assert torch.equal(a, b)
        for a, b in zip(
            graph.optimizer.state_tensors(), eager.optimizer.state_tensors(), strict=True
        ):
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


def _count_chunks(monkeypatch):
    calls = []
    original = api_module.run_chunk

    def run(chunk, how, device, tick=None, snapshots=()):
        calls.append((len(chunk), how))
        return original(chunk, how, device, tick, snapshots)

    monkeypatch.setattr(api_module, "run_chunk", run)
    return calls


@pytest.mark.parametrize("strategy", ["ensemble", "loop"])
def test_learning_rates_and_schedules_differ_per_member_in_one_ensemble(monkeypatch, strategy):
    spec = parse_arch("gru:5,4", input_size=3, outputs=1)
    data = make_data(12)
    grid = [
        (0, 1e-3, "constant"), (0, 3e-2, "cosine"), (1, 1e-2, "onecycle"), (2, 3e-2, "constant")
    ]  # fmt: skip
    jobs = [
        Job(spec, seed, data, TrainSettings(epochs=4, batch_size=8, lr=lr, schedule=sched,
                                            patience=2))
        for seed, lr, sched in grid
    ]  # fmt: skip
    calls = _count_chunks(monkeypatch)
    members = train(jobs, device="cpu", strategy=strategy)
    assert calls == [(4, strategy)], "one run trains the whole grid"
    for member, job in zip(members, jobs, strict=True):
        assert member.settings.lr == job.settings.lr
        assert_same_as_alone(member, job)
    a, b = members[0].state_dict, members[1].state_dict
    assert not torch.allclose(a["head.weight"], b["head.weight"])


def test_dropout_masks_are_each_members_own(monkeypatch):
    """With dropout, a member trains as alone: its masks come from its own generator."""
    spec = parse_arch("lstm:3x5", input_size=3, outputs=1)
    data = make_data(13)
    settings = TrainSettings(epochs=3, batch_size=8, lr=1e-2, dropout=0.4, patience=0)
    jobs = [Job(spec, s, data, settings) for s in (4, 0, 2)]
    for strategy in ("ensemble", "loop"):
        members = train(jobs, device="cpu", strategy=strategy)
        for member, job in zip(members, jobs, strict=True):
            assert_same_as_alone(member, job)
    alone = train(jobs[1:2], device="cpu", strategy="loop")[0]
    for key, value in alone.state_dict.items():
        assert torch.equal(members[1].state_dict[key], value), key  # loop: bit for bit


def test_anchor_is_added_to_the_output_in_training_and_validation():
    spec = parse_arch("rnn_tanh:1x6", input_size=3, outputs=2)
    base = make_data(14, outputs=2)
    rng = np.random.default_rng(0)
    anchored = MemberData(
        base.x_train, base.y_train, base.x_val, base.y_val,
        anchor_train=rng.normal(size=base.y_train.shape),
        anchor_val=rng.normal(size=base.y_val.shape),
    )  # fmt: skip
    settings = TrainSettings(epochs=3, batch_size=8, lr=1e-2)
    jobs = [Job(spec, s, anchored, settings) for s in range(2)]
    for strategy in ("ensemble", "loop"):
        for member, job in zip(train(jobs, "cpu", strategy=strategy), jobs, strict=True):
            assert_same_as_alone(member, job)
    member = train(jobs[:1], "cpu")[0]
    pred = member.predict(anchored.x_val, anchor=anchored.anchor_val)
    val = float(np.mean((pred - anchored.y_val) ** 2))
    assert val == pytest.approx(member.history[member.best_epoch - 1]["val_loss"], rel=1e-5)
    with pytest.raises(InvalidInput, match="anchor_val is missing"):
        MemberData(base.x_train, base.y_train, base.x_val, base.y_val, base.y_train)
    with pytest.raises(InvalidInput, match="one anchor per target"):
        MemberData(base.x_train, base.y_train, anchor_train=base.y_train[:, :1])


def test_time_limit_is_per_member():
    spec = parse_arch("gru:1x3", input_size=3, outputs=1)
    data = make_data(15)
    quick = TrainSettings(epochs=5, batch_size=8, patience=0, time_limit=1e-9)
    jobs = [Job(spec, 0, data, quick), Job(spec, 1, data, TrainSettings(epochs=5, batch_size=8,
                                                                        patience=0))]  # fmt: skip
    members = train(jobs, device="cpu", strategy="ensemble")
    assert [m.status for m in members] == [Status.TIME_LIMIT, Status.MAX_EPOCHS]
    assert [m.epochs_run for m in members] == [1, 5]
    assert to_plain(members[0])["status"] == "time_limit"


@pytest.mark.parametrize("arch", ["lstm:2x32", "lstm:2x8"])
def test_one_member_takes_the_same_path_as_in_a_crowd(arch):
    """A study unit's 3 seeds and one seed alone both take the loop on a CPU, so alone == in a
    crowd bit for bit (lstm:2x8 took the ensemble by width alone, equal only to rounding)."""
    spec = parse_arch(arch, input_size=3, outputs=1)
    data = make_data(16)
    settings = TrainSettings(epochs=2, batch_size=64, dropout=0.2)
    crowd = train([Job(spec, s, data, settings) for s in (7, 8, 9)], device="cpu")
    alone = train([Job(spec, 8, data, settings)], device="cpu")[0]
    assert alone.strategy == crowd[1].strategy == "loop"
    for key, value in alone.state_dict.items():
        assert torch.equal(crowd[1].state_dict[key], value), key
