"""Data and the member-by-member check shared by the engine tests."""

import numpy as np
import pytest
import torch

from rnncap.engine import MemberData, RecurrentModel, train_reference

# fp32 ensemble (bmm) vs fused torch kernels: different summation order, so equal to a tolerance
ATOL = 2e-4


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
    """`member` is what the reference loop (`train_reference`) gives for `job` alone."""
    ref = train_reference(job)
    assert member.status == ref.status
    assert member.best_epoch == ref.best_epoch
    assert len(member.history) == len(ref.history)
    for got, want in zip(member.history, ref.history, strict=True):
        assert got["train_loss"] == pytest.approx(want["train_loss"], rel=1e-4, abs=1e-6)
        if want["val_loss"] is None:
            assert got["val_loss"] is None
        else:
            assert got["val_loss"] == pytest.approx(want["val_loss"], rel=1e-4, abs=1e-6)
    assert member.state_dict.keys() == ref.state_dict.keys()
    for key, value in ref.state_dict.items():
        torch.testing.assert_close(member.state_dict[key], value, atol=ATOL, rtol=0, msg=key)
    initial = RecurrentModel(job.spec, seed=job.seed).state_dict()
    for key, value in initial.items():
        assert torch.equal(member.initial_state_dict[key], value)
