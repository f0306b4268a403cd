"""The tables of `bounds`, `explain` and `compare`: one label schema, words never split.

Each row is labelled from `rnncap.theory.legend.LegendEntry` (key, what it bounds, citation; each
architecture's tag and numbered note), the same record the `--json` rows carry. Column widths are
at least the longest word of each column, so keys and numbers never wrap inside; when the words of
four columns cannot stand side by side, cells keep only their note mark and the note opens with the
tag.
"""

from __future__ import annotations

from rich.table import Table

from rnncap.cli.flags import to_flags
from rnncap.cli.output import stdout, table
from rnncap.theory import compare_bounds
from rnncap.theory.cells import OTHER_CELL_TITLE
from rnncap.theory.core import DERIVED_LABEL, Kind
from rnncap.theory.evaluate import MAIN, OTHER_CELL
from rnncap.theory.legend import Footnotes, LegendEntry, expression_of

CAPTION = (
    "Orders (Ω/O/Θ): unknown constants, never a number of points; compare architectures by ratios "
    "of the same expression. Explicit bounds are worst case and usually vacuous. DERIVED = "
    + DERIVED_LABEL
    + "."
)
#: One meaning per symbol in the tables (formulas quoted by `bounds --list` keep each paper's).
SYMBOLS = (
    "Symbols: w = the spec's parameters; W = parameters of the network a result is applied to; "
    "k = sequence length; U = nonlinear units of the unrolled network (+ output units); L = its "
    "layers (longest path); d = VC or pseudo-dimension; m = training samples; M = loss range."
)
RATIO_NOTE = (
    "B / A is the ratio of the expression named in the cell, within one theorem: the constant "
    "cancels, but it is not a ratio of capacities (upper bounds: it compares the bounds; lower "
    "bounds: it compares the guarantees)."
)
OTHER_NOTE = (
    "These hold for vanilla RNNs of single-recurrence units σ(affine combination): for this cell "
    "they are references, not bounds (never DERIVED, no ratio, not used by any sentence)."
)


def other_title(names: list[str]) -> str:
    return f"{OTHER_CELL_TITLE[0].upper()}{OTHER_CELL_TITLE[1:]} ({', '.join(names)})"


def _widths(cells: list[list[str]], width: int) -> list[int] | None:
    """Column widths that fill `width` and never split a word (a number, a key); None when the
    longest words do not fit side by side. The first column (labels) gets about a third."""
    n = len(cells)
    room = width - (3 * n + 1)
    mins = [max((len(w) for c in col for w in c.split()), default=1) for col in cells]
    if sum(mins) > room:
        return None
    first = max(20, room // 3) if n > 3 else max(22, int(room * 0.36))
    want = [first] + [(room - first) // (n - 1)] * (n - 1)
    widths = [max(m, w) for m, w in zip(mins, want, strict=True)]
    while sum(widths) > room:  # take one character at a time from the column with most slack
        i = max(range(n), key=lambda j: widths[j] - mins[j])
        widths[i] -= 1
    return widths


def print_tables(tables: list[tuple[Table, list[int]]], notes: Footnotes, *captions: str) -> None:
    """Tables (fixed widths, see `_widths`), then captions and numbered notes, wrapped to the
    terminal at spaces."""
    out = stdout()
    for t, widths in tables:
        for column, w in zip(t.columns, widths, strict=True):
            column.width, column.overflow = w, "fold"
        out.print(t)
    for line in (*captions, *notes.lines()):
        out.print(line, markup=False, soft_wrap=False, overflow="fold")


def label_text(bound, label: LegendEntry) -> str:
    """Key, what it bounds and the citation: the same fields the JSON row's `label` holds."""
    return f"{bound.key}\n{label.what}\n{label.citation}"


def status_text(label: LegendEntry, notes: Footnotes, compact: bool = False) -> str:
    """ "TAG [n]"; compact: "[n]" alone, the tag opening the note (narrow columns)."""
    if compact:
        return notes.mark(f"{label.tag}: {label.footnote}")
    return f"{label.tag} {notes.mark(label.footnote)}".rstrip()


def result_cell(result) -> str:
    """A result as the table shows it; a row's "pass vc=D" reads "pass --vc D" here."""
    if result.kind is Kind.NOT_APPLICABLE:
        return f"n/a: {to_flags(result.text)}"
    return result.text


def _layout(build, width: int) -> tuple[list[tuple], list[int], Footnotes, bool]:
    """Rows from `build(notes, compact)`: tags in the cells when the words fit, else compact."""
    for compact in (False, True):
        notes = Footnotes()
        body = build(notes, compact)
        widths = _widths([list(col) for col in zip(*body, strict=True)], width)
        if widths is not None:
            return body, widths, notes, compact
    n = len(body[0])  # words longer than their column: folded, but the table keeps its width
    return body, [max(8, (width - (3 * n + 1)) // n)] * n, notes, compact


def tables_of(
    sections: list[tuple[str, tuple[str, ...], list]], row_cells, width: int
) -> tuple[list[tuple[Table, list[int]]], Footnotes]:
    """One table per non-empty section, sharing one set of numbered notes."""
    shown = [(title, cols, rows) for title, cols, rows in sections if rows]
    if not shown:
        return [], Footnotes()

    def build(notes: Footnotes, compact: bool) -> list[tuple]:
        return [(*cols,) for _, cols, _ in shown[:1]] + [
            row_cells(r, notes, compact) for _, _, rows in shown for r in rows
        ]

    body, widths, notes, compact = _layout(build, width)
    out, i = [], 1
    for title, cols, rows in shown:
        out.append((table(title, cols, body[i : i + len(rows)]), widths))
        i += len(rows)
    return out, notes


def print_rows(rows, names: list[str], title: str, cols: tuple[str, ...], cells) -> None:
    """The main table of compare rows, the other cells' section under it, then the notes."""
    main = [r for r in rows if r.section == MAIN]
    other = [r for r in rows if r.section == OTHER_CELL]
    sections = [(title, cols, main), (other_title(names), cols, other)]
    tables, notes = tables_of(sections, cells, stdout().width)
    print_tables(tables, notes, *([OTHER_NOTE] if other else []), RATIO_NOTE, CAPTION, SYMBOLS)


def arch_cell(text: str, result, label: LegendEntry, notes: Footnotes, compact: bool) -> str:
    """One architecture's cell: its value and, where the row applies to it, its own status."""
    if not result.applicable:
        return text
    return f"{text}\n{status_text(label, notes, compact)}"


def ratio_text(row, i: int) -> str:
    """ "0.736 of w·k": the ratio and the expression it is a ratio of; the reason when none."""
    r = row.ratios[i]
    if r.log10 is None:
        return f"— {r.reason}" if r.reason else "—"
    return f"{row.ratio_text(i)} of {expression_of(row.bound, row.results[i])}"


def _first_cell(result) -> str:
    """The first architecture's own entry: explicit values with their unit, orders by name."""
    if not result.applicable:
        return "n/a"
    if result.kind is Kind.EXPLICIT:
        return result.text.split(" (")[0]
    return "order (expression)"


def render_bound_ratios(specs: list, rows: list | None = None) -> None:
    """The bound-ratio table that `rnncap compare` shows under its figures (`rows` from
    `compare_bounds(specs, ...)`; with ``other_cells=True`` the vanilla-RNN section too)."""
    rows = compare_bounds(specs) if rows is None else rows
    names = [s.name for s in specs]

    def cells(r, notes: Footnotes, compact: bool) -> tuple[str, ...]:
        labels = r.labels
        return (
            label_text(r.bound, labels[0]),
            arch_cell(_first_cell(r.results[0]), r.results[0], labels[0], notes, compact),
            *(
                arch_cell(
                    ratio_text(r, i) if r.section == MAIN else _first_cell(r.results[i]),
                    r.results[i],
                    labels[i],
                    notes,
                    compact,
                )
                for i in range(1, len(specs))
            ),
        )

    cols = (
        "bound · what · citation",
        f"{names[0]} · status (note)",
        *(f"{n} / {names[0]} · status (note)" for n in names[1:]),
    )
    print_rows(rows, names, "Bound ratios to the first architecture", cols, cells)
