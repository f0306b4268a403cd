"""The one place where an ARCH argument becomes a spec: an architecture string or a model file.

``rnncap count model.keras``, ``rnncap bounds model.pt --trust`` and every other command that
takes an architecture go through `build_spec` (in `rnncap.cli.count`), which hands anything that
names a file to `resolve_model_file`. A model file fixes the architecture, so the options that
describe one (``--input-size``, ``--outputs``, ``--convention``...) are refused with it; the input
length comes from the model when it fixes it, else from ``--seq-len``. What the reader mapped and
what it left out is said on stderr, so ``--json`` output stays one document.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar

import typer

from rnncap.arch.counts import total_parameters
from rnncap.arch.files import looks_like_model_file, read_one_stack
from rnncap.arch.reader import ModuleReading
from rnncap.arch.spec import RecurrentSpec, parse_arch
from rnncap.cli.output import fmt_int, stderr
from rnncap.errors import require

TrustOpt = Annotated[
    bool,
    typer.Option(
        "--trust",
        help="Unpickle a whole PyTorch module saved by torch.save(model): this runs code from "
        "the file, so only for files you made (a state_dict needs no --trust).",
    ),
]

#: Options that describe an architecture; a model file fixes all of them.
ARCH_OPTIONS = ("input_size", "convention", "bidirectional", "proj_size", "outputs", "no_bias",
                "reset_after")  # fmt: skip


@dataclass(frozen=True)
class ModelFile:
    """A model file read for a command: its path, the reading, and the spec the command uses."""

    path: Path
    reading: ModuleReading
    spec: RecurrentSpec

    PLAIN_VIEW: ClassVar = {"path": "path", "**reading": "reading"}  # `to_plain`'s JSON


def is_model_file(text: str) -> bool:
    """Whether an ARCH argument names a file (it exists, or ends like a model file)."""
    text = str(text).strip()
    if not text or looks_like_model_file(text):
        return bool(text)
    try:
        return Path(text).exists()
    except OSError:  # e.g. a name longer than the file system allows: not a file
        return False


def typed_options(ctx: typer.Context | None) -> dict[str, str]:
    """{parameter name: its flag} for the options the user typed on the command line."""
    if ctx is None:
        return {}
    out = {}
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name) if param.name else None
        if source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP") and param.opts:
            out[str(param.name)] = param.opts[0]
    return out


def _stack_text(spec: RecurrentSpec) -> str:
    head = f" + head of {spec.outputs}" if spec.outputs else ""
    return f"{spec.name}{head} (d = {spec.input_size})"


def _summary(path: Path, reading: ModuleReading, spec: RecurrentSpec) -> None:
    """What was read, on stderr: the stack, the parameters covered, what was left out."""
    err = stderr()
    err.print(
        f"{path}: {reading.source}, {_stack_text(spec)}: {fmt_int(total_parameters(spec))} of "
        f"its {fmt_int(reading.module_parameters)} parameters",
        markup=False,
        soft_wrap=True,
    )
    for u in reading.unrecognized:
        err.print(f"  not mapped: {u.name} ({u.kind}, {fmt_int(u.parameters)} parameters): "
                  f"{u.reason}", markup=False, soft_wrap=True)  # fmt: skip
    for note in reading.notes:
        err.print(f"  note: {note}", markup=False, soft_wrap=True)


def _seq_len(
    path: Path, reading: ModuleReading, seq_len: str | None, typed: bool, need: bool
) -> int | None:
    """The input length: the model's own, else --seq-len, else None (the command's default)."""
    from rnncap.cli.count import parse_int  # late: count imports this module

    fixed = reading.fixed_seq_len(0)
    if typed and seq_len is not None:
        k = parse_int(seq_len, "--seq-len", 1, "--seq-len 120")
        require(
            fixed is None or k == fixed,
            f"{path} fixes the input length k = {fixed}; --seq-len {k} differs (drop --seq-len)",
        )
        return k
    if fixed is not None:
        return fixed
    require(
        not need,
        f"{path} does not fix the input length k; give --seq-len K (steps per sequence, "
        "e.g. --seq-len 120)",
    )
    return None


def resolve_model_file(
    text: str,
    *,
    seq_len: str | None = None,
    trust: bool = False,
    need_seq_len: bool = True,
    typed: dict[str, str] | None = None,
) -> ModelFile:
    """Read the model file `text` into the one spec a command works on.

    Parameters
    ----------
    seq_len : str, optional
        ``--seq-len`` as typed; used when the model does not fix the length.
    trust : bool, default=False
        Allow unpickling a whole PyTorch module (``--trust``).
    need_seq_len : bool, default=True
        Whether the command needs k (bounds do); when False and neither the model nor
        ``--seq-len`` gives it, the spec keeps the command's default `seq_len`.
    typed : dict, optional
        `typed_options` of the command; None (a Python caller): `seq_len` counts as typed.
    """
    (model_file,) = resolve_model_files(
        [text], seq_len=seq_len, trust=trust, need_seq_len=need_seq_len, typed=typed
    )
    return model_file


def resolve_model_files(
    texts: list[str],
    *,
    seq_len: str | None = None,
    trust: bool = False,
    need_seq_len: bool = True,
    typed: dict[str, str] | None = None,
) -> list[ModelFile]:
    """`resolve_model_file` for several files side by side: a file that does not fix k takes
    the first fixed k of the others (unless --seq-len is typed), so that they compare like for
    like. Options as for `resolve_model_file`."""
    fixed = [flag for name, flag in (typed or {}).items() if name in ARCH_OPTIONS]
    paths = [Path(str(t).strip()) for t in texts]
    require(
        not fixed,
        f"{paths[0]} fixes the architecture; drop {', '.join(fixed)} (only --seq-len applies to "
        "a model file)",
    )
    read = [(path, *read_one_stack(path, trust=trust)) for path in paths]
    typed_k = typed is None or "seq_len" in typed
    lengths = [(p, r.fixed_seq_len(0)) for p, r, _ in read if r.fixed_seq_len(0) is not None]
    out = []
    for path, reading, spec in read:
        shared = None if typed_k or not lengths else lengths[0]
        k = _seq_len(path, reading, seq_len, typed_k, need_seq_len and shared is None)
        if k is None:  # another file's length, or the command's default, said so
            from rnncap.cli.count import parse_int  # late: count imports this module

            k = shared[1] if shared else parse_int(seq_len or "1", "--seq-len", 1, "--seq-len 120")
            source = (
                f"taken from {shared[0]}" if shared else "give --seq-len K for per-sequence figures"
            )
            note = f"k = {k}: the file does not fix the input length ({source})"
            reading = dataclasses.replace(reading, notes=(*reading.notes, note))
        spec = spec.replace(seq_len=k)
        _summary(path, reading, spec)
        out.append(ModelFile(path, reading, spec))
    return out


def spec_like(arch: str, template: RecurrentSpec) -> RecurrentSpec:
    """The architecture string `arch` with `template`'s d, k, head, layout, direction and bias
    (and its gate activations when both are gated cells, e.g. a Keras model's hard_sigmoid)."""
    spec = parse_arch(
        arch,
        input_size=template.input_size,
        seq_len=template.seq_len,
        outputs=template.outputs,
        convention=template.convention,
        bidirectional=template.bidirectional,
        bias=template.bias,
        reset_after=template.reset_after,
    )
    if spec.cell.is_vanilla or template.cell.is_vanilla:
        return spec
    return spec.replace(
        activation=template.activation, recurrent_activation=template.recurrent_activation
    )


def task_spec(
    arch: str, *, input_size: int, seq_len: int, outputs: int = 1, trust: bool = False
) -> RecurrentSpec:
    """The spec a capacity measurement trains: `arch` (a string or a model file's stack) on the
    measurement's own task shape. A file lends its cell, widths, direction, projection and bias;
    the measurement trains PyTorch cells, so Keras-only options are refused."""
    options = dict(input_size=input_size, seq_len=seq_len, outputs=outputs)
    if not is_model_file(arch):
        return parse_arch(arch, **options)  # type: ignore[arg-type]
    path = Path(str(arch).strip())
    _, spec = read_one_stack(path, trust=trust)
    keras_only = (spec.activation, spec.recurrent_activation) != ("tanh", "sigmoid") and (
        not spec.cell.is_vanilla
    )
    require(
        not keras_only and (spec.cell.value != "gru" or spec.reset_after),
        f"{path}: {spec.name} uses Keras-only options (activation {spec.activation}, "
        f"recurrent activation {spec.recurrent_activation}, reset_after {spec.reset_after}); "
        "capacity measurements train PyTorch cells: give an architecture string",
    )
    out = parse_arch(
        spec.arch_string(),
        bidirectional=spec.bidirectional,
        proj_size=spec.proj_size,
        bias=spec.bias,
        **options,  # type: ignore[arg-type]
    )
    stderr().print(
        f"{path}: measuring {out.name} as PyTorch cells at d = {input_size}, k = {seq_len} "
        f"(w = {fmt_int(total_parameters(out))}; the file's stack has "
        f"{fmt_int(total_parameters(spec))} at d = {spec.input_size})",
        markup=False,
        soft_wrap=True,
    )
    return out
