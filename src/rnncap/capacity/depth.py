"""The measured answer to "is VC(L layers) = L x VC(1 layer)?", in one of two designs.

* **fixed-width**: every depth has U units per layer, with U >= the inputs per step (a narrower
  first layer would squeeze the input through fewer numbers than it has, so the measure would
  be of that bottleneck, width, not of depth);
* **equal-params**: every depth has the width whose parameter count is closest to a target w (the
  arch frontier, `rnncap.arch.frontier`), so depth is compared at equal w.

For each depth L, one network (``input_bits`` inputs over
1 + ``delay`` steps, one logit) is measured twice: its VC dimension (Vapnik, Levin & LeCun 1994,
`measure_vc_recurrent`, Gaussian sequences of that shape) and its memorization capacity (Collins
et al. 2017, `tuned_memorization`), per seed, each at 3 or more doubling budgets (the curve rule
of `rnncap.capacity.convergence`). Ratios to the shallowest depth are set beside L and beside
the parameter ratio w(L)/w(1): the question's "L x" against what the extra weights alone predict.

This module holds the records, their ratios and sentences (light: no torch); the measuring
functions are in `rnncap.capacity.depth_measure`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rnncap.arch import parse_arch
from rnncap.capacity.checks import positive_int
from rnncap.capacity.convergence import MAX_BUDGETS, MIN_BUDGETS, Convergence, t_interval
from rnncap.capacity.identifiable import identifiable_summary
from rnncap.capacity.stats import summary
from rnncap.capacity.sweep import Sweep
from rnncap.capacity.tuned import DEFAULT_SWEEP
from rnncap.engine.settings import MAX_EPOCHS
from rnncap.errors import check_int, require
from rnncap.plain import from_plain, to_plain

LABELS = {"vc": "The measured VC dimension", "memorization": "Measured memorization"}
#: The depth experiment's designs.
FIXED_WIDTH, EQUAL_PARAMS = "fixed-width", "equal-params"
DESIGNS = (FIXED_WIDTH, EQUAL_PARAMS)


def _ratio_range(values: Sequence[float], reference: Sequence[float]) -> tuple[float, float]:
    """The widest ratio the per-seed values allow: [min / max(reference), max / min(reference)]."""
    return min(values) / max(reference), max(values) / min(reference)


@dataclass(frozen=True)
class DepthMeasure:
    """One measure (VC h or memorization bits) at one depth: per seed, at doubling budgets
    (``by_budget[i][s]``: budget i, rising; seed s). The last budget's values are reported."""

    by_budget: tuple[tuple[float, ...], ...]

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes
        "by_budget": "by_budget",
        "by_seed": "by_seed",
        "by_seed_at_budget": "by_seed_at_budget",
        "summary": "summary",
        "verdict": "convergence.verdict",
        "converged": "convergence.converged",
        "convergence": "convergence",
    }

    def __post_init__(self) -> None:
        rows = tuple(tuple(float(v) for v in r) for r in self.by_budget)
        require(len(rows) >= 2, "a depth measure has at least 2 budgets")
        require(len({len(r) for r in rows}) == 1 and len(rows[0]) >= 1, "one value per seed")
        object.__setattr__(self, "by_budget", rows)

    @property
    def by_seed(self) -> tuple[float, ...]:
        """Per seed, at the last budget: the reported values."""
        return self.by_budget[-1]

    @property
    def by_seed_at_budget(self) -> tuple[float, ...]:
        """Per seed, at the second-last budget."""
        return self.by_budget[-2]

    @property
    def summary(self) -> dict:
        return summary(self.by_seed)

    @property
    def convergence(self) -> Convergence:
        return Convergence(self.by_budget)

    @classmethod
    def from_dict(cls, d: dict) -> DepthMeasure:
        """The inverse of `PLAIN_VIEW` (a record made before the curve rule has two budgets)."""
        if "by_budget" in d:
            return cls(tuple(tuple(map(float, r)) for r in d["by_budget"]))
        return cls((tuple(map(float, d["by_seed_at_budget"])), tuple(map(float, d["by_seed"]))))


@dataclass(frozen=True)
class DepthBudget:
    """What each depth is trained with: the memorization sweep and budget, and the VC budget."""

    memorization_epochs: int = 1000
    sweep: Sweep = DEFAULT_SWEEP
    sample_sizes: tuple[int, ...] | None = None  # None: w..8w of each depth
    vc_epochs: int = 300
    vc_lr: float = 0.02
    vc_repetitions: int = 10
    budgets: int = MIN_BUDGETS  # each measure at epochs x 1, 2, 4, ...

    VC_DESIGN: ClassVar = "geometric, 1..8 w (per depth)"
    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes
        "memorization_epochs": "memorization_epochs",
        "memorization_doubled_epochs": "memorization_doubled_epochs",
        "budgets": "budgets",
        "memorization_budget_epochs": "memorization_budget_epochs",
        "vc_budget_epochs": "vc_budget_epochs",
        "sweep": "sweep",
        "sample_sizes": "sample_sizes",
        "vc_epochs": "vc_epochs",
        "vc_doubled_epochs": "vc_doubled_epochs",
        "vc_lr": "vc_lr",
        "vc_repetitions": "vc_repetitions",
        "vc_design": "VC_DESIGN",
    }

    def __post_init__(self) -> None:
        check_int(self.budgets, "budgets", low=2, high=MAX_BUDGETS, hint="e.g. budgets=3")
        # the last of the doubling budgets is one training run: it must stay within MAX_EPOCHS
        top = MAX_EPOCHS // 2 ** (self.budgets - 1)
        hint = f"its last budget, {2 ** (self.budgets - 1)}x it, may not pass {MAX_EPOCHS:,}"
        for value, what in ((self.memorization_epochs, "epochs"), (self.vc_epochs, "VC epochs")):
            check_int(value, what, low=1, high=top, hint=hint)
        positive_int(self.vc_repetitions, "VC repetitions", "e.g. vc_repetitions=10")
        if self.sample_sizes is not None:
            object.__setattr__(self, "sample_sizes", tuple(int(b) for b in self.sample_sizes))

    @property
    def memorization_doubled_epochs(self) -> int:
        return 2 * self.memorization_epochs

    @property
    def vc_doubled_epochs(self) -> int:
        return 2 * self.vc_epochs

    @property
    def memorization_budget_epochs(self) -> list[int]:
        return self.budget_epochs(self.memorization_epochs)

    @property
    def vc_budget_epochs(self) -> list[int]:
        return self.budget_epochs(self.vc_epochs)

    def budget_epochs(self, first: int) -> list[int]:
        """The doubling budgets that start at `first` epochs."""
        return [first * 2**i for i in range(self.budgets)]

    @classmethod
    def from_dict(cls, d: dict) -> DepthBudget:
        """The inverse of `PLAIN_VIEW` (a record made before the curve rule had 2 budgets)."""
        return cls(
            int(d["memorization_epochs"]), from_plain(Sweep, d["sweep"]),
            None if d["sample_sizes"] is None else tuple(d["sample_sizes"]),
            int(d["vc_epochs"]), float(d["vc_lr"]), int(d["vc_repetitions"]),
            int(d.get("budgets", 2)),
        )  # fmt: skip


@dataclass(frozen=True)
class DepthRow:
    """Depth L: its network, w, and both measures (VC h, memorization bits) with verdicts."""

    layers: int
    arch: str
    parameters: int
    vc: DepthMeasure
    memorization: DepthMeasure
    vc_bracketed: bool = True  # every seed's Phi fit bracketed h
    seeds: tuple[int, ...] = ()  # the seeds of the by_seed values, in order

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (and `from_plain` reads)
        "seeds": "seeds",
        "layers": "layers",
        "arch": "arch",
        "parameters": "parameters",
        "vc": "vc",
        "vc_bracketed": "vc_bracketed",
        "memorization": "memorization",
        "bits_per_parameter": "bits_per_parameter",
    }

    @property
    def bits_per_parameter(self) -> float:
        return self.memorization.summary["mean"] / self.parameters


@dataclass(frozen=True)
class DepthMeasurement:
    """Rows by depth in one design, their ratios to the first row, and the budgets."""

    cell: str
    units: int | None  # the fixed width; None in the equal-params design
    input_bits: int | None  # None where only the rows were recorded (a study's store)
    delay: int | None
    seeds: tuple[int, ...]
    rows: tuple[DepthRow, ...]
    budget: DepthBudget = field(default_factory=DepthBudget)
    design: str = FIXED_WIDTH
    target_parameters: int | None = None  # the equal-params design's target w

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`capacity depth --json`)
        "cell": "cell",
        "design": "design",
        "described": "described",
        "units": "units",
        "target_parameters": "target_parameters",
        "input_bits": "input_bits",
        "delay": "delay",
        "input_encoding": "budget.sweep.encoding",
        "protocol": "budget.sweep.encoding_label",
        "seeds": "seeds",
        "rows": "row_records",
        "ratios": "ratios",
        "sentences": "sentences",
        "budget": "budget",
    }

    @property
    def described(self) -> str:
        """The cell and the design, as every sentence names them."""
        if self.design == EQUAL_PARAMS:
            widths = ", ".join(r.arch.split(":")[-1] for r in self.rows)
            return (
                f"{self.cell} at about {self.target_parameters:,} parameters per depth "
                f"(equal-params design: {widths})"
            )
        return f"{self.cell} at {self.units} units per layer (fixed-width design)"

    def __post_init__(self) -> None:
        require(len(self.rows) >= 1, "a depth measurement has at least one depth")

    def ratios(self) -> list[dict]:
        """Per depth: L / L1, w(L)/w(1), and h(L)/h(1) for VC and memorization (ratio of the
        means, the widest per-seed range, and the 95 % t-interval of the per-seed ratios, seeds
        paired by index), each beside its verdict."""
        first = self.rows[0]
        out = []
        for row in self.rows:
            entry = {"layers": row.layers, "layer_ratio": row.layers / first.layers,
                     "parameter_ratio": row.parameters / first.parameters}  # fmt: skip
            for name in ("vc", "memorization"):
                m, m1 = getattr(row, name), getattr(first, name)
                entry[f"{name}_ratio"] = m.summary["mean"] / m1.summary["mean"]
                entry[f"{name}_ratio_range"] = list(_ratio_range(m.by_seed, m1.by_seed))
                paired = [a / b for a, b in zip(m.by_seed, m1.by_seed, strict=True) if b > 0]
                ci = t_interval(paired) if len(paired) == len(m.by_seed) else None
                entry[f"{name}_ratio_ci95"] = None if ci is None else list(ci)
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
        what = self.described
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
        ci = ratio[f"{measure}_ratio_ci95"]
        interval = "" if ci is None else f"95% interval {ci[0]:.2f}-{ci[1]:.2f}, "
        return (
            f"{label} of {what} goes {ratio[f'{measure}_ratio']:.2f}x ({interval}seed range "
            f"{lo:.2f}-{hi:.2f}) from {first.layers} to {last.layers} layers, where the layer "
            f"count grows {ratio['layer_ratio']:.0f}x and the parameters "
            f"{ratio['parameter_ratio']:.2f}x (converged at every depth)."
        )

    def sentences(self) -> dict[str, str]:
        return {m: self.sentence(m) for m in ("vc", "memorization")}

    def row_records(self) -> list[dict]:
        """The rows' records, each with its identifiable count when the task's shape is known."""
        out = []
        for row in self.rows:
            d = to_plain(row)
            if self.input_bits is not None and self.delay is not None:
                spec = parse_arch(row.arch, input_size=self.input_bits, seq_len=1 + self.delay)
                d["identifiable"] = identifiable_summary(spec, row.memorization.summary)
            out.append(d)
        return out


def group_depth_rows(rows: Iterable[DepthRow]) -> tuple[DepthMeasurement, ...]:
    """Recorded rows (e.g. from a study's store) grouped by cell and width, ordered by depth."""
    groups: dict[tuple[str, int], list[DepthRow]] = {}
    for row in rows:
        spec = parse_arch(row.arch)
        groups.setdefault((spec.cell.value, spec.hidden_sizes[0]), []).append(row)
    return tuple(
        DepthMeasurement(cell, units, None, None, rs[0].seeds,
                         tuple(sorted(rs, key=lambda r: r.layers)))
        for (cell, units), rs in groups.items()
    )  # fmt: skip


def measured_depth_ratios(
    measurements: Iterable[DepthMeasurement], cell: str, layers_a: int, layers_b: int
) -> list[tuple[str, float, float, str]]:
    """Converged measurements of `cell` at depths `layers_a` and `layers_b`, for quoting:
    (what, value at A's depth, value at B's depth, source). Budget-limited ones are left out."""
    out = []
    for d in measurements:
        rows = {r.layers: r for r in d.rows}
        if d.cell != cell or layers_a not in rows or layers_b not in rows:
            continue
        for name, what in (("vc", "VC-dimension estimate"), ("memorization", "memorized bits")):
            ra, rb = getattr(rows[layers_a], name), getattr(rows[layers_b], name)
            if ra.convergence.converged and rb.convergence.converged:
                source = (
                    f"measured by a study at the fixed width of {d.units} units per layer "
                    f"({rows[layers_a].arch} and {rows[layers_b].arch}, seeds "
                    f"{list(d.seeds)}), converged"
                )
                out.append((what, ra.summary["mean"], rb.summary["mean"], source))
    return out
