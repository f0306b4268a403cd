"""Per-member training bookkeeping, shared by every backend; plain Python, no torch.

A backend (ensemble, CUDA graph, loop of fused modules) only steps, evaluates, saves the best
weights and drops finished members. What happens after each epoch is decided here, once:

* the epoch's losses go into the member's history;
* a NaN or infinite training or validation loss stops the member (`Status.NON_FINITE`);
* the best epoch is the one with the lowest validation loss (strictly lower than every earlier
  one), or the latest epoch without validation data;
* ``patience`` epochs without a better validation loss stop it (`Status.EARLY_STOPPED`);
* once ``time_limit`` seconds have passed at the end of an epoch it stops (`Status.TIME_LIMIT`);
* a member still running after its last epoch ends with `Status.MAX_EPOCHS`.

The learning-rate schedules (`lr_factor`) live here too: they are per member, so that one
ensemble can train a grid of learning rates and schedules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from rnncap.errors import InvalidInput, check_int

E = TypeVar("E", bound=StrEnum)


class Status(StrEnum):
    """Why a member stopped training."""

    MAX_EPOCHS = "max_epochs"
    EARLY_STOPPED = "early_stopped"
    NON_FINITE = "non_finite"
    TIME_LIMIT = "time_limit"


class Loss(StrEnum):
    """Training loss: mean squared error; for targets in [0, 1], binary cross-entropy on logits or
    the squared hinge max(0, 1 - (2y - 1) z)^2 on the logit z (it stops pushing a point once its
    margin reaches 1 and does not chase hopeless points, which helps memorization past capacity)."""

    MSE = "mse"
    BCE = "bce"
    HINGE = "hinge"


class Strategy(StrEnum):
    """How a group of members is trained (``AUTO`` picks one of the others per group)."""

    AUTO = "auto"
    ENSEMBLE = "ensemble"
    LOOP = "loop"


class Schedule(StrEnum):
    """Learning rate over the epochs, as a factor of the member's peak ``lr`` (`lr_factor`)."""

    CONSTANT = "constant"
    COSINE = "cosine"
    ONECYCLE = "onecycle"
    RESTARTS = "restarts"


def parse_enum(kind: type[E], value: object, what: str) -> E:
    """`value` (a member or its string) as a member of `kind`, or one `InvalidInput` line."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(v.value for v in kind)
        raise InvalidInput(f"unknown {what} {value!r}; choose one of: {choices}") from None


#: cosine: decays from lr (first epoch) to COSINE_FLOOR * lr (last epoch)
COSINE_FLOOR = 0.1
#: one-cycle, as `torch.optim.lr_scheduler.OneCycleLR` with its defaults (cosine phases)
ONECYCLE_PCT, ONECYCLE_DIV, ONECYCLE_FINAL_DIV = 0.3, 25.0, 1e4


def _cos(start: float, end: float, t: float) -> float:
    """Cosine interpolation from `start` (t = 0) to `end` (t = 1)."""
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * t))


def lr_factor(
    schedule: Schedule | str, epoch: int, epochs: int, restarts: tuple[int, ...] = ()
) -> float:
    """Factor of the peak learning rate for `epoch` (1-based) of `epochs`.

    ``constant``: 1. ``cosine``: from 1 at the first epoch down to 0.1 at the last
    (`torch.optim.lr_scheduler.CosineAnnealingLR` with ``T_max = epochs - 1`` and
    ``eta_min = 0.1 lr``, stepped per epoch). ``onecycle``: `OneCycleLR` with
    ``total_steps = epochs`` and its defaults: from 1/25 up to 1 over the first 30% of epochs,
    then down to 1/(25 * 1e4), both phases cosine. ``restarts``: warm restarts (SGDR, Loshchilov
    & Hutter, ICLR 2017): a cosine cycle ends at each epoch of `restarts` and at the last, the
    next one starts again at 1; without `restarts` it is ``cosine``.
    """
    schedule = Schedule(schedule)
    if schedule is Schedule.RESTARTS:
        ends = [e for e in restarts if e < epochs] + [epochs]
        start = max([0] + [e for e in ends if e < epoch])  # the epoch before this cycle
        end = min(e for e in ends if e >= epoch)
        return lr_factor(Schedule.COSINE, epoch - start, end - start)
    if schedule is Schedule.CONSTANT or epochs <= 1:
        return 1.0
    step = epoch - 1
    if schedule is Schedule.COSINE:
        return _cos(1.0, COSINE_FLOOR, step / (epochs - 1))
    start, end = 1.0 / ONECYCLE_DIV, 1.0 / (ONECYCLE_DIV * ONECYCLE_FINAL_DIV)
    peak = float(ONECYCLE_PCT * epochs) - 1.0
    if step <= peak:
        return _cos(start, 1.0, step / peak) if peak > 0 else 1.0
    return _cos(1.0, end, (step - peak) / (epochs - 1 - peak))


def check_snapshots(snapshots: object, epochs: int) -> tuple[int, ...]:
    """`snapshots` as rising distinct epochs in 1..`epochs`, or one `InvalidInput` line."""
    values = tuple(sorted({check_int(e, "a snapshot epoch", low=1) for e in snapshots or ()}))
    if values and values[-1] > epochs:
        raise InvalidInput(
            f"snapshot epoch {values[-1]:,} is past the last epoch ({epochs:,}); "
            "give snapshots within the training budget"
        )
    return values


@dataclass
class MemberBook:
    """The bookkeeping of one member: history, best epoch, patience, stop reason."""

    patience: int
    time_limit: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    best_loss: float = math.inf
    best_epoch: int = 0
    bad_epochs: int = 0
    status: Status | None = None

    def end_epoch(
        self, epoch: int, train_loss: float, val_loss: float | None, elapsed: float
    ) -> bool:
        """Record the epoch; return whether it is the new best. Sets `status` when it stops."""
        self.history.append({"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss})
        watched = train_loss if val_loss is None else val_loss
        if not (math.isfinite(train_loss) and math.isfinite(watched)):
            self.status = Status.NON_FINITE
            return False
        better = val_loss is None or val_loss < self.best_loss
        if better:
            self.best_loss, self.best_epoch, self.bad_epochs = watched, epoch, 0
        else:
            self.bad_epochs += 1
            if self.patience and self.bad_epochs >= self.patience:
                self.status = Status.EARLY_STOPPED
        if self.status is None and self.time_limit is not None and elapsed > self.time_limit:
            self.status = Status.TIME_LIMIT
        return better


@dataclass
class Ledger:
    """The books of every member of one training run, and which of them are still training.

    Positions (0..len(active)-1) follow the backend's packed member axis; ``active[pos]`` is
    the index of that member's job.
    """

    books: list[MemberBook]
    active: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.active = list(range(len(self.books)))

    def end_epoch(
        self,
        epoch: int,
        train_loss: list[float],
        val_loss: list[float] | None,
        elapsed: float,
    ) -> tuple[list[bool], list[int]]:
        """Book one epoch of every active member (lists in position order).

        Returns the per-position "improved" flags and the positions that stopped.
        """
        improved, stopped = [], []
        for pos, j in enumerate(self.active):
            vl = None if val_loss is None else val_loss[pos]
            improved.append(self.books[j].end_epoch(epoch, train_loss[pos], vl, elapsed))
            if self.books[j].status is not None:
                stopped.append(pos)
        return improved, stopped

    def drop(self, stopped: list[int]) -> list[int]:
        """Forget the stopped positions; return the positions kept, in order."""
        gone = set(stopped)
        keep = [pos for pos in range(len(self.active)) if pos not in gone]
        self.active = [self.active[pos] for pos in keep]
        return keep

    def finish(self) -> None:
        """Members still training after the last epoch ran out of epochs."""
        for j in self.active:
            self.books[j].status = Status.MAX_EPOCHS
