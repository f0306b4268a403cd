"""`rnncap count`, `compare` and `frontier`: exact accounting of recurrent stacks.

The architecture options are defined once here as `Annotated` aliases; other command groups reuse
them with `build_spec`::

    from rnncap.cli.count import ArchArg, InputSizeOpt, SeqLenOpt, ..., build_spec

Sizes are read as text and converted by `build_spec`, so a bad value ends with one line naming
the option and the fix (exit code 2) rather than a usage block.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer

from rnncap.arch import RecurrentSpec, count_parameters, frontier, parse_arch
from rnncap.arch.spec import MAX_LAYERS
from rnncap.arch.summary import CompareRow, compare_rows, summarize
from rnncap.cli.app import app
from rnncap.cli.bound_tables import render_bound_ratios
from rnncap.cli.output import JsonOpt, fmt_int, print_json, stdout, table
from rnncap.cli.resolve import (
    ModelFile,
    TrustOpt,
    is_model_file,
    resolve_model_file,
    resolve_model_files,
    spec_like,
    typed_options,
)
from rnncap.errors import (
    InvalidInput,
    check_int,
    check_int_list,
    parse_int_text,
    require,
    shown,
)
from rnncap.plain import to_plain
from rnncap.theory import compare_bounds

ArchArg = Annotated[
    str,
    typer.Argument(
        metavar="ARCH",
        help="CELL:LxH or CELL:H1,H2,... e.g. lstm:2x64, gru:64,32; or a model file "
        "(.keras, .h5, .pt)",
    ),
]
ArchsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="ARCH...", help="Architectures or model files, e.g. lstm:1x128 model.keras"
    ),
]
InputSizeOpt = Annotated[
    str | None,
    typer.Option(
        "--input-size",
        "-d",
        metavar="D",
        help="Input features per step (d); a model file gives its own.",
    ),
]
SeqLenOpt = Annotated[
    str, typer.Option("--seq-len", "-k", metavar="K", help="Input sequence length k (steps).")
]
ConventionOpt = Annotated[
    str,
    typer.Option("--convention", metavar="torch|keras", help="Whose parameter layout to count."),
]
BidirectionalOpt = Annotated[
    bool, typer.Option("--bidirectional", help="Every layer runs in both directions.")
]
ProjSizeOpt = Annotated[
    str, typer.Option("--proj-size", metavar="P", help="PyTorch LSTM projection size (0: none).")
]
OutputsOpt = Annotated[
    str, typer.Option("--outputs", metavar="N", help="Width of the linear head (0: no head).")
]
NoBiasOpt = Annotated[bool, typer.Option("--no-bias", help="Recurrent layers without biases.")]
ResetAfterOpt = Annotated[
    bool,
    typer.Option("--reset-after/--no-reset-after", help="Keras GRU bias layout (Keras 3 default)."),
]
DtypeOpt = Annotated[
    str, typer.Option("--dtype", metavar="DTYPE", help="float32, float64, float16 or bfloat16.")
]


def parse_int(text: str, option: str, minimum: int, example: str) -> int:
    """An integer option given as text; a bad one raises a one-line `InvalidInput`."""
    return parse_int_text(text, option, low=minimum, hint=f"e.g. {example}")


def build_spec(
    arch: str,
    input_size: str | None,
    seq_len: str = "1",
    convention: str = "torch",
    bidirectional: bool = False,
    proj_size: str = "0",
    outputs: str = "0",
    no_bias: bool = False,
    reset_after: bool = True,
    *,
    trust: bool = False,
    need_seq_len: bool = True,
    typed: dict[str, str] | None = None,
) -> RecurrentSpec:
    """The spec named by `arch` and the shared options (texts as typed on the command line).

    `arch` may name a Keras or PyTorch model file instead (see `rnncap.cli.resolve`); `trust`,
    `need_seq_len` and `typed` (the options typed, `typed_options`) apply to files only.
    """
    if is_model_file(arch):
        return resolve_model_file(
            arch, seq_len=seq_len, trust=trust, need_seq_len=need_seq_len, typed=typed
        ).spec
    if input_size is None:
        parse_arch(arch)  # a malformed architecture is the first thing to say
    require(
        input_size is not None,
        f"give --input-size D (features per step) with {shown(arch)}, e.g. --input-size 10",
    )
    return parse_arch(
        arch,
        input_size=parse_int(input_size, "--input-size", 1, "--input-size 10"),  # type: ignore[arg-type]
        seq_len=parse_int(seq_len, "--seq-len", 1, "--seq-len 120"),
        convention=convention.strip().lower(),
        bidirectional=bidirectional,
        proj_size=parse_int(proj_size, "--proj-size", 0, "--proj-size 16"),
        outputs=parse_int(outputs, "--outputs", 0, "--outputs 1"),
        bias=not no_bias,
        reset_after=reset_after,
    )


def build_specs(
    archs: list[str],
    input_size: str | None,
    seq_len: str = "1",
    convention: str = "torch",
    bidirectional: bool = False,
    proj_size: str = "0",
    outputs: str = "0",
    no_bias: bool = False,
    reset_after: bool = True,
    *,
    trust: bool = False,
    need_seq_len: bool = True,
    typed: dict[str, str] | None = None,
) -> list[RecurrentSpec]:
    """Several specs for a side-by-side command. Beside a model file, architecture strings take
    the first file's d, k, head, layout and bias, so that the comparison is like for like."""
    names = [a for a in archs if is_model_file(a)]
    for a in archs:
        if a not in names:
            parse_arch(a)  # a malformed string is the one line, before a file is read
    read = resolve_model_files(
        names, seq_len=seq_len, trust=trust, need_seq_len=need_seq_len, typed=typed
    ) if names else []  # fmt: skip
    files = dict(zip(names, read, strict=True))
    if not files:
        options = (convention, bidirectional, proj_size, outputs, no_bias, reset_after)
        return [build_spec(a, input_size, seq_len, *options) for a in archs]
    template = next(iter(files.values())).spec
    return [files[a].spec if a in files else spec_like(a, template) for a in archs]


def parse_depths(text: str) -> list[int]:
    """``1-6`` (a range) or ``1,2,4`` (a list) into depths >= 1."""
    cleaned = str(text).replace(" ", "")
    span = re.fullmatch(r"(\d+)-(\d+)", cleaned)
    if span:
        low, high = int(span.group(1)), int(span.group(2))
        require(1 <= low <= high, f"--layers range must run from >= 1 upwards; got {text!r}")
        check_int(high, "--layers", low=1, high=MAX_LAYERS, hint="e.g. 1-6")
        return list(range(low, high + 1))
    if re.fullmatch(r"\d+(,\d+)*", cleaned):
        parts = cleaned.split(",")
        depths = [parse_int_text(p, "--layers values", low=1, high=MAX_LAYERS) for p in parts]
        return list(check_int_list(depths, "--layers", max_items=MAX_LAYERS, hint="e.g. 1,2,4"))
    raise InvalidInput(f"malformed --layers {text!r}; write a range 1-6 or a list 1,2,4")


def _signed(n: int) -> str:
    return f"{n:+,}"


def _show(*tables: object) -> None:
    """Print tables; off a terminal (pipes, files) at their natural width rather than 80 columns."""
    out = stdout()
    if not out.is_terminal:
        out.width = 240  # tables are not expanded: they keep their natural width
    for t in tables:
        out.print(t)


@app.command(
    epilog="Example: rnncap count lstm:2x64 --input-size 10 --seq-len 120 --outputs 1",
)
def count(
    ctx: typer.Context,
    arch: ArchArg,
    input_size: InputSizeOpt = None,
    seq_len: SeqLenOpt = "1",
    convention: ConventionOpt = "torch",
    bidirectional: BidirectionalOpt = False,
    proj_size: ProjSizeOpt = "0",
    outputs: OutputsOpt = "0",
    no_bias: NoBiasOpt = False,
    reset_after: ResetAfterOpt = True,
    dtype: DtypeOpt = "float32",
    trust: TrustOpt = False,
    json: JsonOpt = False,
) -> None:
    """Parameters per layer and tensor, FLOPs, memory and the unrolled graph of ARCH.

    ARCH may be a Keras (.keras, .h5) or PyTorch (.pt) model file: rnncap count model.keras
    """
    model_file = (
        resolve_model_file(
            arch, seq_len=seq_len, trust=trust, need_seq_len=False, typed=typed_options(ctx)
        )
        if is_model_file(arch)
        else None
    )
    spec = model_file.spec if model_file else build_spec(
        arch, input_size, seq_len, convention, bidirectional, proj_size, outputs, no_bias,
        reset_after,
    )  # fmt: skip
    summary = summarize(spec, dtype)
    if json:
        print_json({**to_plain(summary), "model_file": model_file} if model_file else summary)
        return
    title = f"{spec.name}, d={spec.input_size}, k={spec.seq_len}, {spec.convention.value} layout"
    tensor_rows = [
        (t.layer, t.direction, t.tensor, "x".join(map(str, t.shape)), fmt_int(t.count))
        for t in summary.parameters.tensors
    ]
    tensor_rows.append(("total", "", "", "", fmt_int(summary.parameters.total)))
    columns = ("layer", "direction", "tensor", "shape", "parameters")
    tensors = table(f"Parameters: {title}", columns, tensor_rows, right=["parameters"])
    per_layer = summary.parameters.per_layer
    layer_rows = [
        (r.layer, fmt_int(per_layer[r.layer]), fmt_int(r.matmul_macs),
         fmt_int(r.elementwise_flops), fmt_int(r.forward_flops))
        for r in summary.flops.layers
    ]  # fmt: skip
    columns = ("layer", "parameters", "matrix MACs", "element-wise FLOPs", "forward FLOPs")
    layers = table("Per layer, one sequence", columns, layer_rows, right=columns[1:])
    rows = [(label, fmt_int(value)) for _, label, value in summary.figures()]
    _show(tensors, layers, table("Totals", ("figure", "value"), rows, right=["value"]))
    if model_file:
        _show(_file_table(model_file))


def _file_table(model_file: ModelFile) -> object:
    """What the model file holds against what the tables above account for."""
    r = model_file.reading
    rows = [("mapped", model_file.spec.name, "recurrent stack and head",
             fmt_int(count_parameters(model_file.spec).total))]  # fmt: skip
    rows += [("not mapped", u.name, f"{u.kind}: {u.reason}", fmt_int(u.parameters))
             for u in r.unrecognized]  # fmt: skip
    rows.append(("file total", "", r.source, fmt_int(r.module_parameters)))
    title = f"Read from {model_file.path}"
    return table(title, ("", "layer", "what", "parameters"), rows, right=["parameters"])


def render_compare(rows: list[CompareRow], names: list[str]) -> None:
    """The compare table: each value with its ratio to the first architecture."""
    body = [
        (r.label, *(fmt_int(v) + ("" if q is None else f" ({q:.3g}x)")
                    for v, q in zip(r.values, r.ratios, strict=True)))
        for r in rows
    ]  # fmt: skip
    _show(table("Compared (ratio to the first)", ("figure", *names), body, right=names))


@app.command(
    epilog="Example: rnncap compare lstm:1x128 lstm:2x64 lstm:4x32 --input-size 30 --seq-len 120",
)
def compare(
    ctx: typer.Context,
    archs: ArchsArg,
    input_size: InputSizeOpt = None,
    seq_len: SeqLenOpt = "1",
    convention: ConventionOpt = "torch",
    bidirectional: BidirectionalOpt = False,
    proj_size: ProjSizeOpt = "0",
    outputs: OutputsOpt = "0",
    no_bias: NoBiasOpt = False,
    reset_after: ResetAfterOpt = True,
    dtype: DtypeOpt = "float32",
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Also show results for vanilla RNNs beside an LSTM/GRU, apart."),
    ] = False,
    trust: TrustOpt = False,
    json: JsonOpt = False,
) -> None:
    """The figures of `count` for several architectures side by side, as ratios to the first."""
    specs = build_specs(
        archs, input_size, seq_len, convention, bidirectional, proj_size, outputs, no_bias,
        reset_after, trust=trust, need_seq_len=False, typed=typed_options(ctx),
    )  # fmt: skip
    rows = compare_rows(specs, dtype)
    names = [s.name for s in specs]
    # theory: ratios of each bound (--all: also vanilla-RNN results beside LSTM/GRU, apart)
    bound_rows = compare_bounds(specs, other_cells=show_all) if len(specs) > 1 else []
    if json:
        print_json({"archs": names, "specs": specs, "figures": rows, "bounds": bound_rows})
        return
    render_compare(rows, names)
    if bound_rows:
        render_bound_ratios(specs, bound_rows)


@app.command(
    name="frontier",
    epilog="Example: rnncap frontier --budget 50000 --cell lstm --input-size 10 --layers 1-6",
)
def frontier_command(
    budget: Annotated[str, typer.Option("--budget", metavar="W", help="Parameter budget.")],
    cell: Annotated[str, typer.Option("--cell", help="lstm, gru, rnn_tanh or rnn_relu.")],
    input_size: InputSizeOpt,
    layers: Annotated[
        str, typer.Option("--layers", metavar="RANGE", help="Depths: 1-6 or 1,2,4.")
    ] = "1-6",
    taper: Annotated[
        bool, typer.Option("--taper", help="Halve the width at each layer (h, h/2, h/4, ...).")
    ] = False,
    seq_len: SeqLenOpt = "1",
    convention: ConventionOpt = "torch",
    bidirectional: BidirectionalOpt = False,
    outputs: OutputsOpt = "0",
    no_bias: NoBiasOpt = False,
    reset_after: ResetAfterOpt = True,
    json: JsonOpt = False,
) -> None:
    """At each depth, the width whose exact parameter count is closest to the budget."""
    template = build_spec(
        f"{cell.strip()}:1", input_size, seq_len, convention, bidirectional, "0", outputs,
        no_bias, reset_after,
    )  # fmt: skip
    w = parse_int(budget, "--budget", 1, "--budget 50000")
    points = frontier(template, w, parse_depths(layers), taper=taper)
    if json:
        doc = {"budget": w, "cell": template.cell.value, "taper": taper, "points": points}
        print_json({**doc, "template": template})
        return
    rows = [
        (p.layers, p.spec.name, fmt_int(p.parameters), _signed(p.difference),
         f"{100 * p.difference / w:+.2f}%")
        for p in points
    ]  # fmt: skip
    columns = ("layers", "architecture", "parameters", "vs budget", "relative")
    kind = "tapering" if taper else "uniform"
    title = (
        f"Closest {kind} {template.cell.value} stacks to {w:,} parameters, d={template.input_size}"
    )
    _show(table(title, columns, rows, right=columns[2:]))
