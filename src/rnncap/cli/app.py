"""The `rnncap` application: wires the command groups and maps errors to exit codes.

Exit codes: 0 success; 2 bad input (one line on stderr, no traceback); 1 any other rnncap error;
3 a bug in rnncap (reported as one line that says so, never as bad input). Set ``RNNCAP_DEBUG=1``
to see tracebacks.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.exceptions import TyperException

from rnncap import __version__
from rnncap.cli.flags import command_words, to_flags
from rnncap.cli.output import JsonOpt, print_json, quiet_library_warnings, stderr
from rnncap.errors import InvalidInput, RnncapError, printable
from rnncap.threads import passive_waiting

app = typer.Typer(
    name="rnncap",
    help="How layers and units change a recurrent forecaster's complexity: "
    "exact counts, cited bounds, measurements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """rnncap: exact counts, cited bounds and measurements for recurrent forecasters."""


@app.command()
def version(json_out: JsonOpt = False) -> None:
    """Print the rnncap version (and, with --json, the library versions it runs on).

    Example: rnncap version --json
    """
    if not json_out:
        print(__version__)
        return
    import platform

    import numpy
    import pandas

    print_json(
        {
            "rnncap": __version__,
            "python": platform.python_version(),
            "numpy": numpy.__version__,
            "pandas": pandas.__version__,
            "torch": _torch_version(),
        }
    )


def _torch_version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("torch")
    except PackageNotFoundError:
        return "not installed"


def _register() -> None:
    """Attach every command module (each defines its commands on `app` or adds a sub-app)."""
    from rnncap.cli import commands  # noqa: F401  (import registers the commands)


#: Longest word of an error line printed whole (a path fits; a pasted 100,000-character
#: architecture string does not). Messages quote user text through `rnncap.errors.shown`, cut
#: to 80 characters; this is the last guard for text that reached a message another way.
_MAX_WORD = 240


def _one_line(message: str) -> None:
    """The whole error report: one line on stderr, no markup, no blank line before it, no
    control character (an escape sequence in the input is shown escaped, never obeyed)."""
    text = " ".join(printable(word, _MAX_WORD) for word in str(message).split())
    stderr().print(f"Error: {text}", markup=False, highlight=False, soft_wrap=True)


def _usage_line(exc: TyperException) -> str:
    ctx = getattr(exc, "ctx", None)
    where = f"; see '{ctx.command_path} --help'" if ctx is not None else ""
    return f"{exc.format_message().rstrip('.')}{where}"


INTERRUPTED = "interrupted; run the same command again to resume where it can"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of raising, so tests can call it directly.

    Exit codes: 0 success, 1 a failure that is not the input's fault, 2 bad input (one line),
    3 a bug in rnncap (one line saying so; ``RNNCAP_DEBUG=1`` shows the traceback), 130 Ctrl-C.
    """
    quiet_library_warnings()
    passive_waiting()  # before anything starts torch's OpenMP pool
    _register()
    debug = bool(os.environ.get("RNNCAP_DEBUG"))
    command = command_words(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=argv, prog_name="rnncap", standalone_mode=False)
    except InvalidInput as exc:
        if debug:
            raise
        _one_line(to_flags(str(exc), command))
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except TyperException as exc:  # usage errors: one line, exit code 2
        if debug:
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group called bare: its help
            exc.show()  # type: ignore[attr-defined]
        else:
            _one_line(_usage_line(exc))
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        _one_line(INTERRUPTED)
        return 130
    except RnncapError as exc:
        if debug:
            raise
        _one_line(to_flags(str(exc), command))
        return 1
    except MemoryError:
        if debug:
            raise
        _one_line("out of memory; use smaller sizes (docs/robustness.md lists rnncap's limits)")
        return 1
    except Exception as exc:
        if debug:
            raise
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        _one_line(
            f"internal error in rnncap, not a problem with your input: {type(exc).__name__}"
            f"{': ' + first if first else ''}. This is a bug; please report it with the command "
            "(RNNCAP_DEBUG=1 shows the traceback)"
        )
        return 3
    if result == 130:  # Typer turns Ctrl-C into a silent exit code 130
        _one_line(INTERRUPTED)
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
