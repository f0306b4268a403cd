"""Study files: what to train and measure, as validated frozen records read from TOML.

A study file lists only overrides of the defaults; unknown keys are errors. Example::

    name = "depth-vs-width"
    seeds = [0, 1, 2]

    [task]                 # passed to rnncap.data.Task
    dataset = "nyc2013"
    target = "temp"

    [grid]
    cells = ["lstm"]
    layers = [1, 2]
    units = [8, 16]
    widths = [[32, 16]]    # explicit per-layer widths, added to the grid

    [[grid.frontier]]      # equal-parameter architectures, one per depth
    cell = "lstm"
    budget = "lstm:2x32"   # an integer, or an architecture whose parameter count is the budget
    layers = [1, 2, 3, 4]  # (or a model file, "model.keras", relative to the study file)

    [training]             # rnncap.engine.ForecastSettings overrides (one recipe)
    epochs = 10

    [axes]                 # hyperparameters to vary (rnncap.study.axes), crossed with the grid
    design = "one-at-a-time"
    lr = [0.003, 0.01]

    [executor]
    kind = "inline"        # "inline" | "process" | "ray"
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from rnncap.arch.files import looks_like_model_file
from rnncap.arch.spec import MAX_LAYERS
from rnncap.engine.settings import ForecastSettings
from rnncap.errors import (
    InvalidInput,
    check_float,
    check_int,
    check_int_list,
    check_limit,
    is_int,
    require,
)
from rnncap.readable import check_readable_file
from rnncap.study.axes import axis_points
from rnncap.study.records import OPT_IN_MEASURES, Measure

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

#: Measures a study can record for each architecture or run (`rnncap.study.records.Measure`).
MEASURES = tuple(m.value for m in Measure)
#: Keys of the [memorization] table: the frontier's memorization budget and the task's shape.
MEMORIZATION_KEYS = (
    "budget", "input_bits", "delay", "epochs", "sample_sizes", "sample_fractions", "seeds", "lrs",
    "schedules", "losses", "encodings",
)  # fmt: skip
#: Keys of the [depth] table: the fixed width, the task's shape and both budgets (VC, memorization).
DEPTH_KEYS = (
    "units", "input_bits", "delay", "epochs", "lrs", "schedules", "losses", "encodings",
    "sample_fractions", "vc_epochs", "vc_reps", "seeds",
)  # fmt: skip


class ExecutorKind(str, Enum):
    """Where units of work run: in this process, a local process pool, or a Ray cluster."""

    INLINE = "inline"
    PROCESS = "process"
    RAY = "ray"


def _check_keys(section: str, data: dict, known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    require(
        not unknown,
        f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in [{section}] of the "
        f"study file; known keys: {', '.join(sorted(known))}",
    )


#: Most entries of any list in a study file (layers, units, seeds...): a grid is their product.
MAX_LIST = 1000

#: Most units of work one study plans (the default study plans about 20; a grid of layers
#: 1..1000 x units 1..1000 planned for minutes and took 4.8 GB before this limit).
MAX_PLANNED_UNITS = 5_000

#: Largest study file rnncap reads (the default study is about 1 KB).
MAX_STUDY_BYTES = 2**20

#: Deepest nesting of arrays and inline tables in a study file (tomllib recursed 5,000 deep).
MAX_STUDY_NESTING = 16

#: Most seeds trained together as one unit, and most forecasts kept per run.
MAX_CHUNK = 1000
MAX_FORECAST_POINTS = 100_000


def _int_list(value: Any, what: str, minimum: int = 1, high: int | None = None) -> tuple[int, ...]:
    return check_int_list(value, what, low=minimum, high=high, max_items=MAX_LIST)


@dataclass(frozen=True)
class Frontier:
    """Equal-parameter architectures of one cell: the widest model at each depth within a budget.

    ``budget`` is a parameter count, or an architecture string whose exact count (with the study's
    input size, sequence length and head) becomes the budget, or a Keras or PyTorch model file
    whose recurrent stack and head, counted as saved, is the budget.
    """

    cell: str = "lstm"
    budget: int | str = "lstm:2x32"
    layers: tuple[int, ...] = (1, 2, 3, 4)

    def __post_init__(self) -> None:
        b = self.budget
        require(
            (is_int(b) and b >= 1) or (isinstance(b, str) and ":" in b) or looks_like_model_file(b),
            f"frontier budget must be a parameter count >= 1, an architecture such as "
            f"'lstm:2x32' or a model file such as 'model.keras'; got {b!r}",
        )
        layers = _int_list(self.layers, "frontier layers", high=MAX_LAYERS)
        object.__setattr__(self, "layers", layers)
        require(len(self.layers) >= 1, "frontier layers must not be empty; e.g. layers = [1, 2]")

    @classmethod
    def from_dict(cls, data: dict) -> Frontier:
        require(isinstance(data, dict), f"[[grid.frontier]] must be a table; got {data!r}")
        _check_keys("grid.frontier", data, {f.name for f in dataclasses.fields(cls)})
        return cls(**data)


@dataclass(frozen=True)
class Grid:
    """Architectures: cells x layers x units, plus explicit per-layer widths and frontiers."""

    cells: tuple[str, ...] = ("lstm",)
    layers: tuple[int, ...] = (1, 2, 3, 4)
    units: tuple[int, ...] = (8, 16, 32, 64)
    widths: tuple[tuple[int, ...], ...] = ()
    frontier: tuple[Frontier, ...] = (Frontier(),)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        cells = self.cells if isinstance(self.cells, (list, tuple)) else [self.cells]
        require(all(isinstance(c, str) for c in cells), f"grid cells must be names; got {cells!r}")
        set_(self, "cells", tuple(cells))
        set_(self, "layers", _int_list(self.layers, "grid layers", high=MAX_LAYERS))
        set_(self, "units", _int_list(self.units, "grid units"))
        require(
            isinstance(self.widths, (list, tuple)),
            f"grid widths must be a list of lists such as [[32, 16]]; got {self.widths!r}",
        )
        set_(self, "widths", tuple(_int_list(w, "each entry of grid widths") for w in self.widths))
        set_(self, "frontier", tuple(self.frontier))

    @classmethod
    def from_dict(cls, data: dict) -> Grid:
        require(isinstance(data, dict), "[grid] must be a table")
        _check_keys("grid", data, {f.name for f in dataclasses.fields(cls)})
        data = dict(data)
        if "frontier" in data:
            fr = data["frontier"]
            fr = [fr] if isinstance(fr, dict) else fr
            require(isinstance(fr, list), "grid.frontier must be a list of tables")
            data["frontier"] = tuple(Frontier.from_dict(f) for f in fr)
        return cls(**data)


@dataclass(frozen=True)
class ExecutorSettings:
    """``kind``: inline (default), process (``workers`` processes) or ray (``address``)."""

    kind: ExecutorKind = ExecutorKind.INLINE
    workers: int = 2  # process pool size (one torch thread each)
    address: str | None = None  # Ray cluster address; None starts a local Ray
    num_cpus: int | None = None  # CPUs of a local Ray started by the study

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", ExecutorKind(getattr(self.kind, "value", self.kind)))
        except ValueError:
            choices = ", ".join(k.value for k in ExecutorKind)
            raise InvalidInput(
                f"unknown executor {self.kind!r}; choose one of: {choices}"
            ) from None
        check_int(self.workers, "executor workers", low=1, high=1024)
        if self.num_cpus is not None:
            check_int(self.num_cpus, "executor num_cpus", low=1, high=100_000)
        require(
            self.address is None or (isinstance(self.address, str) and self.address.strip()),
            f"executor address must be HOST:PORT or ray://HOST:PORT; got {self.address!r}",
        )

    @classmethod
    def from_dict(cls, data: dict) -> ExecutorSettings:
        require(isinstance(data, dict), "[executor] must be a table")
        _check_keys("executor", data, {f.name for f in dataclasses.fields(cls)})
        return cls(**data)


def _check_memorization(options: dict, where: str = "[memorization]") -> None:
    """Types and ranges of the [memorization] (or [depth]) overrides, before anything is planned
    or written."""
    ints = (("budget", 1), ("input_bits", 1), ("delay", 0), ("epochs", 1), ("seeds", 1),
            ("units", 1), ("vc_epochs", 1), ("vc_reps", 1))  # fmt: skip
    for key, low in ints:
        if key in options:
            check_int(options[key], f"{key} in {where}", low=low, high=10**9)
    if options.get("sample_sizes") is not None:
        _int_list(options["sample_sizes"], f"sample_sizes in {where}")
    for key, noun, high in (("sample_fractions", "numbers", 1e3), ("lrs", "learning rates", 10.0)):
        if key in options:
            values = options[key]
            require(
                isinstance(values, list) and len(values) >= 1,
                f"{key} in {where} must be a list of {noun} > 0; got {values!r}",
            )
            for v in values:
                check_float(v, f"{key} in {where}", low=0.0, strict_low=True, high=high)
    if "schedules" in options:
        from rnncap.engine.bookkeeping import Schedule

        names = options["schedules"]
        choices = [v.value for v in Schedule]
        require(
            isinstance(names, list) and len(names) >= 1 and all(n in choices for n in names),
            f"schedules in {where} must be a list of {', '.join(choices)}; got {names!r}",
        )
    from rnncap.capacity.sweep import CLASSIFICATION_LOSSES, ENCODINGS

    for key, choices in (("losses", CLASSIFICATION_LOSSES), ("encodings", ENCODINGS)):
        names = options.get(key, [choices[0]])
        require(
            isinstance(names, list) and len(names) >= 1 and all(n in choices for n in names),
            f"{key} in {where} must be a list of {', '.join(choices)}; got {names!r}",
        )
    require(
        len(options.get("encodings", ["binary"])) == 1,
        f"encodings in {where} takes one input encoding (a protocol variant, not a swept knob); "
        f"got {options.get('encodings')!r}",
    )


@dataclass(frozen=True)
class StudyConfig:
    """A whole study: task, grid, seeds, measures, training budget, executor.

    ``task`` and ``training`` are plain dicts of overrides for `rnncap.data.Task` and the
    forecasting recipe `rnncap.engine.ForecastSettings`; ``training`` is checked here against
    the record's fields and values (`recipe`), ``task`` when the study is planned.
    ``chunk`` is the number of seeds of one architecture trained together as one unit of work.
    ``forecast_points`` is how many test forecasts of each run the store keeps for the report.
    ``axes`` is the [axes] table: hyperparameters each architecture is trained at
    (`rnncap.study.axes`; their values are fields of the recipe, checked by it).
    """

    name: str = "study"
    task: dict = field(default_factory=dict)
    grid: Grid = Grid()
    seeds: tuple[int, ...] = (0, 1, 2)
    measures: tuple[Measure, ...] = tuple(m for m in Measure if m not in OPT_IN_MEASURES)
    training: dict = field(default_factory=dict)
    executor: ExecutorSettings = ExecutorSettings()
    chunk: int = 8
    forecast_points: int = 336  # two weeks of hourly forecasts
    memorization: dict = field(default_factory=dict)  # overrides for the memorization measure
    depth: dict = field(default_factory=dict)  # overrides for the depth measure (opt-in)
    axes: dict = field(default_factory=dict)  # hyperparameter axes (`rnncap.study.axes`)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        require(isinstance(self.name, str) and self.name.strip(), "study name must be a string")
        for what in ("task", "training", "memorization", "depth", "axes"):
            value = getattr(self, what)
            require(isinstance(value, dict), f"[{what}] must be a table; got {value!r}")
        seeds = self.seeds
        if is_int(seeds):
            seeds = tuple(range(check_int(seeds, "seeds (a count)", low=1, high=MAX_LIST)))
        set_(self, "seeds", _int_list(seeds, "seeds", minimum=0))
        require(len(self.seeds) >= 1, "seeds must not be empty; e.g. seeds = [0, 1, 2]")
        require(len(set(self.seeds)) == len(self.seeds), f"seeds repeat: {list(self.seeds)}")
        measures = tuple(self.measures)
        bad = sorted(set(measures) - set(MEASURES))
        require(not bad, f"unknown measures {bad}; choose from: {', '.join(MEASURES)}")
        set_(self, "measures", tuple(Measure(m) for m in measures))
        self.recipe()  # unknown [training] keys or bad values: one line, now
        self.points()  # unknown axes or bad values: one line, now
        _check_keys("memorization", self.memorization, set(MEMORIZATION_KEYS))
        _check_memorization(self.memorization)
        _check_keys("depth", self.depth, set(DEPTH_KEYS))
        _check_memorization(self.depth, "[depth]")
        check_int(self.chunk, "chunk", low=1, high=MAX_CHUNK, hint="seeds trained together")
        check_int(self.forecast_points, "forecast_points", low=0, high=MAX_FORECAST_POINTS)
        check_limit(
            self.planned_units(),
            MAX_PLANNED_UNITS,
            "the number of units of work the study plans (architectures x seed chunks)",
            "use fewer layers, units, widths or frontier depths, or a larger chunk",
        )

    def planned_units(self) -> int:
        """Units of work the grid plans (each architecture x each chunk of seeds), counted from
        the list lengths before any architecture is built."""
        g = self.grid
        archs = len(g.cells) * len(g.layers) * len(g.units) + len(g.widths)
        archs += sum(len(f.layers) for f in g.frontier)
        return archs * len(self.points()) * -(-len(self.seeds) // self.chunk)

    def points(self) -> list[dict[str, Any]]:
        """The training points of the [axes] table (`rnncap.study.axes.axis_points`): each
        architecture is trained at every one of them (one empty point without axes)."""
        return axis_points(self.axes, self.training)

    @classmethod
    def from_dict(cls, data: dict) -> StudyConfig:
        """Build from the parsed TOML document (unknown keys anywhere are errors)."""
        _check_keys("top level", data, {f.name for f in dataclasses.fields(cls)})
        data = dict(data)
        if "grid" in data:
            data["grid"] = Grid.from_dict(data["grid"])
        if "executor" in data:
            data["executor"] = ExecutorSettings.from_dict(data["executor"])
        return cls(**data)

    def recipe(self, point: dict[str, Any] | None = None) -> ForecastSettings:
        """The record a model of the study trains with: the ``[training]`` overrides on the
        recipe's defaults (the report's Training line is written from it too), and the values
        of one training point of the [axes] table when given. ``blend`` is "none": a study
        measures each network's own forecast, not its combination with a linear model."""
        options = {"blend": "none", **self.training, **(point or {})}
        where = "[training] of the study file"
        recipe = ForecastSettings.from_options(options, where)
        require(
            recipe.blend == "none",
            f'{where}: blend = "{recipe.blend}" cannot be studied: a study measures each '
            "network's own forecast (rnncap forecast train blends it after training); drop blend",
        )
        return recipe

    def replace(self, **changes: Any) -> StudyConfig:
        return dataclasses.replace(self, **changes)


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` / ``{`` in TOML text, outside strings and comments (a
    table header ``[[x]]`` counts 2); computed by one pass, before the parser recurses."""
    depth = deepest = 0
    quote, i = "", 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote) - 1
        elif c == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
        i += 1
    return deepest


def load_study(path: str | Path) -> StudyConfig:
    """Read and validate a TOML study file."""
    p = check_readable_file(
        path,
        "the study file",
        missing=f"study file {str(path)!r} not found; give the path of a .toml file",
        max_bytes=MAX_STUDY_BYTES,
        limit_name="a study file is a few lines of settings",
    )
    try:
        text = p.read_text(encoding="utf-8")
        check_limit(
            nesting_depth(text),
            MAX_STUDY_NESTING,
            f"the nesting depth of the arrays and tables in {str(p)!r}",
            "a study file needs lists of numbers and tables of settings, nothing deeper",
        )
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"malformed study file {str(p)!r}: {exc}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"study file {str(p)!r} is not UTF-8 text") from None
    grid = data.get("grid")
    frontiers = grid.get("frontier") if isinstance(grid, dict) else None
    for fr in frontiers if isinstance(frontiers, list) else []:
        budget = fr.get("budget") if isinstance(fr, dict) else None
        if looks_like_model_file(budget) and not Path(budget).is_absolute():
            fr["budget"] = str(p.parent / budget)  # model files are relative to the study file
    return StudyConfig.from_dict(data)
