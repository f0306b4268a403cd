"""`rnncap capacity memorize|rademacher|vc|norms|gaps`: empirical capacity measures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from rnncap.capacity.convergence import INTERVAL_METHOD
from rnncap.capacity.stats import interval_text
from rnncap.cli.app import app
from rnncap.cli.output import JsonOpt, fmt_int, print_json, stderr, stdout, table
from rnncap.cli.resolve import TrustOpt, task_spec
from rnncap.engine.settings import ForecastSettings
from rnncap.errors import InvalidInput, check_float, check_int, parse_int_text
from rnncap.plain import to_plain

capacity_app = typer.Typer(help="Measure capacity: memorization, Rademacher, VC, norms, gaps.")
app.add_typer(capacity_app, name="capacity")

ArchArg = Annotated[
    str,
    typer.Argument(
        help="Architecture, e.g. lstm:1x8 or gru:4,4, or a model file (.keras, .pt) whose cell "
        "and widths are measured on this task's inputs."
    ),
]
SeedsOpt = Annotated[int, typer.Option("--seeds", help="Number of seeds (0..n-1).")]
EpochsOpt = Annotated[int, typer.Option(help="Training epochs per member (full batch).")]
LrOpt = Annotated[float, typer.Option(help="Adam learning rate.")]
MaxSamplesOpt = Annotated[
    int, typer.Option(help="Budget: most training samples one member may get.")
]
ThreadsOpt = Annotated[int, typer.Option(help="Torch CPU threads (0 = torch's default).")]
DataOpt = Annotated[str, typer.Option("--data", help="nyc2013, or a Jena or CSV file.")]
HistoryOpt = Annotated[int, typer.Option(help="Input steps per window (k).")]
HorizonOpt = Annotated[int, typer.Option(help="Steps ahead of the last input.")]


def _ints(text: str, option: str) -> list[int]:
    """'64,128,256' -> [64, 128, 256]; one line and exit 2 on anything else."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    hint = f"whole numbers separated by commas, e.g. {option} 8,16,32"
    return [parse_int_text(p, option, low=1, hint=hint) for p in parts]


def _threads(threads: int) -> None:
    check_int(threads, "--threads", low=0, high=1024, hint="0 keeps torch's default")
    if threads:
        import torch

        torch.set_num_threads(threads)


@contextmanager
def _bar(label: str) -> Iterator:
    """A Rich progress bar on stderr; yields the `progress(done, total)` callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    bar = Progress(*columns, console=stderr(), transient=True)
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    if bar.console.is_terminal:  # at once, its clock running: progress within a second; on a
        bar.start()  # terminal a transient bar is erased, so a refusal stays the one line
    try:
        yield update
    finally:
        if bar.live.is_started:
            bar.stop()


def _f(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _floats(text: str, option: str) -> list[float]:
    """'0.01,0.03' -> [0.01, 0.03]; one line and exit 2 on anything else."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise InvalidInput(
            f"{option} takes numbers separated by commas; got {text!r} (e.g. {option} 0.01,0.03)"
        ) from None


def _names(text: str) -> list[str]:
    return [p.strip() for p in str(text).split(",") if p.strip()]


def _sweep(lr: str, schedule: str, restarts: int, loss: str = "bce", encoding: str = "binary"):
    from rnncap.capacity.sweep import Sweep

    lrs, schedules = tuple(_floats(lr, "--lr")), tuple(_names(schedule))
    return Sweep(lrs, schedules, restarts, tuple(_names(loss)), tuple(_names(encoding)))


LrGridOpt = Annotated[
    str, typer.Option("--lr", help="Adam learning rates swept at every point, e.g. 0.003,0.01.")
]
ScheduleOpt = Annotated[
    str, typer.Option(help="Schedules swept at every point: constant, cosine, onecycle.")
]
RestartsOpt = Annotated[int, typer.Option(help="Initialisations per configuration (restarts).")]
LossOpt = Annotated[
    str,
    typer.Option(
        "--loss", help="Training losses swept at every point: bce (Collins et al.), hinge."
    ),
]
EncodingOpt = Annotated[
    str,
    typer.Option(
        "--encoding",
        help="Protocol variant, one per measurement: inputs as binary 0/1 bits (Collins et al.), "
        "signed -1/+1 bits (not the same function class once delay >= 1) or gaussian N(0, 1) "
        "numbers (general position: any input size holds any b).",
    ),
]
BudgetOpt = Annotated[
    int,
    typer.Option("--epochs", help="First budget: full-batch epochs; then 2x and 4x (3 budgets)."),
]
DEFAULT_LRS, DEFAULT_SCHEDULES = "0.003,0.01,0.03", "cosine,onecycle"


def _budget_text(budget: dict) -> str:
    from rnncap.capacity.sweep import encoding_label

    return (
        f"{', '.join(map(str, budget['budget_epochs']))} full-batch Adam steps (doubling "
        "budgets), "
        f"best of {budget['members_per_point']} members per point: lr {budget['lrs']} x "
        f"{'/'.join(budget['schedules'])} x {'/'.join(budget.get('losses', ['bce']))} loss x "
        f"{budget['restarts']} restart(s). Inputs: {encoding_label(budget['encodings'][0])}"
    )


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

    _threads(threads)
    check_int(delay, "--delay", low=0, hint="e.g. --delay 4")
    spec = task_spec(arch, input_size=input_bits, seq_len=1 + delay, trust=trust)
    grid = _ints(samples, "--samples") if samples else None
    sweep = _sweep(lr, schedule, restarts, loss, encoding)
    with _bar("memorizing") as progress:
        result = tuned_memorization(
            spec, grid, seeds, epochs=epochs, max_epochs=max_epochs or None, sweep=sweep,
            max_samples=max_samples, progress=progress,
        )  # fmt: skip
    if json:
        return print_json(result)
    first = {c["samples"]: c for c in result.at_budget.curve()}
    best = {p.samples: p for p in result.at_double.points if p.seed == result.at_double.seeds[0]}
    rows = [
        (fmt_int(c["samples"]), _f(c["fraction_correct"]["mean"]),
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
        f"Published 3-6 (~5) after tuning. Budget: {_budget_text(result.budget)}."
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


def _layers(text: str) -> list[int]:
    """'1-4' -> [1, 2, 3, 4]; '1,2,4' -> [1, 2, 4]."""
    text = str(text).strip()
    if "-" in text and "," not in text:
        lo, _, hi = text.partition("-")
        bounds = _ints(f"{lo},{hi}", "--layers")
        if len(bounds) != 2 or bounds[0] > bounds[1]:
            raise InvalidInput(
                f"--layers takes a range like 1-4 or a list like 1,2,4; got {text!r}"
            )
        return list(range(bounds[0], bounds[1] + 1))
    return _ints(text, "--layers")


def _ratio_cell(ratio: float, ci: list[float] | None) -> str:
    return f"{ratio:.2f}" if ci is None else f"{ratio:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


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
    from rnncap.capacity.depth import DepthBudget, measure_depth

    _threads(threads)
    depths = _layers(layers)
    budget = DepthBudget(
        epochs,
        _sweep(lr, schedule, restarts, loss, encoding),
        vc_epochs=vc_epochs,
        vc_repetitions=vc_reps,
    )
    with _bar("measuring depths") as progress:
        result = measure_depth(
            cell, units, depths, design=str(design).strip().lower(),
            target_parameters=target_params, input_bits=input_bits, delay=delay, seeds=seeds,
            budget=budget, max_samples=max_samples, progress=progress,
        )  # fmt: skip
    if json:
        return print_json(result)
    rows = [
        (r.layers, r.arch, fmt_int(r.parameters), _f(q["parameter_ratio"], 2),
         interval_text(r.vc.summary, 1), _ratio_cell(q["vc_ratio"], q["vc_ratio_ci95"]),
         r.vc.convergence.verdict, interval_text(r.memorization.summary, 0),
         _ratio_cell(q["memorization_ratio"], q["memorization_ratio_ci95"]),
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
        f"repetitions per size. Memorization: Collins et al., {_budget_text(mb)}."
    )
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

    _threads(threads)
    x, features, source = task_windows(
        Task(dataset=data, history=history, horizon=horizon), windows, seed
    )
    spec = task_spec(arch, input_size=features, seq_len=history, trust=trust)
    with _bar("fitting signs") as progress:
        est = empirical_rademacher(
            spec, x, draws, seed=seed, settings=default_rademacher_settings(epochs, lr),
            max_samples=max_samples, source=source, progress=progress,
            max_flops=check_float(max_tflops, "--max-tflops", low=0, strict_low=True) * 1e12,
        )  # fmt: skip
    if json:
        return print_json(est)
    rows = [
        (i, _f(c), _f(s))
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

    _threads(threads)
    lengths = _ints(seq_len, "--seq-len")
    if not lengths:
        raise InvalidInput("--seq-len needs at least one length k >= 1 (e.g. --seq-len 1,4)")
    design = VCDesign(tuple(_ints(n, "--n")), reps) if n else None
    specs = [
        None if a == "linear" else task_spec(a, input_size=input_size, seq_len=k, trust=trust)
        for a in archs
        for k in (lengths if a != "linear" else [1])
    ]  # parsing every spec first: bad input fails before any training
    for spec in specs:
        if spec is not None:
            check_vc_design(spec, design, max_samples)  # every limit before any array is drawn
    estimates = []
    with _bar("measuring VC") as progress:
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
        (e.model, e.seq_len, fmt_int(e.parameters), f"{e.h:.1f}", _f(g["h_ratio"], 2),
         _f(g["wk_ratio"], 2), "-" if e.known_vc is None else e.known_vc,
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
        (_matrix_name(r), r.gate, "x".join(map(str, r.shape)), _f(r.spectral), _f(r.frobenius),
         _f(r.stable_rank, 2), _f(r.distance_from_init), _f(r.relative_distance, 2))
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

    _threads(threads)
    task = Task(dataset=data, history=history, horizon=horizon, stride=stride)
    with _bar("training") as progress:
        result = generalization_gaps(
            archs, task, seeds, ForecastSettings(epochs=epochs), progress=progress
        )
    if json:
        return print_json(result)
    rows = [
        (s["arch"], fmt_int(s["parameters"]), _f(s["train_mae"]["mean"]),
         _f(s["val_mae"]["mean"]), _f(s["test_mae"]["mean"]), _f(s["gap"]["mean"]),
         _f(s["gap"]["std"]))
        for s in result.summary()
    ]  # fmt: skip
    cols = ["arch", "w", "train", "val", "test", "gap", "± std"]
    caption = (
        f"MAE in {result.units}, mean over {seeds} seeds; gap = test MAE - train MAE; the "
        "forecasting recipe (rnncap forecast train's defaults), best-validation weights."
    )
    title = f"Generalization gaps (MAE, {result.units})"
    stdout().print(table(title, cols, rows, right=cols[1:]))
    stdout().print(caption, markup=False)
