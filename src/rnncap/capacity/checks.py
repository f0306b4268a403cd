"""Checks of a capacity measure's arguments: sample-size grids, positive counts, seed lists
(each bad value one `InvalidInput` line naming the option that fixes it)."""

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


def positive_int(value: object, what: str, hint: str) -> int:
    return check_int(value, what, low=1, hint=hint)


def seed_list(seeds: int | Sequence[int]) -> tuple[int, ...]:
    """`seeds` as a tuple: an int n means seeds 0..n-1."""
    if is_int(seeds):
        return tuple(range(positive_int(seeds, "number of seeds", "e.g. seeds=3")))
    out = tuple(int(s) for s in seeds)
    require(len(out) >= 1, "give at least one seed (e.g. seeds=3)")
    return out
