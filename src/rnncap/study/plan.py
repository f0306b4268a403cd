"""From a `StudyConfig` to the architectures and the units of work (ensemble chunks) to run.

A unit is one architecture x a chunk of seeds, trained as one ensemble. What a worker needs to run
it is one typed record, `UnitPayload` (spec, `ForecastSettings`, a `TaskRef`, measures, seeds),
which crosses the executor boundary pickled, as it is. Its key is the SHA-256 of the payload's
plain values (`UnitPayload.plain`: everything that determines its results) with the store schema
and the rnncap and torch versions, so a changed budget or task, or an upgrade, reruns exactly the
units it touches.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rnncap.arch import RecurrentSpec, count_parameters, parse_arch
from rnncap.arch.files import looks_like_model_file, read_one_stack
from rnncap.arch.frontier import frontier as equal_budget_frontier
from rnncap.engine.settings import ForecastSettings
from rnncap.errors import InvalidInput, require
from rnncap.plain import to_plain
from rnncap.study.config import Frontier, StudyConfig
from rnncap.study.records import RUN_MEASURES, Measure
from rnncap.study.store import SCHEMA_VERSION

#: Memorization settings (study files override them under [memorization]).
#: ``sample_fractions`` give the grid of b as multiples of w (``sample_sizes``, absolute, win);
#: ``seeds`` is how many of a unit's seeds are also used for memorization.
#: ``epochs`` is the first budget; the tuned protocol measures it, twice and four times it (the
#: verdict needs 3 budgets and 3 seeds), with the sweep ``lrs`` x ``schedules`` x ``losses`` at
#: every point, on the one input encoding of ``encodings`` (`rnncap.capacity.tuned`).
MEMORIZATION_DEFAULTS = {"budget": 400, "input_bits": 16, "delay": 2, "epochs": 150,
                         "sample_sizes": None, "sample_fractions": [0.5, 1, 2, 4],
                         "seeds": 1, "lrs": [0.01], "schedules": ["cosine"],
                         "losses": ["bce"], "encodings": ["binary"]}  # fmt: skip
#: Depth settings (study files override them under [depth]): the frontier's cell at ``units`` per
#: layer and each frontier depth, VC (Vapnik-Levin-LeCun) and memorization, each at 3 doubling
#: budgets (`rnncap.capacity.depth`). Small, so that the default study fits a 2-core CPU.
DEPTH_DEFAULTS = {"units": 2, "input_bits": 12, "delay": 1, "epochs": 200, "lrs": [0.02],
                  "schedules": ["cosine"], "losses": ["bce"], "encodings": ["binary"],
                  "sample_fractions": [1, 2, 4], "vc_epochs": 100, "vc_reps": 4,
                  "seeds": 1}  # fmt: skip


@dataclass(frozen=True)
class TaskShape:
    """What the architectures need from the task: features per step, window length, outputs."""

    input_size: int
    seq_len: int
    outputs: int


@dataclass(frozen=True)
class PlannedArch:
    """One architecture of the study, with the groups it belongs to and their ratio references.

    ``references[group]`` is the one-layer architecture its bound ratios are taken against in that
    group: ``cell:1xH`` in the grid (H: its first layer's units), the depth-1 member on a frontier.
    """

    spec: RecurrentSpec
    references: dict[str, str]
    budget: int | None = None  # the frontier's parameter budget

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.references)

    @property
    def name(self) -> str:
        return self.spec.name


def _frozen(value: Any) -> Any:
    """Lists as tuples, recursively: a study file's plain values, hashable."""
    return tuple(_frozen(v) for v in value) if isinstance(value, (list, tuple)) else value


def _thawed(value: Any) -> Any:
    return [_thawed(v) for v in value] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class TaskRef:
    """The task by reference: the study's ``[task]`` table (dataset filled in), plain values.

    Each worker prepares the task from it once (`rnncap.study.unit.task_data`, cached per
    process); on a Ray node a data file's path is swapped for a local copy of its bytes (`at`).
    Hashable, so it is its own cache key.
    """

    items: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, table: Mapping[str, Any]) -> TaskRef:
        return cls(tuple(sorted((str(k), _frozen(v)) for k, v in table.items())))

    @property
    def table(self) -> dict[str, Any]:
        """The table as the study file gave it (lists as lists)."""
        return {k: _thawed(v) for k, v in self.items}

    @property
    def dataset(self) -> str:
        return str(dict(self.items).get("dataset", "nyc2013"))

    def at(self, dataset: str) -> TaskRef:
        """The same task reading another copy of its data."""
        return TaskRef.of({**self.table, "dataset": dataset})


@dataclass(frozen=True)
class SideMeasure:
    """A measure on a network of its own (memorization, depth): the spec and its settings
    (the defaults with the study file's overrides, `MEMORIZATION_DEFAULTS`, `DEPTH_DEFAULTS`)."""

    spec: RecurrentSpec
    options: Mapping[str, Any]

    def plain(self) -> dict[str, Any]:
        return {**self.options, "spec": to_plain(self.spec)}


@dataclass(frozen=True)
class UnitPayload:
    """Everything a worker needs to run one unit, typed; pickled as it is to any executor."""

    spec: RecurrentSpec
    seeds: tuple[int, ...]
    task: TaskRef
    training: ForecastSettings
    measures: tuple[Measure, ...]
    forecast_points: int
    memorization: SideMeasure | None = None
    depth: SideMeasure | None = None  # measured once per architecture (its first unit)
    atlas: SideMeasure | None = None  # one point of the capacity atlas (`rnncap.capacity.atlas`)

    def plain(self) -> dict[str, Any]:
        """Plain values of every field: what the unit's key hashes and the store keeps (an atlas
        point adds its key, so that a study's keys stay what they were)."""
        extra = {"atlas": self.atlas.plain()} if self.atlas else {}
        return {
            **extra,
            "spec": to_plain(self.spec),
            "seeds": list(self.seeds),
            "task": self.task.table,
            "training": to_plain(self.training),
            "measures": [m.value for m in self.measures],
            "forecast_points": self.forecast_points,
            "memorization": self.memorization.plain() if self.memorization else {},
            "depth": self.depth.plain() if self.depth else {},
        }


@dataclass(frozen=True)
class Unit:
    """One unit of work: the payload a worker runs, and the hash that names it."""

    arch: str
    seeds: tuple[int, ...]
    payload: UnitPayload = field(compare=False)
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            text = json.dumps({**code_versions(), **self.payload.plain()}, sort_keys=True)
            object.__setattr__(self, "key", hashlib.sha256(text.encode()).hexdigest())


def code_versions() -> dict[str, str]:
    """The code that shapes a unit's results: store schema, rnncap and torch versions."""
    import rnncap

    return {
        "schema": str(SCHEMA_VERSION),
        "rnncap": rnncap.__version__,
        "torch": importlib.metadata.version("torch"),
    }


def _spec(cell: str, sizes: tuple[int, ...], shape: TaskShape) -> RecurrentSpec:
    body = ",".join(map(str, sizes))
    return parse_arch(
        f"{cell}:{body}", input_size=shape.input_size, seq_len=shape.seq_len, outputs=shape.outputs
    )


def frontier_specs(frontier: Frontier, shape: TaskShape) -> tuple[int, list[RecurrentSpec]]:
    """The budget and, for each depth, the uniform stack whose exact count is closest to it."""
    if looks_like_model_file(frontier.budget):
        _, stack = read_one_stack(str(frontier.budget))
        budget = count_parameters(stack).total
    elif isinstance(frontier.budget, str):
        ref = parse_arch(
            frontier.budget,
            input_size=shape.input_size,
            seq_len=shape.seq_len,
            outputs=shape.outputs,
        )
        budget = count_parameters(ref).total
    else:
        budget = int(frontier.budget)
    template = _spec(frontier.cell, (1,), shape)
    points = equal_budget_frontier(template, budget, frontier.layers)
    return budget, [p.spec.replace(name="") for p in points]


def plan_architectures(config: StudyConfig, shape: TaskShape) -> list[PlannedArch]:
    """Every architecture of the grid and the frontiers, deduplicated, grid first."""
    found: dict[str, PlannedArch] = {}

    def add(spec: RecurrentSpec, group: str, reference: str, budget: int | None = None) -> None:
        old = found.get(spec.name)
        if old is None:
            found[spec.name] = PlannedArch(spec, {group: reference}, budget)
        elif group not in old.references:
            refs = {**old.references, group: reference}
            found[spec.name] = PlannedArch(spec, refs, old.budget or budget)

    g = config.grid
    for cell in g.cells:
        for units in g.units:
            for layers in g.layers:
                spec = _spec(cell, (units,) * layers, shape)
                add(spec, "grid", _spec(cell, (units,), shape).name)
        for widths in g.widths:
            add(_spec(cell, widths, shape), "grid", _spec(cell, widths[:1], shape).name)
    for fr in g.frontier:
        budget, specs = frontier_specs(fr, shape)
        ref = min(specs, key=lambda s: s.num_layers).name
        for spec in specs:
            add(spec, "frontier", ref, budget)
    require(
        bool(found),
        "the study's grid is empty: give [grid] cells, layers and units (e.g. layers = [1, 2], "
        "units = [16]), widths, or a [[grid.frontier]]",
    )
    return list(found.values())


def memorization_spec(arch: PlannedArch, options: dict) -> RecurrentSpec | None:
    """The memorization network of a frontier architecture: same cell and depth, at the
    memorization budget, reading ``input_bits`` inputs over ``1 + delay`` steps (Collins et al.).

    Bits per parameter are compared along the frontier at this smaller budget, because the
    protocol needs several times w samples and a long training budget per model.
    """
    if "frontier" not in arch.groups:
        return None
    bits = int(options.get("input_bits", MEMORIZATION_DEFAULTS["input_bits"]))
    delay = int(options.get("delay", MEMORIZATION_DEFAULTS["delay"]))
    budget = int(options.get("budget", MEMORIZATION_DEFAULTS["budget"]))
    template = parse_arch(f"{arch.spec.cell.value}:1", input_size=bits, seq_len=1 + delay,
                          outputs=1)  # fmt: skip
    (point,) = equal_budget_frontier(template, budget, [arch.spec.num_layers])
    return point.spec


def depth_spec(arch: PlannedArch, options: dict) -> RecurrentSpec | None:
    """The depth measurement's network for a frontier architecture: its cell and depth at the
    fixed width ``units``, reading ``input_bits`` inputs over ``1 + delay`` steps."""
    if "frontier" not in arch.groups:
        return None
    o = {**DEPTH_DEFAULTS, **options}
    name = f"{arch.spec.cell.value}:{arch.spec.num_layers}x{int(o['units'])}"
    return parse_arch(name, input_size=int(o["input_bits"]), seq_len=1 + int(o["delay"]),
                      outputs=1)  # fmt: skip


def plan_units(config: StudyConfig, archs: list[PlannedArch], task: TaskRef) -> list[Unit]:
    """Split each architecture's seeds into chunks of ``config.chunk``: one unit per chunk, at
    each training point of the [axes] table (`StudyConfig.points`)."""
    measures = tuple(Measure(m) for m in config.measures if Measure(m) in RUN_MEASURES)
    # every setting, defaults filled in: part of the key
    recipes = [config.recipe(point) for point in config.points()]
    units = []
    for arch in archs:
        memorization = depth = None
        if Measure.MEMORIZATION in measures:
            mem = memorization_spec(arch, config.memorization)
            if mem is not None:
                memorization = SideMeasure(mem, {**MEMORIZATION_DEFAULTS, **config.memorization})
        if Measure.DEPTH in measures:
            fixed = depth_spec(arch, config.depth)
            if fixed is not None:
                depth = SideMeasure(fixed, {**DEPTH_DEFAULTS, **config.depth})
        seeds = list(config.seeds)
        for p, training in enumerate(recipes):
            for i in range(0, len(seeds), config.chunk):
                chunk = tuple(int(s) for s in seeds[i : i + config.chunk])
                first = i == 0 and p == 0  # side measures: once per architecture
                payload = UnitPayload(
                    spec=arch.spec,
                    seeds=chunk,
                    task=task,
                    training=training,
                    measures=measures,
                    forecast_points=int(config.forecast_points),
                    memorization=memorization if p == 0 else None,
                    depth=depth if first else None,
                )
                units.append(Unit(arch.name, chunk, payload))
    if not units:
        raise InvalidInput("the study has no units of work; give at least one seed")
    return units
