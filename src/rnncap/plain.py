"""One converter between frozen records (dataclasses) and plain JSON values, both ways.

`to_plain(record)` writes every field by name, recursively: enums as their values, tuples as lists,
mapping keys as strings, paths as strings; a record class may name properties to write after its
fields (``PLAIN_EXTRA``: derived figures a JSON reader wants, e.g. a gap), or declare its whole
JSON view instead (``PLAIN_VIEW``: JSON key -> dotted attribute path, a method on the path called
without arguments, written in that order and nothing else: a view that renames, drops or derives
keys; a key starting with ``**`` merges the plain dict at its path into the view, as ``{**d}``
would, later keys overriding; it reads back only where it writes every field under its own
name). The inverse,
`from_plain(cls, data)`, reads a record back by its fields' type hints: integers in a float field
become floats, lists tuples, string keys integers where the hint says so, strings enums, plain
dicts records; other values are kept as JSON gave them (no guessing); a field absent from ``data``
takes its default (a record stored before the field existed) and keys that are not fields
(``PLAIN_EXTRA``) are ignored. A record with its own ``from_dict`` (capacity's depth
records, which read their layouts from before the curve rule) is read by it, so its migrations
stay with it. Torch-free and standard library only, so the store, the report and every
``--json`` share it instead of a hand-written pair per record.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import types
import typing
from collections.abc import Mapping
from enum import Enum
from pathlib import PurePath
from typing import Any, TypeVar

R = TypeVar("R")


def to_plain(value: Any) -> Any:
    """``value`` as plain JSON values (dicts, lists, str, int, float, bool, None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        view = getattr(value, "PLAIN_VIEW", None)
        if view is not None:
            out = {}
            for key, path in view.items():
                plain = to_plain(_path(value, path))
                if key.startswith("**"):  # another record's keys, merged in at this place
                    out.update(plain)
                else:
                    out[key] = plain
            return out
        out = {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in getattr(value, "PLAIN_EXTRA", ()):
            out[name] = to_plain(getattr(value, name))
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {_key(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    return value


def _path(value: Any, path: str) -> Any:
    """The attribute at dotted ``path`` of ``value`` (``"spec.name"``); a method is called."""
    for name in path.split("."):
        value = getattr(value, name)
        if inspect.ismethod(value):
            value = value()
    return value


def _key(key: Any) -> Any:
    return key.value if isinstance(key, Enum) else str(key)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_plain(cls: type[R], data: Mapping[str, Any]) -> R:
    """The record of type ``cls`` (a dataclass) that `to_plain` wrote as ``data``."""
    if hasattr(cls, "from_dict"):  # a record that reads its own older layouts (capacity's)
        return cls.from_dict(data)  # type: ignore[attr-defined]
    hints = _hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    values = {name: _read(hints[name], data[name]) for name in known if name in data}
    return cls(**values)


def _read(hint: Any, value: Any) -> Any:
    """``value`` (plain) as the type ``hint`` names."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any or value is None and _optional(hint, origin, args):
        return value
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _read(inner[0], value) if len(inner) == 1 else value
    if dataclasses.is_dataclass(hint):
        return value if isinstance(value, hint) else from_plain(hint, value)  # type: ignore[arg-type]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], v) for v in value)
        return (
            tuple(_read(a, v) for a, v in zip(args, value, strict=True)) if args else tuple(value)
        )
    if origin is list:
        return [_read(args[0], v) for v in value] if args else list(value)
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        if not args:
            return dict(value)
        key = int if args[0] is int else (lambda k: _read(args[0], k))  # JSON keys are strings
        return {key(k): _read(args[1], v) for k, v in value.items()}
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # JSON writes 2.0 as 2 in some writers; a float field reads a float
    return value


def _optional(hint: Any, origin: Any, args: tuple) -> bool:
    return origin in (typing.Union, types.UnionType) and type(None) in args
