"""docs/architecture.md's drawing of one study unit's road, checked against the code it draws.

The drawing must have at most 8 hops and cross each room boundary once, and `study/unit.py`
(the worker's side of the road) must enter the rooms the drawing says and no others: the forecast
room by the one function drawn, the engine never directly.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
UNIT = ROOT / "src" / "rnncap" / "study" / "unit.py"
#: Read by every room (records, checkers, pure counts), not drawn as hops.
SHARED = {"arch", "errors", "plain", "study"}


def _road() -> list[str]:
    """The lines of the road's drawing (the first code block after its heading)."""
    text = ARCHITECTURE.read_text()
    section = text[text.index("## One study unit's road") :]
    block = section[section.index("```") + 3 :]
    return block[: block.index("```")].splitlines()


def _hops(lines: list[str]) -> list[str]:
    return [line for line in lines if re.match(r"^\d+ ", line)]


def _boundaries(lines: list[str]) -> list[tuple[str, str]]:
    """Every (from, to) room pair the drawing's right-hand column crosses, chains included
    (``study → capacity, measures``: one hop entering two rooms)."""
    out = []
    for line in _hops(lines):
        chain = re.search(r"(\w+(?: → \w+(?:, \w+)*)+)\s*$", line)
        if chain:
            rooms = [part.split(", ") for part in chain.group(1).split(" → ")]
            for left, right in zip(rooms, rooms[1:], strict=False):
                out += [(a, b) for a in left for b in right]
    return out


def _runtime_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every import in `path` that runs (not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text())
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for n in ast.walk(node)
    }
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            out += [(node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, "") for a in node.names]
    return out


def test_the_road_has_at_most_8_hops_numbered_in_order():
    hops = _hops(_road())
    assert 1 <= len(hops) <= 8
    assert [int(h.split()[0]) for h in hops] == list(range(1, len(hops) + 1))


def test_the_road_crosses_each_room_boundary_once():
    crossed = _boundaries(_road())
    assert crossed, "the drawing names no room boundary"
    assert len(crossed) == len(set(crossed)), f"a boundary is crossed twice: {crossed}"


def test_the_unit_enters_the_rooms_the_drawing_says_and_no_others():
    drawn = {b for a, b in _boundaries(_road()) if a == "study"} - {"store"}
    rooms = {m.split(".")[1] for m, _ in _runtime_imports(UNIT) if m.startswith("rnncap.")}
    assert rooms - SHARED == drawn


def test_the_unit_enters_the_forecast_room_by_one_function_and_never_the_engine():
    imports = _runtime_imports(UNIT)
    forecast = {name for m, name in imports if m.startswith("rnncap.forecast")}
    assert forecast == {"train_and_forecast"}
    assert "train_and_forecast" in "\n".join(_hops(_road()))
    assert not [m for m, _ in imports if m.startswith("rnncap.engine")]
    calls = [
        n
        for n in ast.walk(ast.parse(UNIT.read_text()))
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "train_and_forecast"
    ]
    assert len(calls) == 1
