"""Options and helpers shared by the `rnncap capacity` commands (`cli/capacity.py`,
`cli/capacity_depth.py`): the sub-app, typed options, list parsers, the sweep and progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from rnncap.cli.app import app
from rnncap.cli.output import stderr
from rnncap.errors import InvalidInput, check_int, parse_int_text

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


def ints(text: str, option: str) -> list[int]:
    """'64,128,256' -> [64, 128, 256]; one line and exit 2 on anything else."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    hint = f"whole numbers separated by commas, e.g. {option} 8,16,32"
    return [parse_int_text(p, option, low=1, hint=hint) for p in parts]


def set_threads(threads: int) -> None:
    check_int(threads, "--threads", low=0, high=1024, hint="0 keeps torch's default")
    if threads:
        import torch

        torch.set_num_threads(threads)


@contextmanager
def progress_bar(label: str) -> Iterator:
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


def fixed(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def floats(text: str, option: str) -> list[float]:
    """'0.01,0.03' -> [0.01, 0.03]; one line and exit 2 on anything else."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise InvalidInput(
            f"{option} takes numbers separated by commas; got {text!r} (e.g. {option} 0.01,0.03)"
        ) from None


def names(text: str) -> list[str]:
    return [p.strip() for p in str(text).split(",") if p.strip()]


def sweep_of(lr: str, schedule: str, restarts: int, loss: str = "bce", encoding: str = "binary"):
    from rnncap.capacity.sweep import Sweep

    lrs, schedules = tuple(floats(lr, "--lr")), tuple(names(schedule))
    return Sweep(lrs, schedules, restarts, tuple(names(loss)), tuple(names(encoding)))


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


def budget_text(budget: dict) -> str:
    from rnncap.capacity.sweep import encoding_label

    return (
        f"{', '.join(map(str, budget['budget_epochs']))} full-batch Adam steps (doubling "
        "budgets), "
        f"best of {budget['members_per_point']} members per point: lr {budget['lrs']} x "
        f"{'/'.join(budget['schedules'])} x {'/'.join(budget.get('losses', ['bce']))} loss x "
        f"{budget['restarts']} restart(s). Inputs: {encoding_label(budget['encodings'][0])}"
    )


def parse_layers(text: str) -> list[int]:
    """'1-4' -> [1, 2, 3, 4]; '1,2,4' -> [1, 2, 4]."""
    text = str(text).strip()
    if "-" in text and "," not in text:
        lo, _, hi = text.partition("-")
        bounds = ints(f"{lo},{hi}", "--layers")
        if len(bounds) != 2 or bounds[0] > bounds[1]:
            raise InvalidInput(
                f"--layers takes a range like 1-4 or a list like 1,2,4; got {text!r}"
            )
        return list(range(bounds[0], bounds[1] + 1))
    return ints(text, "--layers")


def ratio_cell(ratio: float, ci: list[float] | None) -> str:
    return f"{ratio:.2f}" if ci is None else f"{ratio:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
