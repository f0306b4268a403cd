"""Command-line parsing of a forecasting task: flags to a `Task` (errors name the flags)."""

from __future__ import annotations

from rnncap.data.jena import jena_task
from rnncap.data.task import Task
from rnncap.errors import require


def parse_split(text: str) -> tuple:
    """``2013-09-01,2013-11-01`` or ``0.7,0.85`` -> a 2-tuple (dates stay text)."""
    if not text:
        return ()
    parts = [p.strip() for p in text.split(",")]
    require(len(parts) == 2, f"--split takes END_TRAIN,END_VAL; got {text!r}")
    try:
        return tuple(float(p) for p in parts)
    except ValueError:
        return tuple(parts)


def parse_horizons(text: str, history: int | None) -> dict:
    """``1-24`` (every lead 1..24) or ``24`` (that lead alone) -> Task options; a lead over the
    input window (`history`, default 120) is refused."""
    if not text:
        return {}
    lo, _, hi = text.strip().partition("-")
    try:
        first, last = int(lo), int(hi or lo)
    except ValueError:
        first = last = -1
    require(
        first >= 1 and last >= first and (first == 1 or first == last),
        f"--horizons takes 1-H (every lead 1..H) or H (one lead); got {text!r} (e.g. 1-24)",
    )
    window = history or Task.history
    require(
        last <= window,
        f"--horizons {text}: lead {last} is over the {window}-step input window; forecast at "
        f"most {window} steps ahead or lengthen --history",
    )
    return {"horizon": last, "all_leads": first == 1 and last > 1}


def task_from_options(dataset: str, *, preset: str = "", **options: object) -> Task:
    """A `Task` from CLI options; ``None`` and empty strings mean "the default".

    A preset fixes the options in `PRESET_OWN`: setting one of them as well is an error rather
    than a silent override of either.
    """
    options["split"] = parse_split(str(options.get("split") or ""))
    horizons = parse_horizons(str(options.pop("horizons", "") or ""), options.get("history"))
    if horizons:
        require(
            not options.get("horizon") and not options.get("all_leads"),
            "--horizons cannot be combined with --horizon or --all-leads; use one of them",
        )
        options.update(horizons)
    given = {k: v for k, v in options.items() if v is not None and v not in ("", ())}
    if preset:
        clash = [k for k in PRESET_OWN if k in given]
        require(
            not clash,
            f"--{clash[0].replace('_', '-') if clash else ''} cannot be combined with --preset "
            f"{preset}, which fixes it; drop one of the two",
        )
        return jena_task(dataset, preset, **given)
    return Task(dataset=dataset, **given)  # type: ignore[arg-type]


#: Options a Jena preset fixes (its reference task); setting one beside the preset is an error.
PRESET_OWN = ("history", "horizon", "time_features", "split", "resample", "target", "inputs")
