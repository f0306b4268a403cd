"""The capacity atlas's grid and protocol, and one point of it: a network, a seed, a budget.

The atlas measures what `rnncap capacity depth` measures (memorization in bits, Collins et al.
2017; the VC estimate, Vapnik, Levin & LeCun 1994) over cells x depths x designs x seeds, each
row at doubling budgets until its curve converged (`rnncap.capacity.convergence`) or the budget
cap. One unit of work is one *point*: one network, one seed, one budget level (memorization at
``epochs x 2^level``, VC at ``vc_epochs x 2^level``), so an interrupted atlas loses at most the
points in flight, and a row's next doubling is planned only once its curve asks for it.

A point at level k is one run to that budget that is read at every lower level too (the
engine's snapshots, cosine warm restarts ending at each budget): it carries the whole curve
0..k, which is exactly what the points of the lower levels would measure (training is
deterministic and a run's first part does not depend on where it ends; tested), so a row's
first three budgets cost one run of the third, and its curve cannot fall from one run's noise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rnncap.arch import RecurrentSpec
from rnncap.capacity.checks import fraction_sizes, logit_parameters, positive_int
from rnncap.capacity.convergence import MAX_BUDGETS, MIN_BUDGETS, MIN_SEEDS
from rnncap.capacity.depth import DESIGNS, EQUAL_PARAMS, FIXED_WIDTH
from rnncap.capacity.depth_measure import depth_specs
from rnncap.capacity.sweep import Sweep
from rnncap.engine.settings import MAX_EPOCHS
from rnncap.errors import check_int, require
from rnncap.plain import from_plain, to_plain

#: The cells, depths, fixed width and equal-params targets of the atlas (issue 23).
ATLAS_CELLS = ("rnn_tanh", "gru", "lstm")
ATLAS_DEPTHS = (1, 2, 4)
ATLAS_TARGETS = (400, 1600)
#: The atlas's sweep: two learning rates, cosine decay, best-so-far state (a lighter sweep than
#: `capacity depth`'s six members per point, so that the grid fits a CPU; stated in the export).
#: On rnn_tanh:1x17 (409 parameters) lr 0.1 memorized more than 0.03 at 250 and 500 epochs.
ATLAS_SWEEP = Sweep((0.03, 0.1), ("restarts",), 1, ("bce",), ("gaussian",))
#: The most sequences one member trains on: the VC design of the ~1,600-parameter rows needs
#: 2 x 8 w, about 25,300 (the measures' usual default, 20,000, would refuse them).
ATLAS_MAX_SAMPLES = 32_768
#: The fixed-width design's default width: the inputs per step (the narrowest the design allows).
ATLAS_UNITS = 4


@dataclass(frozen=True)
class AtlasProtocol:
    """How every point is measured: the task's shape and encoding, the sweep, the b grid (as
    multiples of w), the first budgets (then doubled per level) and the VC design."""

    input_bits: int = 4
    delay: int = 2
    sweep: Sweep = ATLAS_SWEEP
    sample_fractions: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    epochs: int = 250  # memorization's first budget (full-batch Adam steps)
    vc_epochs: int = 100  # the VC estimate's first budget
    vc_lr: float = 0.02
    vc_repetitions: int = 4
    max_samples: int = ATLAS_MAX_SAMPLES

    def __post_init__(self) -> None:
        positive_int(self.input_bits, "inputs per step", "e.g. --input-bits 4")
        check_int(self.delay, "delay", low=0, hint="e.g. --delay 2")
        require(len(self.sweep.encodings) == 1, "the atlas measures one input encoding")
        require(
            self.sweep.schedules == ("restarts",),
            "the atlas reads every budget from one run, so its sweep's schedule is "
            f"('restarts',) (a cosine cycle ending at each budget); got {self.sweep.schedules}",
        )
        for value, what in ((self.epochs, "--epochs"), (self.vc_epochs, "--vc-epochs")):
            check_int(value, what, low=1, high=MAX_EPOCHS, hint="the first budget, e.g. 250")
        positive_int(self.vc_repetitions, "VC repetitions", "e.g. --vc-reps 4")
        object.__setattr__(self, "sample_fractions", tuple(float(f) for f in self.sample_fractions))

    def check_budget(self, spec: RecurrentSpec) -> None:
        """Refuse, before any training, a network whose memorization grid or VC design would
        train a member on more than `max_samples` sequences."""
        from rnncap.capacity import vc
        from rnncap.capacity.memorize import planned_grid

        w = logit_parameters(spec)
        design = dataclasses.replace(vc.default_design(w), repetitions=self.vc_repetitions)
        largest = max(2 * max(design.sample_sizes), max(self.sample_sizes(w)))
        require(
            largest <= self.max_samples,
            f"{spec.name} (w = {w:,}) is too large for the atlas: its VC design trains members "
            f"on {largest:,} sequences, over the protocol's {self.max_samples:,}; use smaller "
            "--targets or --units",
        )
        spec = planned_grid(spec, self.sample_sizes(w), self.max_samples, self.sweep.encoding)[0]
        vc.check_vc_design(spec, design, self.max_samples)

    def fingerprint(self) -> str:
        """12 hex digits naming the protocol: points of other protocols are never mixed."""
        text = json.dumps(to_plain(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def sample_sizes(self, w: int) -> tuple[int, ...]:
        return fraction_sizes(w, self.sample_fractions)

    def budget_epochs(self, level: int) -> tuple[int, int]:
        """(memorization epochs, VC epochs) at a budget level (doubling from the first)."""
        return self.epochs * 2**level, self.vc_epochs * 2**level


@dataclass(frozen=True)
class Design:
    """One design instance: fixed-width at ``size`` units per layer, or equal-params at about
    ``size`` parameters per depth."""

    kind: str
    size: int

    def __post_init__(self) -> None:
        require(self.kind in DESIGNS, f"unknown design {self.kind!r}; choose from "
                f"{', '.join(DESIGNS)}")  # fmt: skip
        positive_int(self.size, "a design's size", "units (fixed-width) or parameters")

    @property
    def label(self) -> str:
        if self.kind == EQUAL_PARAMS:
            return f"{EQUAL_PARAMS} ~{self.size:,}"
        return f"{FIXED_WIDTH} {self.size} units"


@dataclass(frozen=True)
class AtlasGrid:
    """What the atlas runs: cells x designs x depths x seeds, the protocol, and the budget cap
    (levels 0 .. ``max_budgets - 1``; at least `MIN_BUDGETS`, more while not converged)."""

    cells: tuple[str, ...] = ATLAS_CELLS
    depths: tuple[int, ...] = ATLAS_DEPTHS
    designs: tuple[Design, ...] = (
        Design(FIXED_WIDTH, 8),
        *(Design(EQUAL_PARAMS, t) for t in ATLAS_TARGETS),
    )
    seeds: tuple[int, ...] = (0, 1, 2)
    protocol: AtlasProtocol = AtlasProtocol()
    max_budgets: int = MAX_BUDGETS

    def __post_init__(self) -> None:
        check_int(self.max_budgets, "--max-budgets", low=MIN_BUDGETS, high=MAX_BUDGETS,
                  hint=f"the curve rule needs >= {MIN_BUDGETS} budgets")  # fmt: skip
        top = max(self.protocol.epochs, self.protocol.vc_epochs) * 2 ** (self.max_budgets - 1)
        require(
            top <= MAX_EPOCHS,
            f"the last budget would train {top:,} epochs, over the limit of {MAX_EPOCHS:,} per "
            "run; lower --epochs, --vc-epochs or --max-budgets",
        )
        require(len(self.seeds) >= 1, "give at least one seed (e.g. --seeds 3)")
        for design in self.designs:
            for cell in self.cells:  # every network is built (and refused) before any training
                for spec in self.specs(cell, design):
                    self.protocol.check_budget(spec)

    def specs(self, cell: str, design: Design) -> list[RecurrentSpec]:
        p = self.protocol
        return depth_specs(
            cell, design.size if design.kind == FIXED_WIDTH else None, self.depths,
            p.input_bits, p.delay, design=design.kind,
            target_parameters=design.size if design.kind == EQUAL_PARAMS else None,
        )  # fmt: skip

    def rows(self) -> list[RowKey]:
        out = []
        for cell in self.cells:
            for design in self.designs:
                for spec in self.specs(cell, design):
                    out.append(RowKey(cell, design.kind, design.size, spec.num_layers, spec))
        return out

    @property
    def enough_seeds(self) -> bool:
        return len(self.seeds) >= MIN_SEEDS


@dataclass(frozen=True)
class RowKey:
    """One row of the atlas: a cell, a design instance and a depth, and its network."""

    cell: str
    design: str
    size: int
    layers: int
    spec: RecurrentSpec = dataclasses.field(compare=False, hash=False, repr=False)

    @property
    def ident(self) -> tuple[str, str, int, int]:
        return (self.cell, self.design, self.size, self.layers)


@dataclass(frozen=True)
class AtlasPoint:
    """One measured point: a row's network at one seed and one budget level."""

    cell: str
    design: str
    size: int
    layers: int
    arch: str
    parameters: int
    seed: int
    level: int
    memorization_epochs: int
    vc_epochs: int
    bits: float  # memorized bits (I at the best b; Collins et al.)
    vc_h: float  # the fitted VC dimension
    vc_bracketed: bool
    cpu_seconds: float
    protocol: str  # `AtlasProtocol.fingerprint`
    # the same run read at levels 0..level (its last values are bits, vc_h, vc_bracketed)
    bits_curve: tuple[float, ...] = ()
    vc_curve: tuple[float, ...] = ()
    bracketed_curve: tuple[bool, ...] = ()

    def below(self) -> list[AtlasPoint]:
        """The points of the lower levels that this run measured too (CPU counted here)."""
        out = []
        for k in range(min(self.level, len(self.bits_curve) - 1)):
            fewer = 2 ** (self.level - k)
            out.append(dataclasses.replace(
                self, level=k, memorization_epochs=self.memorization_epochs // fewer,
                vc_epochs=self.vc_epochs // fewer, bits=self.bits_curve[k],
                vc_h=self.vc_curve[k], vc_bracketed=self.bracketed_curve[k], cpu_seconds=0.0,
                bits_curve=(), vc_curve=(), bracketed_curve=(),
            ))  # fmt: skip
        return out


def point_options(
    row: RowKey, level: int, protocol: AtlasProtocol, fingerprint: str | None = None
) -> dict:
    """What a worker needs besides the spec: the row, the level and the protocol (plain), and
    the fingerprint its point carries (the store's, when a run resumes)."""
    out = {"atlas": 1, "cell": row.cell, "design": row.design, "size": row.size,
           "layers": row.layers, "level": level, "protocol": to_plain(protocol)}  # fmt: skip
    if fingerprint is not None and fingerprint != protocol.fingerprint():
        out["fingerprint"] = fingerprint  # only then: a unit's key stays what it was
    return out


def measure_points(
    spec: RecurrentSpec, seeds: Sequence[int], options: dict, device: str | None = None
) -> list[AtlasPoint]:
    """Memorization (the sweep's best member per b; the best b) and the VC estimate of `spec` at
    each seed, every seed's members in one engine call (small networks train several at the
    cost of one), from one run to the budget of ``options["level"]`` read at every level up to
    it: what `measure_depth_row` measures at each budget. A seed's point is what it gives alone."""
    from rnncap.capacity import vc  # torch: imported at use
    from rnncap.capacity.memorize import default_memorization_settings, memorization_ladder

    protocol = from_plain(AtlasProtocol, options["protocol"])
    level, seeds = int(options["level"]), [int(s) for s in seeds]
    start = time.process_time()
    w = logit_parameters(spec)
    epochs, vc_epochs = protocol.budget_epochs(level)
    settings = dataclasses.replace(default_memorization_settings(), epochs=epochs)
    mem = memorization_ladder(
        spec, protocol.sample_sizes(w), seeds, budgets=level + 1, settings=settings,
        sweep=protocol.sweep, max_samples=protocol.max_samples, device=device,
    )  # fmt: skip
    design = dataclasses.replace(vc.default_design(w), repetitions=protocol.vc_repetitions)
    vc_settings = dataclasses.replace(
        vc.default_vc_settings(vc_epochs, protocol.vc_lr), schedule=protocol.sweep.schedules[0]
    )
    ests = vc.vc_ladders(
        spec, design, seeds=seeds, budgets=level + 1, settings=vc_settings,
        max_samples=protocol.max_samples, device=device,
    )  # fmt: skip
    cpu = (time.process_time() - start) / len(seeds)
    fingerprint = str(options.get("fingerprint") or protocol.fingerprint())
    out = []
    for seed in seeds:
        bits, est = tuple(float(r.capacity_by_seed()[seed]) for r in mem), ests[seed]
        out.append(AtlasPoint(
            str(options["cell"]), str(options["design"]), int(options["size"]), spec.num_layers,
            spec.name, w, seed, level, epochs, vc_epochs, bits[-1], float(est[-1].h),
            bool(est[-1].fit.bracketed), cpu, fingerprint, bits,
            tuple(float(e.h) for e in est), tuple(bool(e.fit.bracketed) for e in est),
        ))  # fmt: skip
    return out


def parse_designs(kinds: Sequence[str], units: int, targets: Sequence[int]) -> tuple[Design, ...]:
    """The design instances: fixed-width at `units`, equal-params at each of `targets`."""
    out: list[Design] = []
    for kind in kinds:
        kind = str(kind).strip().lower()
        require(kind in DESIGNS, f"unknown design {kind!r}; choose from {', '.join(DESIGNS)} "
                "(e.g. --designs fixed-width,equal-params)")  # fmt: skip
        if kind == FIXED_WIDTH:
            out.append(Design(kind, units))
        else:
            out.extend(Design(kind, t) for t in targets)
    require(bool(out), "give at least one design (e.g. --designs fixed-width,equal-params)")
    return tuple(dict.fromkeys(out))
