"""Measured VC dimension (Vapnik, Levin and Le Cun 1994) of linear and recurrent classifiers.

For each half-sample size n of a design and each repetition: draw 2n random inputs with random
labels, split them into halves Z1 and Z2, flip the labels of Z2, train on Z1 and flipped Z2 together
(minimising the empirical error), and record xi = |E1 - E2|, the error rates on Z1 and Z2 measured
with the original labels. The mean of xi over repetitions is fitted by Phi(n / h) (`vc_fit`).

Linear classifiers sign(w.x + c) in R^d, whose VC dimension is d + 1, validate the estimator.
Recurrent classifiers (a `RecurrentSpec` with one output, a logistic read-out of the last step) run
batched through `rnncap.engine.train`, every (n, repetition) pair one member.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import torch

from rnncap.arch import RecurrentSpec, count_parameters
from rnncap.capacity.checks import logit_parameters, positive_int, sample_grid
from rnncap.capacity.stats import summary
from rnncap.capacity.training import (
    DEFAULT_MAX_SAMPLES,
    Progress,
    full_batch_bce_settings,
    ladder_budgets,
    member_at,
    settings_dict,
    train_members,
)
from rnncap.capacity.vc_fit import VCFit, fit_vc_dimension
from rnncap.errors import check_limit, require


@dataclass(frozen=True)
class VCPoint:
    """Mean and spread of the deviation xi = |E1 - E2| at one half-sample size n."""

    n: int
    repetitions: int
    mean_deviation: float
    std_deviation: float

    def __post_init__(self) -> None:
        require(self.n >= 1 and self.repetitions >= 1, "a design point needs n >= 1, reps >= 1")
        require(0.0 <= self.mean_deviation <= 1.0, "a mean deviation lies in [0, 1]")


@dataclass(frozen=True)
class VCEstimate:
    """A measured VC dimension with its design, fit and the training budget used."""

    model: str  # "linear" or an architecture string such as "rnn_tanh:1x4"
    input_size: int
    seq_len: int  # 1 for a linear classifier
    parameters: int  # w, weights and biases
    points: tuple[VCPoint, ...]
    fit: VCFit
    training: dict = field(default_factory=dict)
    known_vc: int | None = None  # d + 1 for linear classifiers

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`capacity vc --json`)
        "model": "model",
        "input_size": "input_size",
        "seq_len": "seq_len",
        "parameters": "parameters",
        "h": "h",
        "known_vc": "known_vc",
        "relative_error": "relative_error",
        "fit": "fit",
        "points": "points",
        "training": "training",
        "wk": "wk",
    }

    def __post_init__(self) -> None:
        require(len(self.points) >= 3, "a VC estimate needs at least 3 design points")
        require(self.parameters >= 1, "parameters must be >= 1")

    @property
    def h(self) -> float:
        return self.fit.h

    @property
    def relative_error(self) -> float | None:
        """(h - known) / known where the true VC dimension is known, else None."""
        return None if self.known_vc is None else (self.h - self.known_vc) / self.known_vc

    @property
    def wk(self) -> int:
        """w * k, the expression of Koiran–Sontag's Omega(wk) (a ratio, never a point count)."""
        return self.parameters * self.seq_len


@dataclass(frozen=True)
class VCDesign:
    """Half-sample sizes n_l (at least 3 distinct) and repetitions per size (uniform design)."""

    sample_sizes: tuple[int, ...]
    repetitions: int = 20

    def __post_init__(self) -> None:
        grid = sample_grid(
            self.sample_sizes, minimum=3, what="VC sample-size", option="sample_sizes="
        )
        object.__setattr__(self, "sample_sizes", grid)
        positive_int(self.repetitions, "repetitions", "e.g. repetitions=10")


def default_design(scale: int, repetitions: int = 20, points: int = 8) -> VCDesign:
    """Geometric sizes from 1 to 8 * scale: brackets h anywhere in about [1, 16 * scale]."""
    top = max(8 * positive_int(scale, "design scale", "a positive size"), 4)
    grid = np.unique(np.round(np.geomspace(1, top, points)).astype(int))
    return VCDesign(tuple(int(n) for n in grid), repetitions)


def _labelled_halves(
    rng: np.random.Generator, n: int, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2n Gaussian inputs (2n, *shape), their random labels (2n,) and the flipped-Z2 targets."""
    x = rng.standard_normal((2 * n, *shape)).astype(np.float32)
    y = rng.integers(0, 2, size=2 * n).astype(np.float32)
    target = y.copy()
    target[n:] = 1.0 - target[n:]
    return x, y, target


def _deviation(predicted: np.ndarray, labels: np.ndarray, n: int) -> float:
    """|E1 - E2|: error rates on the first and second half against the original labels."""
    wrong = predicted != labels
    return float(abs(wrong[:n].mean() - wrong[n:].mean()))


def _estimate(model, d, k, w, design, deviations, training, known=None) -> VCEstimate:
    points = tuple(
        VCPoint(
            n, len(deviations[n]), summary(deviations[n])["mean"], summary(deviations[n])["std"]
        )
        for n in design.sample_sizes
    )
    fit = fit_vc_dimension([p.n for p in points], [p.mean_deviation for p in points])
    return VCEstimate(model, d, k, w, points, fit, training, known)


def measure_vc_linear(
    input_size: int,
    design: VCDesign | None = None,
    *,
    seed: int = 0,
    steps: int = 300,
    lr: float = 0.1,
    progress: Progress | None = None,
) -> VCEstimate:
    """Measure the VC dimension of linear classifiers sign(w.x + c) in R^d (true value d + 1).

    Training minimises the logistic loss, a surrogate of the empirical error, with full-batch Adam;
    every (n, repetition) run is one row of a (runs, d) weight tensor, trained all at once.
    """
    d = positive_int(input_size, "input size", "e.g. input_size=10")
    design = design or default_design(d)  # scaled by the input size, not by the answer
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    runs = [
        (n, *_labelled_halves(rng, n, (d,)))
        for n in design.sample_sizes
        for _ in range(design.repetitions)
    ]
    width = 2 * max(design.sample_sizes)  # pad every run to the largest 2n, masked out of the loss
    x = torch.zeros(len(runs), width, d)
    target = torch.zeros(len(runs), width)
    mask = torch.zeros(len(runs), width)
    for i, (n, xi, _, ti) in enumerate(runs):
        x[i, : 2 * n], target[i, : 2 * n], mask[i, : 2 * n] = (
            torch.from_numpy(xi),
            torch.from_numpy(ti),
            1.0 / (2 * n),
        )
    with _one_thread():  # tiny tensors: a second intra-op thread only adds contention
        weight, bias = _fit_logistic(x, target, mask, steps, lr, gen, progress)
    with torch.no_grad():
        predicted = ((torch.einsum("rnd,rd->rn", x, weight) + bias) > 0).float().numpy()
    deviations: dict[int, list[float]] = {n: [] for n in design.sample_sizes}
    for i, (n, _, y, _) in enumerate(runs):
        deviations[n].append(_deviation(predicted[i, : 2 * n], y, n))
    training = {"optimizer": "adam", "loss": "logistic", "steps": steps, "lr": lr, "batch": "full"}
    return _estimate("linear", d, 1, d + 1, design, deviations, training, known=d + 1)


@contextmanager
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _fit_logistic(x, target, mask, steps, lr, gen, progress):
    """Full-batch Adam on the masked logistic loss of every run at once: (runs, d) weights."""
    weight = (0.01 * torch.randn(x.shape[0], x.shape[2], generator=gen)).requires_grad_()
    bias = torch.zeros(x.shape[0], 1, requires_grad=True)
    opt = torch.optim.Adam([weight, bias], lr=lr)
    for step in range(1, steps + 1):
        logits = torch.einsum("rnd,rd->rn", x, weight) + bias
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, target, reduction="none"
        )
        opt.zero_grad()
        (loss * mask).sum().backward()  # a sum of per-run means: independent fits
        opt.step()
        if progress and step % 10 == 0:
            progress(step, steps)
    return weight.detach(), bias.detach()


def default_vc_settings(epochs: int = 300, lr: float = 0.02):
    """Full-batch Adam on the logistic loss: the training budget of a recurrent VC measurement."""
    return full_batch_bce_settings(epochs, lr)


#: Most bytes of random input sequences one VC measurement draws (every size and repetition
#: is drawn before training starts).
MAX_VC_INPUT_BYTES = 2 * 2**30


def check_vc_design(
    spec: RecurrentSpec, design: VCDesign | None, max_samples: int = DEFAULT_MAX_SAMPLES
) -> VCDesign:
    """The design `measure_vc_recurrent` would use for `spec`, checked against the sample
    budget, the trainable size and sequence length, and `MAX_VC_INPUT_BYTES`, before any
    array is drawn."""
    from rnncap.arch.budget import check_trainable

    require(isinstance(spec, RecurrentSpec), "spec must be a RecurrentSpec (use parse_arch)")
    check_trainable(spec)
    w = logit_parameters(spec)
    design = design or default_design(w)
    largest = 2 * max(design.sample_sizes)
    require(
        largest <= max_samples,
        f"network too large for the budget: the design needs 2n = {largest:,} sequences per member "
        f"(w = {w:,}) but max_samples= is {max_samples:,}; use a smaller network, give smaller "
        f"sizes (sample_sizes=) or raise max_samples=",
    )
    sequences = sum(2 * n for n in design.sample_sizes) * design.repetitions
    check_limit(
        sequences * spec.seq_len * spec.input_size * 4,
        MAX_VC_INPUT_BYTES,
        f"the input of the VC measurement of {spec.name} ({sequences:,} float32 sequences of "
        f"{spec.seq_len:,} x {spec.input_size:,}) in bytes",
        "use shorter sequences (seq_len=), smaller sizes (sample_sizes=) or fewer repetitions=",
    )
    return design


def measure_vc_recurrent(
    spec: RecurrentSpec,
    design: VCDesign | None = None,
    *,
    seed: int = 0,
    settings=None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: Progress | None = None,
    device: str | None = None,
) -> VCEstimate:
    """Measure the VC dimension of a recurrent classifier over Gaussian sequences of length k.

    Parameters
    ----------
    spec : RecurrentSpec
        Architecture; ``spec.seq_len`` is k and ``spec.input_size`` the features per step. The head
        has one output, read as a logit (label 1 when positive).
    design : VCDesign, optional
        Default: 8 geometric sizes from 1 to 8 w.
    settings : engine TrainSettings, optional
        Default `default_vc_settings()`; ``loss`` is forced to "bce" and the batch is the full 2n.
    max_samples : int
        Budget: no member may train on more than this many sequences (2 max n).
    """
    return vc_ladders(
        spec, design, seeds=(seed,), settings=settings, max_samples=max_samples,
        progress=progress, device=device,
    )[seed][-1]  # fmt: skip


def vc_ladders(
    spec: RecurrentSpec,
    design: VCDesign | None = None,
    *,
    seeds: Sequence[int] = (0,),
    budgets: int = 1,
    settings=None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: Progress | None = None,
    device: str | None = None,
) -> dict[int, tuple[VCEstimate, ...]]:
    """`measure_vc_recurrent` per seed at `budgets` doubling budgets ending at
    ``settings.epochs``, every seed's members trained in one engine call and each run read at
    each budget (the engine's snapshots; without validation data a member's state there is its
    latest, the end of a cosine cycle under ``restarts``). A seed's estimates are those it gives
    alone: its data and member seeds depend on it only."""
    spec = spec.replace(outputs=1) if isinstance(spec, RecurrentSpec) else spec
    design = check_vc_design(spec, design, max_samples)
    w = count_parameters(spec).total
    import dataclasses

    from rnncap.engine import Job, MemberData

    base = settings or default_vc_settings()
    marks = ladder_budgets(base, budgets)
    jobs, labels = [], []
    for seed in seeds:
        rng, first = np.random.default_rng(seed), len(jobs)
        for n in design.sample_sizes:
            member_settings = dataclasses.replace(base, loss="bce", batch_size=2 * n)
            for r in range(design.repetitions):
                x, y, target = _labelled_halves(rng, n, (spec.seq_len, spec.input_size))
                init = seed * 100_003 + len(jobs) - first
                jobs.append(Job(spec, init, MemberData(x, target[:, None]), member_settings,
                                f"seed={seed} n={n} r={r}"))  # fmt: skip
                labels.append((seed, n, x, y))
    members = train_members(jobs, progress, device, marks[:-1])
    training = {**settings_dict(base), "loss": "bce", "batch_size": "full (2n)"}
    if len(marks) > 1:
        training["ladder_epochs"] = list(marks)
    out: dict[int, list[VCEstimate]] = {seed: [] for seed in seeds}
    for epochs in marks:
        deviations = {seed: {n: [] for n in design.sample_sizes} for seed in seeds}
        for (seed, n, x, y), member in zip(labels, members, strict=True):
            predicted = (member_at(member, epochs).predict(x)[:, 0] > 0).astype(np.float32)
            deviations[seed][n].append(_deviation(predicted, y, n))
        at = {**training, "epochs": epochs}
        for seed in seeds:
            out[seed].append(
                _estimate(spec.name, spec.input_size, spec.seq_len, w, design, deviations[seed], at)
            )
    return {seed: tuple(v) for seed, v in out.items()}


def growth_table(estimates: Sequence[VCEstimate]) -> list[dict]:
    """How h grows from the first estimate to each other, beside the growth of w*k.

    Ratios of Koiran–Sontag's Omega(wk) expression are meaningful (the unknown constant cancels);
    w*k itself is never a number of shattered points. Their results cover vanilla RNNs only, so the
    ratio is None wherever an LSTM or GRU is involved (issue 25: no figure from an uncovered cell).
    """
    require(len(estimates) >= 1, "give at least one VC estimate")
    first = estimates[0]

    def wk_ratio(e: VCEstimate) -> float | None:
        # Koiran and Sontag cover vanilla RNNs (and the linear reference), not LSTMs or GRUs.
        gated = {x.model.split(":")[0] for x in (first, e)} & {"lstm", "gru"}
        return None if gated else e.wk / first.wk

    return [
        {
            "model": e.model,
            "parameters": e.parameters,
            "seq_len": e.seq_len,
            "h": e.h,
            "h_ratio": e.h / first.h,
            "wk_ratio": wk_ratio(e),
            "bracketed": e.fit.bracketed,
        }
        for e in estimates
    ]
