"""`rnncap capacity depth` (is VC(L layers) = L x VC(1 layer)? measured live, in a design) and
`rnncap capacity atlas` (the converged grid that every answer quotes)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rnncap.atomic import check_writable_file
from rnncap.capacity.convergence import INTERVAL_METHOD
from rnncap.capacity.stats import interval_text
from rnncap.cli.capacity_options import (
    DEFAULT_LRS,
    DEFAULT_SCHEDULES,
    BudgetOpt,
    EncodingOpt,
    LossOpt,
    LrGridOpt,
    MaxSamplesOpt,
    RestartsOpt,
    ScheduleOpt,
    SeedsOpt,
    ThreadsOpt,
    budget_text,
    capacity_app,
    fixed,
    ints,
    names,
    parse_layers,
    progress_bar,
    ratio_cell,
    set_threads,
    sweep_of,
)
from rnncap.cli.output import JsonOpt, fmt_int, print_json, stderr, stdout, table, to_json
from rnncap.errors import check_int
from rnncap.plain import to_plain


@capacity_app.command("depth")
def depth(
    cell: Annotated[str, typer.Argument(help="Cell: rnn_tanh, rnn_relu, gru or lstm.")],
    design: Annotated[
        str,
        typer.Option(
            help="fixed-width (--units per layer, >= the inputs per step) or equal-params (the "
            "width closest to --target-params at each depth)."
        ),
    ] = "fixed-width",
    units: Annotated[int, typer.Option(help="Units per layer (fixed-width design).")] = 4,
    target_params: Annotated[
        int, typer.Option(help="Parameters per depth (equal-params design).")
    ] = 400,
    layers: Annotated[str, typer.Option(help="Depths, e.g. 1-4 or 1,2,4.")] = "1-4",
    input_bits: Annotated[
        int, typer.Option(help="Inputs per step (bits, or Gaussian numbers by default).")
    ] = 4,
    delay: Annotated[int, typer.Option(help="Steps after the input (k = 1 + delay).")] = 2,
    seeds: SeedsOpt = 3,
    epochs: BudgetOpt = 1000,
    lr: LrGridOpt = DEFAULT_LRS,
    schedule: ScheduleOpt = DEFAULT_SCHEDULES,
    restarts: RestartsOpt = 1,
    loss: LossOpt = "bce",
    encoding: EncodingOpt = "gaussian",
    vc_epochs: Annotated[int, typer.Option(help="First VC budget (then 2x and 4x).")] = 300,
    vc_reps: Annotated[int, typer.Option(help="VC repetitions per sample size.")] = 10,
    max_samples: MaxSamplesOpt = 20_000,
    threads: ThreadsOpt = 1,
    json: JsonOpt = False,
) -> None:
    """Is VC(L layers) = L x VC(1 layer)? VC dimension and memorization per depth, in a design.

    Prints h(L)/h(1) beside L and beside w(L)/w(1), with 95% intervals and convergence verdicts;
    the answer names its design (fixed-width or equal-params).

    Example: rnncap capacity depth rnn_tanh --units 4 --input-bits 4 --layers 1,2 --epochs 300
    """
    from rnncap.capacity.depth import DepthBudget
    from rnncap.capacity.depth_measure import measure_depth

    set_threads(threads)
    depths = parse_layers(layers)
    budget = DepthBudget(
        epochs,
        sweep_of(lr, schedule, restarts, loss, encoding),
        vc_epochs=vc_epochs,
        vc_repetitions=vc_reps,
    )
    with progress_bar("measuring depths") as progress:
        result = measure_depth(
            cell, units, depths, design=str(design).strip().lower(),
            target_parameters=target_params, input_bits=input_bits, delay=delay, seeds=seeds,
            budget=budget, max_samples=max_samples, progress=progress,
        )  # fmt: skip
    from rnncap.capacity.atlas.quote import depth_quote

    design_kind = str(design).strip().lower()
    quoted = depth_quote(cell, design_kind)
    if json:
        return print_json({**to_plain(result), "atlas": quoted})
    rows = [
        (r.layers, r.arch, fmt_int(r.parameters), fixed(q["parameter_ratio"], 2),
         interval_text(r.vc.summary, 1), ratio_cell(q["vc_ratio"], q["vc_ratio_ci95"]),
         r.vc.convergence.verdict, interval_text(r.memorization.summary, 0),
         ratio_cell(q["memorization_ratio"], q["memorization_ratio_ci95"]),
         f"{r.memorization.summary['mean'] / r.parameters:.2f}", r.memorization.convergence.verdict)
        for r, q in zip(result.rows, result.ratios(), strict=True)
    ]  # fmt: skip
    cols = ["L", "net", "w", "w/w1", "VC h [95%]", "h/h1 [95%]", "VC verdict", "bits [95%]",
            "bits/b1 [95%]", "bits/w", "mem. verdict"]  # fmt: skip
    title = f"{result.described}: capacity by depth"
    stdout().print(table(title, cols, rows, right=[cols[0], *cols[2:6], *cols[7:10]]))
    bd = to_plain(result.budget)
    mb = {**bd["sweep"], "budget_epochs": bd["memorization_budget_epochs"]}
    caption = (
        f"{result.sentences()['vc']}\n{result.sentences()['memorization']}\n"
        f"Means over seeds {list(result.seeds)}, at the last budget; [95%]: {INTERVAL_METHOD} "
        "(ratios: of the per-seed ratios). VC: Vapnik, Levin & LeCun fit on Gaussian sequences "
        f"({input_bits} features, k = {1 + delay}), "
        f"{', '.join(map(str, bd['vc_budget_epochs']))} epochs (doubling budgets), {vc_reps} "
        f"repetitions per size. Memorization: Collins et al., {budget_text(mb)}."
    )
    stdout().print(caption, markup=False)
    # the atlas apart: its figures come from its own protocol and budgets, not this run's
    stdout().print(
        "\nThe capacity atlas (a separate measurement, at its own budgets and protocol; the live "
        "figures above are not compared with it):\n" + "\n".join(quoted),
        markup=False,
    )


#: Points per executor call on Ray: a cluster runs many at once, and each call starts (or joins)
#: Ray again, so waves are large there; locally a wave is 2 points per worker, cheapest first.
RAY_WAVE = 64


def _designs_text(text: str, units: int, targets: str):
    from rnncap.capacity.atlas.grid import parse_designs

    return parse_designs(names(text), units, ints(targets, "--targets"))


@capacity_app.command("atlas")
def atlas(
    out: Annotated[Path, typer.Option("--out", help="Atlas folder: its results.sqlite store.")],
    cells: Annotated[str, typer.Option(help="Cells, e.g. rnn_tanh,gru.")] = "rnn_tanh,gru,lstm",
    depths: Annotated[str, typer.Option(help="Depths, e.g. 1,2,4.")] = "1,2,4",
    designs: Annotated[
        str, typer.Option(help="fixed-width (--units) and/or equal-params (--targets).")
    ] = "fixed-width,equal-params",
    units: Annotated[int, typer.Option(help="Units per layer, fixed-width design.")] = 4,
    targets: Annotated[str, typer.Option(help="Parameters per depth, equal-params.")] = "400,1600",
    seeds: SeedsOpt = 3,
    input_bits: Annotated[int, typer.Option(help="Gaussian inputs per step.")] = 4,
    delay: Annotated[int, typer.Option(help="Steps after the input (k = 1 + delay).")] = 2,
    epochs: Annotated[int, typer.Option(help="First memorization budget, then doubled.")] = 250,
    vc_epochs: Annotated[int, typer.Option(help="First VC budget, then doubled.")] = 100,
    max_budgets: Annotated[
        int, typer.Option(help="Most doubling budgets per row (>= 3; more while not converged).")
    ] = 8,
    workers: Annotated[int, typer.Option(help="Process pool size (0: in this process).")] = 0,
    ray: Annotated[
        str | None, typer.Option("--ray", help="Ray cluster address (or 'local').")
    ] = None,
    wave: Annotated[
        int, typer.Option(help="Points per executor call (0: 2 x workers; 64 on Ray).")
    ] = 0,
    export: Annotated[
        Path | None, typer.Option(help="Also write the table here, e.g. the package's atlas file.")
    ] = None,
    figures: Annotated[
        Path | None, typer.Option(help="Also draw the curves and bits-vs-w figures (PNG) here.")
    ] = None,
    export_only: Annotated[
        bool, typer.Option(help="Export the store's atlas without running (a run may go on).")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """The capacity atlas: cells x depths x designs x seeds at doubling budgets, resumable.

    Each unit (a network's seeds at one budget, one run read at every lower budget too) is a
    unit of the study store in --out, run in process, in a process pool (--workers) or on Ray
    (--ray); run it again to resume. Each row doubles
    its budget until its memorization and VC curves converged or --max-budgets. The table (with
    provenance; the rows the options name, under the store's protocol) goes to <out>/atlas.json
    and to --export.

    Example: rnncap capacity atlas --out atlas --cells rnn_tanh --depths 1,2 --epochs 50
    """
    from rnncap.atomic import write_atomic
    from rnncap.capacity.atlas.grid import AtlasGrid, AtlasProtocol
    from rnncap.capacity.atlas.run import run_atlas
    from rnncap.capacity.atlas.table import export_atlas
    from rnncap.study.config import ExecutorKind, ExecutorSettings
    from rnncap.study.executors import make_executor

    if export is not None:
        check_writable_file(export, "--export")
    grid = AtlasGrid(  # the grid to run, and the rows the table shows (missing ones included)
        tuple(names(cells)), tuple(ints(depths, "--depths")),
        _designs_text(designs, units, targets), tuple(range(check_int(
            seeds, "--seeds", low=1, high=1000, hint="e.g. --seeds 3"))),
        AtlasProtocol(input_bits, delay, epochs=epochs, vc_epochs=vc_epochs),
        max_budgets,
    )  # fmt: skip
    if not export_only:
        check_int(workers, "--workers", low=0, high=1024, hint="0 runs in this process")
        kind = ExecutorKind.RAY if ray else (ExecutorKind.PROCESS if workers else
                                             ExecutorKind.INLINE)  # fmt: skip
        settings = ExecutorSettings(kind, max(workers, 1), None if ray in (None, "local") else ray)
        err = stderr()

        def on_point(p, done: int) -> None:
            err.print(f"[{done}] {p.arch} ({p.design} {p.size}) seed {p.seed} budget "
                      f"{p.memorization_epochs}/{p.vc_epochs}: {p.bits:.0f} bits, VC h "
                      f"{p.vc_h:.0f} ({p.cpu_seconds:.0f} s CPU)", markup=False)  # fmt: skip

        check_int(wave, "--wave", low=0, high=100_000, hint="0 picks it from the executor")
        wave = wave or (RAY_WAVE if ray else 2 * max(workers, 1))
        summary = run_atlas(grid, out, make_executor(settings), wave=wave, on_point=on_point)
        if summary.failed:
            err.print(f"{summary.failed} unit(s) failed every attempt (the last: "
                      f"{summary.last_error}); running the atlas again retries them",
                      markup=False)  # fmt: skip
    table_ = export_atlas(out, shape=grid)  # the store's protocol, the options' grid
    text = to_json(table_).encode() + b"\n"
    write_atomic(Path(out) / "atlas.json", text)
    if export is not None:
        write_atomic(export, text)
    if figures is not None:
        from rnncap.capacity.atlas.figures import plot_atlas

        plot_atlas(table_, figures)
    if json:
        return print_json(table_)
    _print_atlas(table_)


def _print_atlas(t: dict) -> None:
    rows = [
        (r["cell"], r["design_label"], r["layers"], r["arch"], fmt_int(r["parameters"]),
         interval_text(r["memorization"]["bits_per_parameter"]), r["memorization"]["verdict"],
         interval_text(r["vc"]["h"], 0), r["vc"]["verdict"], r["budgets"])
        for r in t["rows"]
    ]  # fmt: skip
    cols = ["cell", "design", "L", "net", "w", "bits/w [95%]", "mem. verdict", "VC h [95%]",
            "VC verdict", "budgets"]  # fmt: skip
    stdout().print(table("Capacity atlas", cols, rows, right=["L", "w", "budgets"]))
    p = t["provenance"]
    lines = [f"{INTERVAL_METHOD}. {p['points']} points, {p['cpu_seconds'] / 3600:.2f} h CPU; "
             f"machine {p['machine']['uname']}, {p['machine']['cores']} cores."]  # fmt: skip
    lines += [f"{g['described']}: {s}" for g in t["depth"] for s in g["sentences"].values()]
    lines += [f"missing: {m['arch']} ({m['design_label']}): {m['why']}" for m in t["missing"]]
    stdout().print("\n".join(lines), markup=False)
