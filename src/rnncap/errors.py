"""One error type for bad input: the CLI turns it into one line on stderr and exit code 2."""

from __future__ import annotations


class InvalidInput(ValueError):
    """A user-supplied value is wrong; the message names it, what was expected, and the fix."""


class RnncapError(RuntimeError):
    """Something failed that is not the user's input (exit code 1)."""


def require(condition: bool, message: str) -> None:
    """Raise `InvalidInput(message)` unless `condition` holds."""
    if not condition:
        raise InvalidInput(message)
