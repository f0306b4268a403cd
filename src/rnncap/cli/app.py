"""The `rnncap` application: wires the command groups and maps errors to exit codes.

Exit codes: 0 success; 2 bad input (one line on stderr, no traceback); 1 any other rnncap error.
Set ``RNNCAP_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.exceptions import TyperException

from rnncap import __version__
from rnncap.cli.output import stderr
from rnncap.errors import InvalidInput, RnncapError

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
def version() -> None:
    """Print the rnncap version."""
    print(__version__)


def _register() -> None:
    """Attach every command module (each defines its commands on `app` or adds a sub-app)."""
    from rnncap.cli import commands  # noqa: F401  (import registers the commands)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of raising, so tests can call it directly."""
    _register()
    try:
        result = app(args=argv, prog_name="rnncap", standalone_mode=False)
    except InvalidInput as exc:
        if os.environ.get("RNNCAP_DEBUG"):
            raise
        stderr().print(f"Error: {exc}", markup=False, soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except TyperException as exc:  # usage errors: Typer prints them, exit code 2
        exc.show()
        return exc.exit_code
    except typer.Abort:
        stderr().print("Aborted.")
        return 1
    except RnncapError as exc:
        if os.environ.get("RNNCAP_DEBUG"):
            raise
        stderr().print(f"Error: {exc}", markup=False, soft_wrap=True)
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
