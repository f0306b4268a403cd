"""Memorization capacity in bits per parameter (Collins, Sohl-Dickstein and Sussillo, ICLR 2017).

Protocol (theory.md section 5.1): b random binary input vectors (n_in bits each) are presented once,
at the first of k = 1 + delay steps (zeros after), and a random binary label is read out at the last
step. The network is trained on the b pairs (binary cross-entropy); p is the fraction it then
classifies correctly and I(b) = b (1 - H2(p)) bits is the mutual information between labels and
predictions. The capacity is max over b of I(b); bits per parameter = capacity / w. The paper
reports 3 to 6 bits per parameter (about 5 on average) after extensive tuning: a run with a fixed,
finite training budget gives a lower bound on the capacity.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from rnncap.arch import RecurrentSpec, count_parameters
from rnncap.capacity.checks import sample_grid, seed_list
from rnncap.capacity.identifiable import identifiable_summary
from rnncap.capacity.stats import scaled, summary
from rnncap.capacity.sweep import ENCODINGS, Sweep, encoding_label
from rnncap.capacity.training import (
    DEFAULT_MAX_SAMPLES,
    Progress,
    full_batch_bce_settings,
    ladder_budgets,
    member_at,
    settings_dict,
    train_members,
)
from rnncap.errors import require
from rnncap.plain import to_plain

#: Collins et al. 2017: 3 to 6 bits per parameter for every architecture at depths 1, 2, 4; about
#: 5 on average (ReLU RNNs and the IRNN about 3.5).
COLLINS_BITS_PER_PARAMETER = {"low": 3.0, "high": 6.0, "mean": 5.0}
COLLINS_CITATION = (
    "Collins, Sohl-Dickstein & Sussillo, 'Capacity and trainability in recurrent neural "
    "networks', ICLR 2017: 3-6 bits/parameter (~5), tuned training"
)
#: A float32 parameter cannot carry more than 32 bits: an upper limit no measurement may pass.
FLOAT_BITS = 32
#: What a capacity per parameter divides by (the JSON says it beside the figure).
DENOMINATOR = "w = every stored parameter (the headline); see identifiable"


def binary_entropy(p: float) -> float:
    """H2(p) = -p log2 p - (1 - p) log2(1 - p) in bits, with H2(0) = H2(1) = 0."""
    require(0.0 <= p <= 1.0, f"a probability lies in [0, 1]; got {p!r}")
    if p in (0.0, 1.0):
        return 0.0
    return -(p * math.log2(p) + (1.0 - p) * math.log2(1.0 - p))


def mutual_information_bits(samples: int, fraction_correct: float) -> float:
    """I(b) = b (1 - H2(p)): bits of information the predictions carry about b random labels."""
    require(samples >= 1, f"the number of samples must be >= 1; got {samples!r}")
    return samples * (1.0 - binary_entropy(fraction_correct))


@dataclass(frozen=True)
class MemorizationPoint:
    """The best member of one (b, seed) point: the fraction p it recalls, I(b) in bits, and the
    configuration that won among the `members` of the sweep (learning rate, schedule, restart)."""

    samples: int
    seed: int
    fraction_correct: float
    bits: float
    status: str
    lr: float
    schedule: str = "constant"
    restart: int = 0
    members: int = 1
    loss: str = "bce"
    encoding: str = "binary"

    def __post_init__(self) -> None:
        require(0.0 <= self.fraction_correct <= 1.0, "a fraction correct lies in [0, 1]")


@dataclass(frozen=True)
class MemorizationResult:
    """Capacity per seed (max over b of I(b)), its spread, and the reference beside it."""

    arch: str
    parameters: int
    input_bits: int
    delay: int
    sample_sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    points: tuple[MemorizationPoint, ...]
    training: dict = field(default_factory=dict)
    spec: RecurrentSpec | None = None  # the measured network (for the identifiable count)

    DENOMINATOR: ClassVar = DENOMINATOR
    REFERENCE_BITS_PER_PARAMETER: ClassVar = COLLINS_BITS_PER_PARAMETER
    REFERENCE: ClassVar = COLLINS_CITATION
    LOWER_BOUND: ClassVar = True
    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`memorize --json`)
        "arch": "arch",
        "parameters": "parameters",
        "input_bits": "input_bits",
        "delay": "delay",
        "input_encoding": "encoding",
        "protocol": "protocol",
        "sample_sizes": "sample_sizes",
        "seeds": "seeds",
        "capacity_bits": "capacity",
        "bits_per_parameter": "bits_per_parameter",
        "denominator": "DENOMINATOR",
        "identifiable": "identifiable",
        "capacity_by_seed": "capacity_by_seed",
        "limited_by_grid": "limited_by_grid",
        "float_capacity_bits": "float_capacity_bits",
        "reference_bits_per_parameter": "REFERENCE_BITS_PER_PARAMETER",
        "reference": "REFERENCE",
        "lower_bound": "LOWER_BOUND",
        "training": "training",
        "curve": "curve",
        "points": "points",
    }

    def __post_init__(self) -> None:
        require(len(self.points) == len(self.sample_sizes) * len(self.seeds), "one point per run")

    def capacity_by_seed(self) -> dict[int, float]:
        return {s: max(p.bits for p in self.points if p.seed == s) for s in self.seeds}

    @property
    def encoding(self) -> str:
        """The input encoding: the protocol variant this capacity belongs to."""
        return self.points[0].encoding

    @property
    def capacity(self) -> dict:
        """Mean, std, min, max over seeds of max_b I(b), in bits."""
        return summary(list(self.capacity_by_seed().values()))

    @property
    def bits_per_parameter(self) -> dict:
        return scaled(self.capacity, 1 / self.parameters)

    @property
    def limited_by_grid(self) -> bool:
        """True when some seed's best b is the largest of the grid: a larger b might store more."""
        top = self.sample_sizes[-1]
        best = {
            s: max((p for p in self.points if p.seed == s), key=lambda p: p.bits)
            for s in self.seeds
        }
        return any(p.samples == top for p in best.values())

    def curve(self) -> list[dict]:
        """I(b) and p over seeds at each b: mean and std."""
        out = []
        for b in self.sample_sizes:
            pts = [p for p in self.points if p.samples == b]
            bits, frac = summary([p.bits for p in pts]), summary([p.fraction_correct for p in pts])
            out.append({"samples": b, "bits": bits, "fraction_correct": frac})
        return out

    @property
    def protocol(self) -> str:
        return encoding_label(self.encoding)

    @property
    def identifiable(self) -> dict | None:
        """The identifiable count beside w, and bits per identifiable parameter."""
        return None if self.spec is None else identifiable_summary(self.spec, self.capacity)

    @property
    def float_capacity_bits(self) -> int:
        """The bits the stored floats could hold at most: a ceiling, not a measurement."""
        return FLOAT_BITS * self.parameters


def _check_input_bits(samples: int, input_bits: int) -> None:
    require(
        2**input_bits >= 2 * samples,
        f"{input_bits} input bits give {2**input_bits:,} distinct inputs, too few for "
        f"{samples:,} distinct samples; raise input_size= to at least "
        f"{math.ceil(math.log2(2 * samples))} or use fewer samples",
    )


def memorization_task(
    samples: int,
    input_bits: int,
    delay: int,
    rng: np.random.Generator,
    encoding: str = "binary",
) -> tuple[np.ndarray, np.ndarray]:
    """b distinct random inputs shown at step 1 of 1 + delay steps, random binary labels.

    The inputs are 0/1 bits ("binary"), the same bits as -1/+1 ("signed"), or standard normal
    numbers ("gaussian": in general position, distinct with probability 1 at any input size,
    so no 2^n_in >= 2 b limit).

    Returns
    -------
    x : array, shape (b, 1 + delay, input_bits), float32; zeros after the first step
    y : array, shape (b, 1), float32 in {0, 1}
    """
    require(
        encoding in ENCODINGS,
        f"unknown input encoding {encoding!r}; choose from {', '.join(ENCODINGS)}",
    )
    if encoding == "gaussian":
        x = np.zeros((samples, 1 + delay, input_bits), dtype=np.float32)
        x[:, 0, :] = rng.standard_normal((samples, input_bits))
        return x, rng.integers(0, 2, size=(samples, 1)).astype(np.float32)
    x, y = _binary_task(samples, input_bits, delay, rng)
    return encode_inputs(x, encoding), y


def _binary_task(
    samples: int, input_bits: int, delay: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    _check_input_bits(samples, input_bits)
    codes: set[tuple[int, ...]] = set()
    rows: list[np.ndarray] = []
    while len(rows) < samples:  # rejection keeps the inputs distinct (no conflicting duplicates)
        for row in rng.integers(0, 2, size=(samples - len(rows), input_bits)):
            key = tuple(row.tolist())
            if key not in codes:
                codes.add(key)
                rows.append(row)
    x = np.zeros((samples, 1 + delay, input_bits), dtype=np.float32)
    x[:, 0, :] = np.stack(rows)
    y = rng.integers(0, 2, size=(samples, 1)).astype(np.float32)
    return x, y


def encode_inputs(x: np.ndarray, encoding: str) -> np.ndarray:
    """The task's 0/1 inputs as fed to the network: unchanged ("binary") or as -1/+1 ("signed");
    the steps after the first stay zero (so "signed" is a protocol variant, not a reparametrisation
    of "binary": see `rnncap.capacity.sweep`)."""
    require(
        encoding in ("binary", "signed"),
        f"only bits are re-encoded (binary, signed); got {encoding!r}",
    )
    if encoding == "binary":
        return x
    out = x.copy()
    out[:, 0, :] = 2.0 * out[:, 0, :] - 1.0
    return out


def memorization_data(x: np.ndarray, y: np.ndarray):
    """The engine data of one point: the b pairs to train on, and the same pairs watched as
    validation, so that the engine keeps each member's best-so-far state (the epoch with the
    lowest training loss; with patience 0 nothing stops early) rather than its last one."""
    from rnncap.engine import MemberData

    return MemberData(x, y, x, y)


#: How a member's final state is chosen, as the training record states it.
BEST_SO_FAR = "best-so-far: the epoch with the lowest loss on the training pairs"
#: The same for a budget of a ladder read from one run (`memorization_ladder`).
LADDER = (
    "one run to the last budget, read at each: per point, the most bits of the best-so-far "
    "states kept at this budget and the ones before"
)


def default_memorization_settings(epochs: int = 400, lr: float = 0.01):
    """Full-batch Adam on binary cross-entropy, no early stopping: the default training budget."""
    return full_batch_bce_settings(epochs, lr, patience=0)


def default_sample_grid(parameters: int) -> tuple[int, ...]:
    """b from w to 8 w: covers under-trained runs (~1 bit/parameter) up past 6 bits/parameter."""
    return tuple(int(round(f * parameters)) for f in (1, 2, 3, 4, 6, 8))


def planned_grid(
    spec: RecurrentSpec,
    sample_sizes: Sequence[int] | None,
    max_samples: int,
    encoding: str = "binary",
) -> tuple[RecurrentSpec, int, tuple[int, ...]]:
    """The one-output spec, its w and the b grid, checked against the budget and (for bits) the
    input size before any training (`InvalidInput` with the fix otherwise)."""
    require(isinstance(spec, RecurrentSpec), "spec must be a RecurrentSpec (use parse_arch)")
    spec = spec.replace(outputs=1)
    w = count_parameters(spec).total
    grid = sample_grid(
        sample_sizes if sample_sizes is not None else default_sample_grid(w),
        minimum=2,
        what="memorization sample-size",
        option="sample_sizes=",
    )
    require(
        grid[-1] <= max_samples,
        f"network too large for the budget: w = {w:,} parameters needs b up to {grid[-1]:,} "
        f"samples (about 8 w to pass 6 bits/parameter) but max_samples= is {max_samples:,}; "
        "use a smaller network, a smaller grid (sample_sizes=) or raise max_samples=",
    )
    if encoding != "gaussian":
        _check_input_bits(grid[-1], spec.input_size)
    return spec, w, grid


def _sweep_jobs(
    spec: RecurrentSpec, grid: tuple[int, ...], seeds: tuple[int, ...], sweep: Sweep, run: Any
) -> tuple[list, list[tuple]]:
    """One engine job per (seed, b, sweep member), and what each one's score needs (b, seed,
    member, its random task x and y); the members of a point share one copy of its data."""
    from rnncap.engine import Job

    jobs, tasks = [], []
    for seed in seeds:
        for b in grid:
            x, y = memorization_task(
                b, spec.input_size, spec.seq_len - 1, np.random.default_rng([seed, b]),
                sweep.encoding,
            )  # fmt: skip
            data = memorization_data(x, y)  # one copy per point, shared by its members
            for m in sweep.members():
                key = (
                    f"b={b} seed={seed} lr={m.lr} {m.schedule} {m.loss} {m.encoding} r={m.restart}"
                )
                jobs.append(Job(spec, m.init_seed(seed), data, sweep.settings(run, m), key))
                tasks.append((b, seed, m, x, y))
    return jobs, tasks


def _best_points(
    tasks: list[tuple], members: list, sweep: Sweep
) -> dict[tuple[int, int], MemorizationPoint]:
    """Each (b, seed) point's best member by the bits it stored."""
    best: dict[tuple[int, int], MemorizationPoint] = {}
    for (b, seed, m, x, y), member in zip(tasks, members, strict=True):
        p = float(((member.predict(x)[:, 0] > 0) == (y[:, 0] > 0.5)).mean())
        point = MemorizationPoint(
            b, seed, p, mutual_information_bits(b, p), str(member.status), m.lr, m.schedule,
            m.restart, sweep.size, m.loss, m.encoding,
        )  # fmt: skip
        if (b, seed) not in best or point.bits > best[(b, seed)].bits:
            best[(b, seed)] = point
    return best


def measure_memorization(
    spec: RecurrentSpec,
    sample_sizes: Sequence[int] | None = None,
    seeds: int | Sequence[int] = 3,
    *,
    settings=None,
    sweep: Sweep | None = None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: Progress | None = None,
    device: str | None = None,
) -> MemorizationResult:
    """Measure the memorization capacity of `spec` (Collins et al. 2017 protocol), batched.

    Parameters
    ----------
    spec : RecurrentSpec
        ``input_size`` is the number of input bits n_in, ``seq_len`` = 1 + delay; one output.
    sample_sizes : sequence of int, optional
        The grid of b (at least 2 distinct values); default w, 2w, 3w, 4w, 6w, 8w.
    seeds : int or sequence of int
        Seeds (data and initialisation); an int n means 0..n-1.
    settings : engine TrainSettings, optional
        Training budget; default `default_memorization_settings()`. Its loss is the sweep's.
    sweep : Sweep, optional
        Learning rates x schedules x losses x input encodings x restarts tried at every
        (b, seed), all trained in one engine call; each point keeps its best member. Default: the
        settings' own lr and schedule with binary cross-entropy on 0/1 inputs, once.
    max_samples : int
        Budget: the largest b allowed.
    """
    return memorization_ladder(
        spec, sample_sizes, seeds, settings=settings, sweep=sweep, max_samples=max_samples,
        progress=progress, device=device,
    )[-1]  # fmt: skip


def memorization_ladder(
    spec: RecurrentSpec,
    sample_sizes: Sequence[int] | None = None,
    seeds: int | Sequence[int] = 3,
    *,
    budgets: int = 1,
    settings=None,
    sweep: Sweep | None = None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: Progress | None = None,
    device: str | None = None,
) -> tuple[MemorizationResult, ...]:
    """`measure_memorization` at `budgets` doubling budgets ending at ``settings.epochs``, from
    one run per member: its best state so far is kept at each budget (the engine's snapshots;
    the sweep's ``restarts`` schedule ends a cosine cycle there). Each point (b, seed) at a
    budget stores the most bits of any state kept up to that budget: every such state is a
    network that memorized that much, so the curve is an anytime lower bound, rising or flat.
    """
    base = settings or default_memorization_settings()
    sweep = sweep or Sweep((base.lr,), (str(base.schedule),))
    spec, w, grid = planned_grid(spec, sample_sizes, max_samples, sweep.encoding)
    seeds_ = seed_list(seeds)
    run = dataclasses.replace(base, batch_size=max(base.batch_size, grid[-1]))
    marks = ladder_budgets(run, budgets)
    jobs, tasks = _sweep_jobs(spec, grid, seeds_, sweep, run)
    members = train_members(jobs, progress, device, marks[:-1])
    training = {**settings_dict(run), "batch_size": "full (b)", "optimizer": "adam",
                "state": BEST_SO_FAR if len(marks) == 1 else LADDER,
                "loss": "/".join(sweep.losses), "input_encoding": "/".join(sweep.encodings),
                "sweep": to_plain(sweep)}  # fmt: skip
    if len(marks) > 1:
        training["ladder_epochs"] = list(marks)
    out: list[MemorizationResult] = []
    best: dict[tuple[int, int], MemorizationPoint] = {}
    for epochs in marks:
        at = [member_at(m, epochs) for m in members]
        for key, point in _best_points(tasks, at, sweep).items():
            if key not in best or point.bits > best[key].bits:
                best[key] = point
        points = tuple(best[(b, seed)] for seed in seeds_ for b in grid)
        out.append(MemorizationResult(
            spec.name, w, spec.input_size, spec.seq_len - 1, grid, seeds_, points,
            {**training, "epochs": epochs}, spec,
        ))  # fmt: skip
    return tuple(out)
