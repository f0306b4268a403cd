"""Checks of a capacity measure's arguments: sample-size grids, positive counts, seed lists
(each bad value one `InvalidInput` line naming the option that fixes it); and the sizes every
measure derives from its network: w of the one-logit network, b grids as fractions of w."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rnncap.errors import check_int, is_int, require


def sample_grid(values: Iterable[int], *, minimum: int, what: str, option: str) -> tuple[int, ...]:
    """Sorted distinct positive sample sizes, at least `minimum` of them, or `InvalidInput`."""
    raw = list(values)
    require(len(raw) > 0, f"the {what} grid is empty; give at least {minimum} sizes ({option})")
    for v in raw:
        check_int(v, f"{what} sizes", low=1, hint=option)
    grid = tuple(sorted({int(v) for v in raw}))
    require(
        len(grid) >= minimum,
        f"the {what} grid has {len(grid)} distinct size(s), too few for the fit; "
        f"give at least {minimum} ({option})",
    )
    return grid


def logit_parameters(spec) -> int:
    """w of `spec` (a `RecurrentSpec`) with one output: the capacity measures read one logit."""
    from rnncap.arch import count_parameters

    return count_parameters(spec.replace(outputs=1)).total


def fraction_sizes(w: int, fractions: Iterable[float]) -> tuple[int, ...]:
    """Sample sizes as fractions of w: sorted, distinct, at least 2 each."""
    return tuple(sorted({max(2, round(f * w)) for f in fractions}))


def positive_int(value: object, what: str, hint: str) -> int:
    return check_int(value, what, low=1, hint=hint)


def seed_list(seeds: int | Sequence[int]) -> tuple[int, ...]:
    """`seeds` as a tuple: an int n means seeds 0..n-1."""
    if is_int(seeds):
        return tuple(range(positive_int(seeds, "number of seeds", "e.g. seeds=3")))
    out = tuple(int(s) for s in seeds)
    require(len(out) >= 1, "give at least one seed (e.g. seeds=3)")
    return out
