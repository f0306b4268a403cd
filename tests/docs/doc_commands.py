"""Every `rnncap ...` command the documentation shows, collected from README.md, docs/*.md and
the ``Example:`` lines of the CLI's help, so that a command added to a page is tested too.

A command is a line of a fenced block that starts with ``rnncap`` or ``$ rnncap`` (environment
assignments and ``/usr/bin/time`` before it are dropped, a trailing ``# comment`` too, ``\\``
continues a line), an inline ```rnncap ...``` span, or an ``Example: rnncap ...`` in the code.
A template (``ARCH``, ``[--json]``, ``a|b``, ``...``) and a bare command name in prose (```rnncap
count```) are not commands. When a block shows ``Error: ...`` right after a command, that line
is the documented outcome. A block right after ``<!-- docs test: not run (reason) -->`` is
left out (the reason is on the page).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Words that mark a template rather than a command to run.
_PLACEHOLDER = re.compile(r"\[|\]|\||\.\.\.|…|(?<![\w-])[A-Z][A-Z_0-9]*(?![\w-])")
_ENV = re.compile(r"^(?:[A-Z_]+=\S*\s+)+")
_INLINE = re.compile(r"`(rnncap [^`]+)`")
_EXAMPLE = re.compile(r"Example: (rnncap [^\"\n]+)")


#: An HTML comment right before a fenced block that keeps it out (with the reason after it),
#: e.g. the output of an older rnncap kept for its figures.
SKIP_MARK = "<!-- docs test: not run"


@dataclass(frozen=True)
class DocCommand:
    """One documented command: where it is, its words, and the error line the doc shows."""

    where: str
    args: tuple[str, ...]
    error: str = ""

    @property
    def text(self) -> str:
        return shlex.join(("rnncap", *self.args))


def _clean(line: str) -> str:
    line = line.strip().removeprefix("$ ").strip()
    line = _ENV.sub("", line).removeprefix("/usr/bin/time ").strip()
    return re.split(r"\s+#\s", line, maxsplit=1)[0].strip()


def _command(where: str, line: str, error: str = "") -> DocCommand | None:
    line = _clean(line)
    if not line.startswith("rnncap ") or _PLACEHOLDER.search(line):
        return None
    return DocCommand(where, tuple(shlex.split(line)[1:]), error)


def _fenced(path: Path) -> list[DocCommand]:
    out, inside = [], False
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```"):
            inside = not inside
            if inside and i > 0 and SKIP_MARK in lines[i - 1]:  # a block marked as not run
                i = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), i)
                inside = False
        elif inside and _clean(line).startswith("rnncap "):
            start = i
            while lines[i].rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
            joined = " ".join(x.rstrip().removesuffix("\\") for x in lines[start : i + 1])
            after = lines[i + 1].strip() if i + 1 < len(lines) else ""
            error = after if after.startswith("Error: ") else ""
            cmd = _command(f"{path.relative_to(ROOT)}:{start + 1}", joined, error)
            if cmd is not None:
                out.append(cmd)
        i += 1
    return out


def _inline(path: Path) -> list[DocCommand]:
    out = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        for span in _INLINE.findall(line):
            cmd = _command(f"{path.relative_to(ROOT)}:{n}", span)
            if cmd is not None and any(a.startswith("-") or ":" in a or "." in a for a in cmd.args):
                out.append(cmd)  # a bare command name in prose is a mention, not a command
    return out


def _examples() -> list[DocCommand]:
    out = []
    for path in sorted((ROOT / "src" / "rnncap" / "cli").glob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for text in _EXAMPLE.findall(line):
                cmd = _command(f"{path.relative_to(ROOT)}:{n}", text)
                if cmd is not None:
                    out.append(cmd)
    return out


def doc_commands() -> list[DocCommand]:
    """Every documented command, each once (the first place that shows it)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    found = [c for p in pages for c in (*_fenced(p), *_inline(p))] + _examples()
    seen: dict[tuple[str, ...], DocCommand] = {}
    for c in found:
        if c.args not in seen or (c.error and not seen[c.args].error):
            seen[c.args] = c
    return list(seen.values())
