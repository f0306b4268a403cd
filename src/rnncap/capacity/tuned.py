"""The tuned memorization protocol: a sweep per point, and convergence measured at twice the budget.

For every (b, seed), the sweep's learning rates x schedules x restarts train as members of one
engine call and I(b) is the best member's (Collins et al. tuned every point). The whole measurement
is then repeated with twice the epochs: the capacity is the doubled run's, and the verdict says
whether it rose by less than 5 % ("converged") or by more ("budget-limited (+x% at 2x)").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from rnncap.arch import RecurrentSpec
from rnncap.capacity._common import DEFAULT_MAX_SAMPLES, Progress, positive_int
from rnncap.capacity.convergence import Convergence
from rnncap.capacity.memorize import (
    COLLINS_BITS_PER_PARAMETER,
    MemorizationResult,
    default_memorization_settings,
    measure_memorization,
)
from rnncap.capacity.sweep import Sweep

#: The default sweep: three learning rates, constant and one-cycle schedules, one restart.
DEFAULT_SWEEP = Sweep((0.003, 0.01, 0.03), ("constant", "onecycle"), 1)
DEFAULT_EPOCHS = 2000


@dataclass(frozen=True)
class TunedMemorization:
    """Memorization measured at a budget and at twice it; the doubled run is the capacity."""

    at_budget: MemorizationResult
    at_double: MemorizationResult
    epochs: int
    sweep: Sweep

    @property
    def convergence(self) -> Convergence:
        return Convergence(self.at_budget.capacity["mean"], self.at_double.capacity["mean"])

    @property
    def verdict(self) -> str:
        return self.convergence.verdict

    @property
    def converged(self) -> bool:
        return self.convergence.converged

    @property
    def arch(self) -> str:
        return self.at_double.arch

    @property
    def parameters(self) -> int:
        return self.at_double.parameters

    @property
    def capacity(self) -> dict:
        """Bits over seeds (mean, std, min, max) at twice the budget."""
        return self.at_double.capacity

    @property
    def bits_per_parameter(self) -> dict:
        return self.at_double.bits_per_parameter

    def capacity_by_seed(self) -> dict[int, float]:
        return self.at_double.capacity_by_seed()

    @property
    def budget(self) -> dict:
        """Steps and grid of the measurement (full batch: one optimizer step per epoch)."""
        return {
            "epochs": self.epochs,
            "steps": self.epochs,
            "doubled_epochs": 2 * self.epochs,
            "sample_sizes": list(self.at_double.sample_sizes),
            **self.sweep.to_dict(),
        }

    def to_dict(self) -> dict:
        return {
            "arch": self.arch,
            "parameters": self.parameters,
            "capacity_bits": self.capacity,
            "bits_per_parameter": self.bits_per_parameter,
            "verdict": self.verdict,
            "converged": self.converged,
            "convergence": self.convergence.to_dict(),
            "budget": self.budget,
            "reference_bits_per_parameter": COLLINS_BITS_PER_PARAMETER,
            "at_budget": self.at_budget.to_dict(),
            "at_double_budget": self.at_double.to_dict(),
        }


def _share(progress: Progress | None, before: int, length: int, whole: int) -> Progress | None:
    """One run's (done, total) reported as epochs per member of the whole measurement: the run
    covers `length` of `whole` epochs, after `before` already done."""
    if progress is None:
        return None
    return lambda done, total: progress(before + round(length * done / max(total, 1)), whole)


def tuned_memorization(
    spec: RecurrentSpec,
    sample_sizes: Sequence[int] | None = None,
    seeds: int | Sequence[int] = 2,
    *,
    epochs: int = DEFAULT_EPOCHS,
    sweep: Sweep | None = None,
    settings=None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: Progress | None = None,
    device: str | None = None,
) -> TunedMemorization:
    """Measure memorization with a sweep per point, at `epochs` and at 2 x `epochs`.

    Parameters
    ----------
    spec, sample_sizes, seeds, max_samples, device
        As in `measure_memorization`.
    epochs : int
        The budget: full-batch epochs (optimizer steps) per member; the check trains 2 x epochs.
    sweep : Sweep, optional
        Default `DEFAULT_SWEEP` (learning rates 0.003, 0.01, 0.03 x constant, one-cycle).
    settings : engine TrainSettings, optional
        Everything else about training (clip, weight decay); default
        `default_memorization_settings()`. Its epochs, lr and schedule are replaced.
    """
    epochs = positive_int(epochs, "epochs", "e.g. --epochs 2000")
    sweep = sweep or DEFAULT_SWEEP
    base = settings or default_memorization_settings()
    runs = []
    for before, length in ((0, epochs), (epochs, 2 * epochs)):
        runs.append(
            measure_memorization(
                spec, sample_sizes, seeds, settings=dataclasses.replace(base, epochs=length),
                sweep=sweep, max_samples=max_samples, device=device,
                progress=_share(progress, before, length, 3 * epochs),
            )
        )  # fmt: skip
    return TunedMemorization(runs[0], runs[1], epochs, sweep)
