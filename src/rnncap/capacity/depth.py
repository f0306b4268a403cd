"""The measured answer to "is VC(L layers) = L x VC(1 layer)?" at a fixed width.

For each depth L of one cell at U units per layer, one network (``input_bits`` inputs over
1 + ``delay`` steps, one logit) is measured twice: its VC dimension (Vapnik, Levin & LeCun 1994,
`measure_vc_recurrent`, Gaussian sequences of that shape) and its memorization capacity (Collins
et al. 2017, `tuned_memorization`), per seed, each at a budget and at twice it (the convergence
rule of `rnncap.capacity.convergence`). Ratios to the shallowest depth are set beside L and beside
the parameter ratio w(L)/w(1): the question's "L x" against what the extra weights alone predict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from rnncap.arch import count_parameters, parse_arch
from rnncap.capacity._common import (
    DEFAULT_MAX_SAMPLES,
    Progress,
    positive_int,
    seed_list,
    summary,
)
from rnncap.capacity.convergence import Convergence
from rnncap.capacity.memorize import planned_grid
from rnncap.capacity.sweep import Sweep
from rnncap.capacity.tuned import DEFAULT_SWEEP, tuned_memorization
from rnncap.capacity.vc import default_design, default_vc_settings, measure_vc_recurrent
from rnncap.errors import require

LABELS = {"vc": "The measured VC dimension", "memorization": "Measured memorization"}


def _ratio_range(values: Sequence[float], reference: Sequence[float]) -> tuple[float, float]:
    """The widest ratio the per-seed values allow: [min / max(reference), max / min(reference)]."""
    return min(values) / max(reference), max(values) / min(reference)


@dataclass(frozen=True)
class DepthMeasure:
    """One measure (VC h or memorization bits) at one depth: per seed, at a budget and at 2x."""

    by_seed: tuple[float, ...]  # at twice the budget: the reported values
    by_seed_at_budget: tuple[float, ...]

    def __post_init__(self) -> None:
        require(len(self.by_seed) == len(self.by_seed_at_budget) >= 1, "one value per seed")

    @property
    def summary(self) -> dict:
        return summary(self.by_seed)

    @property
    def convergence(self) -> Convergence:
        return Convergence(summary(self.by_seed_at_budget)["mean"], self.summary["mean"])

    def to_dict(self) -> dict:
        return {
            "by_seed": list(self.by_seed),
            "by_seed_at_budget": list(self.by_seed_at_budget),
            "summary": self.summary,
            "verdict": self.convergence.verdict,
            "converged": self.convergence.converged,
            "convergence": self.convergence.to_dict(),
        }


@dataclass(frozen=True)
class DepthRow:
    """Depth L: its network, w, and both measures (VC h, memorization bits) with verdicts."""

    layers: int
    arch: str
    parameters: int
    vc: DepthMeasure
    memorization: DepthMeasure
    vc_bracketed: bool = True  # every seed's Phi fit bracketed h


@dataclass(frozen=True)
class DepthMeasurement:
    """Rows by depth at a fixed width, their ratios to the first row, and the budgets."""

    cell: str
    units: int
    input_bits: int
    delay: int
    seeds: tuple[int, ...]
    rows: tuple[DepthRow, ...]
    vc_training: dict = field(default_factory=dict)
    memorization_budget: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        require(len(self.rows) >= 1, "a depth measurement has at least one depth")

    def ratios(self) -> list[dict]:
        """Per depth: L / L1, w(L)/w(1), and h(L)/h(1) for VC and memorization (mean ratio and
        the per-seed range), each beside its verdict."""
        first = self.rows[0]
        out = []
        for row in self.rows:
            entry = {"layers": row.layers, "layer_ratio": row.layers / first.layers,
                     "parameter_ratio": row.parameters / first.parameters}  # fmt: skip
            for name in ("vc", "memorization"):
                m, m1 = getattr(row, name), getattr(first, name)
                entry[f"{name}_ratio"] = m.summary["mean"] / m1.summary["mean"]
                entry[f"{name}_ratio_range"] = list(_ratio_range(m.by_seed, m1.by_seed))
                entry[f"{name}_converged"] = m.convergence.converged and m1.convergence.converged
            out.append(entry)
        return out

    def converged(self, measure: str) -> bool:
        """True when every depth's `measure` ("vc" or "memorization") converged."""
        return all(getattr(r, measure).convergence.converged for r in self.rows)

    def sentence(self, measure: str) -> str:
        """One computed sentence on how `measure` grows with depth; no trend unless converged."""
        label = LABELS[measure]
        first, last = self.rows[0], self.rows[-1]
        ratio = next(r for r in self.ratios() if r["layers"] == last.layers)
        lo, hi = ratio[f"{measure}_ratio_range"]
        what = f"{self.cell} at {self.units} units per layer"
        if len(self.rows) == 1:
            return f"{label} of {what} was measured at one depth only ({first.layers} layer)."
        if not self.converged(measure):
            limited = [
                f"L={r.layers}: {getattr(r, measure).convergence.verdict}"
                for r in self.rows
                if not getattr(r, measure).convergence.converged
            ]
            return (
                f"{label} of {what} did not converge at every depth ({'; '.join(limited)}): "
                "the figures are lower bounds and no depth trend is drawn from them."
            )
        return (
            f"{label} of {what} goes {ratio[f'{measure}_ratio']:.2f}x (seed range "
            f"{lo:.2f}-{hi:.2f}) from {first.layers} to {last.layers} layers, where the layer "
            f"count grows {ratio['layer_ratio']:.0f}x and the parameters "
            f"{ratio['parameter_ratio']:.2f}x (converged at every depth)."
        )

    def sentences(self) -> dict[str, str]:
        return {m: self.sentence(m) for m in ("vc", "memorization")}

    def to_dict(self) -> dict:
        return {
            "cell": self.cell,
            "units": self.units,
            "input_bits": self.input_bits,
            "delay": self.delay,
            "seeds": list(self.seeds),
            "rows": [
                {
                    "layers": r.layers,
                    "arch": r.arch,
                    "parameters": r.parameters,
                    "vc": r.vc.to_dict(),
                    "vc_bracketed": r.vc_bracketed,
                    "memorization": r.memorization.to_dict(),
                    "bits_per_parameter": r.memorization.summary["mean"] / r.parameters,
                }
                for r in self.rows
            ],  # fmt: skip
            "ratios": self.ratios(),
            "sentences": self.sentences(),
            "vc_training": self.vc_training,
            "memorization_budget": self.memorization_budget,
        }


def depth_specs(cell: str, units: int, layers: Sequence[int], input_bits: int, delay: int):
    """One spec per depth: `cell` with `units` per layer, input_bits inputs, 1 + delay steps."""
    units = positive_int(units, "units", "e.g. --units 4")
    depths = sorted({positive_int(v, "a depth", "e.g. --layers 1-4") for v in layers})
    require(len(depths) >= 1, "give at least one depth (e.g. --layers 1-4)")
    require(delay >= 0, f"the delay must be >= 0; got {delay} (e.g. --delay 2)")
    return [
        parse_arch(f"{cell}:{depth}x{units}", input_size=input_bits, seq_len=1 + delay, outputs=1)
        for depth in depths
    ]


def measure_depth(
    cell: str,
    units: int,
    layers: Sequence[int] = (1, 2, 3, 4),
    *,
    input_bits: int = 12,
    delay: int = 2,
    seeds: int | Sequence[int] = 2,
    memorization_epochs: int = 1000,
    sweep: Sweep | None = None,
    sample_sizes: Sequence[int] | None = None,
    vc_epochs: int = 300,
    vc_lr: float = 0.02,
    vc_repetitions: int = 10,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: Progress | None = None,
    device: str | None = None,
) -> DepthMeasurement:
    """Measure VC dimension and memorization capacity of `cell` at `units` per layer, per depth.

    Each measure runs per seed at its budget and at twice it (memorization: `memorization_epochs`
    with the sweep; VC: `vc_epochs` at `vc_lr`, `vc_repetitions` per size of the default design).
    ``sample_sizes`` (memorization b grid) defaults to w..8w of each depth.
    """
    specs = depth_specs(cell, units, layers, input_bits, delay)
    for spec in specs:  # every depth's grid is checked before the first one trains
        planned_grid(spec, sample_sizes, max_samples)
    seeds_ = seed_list(seeds)
    sweep = sweep or DEFAULT_SWEEP
    vc_reps = positive_int(vc_repetitions, "VC repetitions", "e.g. --vc-reps 10")
    steps = len(specs) * (1 + len(seeds_))
    done = 0
    rows = []
    for spec in specs:
        w = count_parameters(spec).total
        design = dataclasses.replace(default_design(w), repetitions=vc_reps)
        mem = tuned_memorization(
            spec, sample_sizes, seeds_, epochs=memorization_epochs, sweep=sweep,
            max_samples=max_samples, device=device,
        )  # fmt: skip
        done += 1
        if progress:
            progress(done, steps)
        vc_values: dict[int, list[float]] = {1: [], 2: []}
        bracketed = True
        for seed in seeds_:
            for factor in (1, 2):
                settings = default_vc_settings(factor * vc_epochs, vc_lr)
                est = measure_vc_recurrent(
                    spec, design, seed=seed, settings=settings, max_samples=max_samples,
                    device=device,
                )  # fmt: skip
                vc_values[factor].append(est.h)
                bracketed = bracketed and (factor == 1 or est.fit.bracketed)
            done += 1
            if progress:
                progress(done, steps)
        doubled, at_budget = mem.capacity_by_seed(), mem.at_budget.capacity_by_seed()
        memorization = DepthMeasure(
            tuple(doubled[s] for s in seeds_), tuple(at_budget[s] for s in seeds_)
        )
        vc = DepthMeasure(tuple(vc_values[2]), tuple(vc_values[1]))
        rows.append(DepthRow(spec.num_layers, spec.name, w, vc, memorization, bracketed))
    vc_training = {
        **default_vc_settings(vc_epochs, vc_lr).to_dict(), "repetitions": vc_reps,
        "doubled_epochs": 2 * vc_epochs, "design": "geometric, 1..8 w (per depth)",
    }  # fmt: skip
    return DepthMeasurement(
        cell, int(units), input_bits, delay, seeds_, tuple(rows), vc_training,
        {"epochs": memorization_epochs, "doubled_epochs": 2 * memorization_epochs,
         "sample_sizes": "w..8w per depth" if sample_sizes is None else list(sample_sizes),
         **sweep.to_dict()},
    )  # fmt: skip
