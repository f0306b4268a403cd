"""The one converter (`rnncap.plain`) on the store's records: the JSON keeps the keys the
hand-written ``to_dict`` methods wrote (the expected text below is what they wrote, issue 22), and
every record reads back equal, older rows included."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import ClassVar

import pytest
from test_store import _info

from rnncap.capacity.depth import DepthMeasure, DepthRow
from rnncap.engine.bookkeeping import Status
from rnncap.plain import from_plain, to_plain
from rnncap.study.records import (
    BaselineResult,
    ForecastSample,
    MemorizationResult,
    MemorizationVerdict,
    RunResult,
    SplitErrors,
    UnitResult,
    WeightNorms,
)

# json.dumps(UnitResult.to_dict(), sort_keys=True) as the hand-written methods wrote it (main at
# dbf6a3e), for the record built by `_unit`, with the fields added since at their defaults (the
# holdout error, axes, training windows and complexity measures of a run: issue 24; the capacity
# atlas's point: issue 23, null here; since replaced by `atlas_points`, a unit's points, one per
# seed, so a store written with `atlas` reads back without it)
WRITTEN = (
    '{"arch": "lstm:1x4", "atlas": null, "attempts": 2, "baselines": [{"name": "persistence", '
    '"test_mae": 3.87, '
    '"val_mae": 3.9}], "depth": null, "device": "cpu", "memorization": {"arch": "lstm:1x9", '
    '"bits_per_parameter_by_seed": {"0": 0.66, "1": 0.5}, "budget": 400, "epochs": 150, '
    '"limited_by_grid": false, "parameters": 397, "sample_sizes": [198, 397], "verdict": '
    '"budget-limited"}, "node": "n", "runs": [{"attempts": 1, "axes": {}, "best_epoch": 3, '
    '"epochs": 7, "errors": {"holdout": null, "test": 3.5, "train": 1.0, "val": 2.0}, '
    '"forecast": {"pred": [1.5], "times": ["t0"], "truth": [1.0]}, "measures": {}, "norms": '
    '{"distance_from_init": null, "frobenius": 9.0, "recurrent_spectral_max": 1.5, '
    '"relative_distance_from_init": null, "spectral_max": 4.0, "stable_rank_mean": 1.2}, '
    '"seed": 0, "status": "early_stopped", "train_windows": null}], "seconds": 0.5}'
)


def _unit() -> UnitResult:
    run = RunResult(
        0,
        Status.EARLY_STOPPED,
        3,
        7,
        SplitErrors(1.0, 2.0, 3.5),
        WeightNorms(4.0, 1.5, 9.0, 1.2),
        ForecastSample(("t0",), (1.0,), (1.5,)),
    )
    mem = MemorizationResult(
        "lstm:1x9",
        397,
        400,
        150,
        (198, 397),
        {0: 0.66, 1: 0.5},
        False,
        MemorizationVerdict.BUDGET_LIMITED,
    )
    baselines = (BaselineResult("persistence", 3.9, 3.87),)
    return UnitResult("lstm:1x4", "cpu", 0.5, (run,), mem, baselines, node="n", attempts=2)


#: Fields added to `UnitResult` since, with their values in `_unit` (old rows read them as these).
ADDED = {"capacity_seconds": 0.0, "atlas_points": []}  # issue 22's unit times, issue 23's points
#: Fields `UnitResult` no longer has (a stored row that holds them still reads back).
REMOVED = ("atlas",)


def test_the_json_keeps_the_keys_and_values_the_hand_written_methods_wrote():
    written = {k: v for k, v in json.loads(WRITTEN).items() if k not in REMOVED}
    expected = json.dumps({**written, **ADDED}, sort_keys=True)
    assert json.dumps(to_plain(_unit()), sort_keys=True) == expected


def test_records_read_back_equal_and_typed():
    back = from_plain(UnitResult, json.loads(WRITTEN))
    assert back == _unit()
    assert back.runs[0].status is Status.EARLY_STOPPED
    assert back.memorization.verdict is MemorizationVerdict.BUDGET_LIMITED
    assert list(back.memorization.bits_per_parameter_by_seed) == [0, 1]  # int keys again
    assert isinstance(back.runs, tuple) and isinstance(back.runs[0].forecast.times, tuple)
    info = _info()
    assert from_plain(type(info), json.loads(json.dumps(to_plain(info)))) == info


def test_an_older_row_takes_the_defaults_of_the_fields_it_lacks():
    older = json.loads(WRITTEN)
    del older["node"], older["attempts"], older["depth"]  # rows written before those fields
    back = from_plain(UnitResult, older)
    assert (back.node, back.attempts, back.depth) == (None, 1, None)
    with pytest.raises(TypeError):  # a required field missing is an error, not a default
        from_plain(SplitErrors, {"train": 1.0, "val": 2.0})


def test_numbers_take_the_annotated_type():
    back = from_plain(SplitErrors, {"train": 1, "val": 2, "test": float("nan")})
    assert type(back.train) is float and back.train == 1.0 and math.isnan(back.test)


def test_a_depth_row_keeps_its_written_view_and_reads_back_from_it():
    """Records with a declared view (``PLAIN_VIEW``: derived figures) are written by it and read
    back by their fields (a depth measure by its own `from_dict`, older layouts included)."""
    vc = DepthMeasure(((9.0, 11.0), (10.0, 12.0), (10.0, 12.0)))
    row = DepthRow(2, "lstm:2x2", 57, vc, DepthMeasure(((29.0,) * 2, (30.0,) * 2)), True, (0, 1))
    written = to_plain(row)
    assert list(written) == [  # the order the hand-written to_dict stored (main at a6ac1a3)
        "seeds", "layers", "arch", "parameters", "vc", "vc_bracketed", "memorization",
        "bits_per_parameter",
    ]  # fmt: skip
    assert list(written["vc"]) == [
        "by_budget", "by_seed", "by_seed_at_budget", "summary", "verdict", "converged",
        "convergence",
    ]  # fmt: skip
    assert written["vc"]["by_seed"] == [10.0, 12.0] and written["seeds"] == [0, 1]
    assert written["bits_per_parameter"] == pytest.approx(30.0 / 57)
    assert from_plain(DepthRow, written) == row
    # a unit stored before the curve rule: two budgets, by_seed_at_budget and by_seed only
    older = {**json.loads(WRITTEN), "depth": {**written, "memorization": {
        "by_seed_at_budget": [29.0, 29.0], "by_seed": [30.0, 30.0]}}}  # fmt: skip
    assert from_plain(UnitResult, older).depth.memorization == row.memorization


@dataclass(frozen=True)
class _Inner:
    name: str

    def shout(self) -> str:
        return self.name.upper()


@dataclass(frozen=True)
class _Viewed:
    inner: _Inner
    width: int
    height: float = 1.0

    PLAIN_VIEW: ClassVar = {
        "area": "area",
        "height": "height",
        "width": "width",
        "label": "inner.shout",
        "inner": "inner",
    }

    @property
    def area(self) -> float:
        return self.width * self.height


def test_a_declared_view_writes_its_keys_in_order_and_reads_back_by_field_names():
    record = _Viewed(_Inner("ab"), 3, 2.5)
    written = to_plain(record)
    assert list(written.items()) == [
        ("area", 7.5), ("height", 2.5), ("width", 3), ("label", "AB"), ("inner", {"name": "ab"}),
    ]  # fmt: skip
    assert from_plain(_Viewed, written) == record
    assert from_plain(_Viewed, {"inner": {"name": "x"}, "width": 2}).height == 1.0


@dataclass(frozen=True)
class _Merged:
    inner: _Inner
    width: int

    PLAIN_VIEW: ClassVar = {"width": "width", "**inner": "inner", "name": "inner.shout"}


def test_a_view_merges_another_records_keys_in_place_later_keys_overriding():
    """``**`` in a view writes the record at its path as ``{**d}`` would (how a theory
    `Evaluation` writes its bound's keys, a `Result` its explicit figures, a model file its
    reading), and a later key of the same name overrides the value in place."""
    written = to_plain(_Merged(_Inner("ab"), 3))
    assert list(written.items()) == [("width", 3), ("name", "AB")]
    assert to_plain(_Merged(_Inner("ab"), 3)) == {"width": 3, **{"name": "ab"}, "name": "AB"}


def test_theory_results_write_their_figures_only_when_explicit():
    """The JSON the hand-written `Result.to_dict` wrote (main at e78ab7a), from the view."""
    from rnncap.theory.core import Kind, Result

    explicit = Result(Kind.EXPLICIT, "10^2", log10=2.0, vacuous=True, notes=("n",), derived="why")
    assert to_plain(explicit) == {
        "kind": "explicit", "text": "10^2", "value": 100.0, "log10": 2.0, "vacuous": True,
        "notes": ["n"], "derived": True, "derived_reason": "why", "caveat": "", "other_cell": "",
    }  # fmt: skip
    order = Result(Kind.ORDER, "O(w), constant unknown", log10=1.0)
    assert list(to_plain(order)) == ["kind", "text", "vacuous", "notes", "derived",
                                     "derived_reason", "caveat", "other_cell"]  # fmt: skip
    assert to_plain(order)["derived"] is False
