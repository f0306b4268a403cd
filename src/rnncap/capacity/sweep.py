"""The hyper-parameter sweep of a capacity measurement: learning rates x schedules x restarts.

Collins et al. (2017) tuned the training of every (architecture, b) point; a finite sweep, every
configuration one member of the same ensemble, is the affordable version. A measurement keeps the
best member of each point.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rnncap.capacity._common import positive_int
from rnncap.errors import require

#: Restart r of seed s initialises with seed s + RESTART_STRIDE * r (restart 0 is seed s itself).
RESTART_STRIDE = 100_003


@dataclass(frozen=True)
class SweepMember:
    """One configuration of a sweep: its learning rate, schedule and restart index."""

    lr: float
    schedule: str
    restart: int

    def init_seed(self, seed: int) -> int:
        """The engine seed (initialisation) of this restart for the data seed `seed`."""
        return seed + RESTART_STRIDE * self.restart


@dataclass(frozen=True)
class Sweep:
    """Learning rates x schedules x restarts tried at every point; members = their product."""

    lrs: tuple[float, ...] = (0.01,)
    schedules: tuple[str, ...] = ("constant",)
    restarts: int = 1

    def __post_init__(self) -> None:
        lrs = tuple(float(v) for v in self.lrs)
        require(len(lrs) >= 1, "give at least one learning rate (e.g. lrs=(0.01, 0.03))")
        for lr in lrs:
            require(lr > 0, f"learning rates must be > 0; got {lr!r} (e.g. lrs=(0.01, 0.03))")
        require(
            len(self.schedules) >= 1, "give at least one schedule (e.g. schedules=('constant',))"
        )
        # the engine checks each name when a member's settings are made, before any training
        schedules = tuple(str(s).strip().lower() for s in self.schedules)
        object.__setattr__(self, "lrs", tuple(dict.fromkeys(lrs)))
        object.__setattr__(self, "schedules", tuple(dict.fromkeys(schedules)))
        object.__setattr__(self, "restarts", positive_int(self.restarts, "restarts", "restarts="))

    @classmethod
    def of(
        cls, lrs: Sequence[float], schedules: Sequence[str] = ("constant",), restarts: int = 1
    ) -> Sweep:
        return cls(tuple(lrs), tuple(schedules), restarts)

    def members(self) -> Iterator[SweepMember]:
        for restart in range(self.restarts):
            for schedule in self.schedules:
                for lr in self.lrs:
                    yield SweepMember(lr, schedule, restart)

    @property
    def size(self) -> int:
        return len(self.lrs) * len(self.schedules) * self.restarts

    def settings(self, base, member: SweepMember):
        """`base` (engine TrainSettings) with the member's learning rate and schedule."""
        return dataclasses.replace(base, lr=member.lr, schedule=member.schedule)

    def to_dict(self) -> dict:
        return {
            "lrs": list(self.lrs),
            "schedules": list(self.schedules),
            "restarts": self.restarts,
            "members_per_point": self.size,
        }
