"""The hyper-parameter sweep of a capacity measurement: learning rates x schedules x losses x
input encodings x restarts.

Collins et al. (2017) tuned the training of every (architecture, b) point; a finite sweep, every
configuration one member of the same engine call, is the affordable version. A measurement keeps
the best member of each point. The loss is a training choice like the learning rate: the measure
(I(b) from the fraction recalled) does not depend on it. The input encoding is not: it is a
labelled protocol variant, one per measurement. Signed inputs (-1/+1 instead of 0/1) are not the
same functions with an input bias: W (2x - 1) + b = (2W) x + (b - W 1) holds at the input step
only, while at the later steps (zero input) the 0/1 network keeps b and would need b - W 1, so
with delay >= 1 the two encodings train different function classes (a test checks every step).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rnncap.capacity.checks import positive_int
from rnncap.errors import require

#: Losses for binary labels that a sweep may try (engine `Loss` names).
CLASSIFICATION_LOSSES = ("bce", "hinge")
#: How the random inputs are fed: 0/1 bits ("binary", Collins et al.), -1/+1 bits ("signed") or
#: standard normal numbers ("gaussian": inputs in general position, distinct at any input size).
ENCODINGS = ("binary", "signed", "gaussian")
#: What each encoding is, as every output that reports it labels it: only "binary" is Collins et
#: al.'s protocol; the others are variants that measure other function classes.
ENCODING_LABELS = {
    "binary": "0/1 input bits (Collins et al.'s protocol)",
    "signed": "-1/+1 input bits (protocol variant: with delay >= 1 not the same functions as 0/1)",
    "gaussian": "N(0, 1) inputs in general position (protocol variant: distinct at any input "
    "size, so a narrow layer needs no repeated inputs)",
}


def encoding_label(encoding: str) -> str:
    """The label every table, caption and JSON gives an input encoding."""
    return ENCODING_LABELS[encoding]


#: Restart r of seed s initialises with seed s + RESTART_STRIDE * r (restart 0 is seed s itself).
RESTART_STRIDE = 100_003


def _choices(
    values: Sequence[str], allowed: tuple[str, ...], kind: str, noun: str, example: str
) -> tuple[str, ...]:
    """`values` normalised (stripped, lower case, first occurrence kept), at least one, each one
    of `allowed`, or `InvalidInput` naming the bad value, the choices and an `example`."""
    names = tuple(dict.fromkeys(str(v).strip().lower() for v in values))
    require(len(names) >= 1, f"give at least one {kind} (e.g. {example})")
    for name in names:
        require(
            name in allowed,
            f"unknown {noun} {name!r}; choose from {', '.join(allowed)} (e.g. {example})",
        )
    return names


@dataclass(frozen=True)
class SweepMember:
    """One configuration of a sweep: its learning rate, schedule, restart index, loss and input
    encoding."""

    lr: float
    schedule: str
    restart: int
    loss: str = "bce"
    encoding: str = "binary"

    def init_seed(self, seed: int) -> int:
        """The engine seed (initialisation) of this restart for the data seed `seed`."""
        return seed + RESTART_STRIDE * self.restart


@dataclass(frozen=True)
class Sweep:
    """Learning rates x schedules x losses x restarts tried at every point; members = their
    product. Losses: "bce" (Collins et al.'s cross-entropy) and "hinge" (squared hinge). The one
    input encoding (`ENCODINGS`) is the measurement's protocol variant, not a swept knob: a best
    member over two encodings would be a maximum over two function classes."""

    lrs: tuple[float, ...] = (0.01,)
    schedules: tuple[str, ...] = ("constant",)
    restarts: int = 1
    losses: tuple[str, ...] = ("bce",)
    encodings: tuple[str, ...] = ("binary",)

    # The JSON `rnncap.plain.to_plain` writes; `from_plain` reads it back, and a record stored
    # before losses and encodings were swept takes the defaults ("bce" on "binary" inputs).
    PLAIN_VIEW: ClassVar = {
        "lrs": "lrs",
        "schedules": "schedules",
        "losses": "losses",
        "encodings": "encodings",
        "encoding_label": "encoding_label",
        "restarts": "restarts",
        "members_per_point": "size",
    }

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
        losses = _choices(
            self.losses, CLASSIFICATION_LOSSES, "loss", "memorization loss",
            "losses=('bce', 'hinge')",
        )  # fmt: skip
        encodings = _choices(
            self.encodings, ENCODINGS, "encoding", "input encoding", "encodings=('signed',)"
        )
        require(
            len(encodings) == 1,
            f"give one input encoding per measurement, not {', '.join(encodings)}: each is a "
            "protocol variant with its own function class; run one measurement per encoding",
        )
        object.__setattr__(self, "losses", losses)
        object.__setattr__(self, "encodings", encodings)

    @classmethod
    def of(
        cls,
        lrs: Sequence[float],
        schedules: Sequence[str] = ("constant",),
        restarts: int = 1,
        losses: Sequence[str] = ("bce",),
        encodings: Sequence[str] = ("binary",),
    ) -> Sweep:
        return cls(tuple(lrs), tuple(schedules), restarts, tuple(losses), tuple(encodings))

    @property
    def encoding(self) -> str:
        """The measurement's input encoding (its protocol variant)."""
        return self.encodings[0]

    def members(self) -> Iterator[SweepMember]:
        for restart in range(self.restarts):
            for encoding in self.encodings:
                for loss in self.losses:
                    for schedule in self.schedules:
                        for lr in self.lrs:
                            yield SweepMember(lr, schedule, restart, loss, encoding)

    @property
    def size(self) -> int:
        lengths = (self.lrs, self.schedules, self.losses, self.encodings)
        return math.prod(len(v) for v in lengths) * self.restarts

    def settings(self, base, member: SweepMember):
        """`base` (engine TrainSettings) with the member's learning rate, schedule and loss."""
        return dataclasses.replace(base, lr=member.lr, schedule=member.schedule, loss=member.loss)

    @property
    def encoding_label(self) -> str:
        return encoding_label(self.encoding)
