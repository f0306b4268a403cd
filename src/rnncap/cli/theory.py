"""`rnncap bounds`, `rnncap explain`, `rnncap sample-size`: the theory catalog as commands."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.table import Table

from rnncap.cli.app import app
from rnncap.cli.flags import to_flags
from rnncap.cli.output import JsonOpt, print_json, stdout, table
from rnncap.cli.resolve import TrustOpt, typed_options
from rnncap.errors import parse_float_text, require
from rnncap.theory import Task, bounds, catalog, compare_bounds, explain, sample_sizes
from rnncap.theory.core import DERIVED_LABEL, Kind, fmt_log10
from rnncap.theory.explain import DEFAULT_INPUT_SIZE, DEFAULT_PAIR, DEFAULT_SEQ_LEN, Measured
from rnncap.theory.legend import Footnotes, entry, expression_of, what

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
    return None if text is None else parse_float_text(text, option, hint=f"e.g. {example}")


def _spec(
    arch: str, input_size: str, seq_len: str, outputs: str, convention: str, bidi: bool,
    trust: bool = False, typed: dict[str, str] | None = None,
):  # fmt: skip
    from rnncap.cli.count import build_spec  # late: count imports this module

    return build_spec(arch, input_size, seq_len, convention, bidirectional=bidi, outputs=outputs,
                      trust=trust, typed=typed)  # fmt: skip


def _samples(text: str | None) -> int | None:
    from rnncap.cli.count import parse_int

    return None if text is None else parse_int(text, "--samples", 1, "--samples 20000")


_CAPTION = (
    "Orders (Ω/O/Θ): unknown constants, never a number of points; compare architectures by ratios "
    "of the same expression. Explicit bounds are worst case and usually vacuous. DERIVED = "
    + DERIVED_LABEL
    + "."
)
_RATIO_NOTE = (
    "B / A is the ratio of the expression named in the cell, within one theorem: the constant "
    "cancels, but it is not a ratio of capacities (upper bounds: it compares the bounds; lower "
    "bounds: it compares the guarantees)."
)


def _fold(t: Table) -> Table:
    """Wrap long cells (keys, citations) instead of cutting them with an ellipsis."""
    for column in t.columns:
        column.overflow = "fold"
    return t


def _fit(t: Table, width: int) -> None:
    """Fixed column widths that fill `width` (the first column, labels, gets about a third)."""
    n = len(t.columns)
    room = max(width - (3 * n + 1), 20 * n)
    first = max(20, room // 3) if n > 3 else max(22, int(room * 0.36))
    rest = (room - first) // (n - 1)
    for i, column in enumerate(t.columns):
        column.width = first if i == 0 else rest


def _print(t: Table, notes: Footnotes, *captions: str) -> None:
    """A table, then its captions and numbered caveats, wrapped to the terminal."""
    out = stdout()
    _fit(t, out.width)
    out.print(_fold(t))
    for line in (*captions, *notes.lines()):
        out.print(line, markup=False, soft_wrap=False, overflow="fold")


def _row_label(bound, result, notes: Footnotes, with_status: bool = True) -> str:
    """Key, what it bounds, citation and (optionally) status with the caveat's footnote mark."""
    e = entry(bound, result)
    head = f"{bound.key}\n{what(bound, result)} · {e.citation}"
    if not with_status:
        return head
    return f"{head}\n{e.tag} {notes.mark(e.footnote)}".rstrip()


def _status(bound, result, notes: Footnotes) -> str:
    e = entry(bound, result)
    return f"{e.tag} {notes.mark(e.footnote)}".rstrip()


def _cell(result) -> str:
    """A result as the table shows it; a row's "pass vc=D" reads "pass --vc D" here."""
    if result.kind is Kind.NOT_APPLICABLE:
        return f"n/a: {to_flags(result.text)}"
    return result.text


@app.command("bounds")
def bounds_cmd(
    ctx: typer.Context,
    arch: Annotated[
        str, typer.Argument(help="Architecture, e.g. lstm:2x64, or a model file (.keras, .pt).")
    ] = "",
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
    trust: TrustOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Every cited capacity bound for ARCH: value or expression, status and citation.

    Example: rnncap bounds lstm:2x64 --input-size 30 --seq-len 120 --samples 20000
    ARCH may be a Keras or PyTorch model file: rnncap bounds model.keras --samples 5683
    """
    if list_:
        return _list(json_)
    require(bool(arch), "give an architecture, e.g. rnncap bounds lstm:2x64 (or --list)")
    spec = _spec(arch, input_size, seq_len, outputs, convention, bidirectional, trust,
                 typed_options(ctx))  # fmt: skip
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
    title = (
        f"Capacity bounds for {spec.name} (d = {spec.input_size}, k = {spec.seq_len}, {task.value})"
    )
    notes = Footnotes()
    body = [
        (
            f"{r.bound.key}\n{what(r.bound, r.result)}\n{r.bound.citation.short()}",
            _cell(r.result),
            _status(r.bound, r.result, notes),
        )
        for r in shown
    ]
    cols = ("bound · what · citation", "value or expression", "status (note)")
    more = f"{hidden} rows do not apply (--all shows them)." if hidden else ""
    _print(table(title, cols, body), notes, _CAPTION, *([more] if more else []))


def _list(json_: bool) -> None:
    cat = catalog()
    if json_:
        return print_json(list(cat))
    notes = Footnotes()
    cols = ("bound · what · citation", "formula", "status (note)")
    body = [
        (f"{b.key}\n{what(b)}\n{b.citation.short()}", b.formula, _status(b, None, notes))
        for b in cat
    ]
    _print(table("Bound catalog", cols, body), notes, _CAPTION)


@app.command("explain")
def explain_cmd(
    ctx: typer.Context,
    arch_a: Annotated[str, typer.Argument(help="Architecture A.")] = DEFAULT_PAIR[0],
    arch_b: Annotated[str, typer.Argument(help="Architecture B.")] = DEFAULT_PAIR[1],
    input_size: InputSizeOpt = str(DEFAULT_INPUT_SIZE),
    seq_len: SeqLenOpt = str(DEFAULT_SEQ_LEN),
    outputs: OutputsOpt = "1",
    bidirectional: BidirectionalOpt = False,
    task: TaskOpt = Task.REGRESSION,
    convention: ConventionOpt = "torch",
    measured_vc: Annotated[
        str | None,
        typer.Option(
            "--measured-vc",
            metavar="HA,HB",
            help="Measured VC-dimension estimates of A and B, quoted in the direct answer.",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="A study's store: quote its converged depth measurement of A's and B's depths.",
        ),
    ] = None,
    trust: TrustOpt = False,
    json_: JsonOpt = False,
) -> None:
    """How capacity changes from ARCH_A to ARCH_B, computed from the figures and the catalog.

    Defaults: lstm:1x128 against lstm:2x64 with the default nyc2013 task's 37 inputs and the
    120-step history. Example: rnncap explain lstm:1x128 lstm:4x45
    """
    from rnncap.cli.count import build_specs  # late: count imports this module

    a, b = build_specs([arch_a, arch_b], input_size, seq_len, convention, bidirectional,
                       outputs=outputs, trust=trust, typed=typed_options(ctx))  # fmt: skip
    measured = _measured(measured_vc) + _store_measured(store, a, b)
    result = explain(a, b, measured=measured, task=task)
    if json_:
        return print_json(result)
    out = stdout()
    for line in result.lines:
        out.print(line, markup=False)
        out.print()
    out.print(f"Direct answer: {result.answer.question}", markup=False)
    for line in result.answer.lines[1:]:
        out.print("  " + line, markup=False)
    out.print()
    notes = Footnotes()
    body = [
        (
            _row_label(r.bound, r.results[1], notes),
            _cell(r.results[0]),
            _cell(r.results[1]),
            _ratio_text(r, 1),
        )
        for r in result.rows
    ]
    cols = ("bound · what · citation · status (note)", a.name, b.name, "B / A")
    title = "Bounds side by side"
    _print(table(title, cols, body), notes, _RATIO_NOTE, _CAPTION)


def _measured(text: str | None) -> tuple[Measured, ...]:
    """`--measured-vc 120,410` as one `Measured` record (A's and B's VC estimates)."""
    if text is None:
        return ()
    parts = [p.strip() for p in str(text).split(",")]
    example = "--measured-vc 120,410"
    require(len(parts) == 2, f"--measured-vc needs two numbers, A's and B's; got {text!r} "
            f"(e.g. {example})")  # fmt: skip
    ha, hb = (parse_float(p, "--measured-vc", example) for p in parts)
    return (Measured("VC-dimension estimate", ha, hb, "given with --measured-vc"),)


def _store_measured(path: str | None, a, b) -> tuple[Measured, ...]:
    """The study store's converged fixed-width depth ratios for A's and B's cell and depths."""
    if path is None:
        return ()
    from rnncap.capacity.depth import group_depth_rows, measured_depth_ratios
    from rnncap.study.store import ResultsStore

    with ResultsStore.open(path) as results:
        rows = [u.result.depth for u in results.units() if u.result.depth is not None]
    if a.cell != b.cell:
        return ()
    found = measured_depth_ratios(group_depth_rows(rows), a.cell.value, a.num_layers, b.num_layers)
    return tuple(Measured(*m) for m in found)


def _ratio_text(row, i: int) -> str:
    """ "0.736 of w·k": the ratio and the expression it is a ratio of; the reason when none."""
    r = row.ratios[i]
    if r.log10 is None:
        return f"— {r.reason}" if r.reason else "—"
    return f"{row.ratio_text(i)} of {expression_of(row.bound, row.results[i])}"


def _first_cell(result) -> str:
    """The first architecture's own entry: explicit values with their unit, orders by name."""
    if not result.applicable:
        return "n/a"
    if result.kind is Kind.EXPLICIT:
        return result.text.split(" (")[0]
    return "order (expression)"


def render_bound_ratios(specs: list) -> None:
    """The bound-ratio table that `rnncap compare` shows under its figures."""
    rows = compare_bounds(specs)
    names = [s.name for s in specs]
    notes = Footnotes()
    body = [
        (
            _row_label(r.bound, r.results[0], notes),
            _first_cell(r.results[0]),
            *(_ratio_text(r, i) for i in range(1, len(specs))),
        )
        for r in rows
    ]
    cols = (
        "bound · what · citation · status (note)",
        names[0],
        *(f"{n} / {names[0]}" for n in names[1:]),
    )
    title = "Bound ratios to the first architecture"
    _print(table(title, cols, body), notes, _RATIO_NOTE, _CAPTION)


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
