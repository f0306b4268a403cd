"""One output sink: results go to stdout (a Rich table or one JSON document), the rest to stderr."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import warnings
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rnncap.errors import printable
from rnncap.plain import to_plain

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def quiet_library_warnings() -> None:
    """Keep pandas/numpy/torch warnings off the CLI's stderr (and its worker processes'), which
    carries only progress and the one error line; ``RNNCAP_DEBUG=1`` or ``PYTHONWARNINGS`` keep
    them."""
    if os.environ.get("RNNCAP_DEBUG") or os.environ.get("PYTHONWARNINGS"):
        return
    os.environ["PYTHONWARNINGS"] = "ignore"  # inherited by spawned workers
    warnings.simplefilter("ignore")


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _default(obj: Any) -> Any:
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Path):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_plain(obj)
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _clean(obj: Any) -> Any:
    """Replace non-finite floats by strings so the JSON stays standard."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def to_json(data: Any) -> str:
    """The one serialiser behind every ``--json``."""
    return json.dumps(_clean(json.loads(json.dumps(data, default=_default))), indent=2)


def print_json(data: Any) -> None:
    print(to_json(data))


def table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    right: Iterable[str] = (),
    caption: str | None = None,
) -> Table:
    """A Rich table; columns named in `right` are right-aligned (numbers). Every text is data,
    never Rich markup: a ``[dropout]`` in a name is printed as it is, and never a terminal
    control sequence: an escape character in a name is shown as ``\\x1b``."""
    right = set(right)
    t = Table(
        title=escape(_safe(title)),
        caption=escape(caption) if caption is not None else None,
        title_justify="left",
        caption_justify="left",
    )
    for c in columns:
        t.add_column(escape(c), justify="right" if c in right else "left")
    for r in rows:
        t.add_row(*(escape(_safe(str(v))) for v in r))
    return t


def _safe(text: str) -> str:
    """`text` with its control characters shown escaped, line by line (line breaks kept)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def fmt_int(n: int | float) -> str:
    return f"{int(n):,}"
