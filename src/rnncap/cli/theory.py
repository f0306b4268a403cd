"""`rnncap bounds`, `rnncap explain`, `rnncap sample-size`: the theory catalog as commands."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.table import Table

from rnncap.cli.app import app
from rnncap.cli.output import JsonOpt, print_json, stdout, table
from rnncap.errors import InvalidInput, require
from rnncap.theory import Task, bounds, catalog, compare_bounds, explain, sample_sizes
from rnncap.theory.core import DERIVED_LABEL, Kind, fmt_log10
from rnncap.theory.explain import DEFAULT_INPUT_SIZE, DEFAULT_PAIR, DEFAULT_SEQ_LEN

InputSizeOpt = Annotated[
    str,
    typer.Option(
        "--input-size",
        metavar="D",
        help="Features per step d. Default 37: the inputs of the default nyc2013 task "
        "(33 station variables + 4 time features).",
    ),
]
SeqLenOpt = Annotated[
    str,
    typer.Option("--seq-len", metavar="K", help="Sequence length k (default: 120-step history)."),
]
OutputsOpt = Annotated[str, typer.Option("--outputs", metavar="N", help="Width of the head.")]
BidirectionalOpt = Annotated[
    bool, typer.Option("--bidirectional", help="Every layer runs in both directions.")
]
DeltaOpt = Annotated[str, typer.Option("--delta", metavar="P", help="Confidence, in (0, 1).")]
EpsOpt = Annotated[str, typer.Option("--epsilon", metavar="E", help="Accuracy, > 0.")]
TaskOpt = Annotated[
    Task,
    typer.Option("--task", help="regression (forecasts: pseudo-dimension) or classification."),
]
ConventionOpt = Annotated[
    str, typer.Option("--convention", metavar="torch|keras", help="Whose parameter layout.")
]


def parse_float(text: str | None, option: str, example: str) -> float | None:
    """A number option given as text; a bad one raises a one-line `InvalidInput`."""
    if text is None:
        return None
    try:
        return float(str(text).strip().replace("_", ""))
    except ValueError:
        raise InvalidInput(f"{option} must be a number; got {text!r} (e.g. {example})") from None


def _spec(arch: str, input_size: str, seq_len: str, outputs: str, convention: str, bidi: bool):
    from rnncap.cli.count import build_spec  # late: count imports this module

    return build_spec(arch, input_size, seq_len, convention, bidirectional=bidi, outputs=outputs)


def _samples(text: str | None) -> int | None:
    from rnncap.cli.count import parse_int

    return None if text is None else parse_int(text, "--samples", 1, "--samples 20000")


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
    input_size: InputSizeOpt = str(DEFAULT_INPUT_SIZE),
    seq_len: SeqLenOpt = str(DEFAULT_SEQ_LEN),
    outputs: OutputsOpt = "1",
    bidirectional: BidirectionalOpt = False,
    samples: Annotated[
        str | None, typer.Option("--samples", metavar="M", help="Training samples available.")
    ] = None,
    delta: DeltaOpt = "0.05",
    epsilon: EpsOpt = "0.1",
    task: TaskOpt = Task.REGRESSION,
    vc: Annotated[
        str | None, typer.Option("--vc", metavar="D", help="VC/Pdim proxy for sample sizes.")
    ] = None,
    convention: ConventionOpt = "torch",
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
    spec = _spec(arch, input_size, seq_len, outputs, convention, bidirectional)
    rows = bounds(
        spec,
        m=_samples(samples),
        delta=parse_float(delta, "--delta", "--delta 0.05"),
        epsilon=parse_float(epsilon, "--epsilon", "--epsilon 0.1"),
        task=task,
        vc=parse_float(vc, "--vc", "--vc 10"),
        keys=tuple(only) if only else None,
    )
    if json_:
        return print_json({"arch": spec.to_dict(), "task": task.value, "bounds": rows})
    shown = [r for r in rows if show_all or r.result.applicable]
    hidden = len(rows) - len(shown)
    caption = _CAPTION + (f" {hidden} rows do not apply (--all shows them)." if hidden else "")
    title = (
        f"Capacity bounds for {spec.name} (d = {spec.input_size}, k = {spec.seq_len}, {task.value})"
    )
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
    input_size: InputSizeOpt = str(DEFAULT_INPUT_SIZE),
    seq_len: SeqLenOpt = str(DEFAULT_SEQ_LEN),
    outputs: OutputsOpt = "1",
    bidirectional: BidirectionalOpt = False,
    task: TaskOpt = Task.REGRESSION,
    convention: ConventionOpt = "torch",
    json_: JsonOpt = False,
) -> None:
    """How capacity changes from ARCH_A to ARCH_B, computed from the figures and the catalog.

    Defaults: lstm:1x128 against lstm:2x64 with the default nyc2013 task's 37 inputs and the
    120-step history. Example: rnncap explain lstm:1x128 lstm:4x45
    """
    opts = (input_size, seq_len, outputs, convention, bidirectional)
    a, b = _spec(arch_a, *opts), _spec(arch_b, *opts)
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


def _ratio_cell(row, i: int) -> str:
    """Ratio to the first architecture; explicit bounds also show their value."""
    result = row.results[i]
    value = fmt_log10(result.log10) if result.kind is Kind.EXPLICIT and result.log10 else ""
    if i == 0:
        return value or ("order" if result.applicable else "n/a")
    ratio = row.ratio_text(i) if row.ratios[i].log10 is not None else "—"
    return f"{ratio} ({value})" if value else ratio


def render_bound_ratios(specs: list) -> None:
    """The bound-ratio table that `rnncap compare` shows under its figures."""
    rows = compare_bounds(specs)
    names = [s.name for s in specs]
    body = [(r.bound.key, *(_ratio_cell(r, i) for i in range(len(specs)))) for r in rows]
    cols = ("bound", names[0], *(f"{n} / {names[0]}" for n in names[1:]))
    title = "Bound ratios to the first (same expression: the unknown constant cancels)"
    stdout().print(_fold(table(title, cols, body, caption=_CAPTION)))


@app.command("sample-size")
def sample_size_cmd(
    vc: Annotated[str, typer.Option("--vc", metavar="D", help="VC dimension (or Pdim) D.")],
    epsilon: EpsOpt = "0.1",
    delta: DeltaOpt = "0.05",
    realizable: Annotated[
        bool, typer.Option("--realizable", help="Realizable case (a consistent learner).")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Samples that suffice (or are needed) for VC dimension D at accuracy ε and confidence δ.

    Example: rnncap sample-size --vc 10 --epsilon 0.1 --delta 0.05
    """
    d = parse_float(vc, "--vc", "--vc 10")
    eps = parse_float(epsilon, "--epsilon", "--epsilon 0.1")
    s = sample_sizes(d, eps, parse_float(delta, "--delta", "--delta 0.05"), realizable=realizable)
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
        (what, f"{m:,.2f}" if m < 1e7 else fmt_log10(math.log10(m)), cite)
        for what, m, cite in rows
        if m is not None
    ]
    title = f"Sample sizes for d = {s.vc:g}, ε = {s.epsilon:g}, δ = {s.delta:g}"
    stdout().print(table(title, ("case", "m", "citation"), body, right=("m",)))
