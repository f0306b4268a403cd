"""`rnncap bounds`, `rnncap explain`, `rnncap sample-size`: the theory catalog as commands."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from rnncap.arch import RecurrentSpec
from rnncap.cli.app import app
from rnncap.cli.bound_tables import (
    CAPTION,
    OTHER_NOTE,
    SYMBOLS,
    arch_cell,
    label_text,
    other_title,
    print_rows,
    print_tables,
    ratio_text,
    result_cell,
    status_text,
    tables_of,
)
from rnncap.cli.output import JsonOpt, print_json, stdout, table
from rnncap.cli.resolve import TrustOpt, typed_options
from rnncap.errors import parse_float_text, require
from rnncap.plain import to_plain
from rnncap.theory import Task, bounds, catalog, explain, sample_sizes
from rnncap.theory.evaluate import MAIN, OTHER_CELL, Evaluation
from rnncap.theory.explain import DEFAULT_INPUT_SIZE, DEFAULT_PAIR, DEFAULT_SEQ_LEN
from rnncap.theory.explain_records import Explanation, Measured
from rnncap.theory.legend import Footnotes, entry
from rnncap.theory.numbers import fmt_log10

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


SamplesOpt = Annotated[
    str | None, typer.Option("--samples", metavar="M", help="Training samples available.")
]
VcOpt = Annotated[
    str | None, typer.Option("--vc", metavar="D", help="VC/Pdim proxy for sample sizes.")
]


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
    samples: SamplesOpt = None,
    delta: DeltaOpt = "0.05",
    epsilon: EpsOpt = "0.1",
    task: TaskOpt = Task.REGRESSION,
    vc: VcOpt = None,
    convention: ConventionOpt = "torch",
    only: Annotated[
        list[str] | None, typer.Option("--bound", help="Evaluate only this bound (repeatable).")
    ] = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also list rows that do not apply, and results for vanilla RNNs beside an "
            "LSTM/GRU (apart).",
        ),
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
    show_other = show_all or bool(only)  # a key asked for by name is shown, in its section
    main = [r for r in rows if r.section == MAIN and (show_all or r.result.applicable)]
    other = [r for r in rows if show_other and r.section == OTHER_CELL]
    if json_:  # every row of the main section (with its reason where it does not apply)
        listed = [r for r in rows if r.section == MAIN] + other
        return print_json({"arch": to_plain(spec), "task": task.value, "bounds": listed})
    hidden = sum(1 for r in rows if r.section == MAIN and not r.result.applicable and not show_all)
    hidden_other = sum(1 for r in rows if r.section == OTHER_CELL and not show_other)
    _print_bounds(spec, task, main, other, hidden, hidden_other)


def _print_bounds(
    spec: RecurrentSpec,
    task: Task,
    main: list[Evaluation],
    other: list[Evaluation],
    hidden: int,
    hidden_other: int,
) -> None:
    """The `bounds` tables: the spec's rows, other cells' apart, and what was left out."""
    title = (
        f"Capacity bounds for {spec.name} (input size {spec.input_size}, k = {spec.seq_len} "
        f"steps, {task.value})"
    )
    cols = ("bound · what · citation", "value or expression", "status (note)")

    def cells(r, notes: Footnotes, compact: bool) -> tuple[str, ...]:
        label = r.label
        return (
            label_text(r.bound, label),
            result_cell(r.result),
            status_text(label, notes, compact),
        )

    sections = [(title, cols, main), (other_title([spec.name]), cols, other)]
    tables, notes = tables_of(sections, cells, stdout().width)
    more = [f"{hidden} rows do not apply (--all shows them)."] if hidden else []
    if hidden_other:
        more.append(
            f"{hidden_other} rows for vanilla RNNs, not {spec.cell.value.upper()}, are left out "
            "(--all shows them apart)."
        )
    print_tables(tables, notes, *([OTHER_NOTE] if other else []), CAPTION, SYMBOLS, *more)


def _list(json_: bool) -> None:
    cat = catalog()
    if json_:
        return print_json(list(cat))
    cols = ("bound · what · citation", "formula", "status (note)")

    def cells(b, notes: Footnotes, compact: bool) -> tuple[str, ...]:
        label = entry(b)
        return (label_text(b, label), b.formula, status_text(label, notes, compact))

    tables, notes = tables_of([("Bound catalog", cols, list(cat))], cells, stdout().width)
    print_tables(tables, notes, CAPTION)


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
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Also show results for vanilla RNNs beside an LSTM/GRU, apart."),
    ] = False,
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
    atlas, atlas_note = _atlas_measured(a, b)
    measured = _measured(measured_vc) + _store_measured(store, a, b) + atlas
    result = explain(a, b, measured=measured, other_cells=show_all, task=task)
    if json_:
        return print_json(result)
    _print_explanation(result, [a.name, b.name], atlas_note)


def _print_explanation(
    result: Explanation, names: list[str], atlas_note: str | None = None
) -> None:
    """`explain`'s sentences, its direct answer (with the capacity atlas's note on what it
    lacks for the pair) and the bounds side by side."""
    out = stdout()
    for line in result.lines:
        out.print(line, markup=False)
        out.print()
    out.print(f"Direct answer: {result.answer.question}", markup=False)
    for line in result.answer.lines[1:]:
        out.print("  " + line, markup=False)
    if atlas_note:
        out.print("  " + atlas_note, markup=False)
    out.print()

    def cells(r, notes: Footnotes, compact: bool) -> tuple[str, ...]:
        la, lb = r.labels
        return (
            label_text(r.bound, la),
            arch_cell(result_cell(r.results[0]), r.results[0], la, notes, compact),
            arch_cell(result_cell(r.results[1]), r.results[1], lb, notes, compact)
            + (f"\nB / A: {ratio_text(r, 1)}" if r.section == MAIN else ""),
        )

    cols = ("bound · what · citation", *(f"{n} · status (note)" for n in names))
    print_rows(result.rows, names, "Bounds side by side", cols, cells)


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


def _atlas_measured(a, b) -> tuple[tuple[Measured, ...], str | None]:
    """The shipped capacity atlas's converged figures for the pair's cell at A's and B's depths
    in the matching design, and a note on what it lacks (a pair of two cells: nothing)."""
    if a.cell != b.cell or a.num_layers == b.num_layers:
        return (), None
    from rnncap.capacity.atlas.quote import pair_design, pair_measured

    design = pair_design(a.hidden_sizes[0], b.hidden_sizes[0])
    found, note = pair_measured(a.cell.value, a.num_layers, b.num_layers, design)
    return tuple(Measured(*m) for m in found), note


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
