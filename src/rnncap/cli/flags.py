"""Library messages name API arguments (``budget=50000``, ``history=``); the CLI shows its flags.

`to_flags` is the one place that translates: ``name=VALUE`` becomes ``--flag VALUE`` and a bare
``name=`` becomes ``--flag`` (so does ``name=True``, a switch), for the argument names below only.
A tuple or list value becomes the CLI's comma list (``depths=(1, 2, 3)`` -> ``--layers 1,2,3``).
Text that already names a flag, and names not in the table, pass through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Arguments whose flag is the default spelling (``foo_bar`` -> ``--foo-bar``).
SAME_NAME = (
    *("address", "budget", "convention", "delay", "delta", "draws", "epochs", "epsilon", "freq"),
    *("history", "horizon", "input_bits", "input_size", "layers", "max_epochs", "max_samples"),
    *("out", "outputs"),
    *("restarts", "seeds", "seq_len", "station", "stride", "target", "trust", "tz", "units", "vc"),
    *("vc_epochs", "windows", "workers"),
)

#: Arguments whose CLI flag has another name.
RENAMED = {
    "m": "--samples",  # theory's training-sample count (bounds --samples)
    "depths": "--layers",  # arch.frontier
    "sample_sizes": "--samples",  # capacity memorize's grid (capacity vc: --n, below)
    "memorization_epochs": "--epochs",  # capacity depth
    "repetitions": "--reps",  # capacity vc
    "vc_repetitions": "--vc-reps",  # capacity depth
    "lrs": "--lr",
    "schedules": "--schedule",
    "losses": "--loss",
    "encodings": "--encoding",
    "max_flops": "--max-tflops",  # FLOPs in the API, TFLOPs on the CLI: named bare only
}

#: Per command (its words after ``rnncap``), where one argument has another flag there.
BY_COMMAND = {
    ("capacity", "vc"): {"sample_sizes": "--n"},
    ("capacity", "memorize"): {"input_size": "--input-bits"},
    ("capacity", "depth"): {"input_size": "--input-bits"},
}

FLAGS = {name: "--" + name.replace("_", "-") for name in SAME_NAME} | RENAMED

_VALUE = r"\([^()]*\)|\[[^\[\]]*\]|'[^']*'|[^\s,;()]+"


def flag_table(command: Sequence[str] = ()) -> dict[str, str]:
    """Argument name -> flag, with the overrides of `command` (e.g. ``("capacity", "vc")``)."""
    return FLAGS | BY_COMMAND.get(tuple(command[:2]), {})


def _cli_value(value: str) -> str:
    """``(1, 2, 3)`` -> ``1,2,3``; ``('temp',)`` -> ``temp``; ``'x'`` -> ``x``."""
    if value[:1] in "([":
        items = [v.strip().strip("'\"") for v in value[1:-1].split(",")]
        return ",".join(v for v in items if v)
    return value.strip("'\"")


def to_flags(message: str, command: Sequence[str] = ()) -> str:
    """`message` with every known ``name=VALUE`` / bare ``name=`` written as the CLI flag."""
    table = flag_table(command)
    names = "|".join(sorted(map(re.escape, table), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.=-])({names})=(?:({_VALUE})|(?=[),;\s]|$))")

    def swap(match: re.Match) -> str:
        flag, value = table[match.group(1)], match.group(2)
        return f"{flag} {_cli_value(value)}" if value and value != "True" else flag

    return pattern.sub(swap, message)


def command_words(argv: Sequence[str]) -> tuple[str, ...]:
    """The first two words of a command line that are not options (``capacity vc``)."""
    return tuple(a for a in argv if not a.startswith("-"))[:2]
