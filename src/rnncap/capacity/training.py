"""How every capacity measure trains: its compute budget (full-batch Adam on binary
cross-entropy, at most `DEFAULT_MAX_SAMPLES` samples a member) and the one batched engine call."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

Progress = Callable[[int, int], None]

#: Largest number of training samples any one member may get unless the caller raises it: the
#: default compute budget of a measurement on a 2-core CPU.
DEFAULT_MAX_SAMPLES = 20_000


def full_batch_bce_settings(epochs: int, lr: float, **overrides: Any):
    """Full-batch Adam on binary cross-entropy, in a fixed order, clipped at 1: the budget that
    every capacity measure trains with (``overrides`` e.g. ``patience=0``)."""
    from rnncap.engine import TrainSettings

    return TrainSettings(
        epochs=epochs, batch_size=DEFAULT_MAX_SAMPLES, lr=lr, clip=1.0, loss="bce", shuffle=False,
        **overrides,
    )  # fmt: skip


def settings_dict(settings: Any) -> dict:
    """The training settings as plain data (the budget that a result states)."""
    return dataclasses.asdict(settings) if dataclasses.is_dataclass(settings) else dict(settings)


def train_members(
    jobs: list,
    progress: Progress | None = None,
    device: str | None = None,
    snapshots: tuple[int, ...] = (),
) -> list:
    """Train `jobs` in one batched call of `rnncap.engine.train` (imported here, at use),
    keeping each member's best weights so far at the `snapshots` epochs."""
    from rnncap.arch.budget import check_trainable
    from rnncap.engine import train

    for spec in {job.spec for job in jobs}:
        check_trainable(spec)
    return train(jobs, device=device, progress=progress, snapshots=snapshots)


def member_at(member: Any, epochs: int) -> Any:
    """A trained member as it was at budget `epochs` of its ladder: the snapshot kept there, or
    the member itself at the run's last budget (no snapshot is kept at the end)."""
    return member.at(epochs) if epochs in member.snapshots else member


def ladder_budgets(settings: Any, budgets: int) -> tuple[int, ...]:
    """The epochs of a doubling ladder that ends at ``settings.epochs``: `budgets` of them,
    each twice the last (one run, read at each: `rnncap.engine.train`'s ``snapshots``)."""
    top = settings.epochs
    return tuple(top // 2**k for k in reversed(range(budgets)) if top // 2**k >= 1)
