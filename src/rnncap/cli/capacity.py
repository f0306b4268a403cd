"""`rnncap capacity memorize|rademacher|vc|norms|gaps`: empirical capacity measures (`depth` and
`atlas` are in `cli/capacity_depth.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rnncap.capacity.convergence import INTERVAL_METHOD
from rnncap.capacity.stats import interval_text
from rnncap.cli.capacity_options import (
    DEFAULT_LRS,
    DEFAULT_SCHEDULES,
    ArchArg,
    BudgetOpt,
    DataOpt,
    EncodingOpt,
    EpochsOpt,
    HistoryOpt,
    HorizonOpt,
    LossOpt,
    LrGridOpt,
    LrOpt,
    MaxSamplesOpt,
    RestartsOpt,
    ScheduleOpt,
    SeedsOpt,
    ThreadsOpt,
    budget_text,
    capacity_app,
    fixed,
    ints,
    progress_bar,
    set_threads,
    sweep_of,
)
from rnncap.cli.output import JsonOpt, fmt_int, print_json, stdout, table
from rnncap.cli.resolve import TrustOpt, task_spec
from rnncap.engine.settings import ForecastSettings
from rnncap.errors import InvalidInput, check_float, check_int
from rnncap.plain import to_plain


@capacity_app.command("memorize")
def memorize(
    arch: ArchArg,
    input_bits: Annotated[
        int, typer.Option(help="Inputs per step n_in (bits, or numbers with --encoding gaussian).")
    ] = 16,
    delay: Annotated[int, typer.Option(help="Steps between input and read-out.")] = 4,
    samples: Annotated[str, typer.Option(help="Grid of b, e.g. 64,128,256 (default w..8w).")] = "",
    seeds: SeedsOpt = 3,
    epochs: BudgetOpt = 1000,
    max_epochs: Annotated[
        int, typer.Option(help="Keep doubling the budget up to this while budget-limited.")
    ] = 0,
    lr: LrGridOpt = DEFAULT_LRS,
    schedule: ScheduleOpt = DEFAULT_SCHEDULES,
    restarts: RestartsOpt = 1,
    loss: LossOpt = "bce",
    encoding: EncodingOpt = "binary",
    max_samples: MaxSamplesOpt = 20_000,
    threads: ThreadsOpt = 1,
    trust: TrustOpt = False,
    json: JsonOpt = False,
) -> None:
    """Bits memorized per parameter (Collins et al. 2017), tuned per point, with its verdict.

    Every (b, seed) trains the sweep (learning rates x schedules x restarts) and keeps its best
    member; the whole measurement runs at 3 doubling budgets (--epochs, 2x, 4x): "converged"
    when the last doubling rose by less than 5 % over >= 3 seeds, 95 % interval included; a fall
    is "unstable"; else "budget-limited" (or "unverified" with fewer seeds).

    Example: rnncap capacity memorize rnn_tanh:1x4 --input-bits 12 --delay 2 --epochs 300
    """
    from rnncap.capacity.tuned import tuned_memorization

    set_threads(threads)
    check_int(delay, "--delay", low=0, hint="e.g. --delay 4")
    spec = task_spec(arch, input_size=input_bits, seq_len=1 + delay, trust=trust)
    grid = ints(samples, "--samples") if samples else None
    sweep = sweep_of(lr, schedule, restarts, loss, encoding)
    with progress_bar("memorizing") as progress:
        result = tuned_memorization(
            spec, grid, seeds, epochs=epochs, max_epochs=max_epochs or None, sweep=sweep,
            max_samples=max_samples, progress=progress,
        )  # fmt: skip
    if json:
        return print_json(result)
    first = {c["samples"]: c for c in result.at_budget.curve()}
    best = {p.samples: p for p in result.at_double.points if p.seed == result.at_double.seeds[0]}
    rows = [
        (fmt_int(c["samples"]), fixed(c["fraction_correct"]["mean"]),
         interval_text(c["bits"], 1), f"{first[c['samples']]['bits']['mean']:.1f}",
         f"{best[c['samples']].lr:g} {best[c['samples']].schedule} {best[c['samples']].loss}")
        for c in result.at_double.curve()
    ]  # fmt: skip
    bpp, cap = result.bits_per_parameter, result.capacity
    ident = result.identifiable or {}
    counted = (
        f", {fmt_int(ident['identifiable_parameters'])} identifiable under the protocol: "
        f"{interval_text(ident['bits_per_identifiable_parameter'])} bits per identifiable "
        "parameter"
        if ident.get("identifiable_parameters")
        else ""
    )
    caption = (
        f"w = {fmt_int(result.parameters)} (the denominator{counted}); capacity "
        f"{interval_text(cap, 1)} bits over {len(result.at_double.seeds)} seeds = "
        f"{interval_text(bpp)} bits/parameter ({INTERVAL_METHOD}): {result.verdict}. "
        f"Published 3-6 (~5) after tuning. Budget: {budget_text(result.budget)}."
        + (" The best b is the largest of the grid: extend --samples." if
           result.at_double.limited_by_grid else "")
        + " Capacity against budget: "
        + ", ".join(f"{c['capacity_bits']['mean']:.0f} bits at {c['epochs']}"
                    for c in result.curve()) + "."
    )  # fmt: skip
    epochs = result.epochs
    cols = ["b", "p correct", f"I(b) at {2 * epochs} [95%]", f"I(b) at {epochs}", "best (seed 0)"]
    stdout().print(table(f"Memorization of {result.arch}", cols, rows, right=cols[:4]))
    stdout().print(caption, markup=False)


@capacity_app.command("rademacher")
def rademacher(
    arch: ArchArg,
    data: DataOpt = "nyc2013",
    history: HistoryOpt = 24,
    horizon: HorizonOpt = 24,
    windows: Annotated[int, typer.Option(help="Training windows the signs are fitted on.")] = 128,
    draws: Annotated[int, typer.Option(help="Random sign vectors.")] = 8,
    epochs: EpochsOpt = 300,
    lr: LrOpt = 0.01,
    seed: Annotated[int, typer.Option(help="Seed of windows, signs and weights.")] = 0,
    max_samples: MaxSamplesOpt = 20_000,
    max_tflops: Annotated[
        float, typer.Option(help="Training budget of all draws together, in TFLOP.")
    ] = 10.0,
    threads: ThreadsOpt = 1,
    trust: TrustOpt = False,
    json: JsonOpt = False,
) -> None:
    """Empirical Rademacher complexity on a task's weather windows (a lower estimate).

    Example: rnncap capacity rademacher gru:1x8 --data nyc2013 --windows 64 --draws 4
    """
    from rnncap.capacity.rademacher import (
        default_rademacher_settings,
        empirical_rademacher,
        task_windows,
    )
    from rnncap.data import Task

    set_threads(threads)
    x, features, source = task_windows(
        Task(dataset=data, history=history, horizon=horizon), windows, seed
    )
    spec = task_spec(arch, input_size=features, seq_len=history, trust=trust)
    with progress_bar("fitting signs") as progress:
        est = empirical_rademacher(
            spec, x, draws, seed=seed, settings=default_rademacher_settings(epochs, lr),
            max_samples=max_samples, source=source, progress=progress,
            max_flops=check_float(max_tflops, "--max-tflops", low=0, strict_low=True) * 1e12,
        )  # fmt: skip
    if json:
        return print_json(est)
    rows = [
        (i, fixed(c), fixed(s))
        for i, (c, s) in enumerate(zip(est.correlations, est.sign_correlations, strict=True))
    ]
    caption = (
        f"w = {fmt_int(est.parameters)}, n = {est.windows} windows of {est.seq_len} steps "
        f"({source}). "
        f"R_hat >= {est.complexity:.3f} ± {est.standard_error:.3f} (mean over {est.draws} draws): "
        "a lower estimate (training approximates the sup; derived by rnncap). "
        f"Budget: {epochs} epochs full-batch Adam lr {lr}."
    )
    b = est.bound
    caption += (
        f"\nPlugged into {b['citation']}: gap <= {b['formula']} = {b['gap']:.3f} at m = "
        f"{b['m']}, δ = {b['delta']} ({'vacuous: >= 1' if b['vacuous'] else 'non-vacuous'}; "
        f"{b['status']}; not a guaranteed bound, since R_hat is a lower estimate)."
    )
    stdout().print(
        table(f"Random-sign fits of {est.arch}", ["draw", "tanh output", "sign output"], rows,
              right=["draw", "tanh output", "sign output"])
    )  # fmt: skip
    stdout().print(caption, markup=False)


@capacity_app.command("vc")
def vc(
    archs: Annotated[
        list[str], typer.Argument(help="Architectures (or 'linear'), e.g. rnn_tanh:1x2.")
    ],
    seq_len: Annotated[str, typer.Option(help="Sequence lengths k, e.g. 1,2,4.")] = "4",
    input_size: Annotated[int, typer.Option(help="Features per step (d).")] = 1,
    n: Annotated[
        str, typer.Option("--n", help="Half-sample sizes, e.g. 2,4,8,16 (default 1..8w).")
    ] = "",
    reps: Annotated[int, typer.Option(help="Repetitions per size.")] = 20,
    epochs: EpochsOpt = 300,
    lr: LrOpt = 0.02,
    seed: Annotated[int, typer.Option(help="Seed of data and weights.")] = 0,
    max_samples: MaxSamplesOpt = 20_000,
    threads: ThreadsOpt = 1,
    trust: TrustOpt = False,
    json: JsonOpt = False,
) -> None:
    """Measured VC dimension (Vapnik, Levin & LeCun 1994) and its growth with w and k.

    Example: rnncap capacity vc rnn_tanh:1x2 rnn_tanh:1x4 --seq-len 1,4 --reps 10
    'linear' measures sign(w.x + c) in R^d (true VC d + 1), the estimator's validation.
    """
    from rnncap.capacity.vc import (
        VCDesign,
        check_vc_design,
        default_vc_settings,
        growth_table,
        measure_vc_linear,
        measure_vc_recurrent,
    )

    set_threads(threads)
    lengths = ints(seq_len, "--seq-len")
    if not lengths:
        raise InvalidInput("--seq-len needs at least one length k >= 1 (e.g. --seq-len 1,4)")
    design = VCDesign(tuple(ints(n, "--n")), reps) if n else None
    specs = [
        None if a == "linear" else task_spec(a, input_size=input_size, seq_len=k, trust=trust)
        for a in archs
        for k in (lengths if a != "linear" else [1])
    ]  # parsing every spec first: bad input fails before any training
    for spec in specs:
        if spec is not None:
            check_vc_design(spec, design, max_samples)  # every limit before any array is drawn
    estimates = []
    with progress_bar("measuring VC") as progress:
        for spec in specs:
            if spec is None:
                estimates.append(
                    measure_vc_linear(input_size, design, seed=seed, progress=progress)
                )
            else:
                settings = default_vc_settings(epochs, lr)
                estimates.append(
                    measure_vc_recurrent(
                        spec, design, seed=seed, settings=settings, max_samples=max_samples,
                        progress=progress,
                    )
                )  # fmt: skip
    growth = growth_table(estimates)
    if json:
        return print_json({"estimates": [to_plain(e) for e in estimates], "growth": growth})
    rows = [
        (e.model, e.seq_len, fmt_int(e.parameters), f"{e.h:.1f}", fixed(g["h_ratio"], 2),
         fixed(g["wk_ratio"], 2), "-" if e.known_vc is None else e.known_vc,
         "yes" if e.fit.bracketed else e.fit.note)
        for e, g in zip(estimates, growth, strict=True)
    ]  # fmt: skip
    caption = (
        "h: least-squares fit of Phi(n/h) to the mean deviation |E1 - E2| (Vapnik, Levin & LeCun "
        "1994). Ratios are to the first row; Koiran & Sontag 1998 give Omega(w*k) for vanilla "
        "sigmoid/tanh and piecewise-polynomial RNNs (constant unknown, so only the ratio is "
        "shown; '-' for an LSTM or GRU, which their results do not cover). Trained by "
        f"full-batch Adam, {epochs} epochs, lr {lr} (linear: logistic loss, 300 steps)."
    )
    cols = ["model", "k", "w", "h", "h ratio", "wk ratio", "true VC", "bracketed"]
    stdout().print(table("Measured VC dimension", cols, rows, right=cols[1:7]))
    stdout().print(caption, markup=False)


def _matrix_name(row) -> str:
    """'L1.ih', 'L2.hh.rev', 'head': short names that keep the table within 80 columns."""
    if row.layer == "head":
        return "head"
    name = f"L{row.layer.split()[-1]}.{row.tensor.removeprefix('weight_')}"
    return name + (".rev" if row.direction == "reverse" else "")


@capacity_app.command("norms")
def norms(
    model: Annotated[Path, typer.Argument(help="Checkpoint written by `rnncap forecast train`.")],
    delta: Annotated[float, typer.Option(help="Confidence parameter of the bounds.")] = 0.05,
    gates: Annotated[
        bool, typer.Option(help="Show per-gate rows, not only whole matrices.")
    ] = True,
    json: JsonOpt = False,
) -> None:
    """Spectral/Frobenius norms, stable rank and distance from init, per gate and layer.

    Example: rnncap capacity norms model.pt
    """
    from rnncap.capacity.norms import checkpoint_norms

    result = checkpoint_norms(model, delta)
    if json:
        return print_json(result)
    rows = [
        (_matrix_name(r), r.gate, "x".join(map(str, r.shape)), fixed(r.spectral),
         fixed(r.frobenius),
         fixed(r.stable_rank, 2), fixed(r.distance_from_init), fixed(r.relative_distance, 2))
        for r in result.rows
        if gates or r.gate == "all"
    ]  # fmt: skip
    cols = ["matrix", "gate", "shape", "‖W‖₂", "‖W‖_F", "st. rank", "‖W−W₀‖_F", "rel."]
    out = stdout()
    title = f"Weights of {result.arch} (w = {fmt_int(result.parameters)})"
    out.print(table(title, cols, rows, right=cols[3:]))
    brows = [(b["name"], b["status"], b["text"], _verdict(b)) for b in result.bounds]
    out.print(
        table("Norm-based bounds (theory catalog)", ["bound", "status", "value", "verdict"], brows)
    )


def _verdict(bound: dict) -> str:
    if bound["kind"] == "not applicable":
        return "not applicable"
    if bound["kind"] == "order":
        return "order only (no value)"
    return "vacuous" if bound["vacuous"] else "non-vacuous"


@capacity_app.command("gaps")
def gaps(
    archs: Annotated[list[str], typer.Argument(help="Architectures, e.g. lstm:1x8 gru:2x4.")],
    data: DataOpt = "nyc2013",
    history: HistoryOpt = 24,
    horizon: HorizonOpt = 24,
    stride: Annotated[int, typer.Option(help="Keep every n-th window.")] = 1,
    seeds: SeedsOpt = 3,
    epochs: Annotated[int, typer.Option(help="Maximum epochs (early stopping on validation).")] = (
        ForecastSettings().epochs
    ),
    threads: ThreadsOpt = 1,
    json: JsonOpt = False,
) -> None:
    """Train/validation/test MAE and generalization gap of an architecture grid, over seeds, with
    the forecasting recipe (`rnncap forecast train`'s defaults).

    Example: rnncap capacity gaps lstm:1x8 gru:2x4 --stride 12 --seeds 2 --epochs 10
    """
    from rnncap.capacity.gaps import generalization_gaps
    from rnncap.data import Task

    set_threads(threads)
    task = Task(dataset=data, history=history, horizon=horizon, stride=stride)
    with progress_bar("training") as progress:
        result = generalization_gaps(
            archs, task, seeds, ForecastSettings(epochs=epochs), progress=progress
        )
    if json:
        return print_json(result)
    rows = [
        (s["arch"], fmt_int(s["parameters"]), fixed(s["train_mae"]["mean"]),
         fixed(s["val_mae"]["mean"]), fixed(s["test_mae"]["mean"]), fixed(s["gap"]["mean"]),
         fixed(s["gap"]["std"]))
        for s in result.summary()
    ]  # fmt: skip
    cols = ["arch", "w", "train", "val", "test", "gap", "± std"]
    caption = (
        f"MAE in {result.units}, mean over {seeds} seeds; gap = test MAE - train MAE; the "
        "forecasting recipe (rnncap forecast train's defaults; the network's own forecast, "
        "not blended), best-validation weights."
    )
    title = f"Generalization gaps (MAE, {result.units})"
    stdout().print(table(title, cols, rows, right=cols[1:]))
    stdout().print(caption, markup=False)
