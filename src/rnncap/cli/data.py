"""`rnncap data show NAME|PATH`: span, frequency, rows, variables with units, gaps, missing."""

from __future__ import annotations

from typing import Annotated

import typer

from rnncap.cli.app import app
from rnncap.cli.output import JsonOpt, fmt_int, print_json, stdout, table

data_app = typer.Typer(help="Weather data: the embedded nyc2013 set, Jena Climate, any CSV.")
app.add_typer(data_app, name="data")

FreqOpt = Annotated[
    str, typer.Option("--freq", help="Step of the clock, e.g. 1h (default: inferred).")
]
TimeColOpt = Annotated[str, typer.Option("--time-column", help="Name of the time column.")]
TzOpt = Annotated[
    str, typer.Option("--tz", help="Time zone of naive timestamps, e.g. Europe/Berlin (to UTC).")
]
MaxGapOpt = Annotated[
    str, typer.Option("--max-gap", help="Longest gap interpolated (default 6h); longer ones break.")
]
ResampleOpt = Annotated[
    str, typer.Option("--resample", help="Keep one row per step, e.g. 1h for hourly Jena.")
]


@data_app.command("show")
def show(
    source: Annotated[str, typer.Argument(help="nyc2013, or the path of a Jena or CSV file.")],
    freq: FreqOpt = "",
    time_column: TimeColOpt = "",
    tz: TzOpt = "",
    max_gap: MaxGapOpt = "",
    resample: ResampleOpt = "",
    json: JsonOpt = False,
) -> None:
    """Describe a dataset: span, frequency, rows, variables with units, gaps, missing values.

    Example: rnncap data show nyc2013
    """
    from rnncap.data import load_dataset

    ds = load_dataset(
        source, freq=freq, time_column=time_column, tz=tz, max_gap=max_gap, resample=resample
    )
    info = ds.summary()
    if json:
        print_json(info)
        return
    caption = "\n".join(
        [
            f"{info['start']} to {info['end']}, every {info['freq']}, {fmt_int(info['rows'])} rows "
            f"({fmt_int(info['missing_rows'])} absent from the source, inserted as gaps)",
            f"source: {info['source']}",
            *(f"- {n}" for n in info["notes"]),
        ]
    )
    rows = [
        (
            v["column"],
            v["unit"],
            f"{_num(v['min'])}..{_num(v['max'])}",
            fmt_int(v["missing"]),
            fmt_int(v["filled"]),
            fmt_int(v["interpolated"]),
            fmt_int(v["remaining"]),
            v["longest_gap"],
        )
        for v in info["variables"]
    ]
    columns = ["column", "unit", "range", "miss", "fill", "interp", "left", "gap"]
    caption += "\nmiss: missing on the clock; fill: from other stations; interp: interpolated;"
    caption += "\nleft: still missing (long gaps); gap: longest gap in steps"
    stdout().print(table(info["name"], columns, rows, right=columns[2:], caption=caption))


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
