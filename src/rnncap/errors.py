"""Error types and the one set of validation helpers for values a user can type.

`InvalidInput` is bad input: the CLI turns it into one line on stderr and exit code 2.
`RnncapError` is a failure that is not the input's fault (exit code 1). Anything else reaching
the CLI is a bug in rnncap and is reported as such (exit code 3), never as bad input.

The checkers below are the only place that decides what "an integer >= 1" or "a finite number
> 0" means, so every message reads the same: ``<what> must be ...; got <value> (<hint>)``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

#: Most digits of an integer rnncap reads from text (more is never a size it could use).
MAX_DIGITS = 30

#: Most characters of a user's text that a message echoes; the rest is counted, not printed.
MAX_ECHO = 80


def printable(text: object, limit: int | None = None) -> str:
    """`text` safe to print on a terminal: control and other non-printable characters are shown
    escaped (``\\x1b``), so an ANSI sequence in a name never reaches the screen raw; with
    `limit`, a longer text is cut and says how long it was."""
    text = str(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if limit is not None and len(text) > limit:
        text = f"{text[: limit - 20]}... ({len(text):,} characters)"
    return text


def shown(value: object) -> str:
    """`value` as a message echoes it (text quoted): escaped and cut to about `MAX_ECHO`
    characters; an integer too long to print whole is named by its size."""
    if isinstance(value, str):
        return f"'{printable(value, MAX_ECHO)}'"
    if is_int(value) and abs(int(value)).bit_length() > 3 * MAX_ECHO:
        return f"an integer of about {int(abs(int(value)).bit_length() * 0.30103):,} digits"
    return printable(repr(value), MAX_ECHO)


def brief(exc: BaseException, limit: int = 160) -> str:
    """What a library's exception says, for the end of one line: its first line, up to its
    first sentence's end, cut at a word (never mid-word) when longer than `limit`."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0].strip()
    end = text.find(". ")
    text = text[: end + 1] if end > 0 else text
    text = printable(text)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " ..."
    return text


class InvalidInput(ValueError):
    """A user-supplied value is wrong; the message names it, what was expected, and the fix."""


class RnncapError(RuntimeError):
    """Something failed that is not the user's input (exit code 1)."""


class LimitExceeded(RnncapError):
    """The work asked for is over one of rnncap's stated resource limits (exit code 1); the
    message names the limit, and docs/robustness.md lists them all. Raised before any work."""


def check_limit(value: int, limit: int, what: str, fix: str) -> int:
    """`value` if it is within `limit`, else `LimitExceeded` naming both and the way out."""
    if value > limit:
        raise LimitExceeded(f"{what} is {value:,}, over rnncap's limit of {limit:,}; {fix}")
    return value


def require(condition: bool, message: str) -> None:
    """Raise `InvalidInput(message)` unless `condition` holds."""
    if not condition:
        raise InvalidInput(message)


def _hint(hint: str) -> str:
    return f" ({hint})" if hint else ""


def _num(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x}"


def _range_text(low: float | None, high: float | None, strict_low: bool = False) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if strict_low else '>='} {_num(low)}")
    if high is not None:
        parts.append(f"<= {_num(high)}")
    return " and ".join(parts)


def is_int(value: Any) -> bool:
    """True for Python and numpy integers, False for bools (``True`` is not a layer count)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _int_within(value: Any, low: int | None, high: int | None) -> bool:
    return is_int(value) and (low is None or value >= low) and (high is None or value <= high)


def check_int(
    value: Any,
    what: str,
    *,
    low: int | None = None,
    high: int | None = None,
    hint: str = "",
) -> int:
    """`value` as an ``int`` within ``[low, high]`` (either end optional), else `InvalidInput`."""
    ok = _int_within(value, low, high)
    if not ok:
        bounds = _range_text(low, high)
        kind = f"an integer {bounds}" if bounds else "an integer"
        raise InvalidInput(f"{what} must be {kind}; got {shown(value)}{_hint(hint)}")
    return int(value)


def check_float(
    value: Any,
    what: str,
    *,
    low: float | None = None,
    high: float | None = None,
    strict_low: bool = False,
    hint: str = "",
) -> float:
    """`value` as a finite ``float`` within the range (``strict_low``: ``> low``), else
    `InvalidInput`. NaN and infinities are always refused."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and math.isfinite(float(value))
    if ok and low is not None:
        ok = float(value) > low if strict_low else float(value) >= low
    if ok and high is not None:
        ok = float(value) <= high
    if not ok:
        bounds = _range_text(low, high, strict_low)
        kind = f"a finite number {bounds}" if bounds else "a finite number"
        raise InvalidInput(f"{what} must be {kind}; got {shown(value)}{_hint(hint)}")
    return float(value)


def check_int_list(
    value: Any,
    what: str,
    *,
    low: int | None = 1,
    high: int | None = None,
    max_items: int | None = None,
    hint: str = "",
) -> tuple[int, ...]:
    """A list (or one integer) of integers within the range, as a tuple, else `InvalidInput`."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    ok = all(_int_within(v, low, high) for v in items)
    if not ok:
        bounds = _range_text(low, high)
        kind = f"integers {bounds}" if bounds else "integers"
        raise InvalidInput(f"{what} must be a list of {kind}; got {shown(value)}{_hint(hint)}")
    if max_items is not None and len(items) > max_items:
        raise InvalidInput(
            f"{what} has {len(items):,} entries; at most {max_items:,} are allowed{_hint(hint)}"
        )
    return tuple(int(v) for v in items)


def parse_int_text(
    text: str, what: str, *, low: int | None = None, high: int | None = None, hint: str = ""
) -> int:
    """An integer typed as text (``1_000`` allowed), checked like `check_int`."""
    cleaned = str(text).strip().replace("_", "")
    body = cleaned[1:] if cleaned[:1] in "+-" else cleaned
    if not (body.isascii() and body.isdigit()):
        raise InvalidInput(f"{what} must be an integer; got {shown(text)}{_hint(hint)}")
    if len(body) > MAX_DIGITS:
        raise InvalidInput(
            f"{what} has {len(body):,} digits; rnncap reads integers of at most {MAX_DIGITS} "
            f"digits{_hint(hint)}"
        )
    return check_int(int(cleaned), what, low=low, high=high, hint=hint)


def parse_float_text(
    text: str,
    what: str,
    *,
    low: float | None = None,
    high: float | None = None,
    strict_low: bool = False,
    hint: str = "",
) -> float:
    """A finite number typed as text, checked like `check_float`."""
    try:
        value = float(str(text).strip().replace("_", ""))
    except ValueError:
        raise InvalidInput(f"{what} must be a number; got {shown(text)}{_hint(hint)}") from None
    return check_float(value, what, low=low, high=high, strict_low=strict_low, hint=hint)
