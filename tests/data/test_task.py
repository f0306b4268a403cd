"""Windows, splits and scalers, checked against direct pandas indexing of the series."""

import numpy as np
import pandas as pd
import pytest

from rnncap.data import Task, load_dataset, prepare_task
from rnncap.data.csvfile import finish
from rnncap.data.dataset import Variable
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain


def synthetic(periods=24 * 40, holes=(), seed=0):
    """An hourly two-column series (a, b) with NaN runs at `holes` (start, length)."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2021-01-01", periods=periods, freq="1h")
    a = np.sin(np.arange(periods) * 2 * np.pi / 24) * 5 + rng.normal(size=periods)
    b = rng.normal(size=periods).cumsum()
    frame = pd.DataFrame({"a": a, "b": b}, index=index)
    for start, length in holes:
        frame.iloc[start : start + length, 0] = np.nan
    return finish(
        name="synthetic",
        values=frame,
        step=pd.Timedelta("1h"),
        max_gap="2h",
        source="test",
        variables=(Variable("a", "a", None), Variable("b", "b", None)),
    )


def test_windows_match_direct_indexing():
    ds = synthetic()
    task = Task(dataset="synthetic", target="a", history=10, horizon=3, time_features=False)
    td = prepare_task(task, ds)
    frame = ds.frame
    train_part = frame[frame.index < frame.index[round(0.7 * (len(frame) - 1))]]
    mean, std = train_part.mean(), train_part.std(ddof=0)
    for split in (td.train, td.val, td.test):
        for i in (0, len(split) // 2, len(split) - 1):
            r = split.rows[i]
            window = (frame.iloc[r - 9 : r + 1] - mean) / std
            np.testing.assert_allclose(split.x[i], window.to_numpy(), rtol=1e-5, atol=1e-5)
            y = td.y_to_physical(split.y[i : i + 1])[0, 0]
            assert y == pytest.approx(frame["a"].iloc[r + 3], abs=1e-4)
    assert td.input_size == 2 and td.outputs == 1
    assert td.train.x.dtype == np.float32 and td.train.y.dtype == np.float32


def test_default_split_is_70_15_15_and_no_window_crosses_a_boundary():
    ds = synthetic()
    td = prepare_task(Task(dataset="s", target="a", history=10, horizon=3), ds)
    times = pd.DatetimeIndex(td.times)
    b1, b2 = times[round(0.7 * (len(times) - 1))], times[round(0.85 * (len(times) - 1))]
    first = lambda s: times[s.rows - 9]  # noqa: E731
    last = lambda s: times[s.rows + 3]  # noqa: E731
    assert last(td.train).max() < b1 <= first(td.val).min()
    assert last(td.val).max() < b2 <= first(td.test).min()
    # every contained window is used (stride 1, no gaps); the first ends at row 21 because daily
    # persistence for lead 3 reads the target 24 - 3 = 21 rows before the last input
    assert td.train.rows.tolist() == list(range(21, td.train.rows[-1] + 1))


def test_long_gap_breaks_the_series():
    ds = synthetic(holes=[(100, 5), (300, 2)])  # 5 h > 2 h limit: kept; 2 h: interpolated
    assert ds.frame["a"].isna().sum() == 5
    td = prepare_task(Task(dataset="s", target="a", history=10, horizon=3), ds)
    for split in (td.train, td.val, td.test):
        touched = (split.rows[:, None] + np.arange(-9, 4)[None, :]).ravel()
        assert not ((touched >= 100) & (touched < 105)).any()
    # first window after the gap: inputs start at 105 (end 114), daily persistence row end-21
    # must be >= 105 too, so the first end is 126
    assert 126 in td.train.rows and 125 not in td.train.rows
    assert 99 - 3 in td.train.rows and 99 - 2 not in td.train.rows


def test_all_leads_and_multiple_targets_are_lead_major():
    ds = synthetic()
    task = Task(dataset="s", target=("a", "b"), history=6, horizon=3, all_leads=True)
    td = prepare_task(task, ds)
    assert td.outputs == 6 and td.leads == (1, 2, 3)
    assert td.output_names[:3] == ("a@+1", "b@+1", "a@+2")
    r = td.test.rows[0]
    expected = [ds.frame[c].iloc[r + h] for h in (1, 2, 3) for c in ("a", "b")]
    np.testing.assert_allclose(td.y_to_physical(td.test.y[:1])[0], expected, atol=1e-4)
    np.testing.assert_allclose(td.y_physical(td.test)[0], expected)


def test_time_features_and_stride():
    ds = synthetic()
    td = prepare_task(Task(dataset="s", target="a", history=6, horizon=1, stride=5), ds)
    assert td.input_columns[-4:] == ("hour_sin", "hour_cos", "doy_sin", "doy_cos")
    assert (td.train.rows % 5 == 0).all()
    hour = pd.DatetimeIndex(td.times)[td.train.rows[0]].hour
    raw = td.x_scaler.inverse(td.train.x[0, -1].astype(np.float64))
    assert raw[-4] == pytest.approx(np.sin(2 * np.pi * hour / 24), abs=1e-5)


def test_scalers_ignore_validation_and_test_data():
    ds = synthetic()
    task = Task(dataset="s", target="a", history=10, horizon=3)
    before = prepare_task(task, ds)
    changed = ds.frame.copy()
    after_train = changed.index >= changed.index[round(0.7 * (len(changed) - 1))]
    changed.loc[after_train, :] = changed.loc[after_train, :] * 3 + 100
    ds2 = finish(
        name="s", values=changed, step=ds.step, max_gap="2h", source="", variables=ds.variables
    )
    after = prepare_task(task, ds2)
    assert before.x_scaler == after.x_scaler and before.y_scaler == after.y_scaler
    np.testing.assert_array_equal(before.train.x, after.train.x)
    np.testing.assert_array_equal(before.train.y, after.train.y)
    assert not np.allclose(before.test.x, after.test.x)


def test_nyc2013_default_task():
    td = prepare_task(Task(dataset="nyc2013", target="temp", station="JFK", history=48))
    assert td.input_size == 33 + 4
    assert td.target_columns == ("JFK.temp",) and td.target_units == ("degC",)
    times = pd.DatetimeIndex(td.times)
    assert times[td.train.rows + 24].max() < pd.Timestamp("2013-09-01", tz="UTC")
    assert times[td.val.rows - 47].min() >= pd.Timestamp("2013-09-01", tz="UTC")
    assert times[td.test.rows - 47].min() >= pd.Timestamp("2013-11-01", tz="UTC")
    assert td.y_scaler.mean[0] == pytest.approx(
        load_dataset("nyc2013").frame["JFK.temp"].iloc[td.train.rows + 24].mean()
    )


def test_task_round_trips_through_a_dict():
    task = Task(target="temp,dewp", station="LGA", split=("2013-08-01", "2013-10-01"))
    assert task.target == ("temp", "dewp")
    assert Task.from_dict(to_plain(task)) == task


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"history": 0}, "history must be an integer >= 1; got 0"),
        ({"horizon": -2}, "horizon must be an integer >= 1; got -2"),
        ({"stride": 0}, "stride must be"),
        ({"target": ""}, "a task needs a target"),
        ({"split": ("2013-09-01",)}, "split must be two boundaries"),
    ],
)
def test_bad_task_values(changes, message):
    with pytest.raises(InvalidInput, match=message):
        Task(**changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target": "snow"}, "unknown variable 'snow'"),
        ({"station": "BOS"}, "unknown station 'BOS'"),
        ({"inputs": ("temp", "ozone")}, "unknown variable 'ozone'"),
        ({"history": 9000}, "shorter than history \\+ horizon"),
        ({"split": ("2013-09-01", "2013-09-03")}, "the val split .* has no complete window"),
        ({"split": ("2013-12-01", "2013-11-01")}, "split boundaries must increase"),
        ({"split": ("soon", "later")}, "neither a date nor a fraction"),
    ],
)
def test_bad_task_for_the_data(changes, message):
    with pytest.raises(InvalidInput, match=message):
        prepare_task(Task(**changes))
