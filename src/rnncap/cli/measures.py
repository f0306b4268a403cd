"""`rnncap study measures STORE`: which complexity measure ranks the generalization gaps."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.measure import Measurement

from rnncap.cli.output import JsonOpt, print_json, stdout, table
from rnncap.cli.study import StoreArg, study_app
from rnncap.errors import check_int
from rnncap.plain import to_plain

ResamplesOpt = Annotated[
    int, typer.Option("--resamples", help="Bootstrap resamples of the models for the intervals.")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")]


@study_app.command("measures")
def measures_cmd(
    store: StoreArg,
    resamples: ResamplesOpt = 1000,
    seed: SeedOpt = 0,
    json_out: JsonOpt = False,
) -> None:
    """Rank every complexity measure by Kendall's tau with each generalization gap (Jiang et al.
    2020): over all models, per hyperparameter axis (granulated) and their mean Psi, with
    bootstrap 95 % intervals; a good measure rises with the gap.

    Example: rnncap study measures measures-study
    """
    from rnncap.measures.summary import ranking_table, verdict
    from rnncap.report.measures import store_ranking

    check_int(resamples, "--resamples", low=10, high=100_000, hint="e.g. --resamples 1000")
    check_int(seed, "--seed", low=0, hint="e.g. --seed 0")
    ranking = store_ranking(store, resamples=resamples, seed=seed)
    sentence = verdict(ranking)
    if json_out:
        print_json({**to_plain(ranking), "verdict": sentence})
        return
    out = stdout()
    for t in ranking_table(ranking):
        shown = table(t.title, t.columns, t.rows, right=t.columns[1:])
        shown.columns[0].no_wrap = True  # measure names whole; a narrow terminal wraps the lines
        for column, name in zip(shown.columns[1:], t.columns[1:], strict=True):
            # "[+0.30," on one line and "+0.52]" on the next; a header's words whole
            column.min_width = max(8, *(len(word) for word in name.split()))
        need = Measurement.get(out, out.options.update_width(10_000), shown).minimum
        Console(highlight=False, width=max(out.width, need)).print(shown)
    out.print(
        "n.e.: no evidence, the 95 % bootstrap interval includes 0; psi AXIS: granulated tau "
        "(only AXIS varies); Psi: their mean.",
        markup=False,
        soft_wrap=True,
    )
    out.print(sentence, markup=False, soft_wrap=True)
