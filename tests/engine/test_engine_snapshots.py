"""Snapshots: one run keeps each member's best weights so far at chosen epochs, and the
``restarts`` schedule ends a cosine cycle at each. The model at a snapshot must be exactly the
model of a run that stopped there (checked at every snapshot, on every CPU backend, against the
reference loop), so a doubling budget curve can be read from one run."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from engine_helpers import ATOL, make_data

from rnncap.arch import parse_arch
from rnncap.engine import Job, TrainSettings, train, train_reference
from rnncap.errors import InvalidInput

SNAPSHOTS = (2, 4, 8)


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _jobs(epochs: int, val: bool) -> list[Job]:
    data = make_data(3, n=16, val=val, labels=True)
    settings = TrainSettings(
        epochs=epochs, batch_size=64, lr=0.05, loss="bce", patience=0, schedule="restarts",
        shuffle=False,
    )  # fmt: skip
    return [
        Job(parse_arch(arch, input_size=3, outputs=1), seed, data, settings, f"{arch} {seed}")
        for arch in ("gru:1x3", "rnn_tanh:2x2")
        for seed in (0, 1)
    ]


def _close(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for key, value in want.items():
        torch.testing.assert_close(got[key], value, atol=ATOL, rtol=0, msg=key)


@pytest.mark.parametrize("strategy", ["ensemble", "loop"])
@pytest.mark.parametrize("val", [True, False], ids=["best-by-validation", "latest"])
def test_each_snapshot_is_the_model_of_a_run_that_stopped_there(strategy, val):
    members = train(_jobs(SNAPSHOTS[-1], val), device="cpu", strategy=strategy,
                    snapshots=SNAPSHOTS)  # fmt: skip
    for epoch in SNAPSHOTS:
        earlier = tuple(e for e in SNAPSHOTS if e < epoch)
        jobs = _jobs(epoch, val)
        short = train(jobs, device="cpu", strategy=strategy, snapshots=earlier)
        for member, alone, job in zip(members, short, jobs, strict=True):
            _close(member.at(epoch).state_dict, alone.state_dict)
            _close(member.at(epoch).state_dict, train_reference(job, earlier).state_dict)
    for member in members:  # the last snapshot is the run's own result
        _close(member.at(SNAPSHOTS[-1]).state_dict, member.state_dict)


def test_the_first_cycle_of_restarts_is_a_cosine_run_of_that_length():
    """Before its first restart the schedule is the cosine decay of a run that ends there."""
    jobs = _jobs(SNAPSHOTS[-1], True)
    members = train(jobs, device="cpu", snapshots=SNAPSHOTS)
    cosine = [dataclasses.replace(j, settings=dataclasses.replace(
        j.settings, epochs=SNAPSHOTS[0], schedule="cosine")) for j in jobs]  # fmt: skip
    for member, alone in zip(members, train(cosine, device="cpu"), strict=True):
        _close(member.at(SNAPSHOTS[0]).state_dict, alone.state_dict)


def test_snapshots_outside_the_budget_or_missing_are_refused():
    with pytest.raises(InvalidInput, match="past the last epoch"):
        train(_jobs(4, True), device="cpu", snapshots=(2, 5))
    with pytest.raises(InvalidInput, match="snapshot epoch"):
        train(_jobs(4, True), device="cpu", snapshots=(0,))
    member = train(_jobs(4, True)[:1], device="cpu", snapshots=(2,))[0]
    with pytest.raises(InvalidInput, match="no snapshot at epoch 3"):
        member.at(3)
