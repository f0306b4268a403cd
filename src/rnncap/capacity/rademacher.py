"""Empirical Rademacher complexity of an architecture on given inputs (theory.md section 5.4).

Monte-Carlo recipe (derived by rnncap, not a published theorem): draw a random sign vector
sigma in {-1, +1}^n, train the network to fit it with a bounded output f = tanh(z / 2) = 2 s(z) - 1
(s the logistic function, z the head's output; binary cross-entropy on (sigma + 1) / 2 is exactly
the likelihood of that bounded output), and record (1/n) sum_i sigma_i f(x_i). Averaged over draws
it estimates R_n(H) = E_sigma sup_f (1/n) sum sigma_i f(x_i). Training only approaches the supremum,
so the figure is a **lower estimate**; a value near 1 means the architecture fits arbitrary signs on
these inputs, and any bound built on it inherits that caveat.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from rnncap.arch import RecurrentSpec, count_parameters
from rnncap.arch.budget import DEFAULT_MAX_TRAIN_FLOPS, check_training_work
from rnncap.capacity.checks import positive_int
from rnncap.capacity.stats import summary
from rnncap.capacity.training import (
    DEFAULT_MAX_SAMPLES,
    Progress,
    full_batch_bce_settings,
    settings_dict,
    train_members,
)
from rnncap.errors import require

CAVEAT = (
    "lower estimate: training approximates the supremum over the class; a bound computed from it "
    "is not a guaranteed upper bound (derived by rnncap, not a published theorem)"
)


@dataclass(frozen=True)
class RademacherEstimate:
    """Achieved correlations (1/n) sum sigma_i f(x_i) over sign draws, and their mean."""

    arch: str
    parameters: int
    windows: int  # n, the inputs the signs are fitted on
    seq_len: int
    correlations: tuple[float, ...]  # bounded output f = tanh(z/2), one per draw
    sign_correlations: tuple[float, ...]  # f = sign(z): 2 * accuracy - 1, one per draw
    training: dict = field(default_factory=dict)
    source: str = ""  # where the inputs came from, e.g. "nyc2013 temp JFK train windows"
    bound: dict | None = None  # a generalization bound with this estimate plugged in, if any

    CAVEAT: ClassVar = CAVEAT
    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`rademacher --json`)
        "arch": "arch",
        "parameters": "parameters",
        "windows": "windows",
        "seq_len": "seq_len",
        "draws": "draws",
        "complexity": "complexity",
        "standard_error": "standard_error",
        "sign_complexity": "sign_complexity",
        "correlations": "correlations",
        "sign_correlations": "sign_correlations",
        "caveat": "CAVEAT",
        "source": "source",
        "training": "training",
        "bound": "bound",
    }

    def __post_init__(self) -> None:
        require(len(self.correlations) >= 1, "an estimate needs at least one draw")
        require(len(self.correlations) == len(self.sign_correlations), "one value per draw")
        for c in (*self.correlations, *self.sign_correlations):
            require(-1.0 <= c <= 1.0, f"a correlation lies in [-1, 1]; got {c}")

    @property
    def draws(self) -> int:
        return len(self.correlations)

    @property
    def complexity(self) -> float:
        """The lower estimate of the empirical Rademacher complexity (bounded output)."""
        return float(np.mean(self.correlations))

    @property
    def standard_error(self) -> float:
        s = summary(self.correlations)["std"]
        return s / np.sqrt(self.draws)

    @property
    def sign_complexity(self) -> float:
        """The same estimate for the sign output."""
        return float(np.mean(self.sign_correlations))


def default_rademacher_settings(epochs: int = 300, lr: float = 0.01):
    """Full-batch Adam on binary cross-entropy, no early stopping: the default fitting budget."""
    return full_batch_bce_settings(epochs, lr, patience=0)


def _checked_inputs(spec: RecurrentSpec, inputs: np.ndarray, max_samples: int) -> np.ndarray:
    """The windows as contiguous float32 (n, k, d) that `spec` reads, within the budget."""
    require(isinstance(spec, RecurrentSpec), "spec must be a RecurrentSpec (use parse_arch)")
    x = np.ascontiguousarray(np.asarray(inputs, dtype=np.float32))
    require(x.ndim == 3, f"inputs must be (n, time, features); got shape {x.shape}")
    n, _, d = x.shape
    require(n >= 2, f"need at least 2 windows to fit signs on; got {n}")
    require(
        d == spec.input_size,
        f"{spec.name} reads {spec.input_size} features per step but the inputs have {d}",
    )
    require(
        n <= max_samples,
        f"network too large for the budget: fitting {n:,} windows exceeds max_samples= "
        f"{max_samples:,}; use fewer windows or raise max_samples=",
    )
    return x


def empirical_rademacher(
    spec: RecurrentSpec,
    inputs: np.ndarray,
    draws: int = 8,
    *,
    seed: int = 0,
    settings=None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    source: str = "",
    progress: Progress | None = None,
    device: str | None = None,
    delta: float = 0.05,
    max_flops: float = DEFAULT_MAX_TRAIN_FLOPS,
) -> RademacherEstimate:
    """Fit `draws` random sign vectors on `inputs`, one engine member per draw, all batched.

    The estimate is plugged into Mohri et al.'s Rademacher bound at confidence `delta` (see
    `rademacher_bound`), with the caveat that it is a lower estimate.

    Parameters
    ----------
    spec : RecurrentSpec
        Architecture; its input size must match the inputs' last axis. One output is used.
    inputs : array, shape (n, k, d)
        The windows the class is restricted to (e.g. a task's training windows).
    draws : int
        Number of sign vectors sigma (each also a different initialisation seed).
    settings : engine TrainSettings, optional
        Fitting budget; default `default_rademacher_settings()`; loss forced to "bce".
    max_samples : int
        Budget: the most windows one member may be fitted on.
    max_flops : float
        Budget: the most training FLOPs of all draws together (checked before any training).
    """
    x = _checked_inputs(spec, inputs, max_samples)
    n, k, _ = x.shape
    draws = positive_int(draws, "number of draws", "e.g. draws=8")
    spec = spec.replace(outputs=1, seq_len=k)
    from rnncap.engine import Job, MemberData

    base = settings or default_rademacher_settings()
    check_training_work(spec, windows=n, members=draws, epochs=base.epochs, max_flops=max_flops)
    run = dataclasses.replace(base, loss="bce", batch_size=max(base.batch_size, n))
    rng = np.random.default_rng(seed)
    signs = [rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=n) for _ in range(draws)]
    jobs = [
        Job(spec, seed * 1000 + i, MemberData(x, ((s + 1) / 2)[:, None]), run, f"draw={i}")
        for i, s in enumerate(signs)
    ]
    members = train_members(jobs, progress, device)
    bounded, hard = [], []
    for sigma, member in zip(signs, members, strict=True):
        z = member.predict(x)[:, 0].astype(np.float64)
        bounded.append(float(np.mean(sigma * np.tanh(z / 2.0))))
        hard.append(float(np.mean(sigma * np.sign(z))))
    training = {**settings_dict(run), "batch_size": "full (n)", "output": "tanh(z/2)"}
    w = count_parameters(spec).total
    estimate = RademacherEstimate(spec.name, w, n, k, tuple(bounded), tuple(hard), training, source)
    return dataclasses.replace(estimate, bound=rademacher_bound(estimate.complexity, n, delta))


def rademacher_bound(complexity: float, m: int, delta: float = 0.05) -> dict:
    """Mohri et al.'s Theorem 3.3 gap with the measured complexity plugged in, and its caveats.

    For a loss in [0, 1]: gap <= 2·R̂_S + 3·sqrt(log(2/δ)/(2m)), R̂_S measured on the m samples.
    The theorem is stated for the loss class; using the network class's estimate for it (a
    1-Lipschitz loss does not raise the complexity) and a *lower* estimate of R̂_S make this a
    figure derived by rnncap, not a guaranteed bound.
    """
    from rnncap.theory import mohri_rademacher_gap

    # The class holds f = 0 (a zero head), so R̂_S >= 0: an under-trained draw whose achieved
    # correlation is negative found less than that function gives, and 0 is the lower estimate.
    plugged = max(float(complexity), 0.0)
    gap = mohri_rademacher_gap(plugged, m, delta)
    return {
        "name": "Rademacher generalization gap (loss in [0, 1])",
        "citation": "Mohri, Rostamizadeh & Talwalkar 2018, Foundations of Machine Learning, "
        "2nd ed., Theorem 3.3",
        "status": "STATED-SECONDARY; plugging in a lower estimate: DERIVED",
        "formula": "2·R̂_S + 3·sqrt(log(2/δ)/(2m))",
        "m": int(m),
        "delta": float(delta),
        "complexity_plugged": plugged,
        "gap": gap,
        "vacuous": gap >= 1.0,
        "caveat": CAVEAT
        + (
            ""
            if plugged == complexity
            else f" The mean achieved correlation ({complexity:.3g}) is below 0, which the zero "
            "function of the class attains: training found less than it, and 0 is plugged in."
        ),
    }


def task_windows(task, windows: int, seed: int = 0) -> tuple[np.ndarray, int, str]:
    """A seeded random subset of `windows` training windows of `task` (rnncap.data.Task).

    Returns the inputs (windows, k, d), the feature count d and a description of the source.
    """
    from rnncap.data import prepare_task

    windows = positive_int(windows, "number of windows", "e.g. windows=256")
    td = prepare_task(task)
    x = td.train.x
    require(
        windows <= len(x),
        f"the task has {len(x):,} training windows; ask for at most that many (windows=)",
    )
    pick = np.sort(np.random.default_rng(seed).choice(len(x), size=windows, replace=False))
    return x[pick], td.input_size, f"{task.dataset} train windows ({windows} of {len(x)})"
