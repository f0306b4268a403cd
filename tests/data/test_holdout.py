"""The same-season holdout weeks: no holdout row reaches training, scaling or early stopping.

Checked on timestamps, independently of the window arithmetic: the holdout weeks are recovered
from the holdout windows' own times (7-day blocks from the first row), and every training and
validation window's time span is compared against them.
"""

import numpy as np
import pandas as pd
import pytest
from test_task import synthetic

from rnncap.data import Task, prepare_task
from rnncap.engine import ForecastSettings
from rnncap.errors import InvalidInput
from rnncap.forecast.many import member_jobs

HISTORY, HORIZON = 10, 3


def _task(**changes):
    base = dict(dataset="s", target="a", history=HISTORY, horizon=HORIZON, time_features=False)
    return Task(**{**base, **changes})


@pytest.fixture(scope="module")
def ds():
    return synthetic(periods=24 * 7 * 12)  # twelve weeks; training: the first 70 %


@pytest.fixture(scope="module")
def td(ds):
    return prepare_task(_task(holdout_weeks=2, holdout_seed=2), ds)  # weeks 2 and 5


def _spans(td, split):
    """(first input time, last target time) of each window of `split`."""
    times = pd.DatetimeIndex(td.times)
    return times[split.rows - HISTORY + 1], times[split.rows + HORIZON]


def _held_weeks(td):
    """The holdout's week intervals, from the holdout windows' times alone."""
    t0 = pd.DatetimeIndex(td.times)[0]
    start, _ = _spans(td, td.holdout)
    weeks = sorted({int((s - t0) // pd.Timedelta(days=7)) for s in start})
    return [(t0 + pd.Timedelta(days=7 * w), t0 + pd.Timedelta(days=7 * (w + 1))) for w in weeks]


def test_holdout_windows_lie_inside_two_whole_weeks_of_the_training_months(td):
    weeks = _held_weeks(td)
    assert len(weeks) == 2
    first, last = _spans(td, td.holdout)
    inside = [
        any(lo <= f and la < hi for lo, hi in weeks) for f, la in zip(first, last, strict=True)
    ]
    assert all(inside)
    # every window that fits in a week is there: 168 rows - (10 + 3) + 1 = 156 per week
    assert len(td.holdout) == 2 * (168 - HISTORY - HORIZON + 1)
    assert last.max() < pd.DatetimeIndex(td.times)[td.val.rows - HISTORY + 1].min()


def test_adjacent_holdout_weeks_form_one_block(ds):
    td = prepare_task(_task(holdout_weeks=2, holdout_seed=1), ds)  # weeks 3 and 4
    t0 = pd.DatetimeIndex(td.times)[0]
    assert [lo - t0 for lo, _ in _held_weeks(td)] == [pd.Timedelta(days=d) for d in (21, 28)]
    assert len(td.holdout) == 2 * 168 - HISTORY - HORIZON + 1  # windows across the boundary too


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_no_training_or_validation_window_touches_a_holdout_week(td, split):
    """Training windows whose input span overlaps a holdout week are dropped (not moved)."""
    first, last = _spans(td, td.split(split))
    for lo, hi in _held_weeks(td):
        assert not ((first < hi) & (last >= lo)).any()


def test_windows_that_straddle_a_holdout_week_are_in_no_split(ds, td):
    plain = prepare_task(_task(), ds)
    weeks = _held_weeks(td)
    first, last = _spans(plain, plain.train)
    touches = np.zeros(len(first), dtype=bool)
    for lo, hi in weeks:
        touches |= (first < hi) & (last >= lo)
    kept = set(plain.train.rows[~touches])
    assert set(td.train.rows) == kept
    straddling = set(plain.train.rows[touches]) - set(td.holdout.rows)
    assert straddling and not straddling & set(td.train.rows)
    # window ends per week: 168 inside or straddling plus (history + horizon - 1) before it
    assert len(plain.train) - len(td.train) == 2 * (168 + HISTORY + HORIZON - 1)


def test_scalers_never_see_a_holdout_row(ds, td):
    frame = ds.frame
    train_end = frame.index[round(0.7 * (len(frame) - 1))]
    rows = frame[frame.index < train_end]
    for lo, hi in _held_weeks(td):
        rows = rows[(rows.index < lo) | (rows.index >= hi)]
    np.testing.assert_allclose(td.x_scaler.mean, rows.mean().to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(td.x_scaler.scale, rows.std(ddof=0).to_numpy(), rtol=1e-9)


def test_the_engine_gets_no_holdout_window(td):
    """What `fit_many`, `forecast train` and a study unit hand the engine: training and
    early-stopping windows, none of them a holdout window."""
    (job,), _ = member_jobs(td, [(_spec(td), 0)], ForecastSettings())
    seen = {row.tobytes() for row in np.concatenate([job.data.x_train, job.data.x_val])}
    held = {row.tobytes() for row in td.holdout.x}
    assert len(job.data.x_train) == len(td.train) and not seen & held


def _spec(td):
    from rnncap.arch import parse_arch

    return parse_arch("lstm:4", input_size=td.input_size, seq_len=HISTORY, outputs=td.outputs)


def test_the_draw_is_seeded(ds, td):
    again = prepare_task(_task(holdout_weeks=2, holdout_seed=2), ds)
    np.testing.assert_array_equal(again.holdout.rows, td.holdout.rows)
    other = prepare_task(_task(holdout_weeks=2, holdout_seed=4), ds)
    assert not np.array_equal(other.holdout.rows, td.holdout.rows)


def test_no_holdout_by_default(ds):
    td = prepare_task(_task(), ds)
    assert td.holdout is None
    with pytest.raises(InvalidInput, match="no holdout split; set holdout_weeks"):
        td.split("holdout")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"holdout_weeks": 8}, "holdout_weeks=8 leaves no training week: the training months "
                               "hold 8 whole weeks"),
        ({"holdout_weeks": 1, "history": 170}, "hold no complete window of 170 \\+ 3 steps"),
        ({"holdout_weeks": -1}, "holdout_weeks"),
    ],
)  # fmt: skip
def test_bad_holdouts_are_one_line(ds, changes, message):
    with pytest.raises(InvalidInput, match=message):
        prepare_task(_task(**changes), ds)
