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


def task_from_options(dataset: str, *, preset: str = "", **options: object) -> Task:
    """A `Task` from CLI options; ``None`` and empty strings mean "the default".

    A preset fixes the options in `PRESET_OWN`: setting one of them as well is an error rather
    than a silent override of either.
    """
    options["split"] = parse_split(str(options.get("split") or ""))
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
