"""Measuring capacity by depth in one design: the networks of a design (`depth_specs`), one
depth's VC and memorization curves (`measure_depth_row`), and every depth (`measure_depth`).
The records they return, their ratios and sentences are in `rnncap.capacity.depth`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rnncap.arch import RecurrentSpec, parse_arch
from rnncap.capacity.checks import positive_int, seed_list
from rnncap.capacity.depth import (
    DESIGNS,
    EQUAL_PARAMS,
    FIXED_WIDTH,
    DepthBudget,
    DepthMeasure,
    DepthMeasurement,
    DepthRow,
)
from rnncap.capacity.memorize import planned_grid
from rnncap.capacity.training import DEFAULT_MAX_SAMPLES, Progress
from rnncap.capacity.tuned import tuned_memorization
from rnncap.errors import require


def depth_specs(
    cell: str,
    units: int | None,
    layers: Sequence[int],
    input_bits: int,
    delay: int,
    *,
    design: str = FIXED_WIDTH,
    target_parameters: int | None = None,
) -> list[RecurrentSpec]:
    """One spec per depth (input_bits inputs, 1 + delay steps, one logit): `cell` at `units` per
    layer (fixed-width, units >= input_bits) or at the width closest to `target_parameters`
    (equal-params, the arch frontier)."""
    require(design in DESIGNS, f"unknown design {design!r}; choose from {', '.join(DESIGNS)}")
    depths = sorted({positive_int(v, "a depth", "e.g. layers=(1, 2, 3, 4)") for v in layers})
    require(len(depths) >= 1, "give at least one depth (e.g. layers=(1, 2, 3, 4))")
    require(delay >= 0, f"the delay must be >= 0; got {delay} (e.g. delay=2)")
    positive_int(input_bits, "inputs per step", "e.g. input_bits=4")
    if design == EQUAL_PARAMS:
        from rnncap.arch import frontier

        target = positive_int(target_parameters, "target parameters", "e.g. 400")
        template = parse_arch(f"{cell}:1x1", input_size=input_bits, seq_len=1 + delay, outputs=1)
        return [point.spec for point in frontier(template, target, depths)]
    units = positive_int(units, "units", "e.g. units=4")
    require(
        units >= input_bits,
        f"the fixed width {units} is below the {input_bits} inputs per step: the narrow layers "
        "would pass the input on through fewer numbers than it has, so the measure would be of "
        "width, not depth; use units >= inputs per step (fewer inputs with the gaussian "
        "encoding) or the equal-params design",
    )
    return [
        parse_arch(f"{cell}:{depth}x{units}", input_size=input_bits, seq_len=1 + delay, outputs=1)
        for depth in depths
    ]


def measure_depth_row(
    spec: RecurrentSpec,
    seeds: int | Sequence[int] = 3,
    budget: DepthBudget | None = None,
    *,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    device: str | None = None,
) -> DepthRow:
    """VC dimension and memorization capacity of one network (one depth), per seed, each at
    of the budget's doubling budgets."""
    from rnncap.capacity import vc  # torch: imported at use, records stay light

    budget = budget or DepthBudget()
    seeds_ = seed_list(seeds)
    spec, w, _ = planned_grid(spec, budget.sample_sizes, max_samples, budget.sweep.encoding)
    design = dataclasses.replace(vc.default_design(w), repetitions=budget.vc_repetitions)
    mem = tuned_memorization(
        spec, budget.sample_sizes, seeds_, epochs=budget.memorization_epochs, sweep=budget.sweep,
        budgets=budget.budgets, max_samples=max_samples, device=device,
    )  # fmt: skip
    vc_epochs = budget.budget_epochs(budget.vc_epochs)
    vc_values: dict[int, list[float]] = {e: [] for e in vc_epochs}
    bracketed = True
    for seed in seeds_:
        for epochs in vc_epochs:
            settings = vc.default_vc_settings(epochs, budget.vc_lr)
            est = vc.measure_vc_recurrent(
                spec, design, seed=seed, settings=settings, max_samples=max_samples, device=device
            )
            vc_values[epochs].append(est.h)
            bracketed = bracketed and (epochs != vc_epochs[-1] or est.fit.bracketed)
    memorization = DepthMeasure(
        tuple(tuple(r.capacity_by_seed()[s] for s in seeds_) for r in mem.runs)
    )
    vc_measure = DepthMeasure(tuple(tuple(vc_values[e]) for e in vc_epochs))
    return DepthRow(spec.num_layers, spec.name, w, vc_measure, memorization, bracketed, seeds_)


def measure_depth(
    cell: str,
    units: int | None = None,
    layers: Sequence[int] = (1, 2, 3, 4),
    *,
    design: str = FIXED_WIDTH,
    target_parameters: int | None = None,
    input_bits: int = 12,
    delay: int = 2,
    seeds: int | Sequence[int] = 3,
    budget: DepthBudget | None = None,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: Progress | None = None,
    device: str | None = None,
) -> DepthMeasurement:
    """Measure VC dimension and memorization capacity of `cell` per depth, in one design:
    fixed-width at `units` per layer (>= `input_bits`), or equal-params at `target_parameters`.

    Each measure runs per seed at doubling budgets (`DepthBudget`: memorization epochs
    and sweep, b grid (default w..8w of each depth), VC epochs, learning rate and repetitions per
    size of the default design).
    """
    budget = budget or DepthBudget()
    specs = depth_specs(
        cell, units, layers, input_bits, delay, design=design, target_parameters=target_parameters
    )
    for spec in specs:  # every depth's grid is checked before the first one trains
        planned_grid(spec, budget.sample_sizes, max_samples, budget.sweep.encoding)
    seeds_ = seed_list(seeds)
    if progress:  # everything is checked: say so before the first (long) depth trains
        progress(0, len(specs))
    rows = []
    for i, spec in enumerate(specs):
        rows.append(measure_depth_row(spec, seeds_, budget, max_samples=max_samples, device=device))
        if progress:
            progress(i + 1, len(specs))
    width = None if design == EQUAL_PARAMS else int(units)  # type: ignore[arg-type]
    return DepthMeasurement(
        cell, width, input_bits, delay, seeds_, tuple(rows), budget, design, target_parameters
    )
