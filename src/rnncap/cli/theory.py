"""`rnncap bounds`, `rnncap explain`, `rnncap sample-size`: the theory catalog as commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from rnncap.arch import Convention, parse_arch
from rnncap.cli.app import app
from rnncap.cli.output import JsonOpt, print_json, stdout, table
from rnncap.errors import require
from rnncap.theory import Task, bounds, catalog, compare_bounds, explain, sample_sizes
from rnncap.theory.core import DERIVED_LABEL, Kind, fmt_log10
from rnncap.theory.explain import DEFAULT_INPUT_SIZE, DEFAULT_PAIR, DEFAULT_SEQ_LEN

InputSizeOpt = Annotated[
    int,
    typer.Option(
        "--input-size",
        help="Features per step d. Default 30: the embedded weather data "
        "(3 stations x 8 variables + 6 calendar/derived features).",
    ),
]
SeqLenOpt = Annotated[
    int, typer.Option("--seq-len", help="Sequence length k (default: the 120-step history).")
]
OutputsOpt = Annotated[int, typer.Option("--outputs", help="Width of the linear head.")]
DeltaOpt = Annotated[float, typer.Option("--delta", help="Confidence parameter, in (0, 1).")]
EpsOpt = Annotated[float, typer.Option("--epsilon", help="Accuracy parameter, > 0.")]
TaskOpt = Annotated[
    Task,
    typer.Option("--task", help="regression (forecasts: pseudo-dimension) or classification."),
]
ConventionOpt = Annotated[
    Convention, typer.Option("--convention", help="Count parameters as torch or keras does.")
]

_CAPTION = (
    "Orders (Ω/O/Θ): unknown constants, compare architectures by ratios, never a number of points. "
    "Explicit bounds are worst case and usually vacuous. DERIVED = " + DERIVED_LABEL + "."
)


def _fold(t: Table) -> Table:
    """Wrap long cells (keys, citations) instead of cutting them with an ellipsis."""
    for column in t.columns:
        column.overflow = "fold"
    return t


def _status(bound, result=None) -> str:
    """The statement's tag, plus "use DERIVED" when rnncap's application of it is derived."""
    s = bound.status.value
    if s == "DERIVED":
        return s
    derived = (
        any(DERIVED_LABEL in n for n in result.notes)
        if result is not None
        else bound.application_status.value == "DERIVED"
    )
    return s + (" · use DERIVED" if derived else "")


def _cell(result) -> str:
    text = result.text if result.kind is not Kind.NOT_APPLICABLE else f"n/a: {result.text}"
    return text


@app.command("bounds")
def bounds_cmd(
    arch: Annotated[str, typer.Argument(help="Architecture, e.g. lstm:2x64.")] = "",
    input_size: InputSizeOpt = DEFAULT_INPUT_SIZE,
    seq_len: SeqLenOpt = DEFAULT_SEQ_LEN,
    outputs: OutputsOpt = 1,
    samples: Annotated[
        int | None, typer.Option("--samples", help="Training samples m available.")
    ] = None,
    delta: DeltaOpt = 0.05,
    epsilon: EpsOpt = 0.1,
    task: TaskOpt = Task.REGRESSION,
    vc: Annotated[
        float | None, typer.Option("--vc", help="VC/Pdim proxy for the sample-size rows.")
    ] = None,
    convention: ConventionOpt = Convention.TORCH,
    only: Annotated[
        list[str] | None, typer.Option("--bound", help="Evaluate only this bound (repeatable).")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list rows that do not apply.")
    ] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the catalog and exit.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Every cited capacity bound for ARCH: value or expression, status and citation.

    Example: rnncap bounds lstm:2x64 --input-size 30 --seq-len 120 --samples 20000
    """
    if list_:
        return _list(json_)
    require(bool(arch), "give an architecture, e.g. rnncap bounds lstm:2x64 (or --list)")
    spec = parse_arch(
        arch, input_size=input_size, seq_len=seq_len, outputs=outputs, convention=convention
    )
    keys = tuple(only) if only else None
    rows = bounds(spec, m=samples, delta=delta, epsilon=epsilon, task=task, vc=vc, keys=keys)
    if json_:
        return print_json({"arch": spec.to_dict(), "task": task.value, "bounds": rows})
    shown = [r for r in rows if show_all or r.result.applicable]
    hidden = len(rows) - len(shown)
    caption = _CAPTION + (f" {hidden} rows do not apply (--all shows them)." if hidden else "")
    title = f"Capacity bounds for {spec.name} (d = {input_size}, k = {seq_len}, {task.value})"
    body = [
        (
            r.bound.key,
            r.quantity,
            r.bound.direction.value + (" (existence)" if r.bound.existence else ""),
            _cell(r.result),
            _status(r.bound, r.result),
            r.bound.citation.short(),
        )
        for r in shown
    ]
    cols = ("result", "quantity", "direction", "value or expression", "status", "citation")
    stdout().print(_fold(table(title, cols, body, caption=caption)))


def _list(json_: bool) -> None:
    cat = catalog()
    if json_:
        return print_json(list(cat))
    cols = ("key", "quantity", "form", "status", "formula", "citation")
    body = [
        (b.key, b.quantity.value, b.form.value, _status(b), b.formula, b.citation.short())
        for b in cat
    ]
    stdout().print(_fold(table("Bound catalog", cols, body)))


@app.command("explain")
def explain_cmd(
    arch_a: Annotated[str, typer.Argument(help="Architecture A.")] = DEFAULT_PAIR[0],
    arch_b: Annotated[str, typer.Argument(help="Architecture B.")] = DEFAULT_PAIR[1],
    input_size: InputSizeOpt = DEFAULT_INPUT_SIZE,
    seq_len: SeqLenOpt = DEFAULT_SEQ_LEN,
    outputs: OutputsOpt = 1,
    task: TaskOpt = Task.REGRESSION,
    convention: ConventionOpt = Convention.TORCH,
    json_: JsonOpt = False,
) -> None:
    """How capacity changes from ARCH_A to ARCH_B, computed from the figures and the catalog.

    Defaults: lstm:1x128 against lstm:2x64 with the embedded weather data's 30 inputs and the
    120-step history. Example: rnncap explain lstm:1x128 lstm:4x45
    """
    opts = dict(input_size=input_size, seq_len=seq_len, outputs=outputs, convention=convention)
    a, b = parse_arch(arch_a, **opts), parse_arch(arch_b, **opts)
    result = explain(a, b, task=task)
    if json_:
        return print_json(result)
    out = stdout()
    for line in result.lines:
        out.print(line, markup=False)
        out.print()
    body = [
        (
            r.bound.key,
            _cell(r.results[0]),
            _cell(r.results[1]),
            r.ratio_text(1) if r.ratios[1].log10 is not None else f"— {r.ratios[1].reason}",
        )
        for r in result.rows
    ]
    cols = ("bound", a.name, b.name, "B / A")
    title = "Bounds side by side (ratio: same expression, constant cancels)"
    out.print(_fold(table(title, cols, body)))


def render_bound_ratios(specs: list) -> None:
    """The bound-ratio table that `rnncap compare` shows under its figures."""
    rows = compare_bounds(specs)
    names = [s.name for s in specs]
    body = [
        (r.bound.key, r.bound.form.value, *(r.ratio_text(i) for i in range(1, len(specs))))
        for r in rows
    ]
    cols = ("bound", "form", *(f"{n} / {names[0]}" for n in names[1:]))
    title = "Bound ratios to the first (same expression: the unknown constant cancels)"
    stdout().print(_fold(table(title, cols, body, caption=_CAPTION)))


@app.command("sample-size")
def sample_size_cmd(
    vc: Annotated[float, typer.Option("--vc", help="VC dimension (or Pdim) D.")],
    epsilon: EpsOpt = 0.1,
    delta: DeltaOpt = 0.05,
    realizable: Annotated[
        bool, typer.Option("--realizable", help="Realizable case (a consistent learner).")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Samples that suffice (or are needed) for VC dimension D at accuracy ε and confidence δ.

    Example: rnncap sample-size --vc 10 --epsilon 0.1 --delta 0.05
    """
    s = sample_sizes(vc, epsilon, delta, realizable=realizable)
    if json_:
        return print_json(s)
    rows = [
        ("agnostic, sufficient", s.uml_agnostic, "Shalev-Shwartz & Ben-David 2014, §28.1"),
        ("agnostic, necessary", s.uml_agnostic_lower, "Shalev-Shwartz & Ben-David 2014, §28.2"),
        (
            "regression (Pdim), gap <= ε·M",
            s.mohri_pdim,
            "Mohri et al. 2018, Thm 11.8 (inverted, DERIVED)",
        ),
        ("realizable, sufficient", s.uml_realizable, "Shalev-Shwartz & Ben-David 2014, Thm 28.3"),
        ("consistent learner", s.blumer, "Blumer et al. 1989 (log2)"),
    ]
    body = [
        (what, f"{m:,.2f}" if m < 1e7 else fmt_log10(_log10(m)), cite)
        for what, m, cite in rows
        if m is not None
    ]
    title = f"Sample sizes for d = {vc:g}, ε = {epsilon:g}, δ = {delta:g}"
    stdout().print(table(title, ("case", "m", "citation"), body, right=("m",)))


def _log10(x: float) -> float:
    import math

    return math.log10(x)
