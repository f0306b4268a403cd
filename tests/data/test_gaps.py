import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnncap.data.gaps import (
    check_timestamps,
    fill_short_gaps,
    infer_step,
    max_gap_steps,
    regularize,
    run_lengths,
)
from rnncap.errors import InvalidInput

nan = np.nan


def test_run_lengths_hand_vector():
    missing = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1], dtype=bool)
    assert run_lengths(missing).tolist() == [0, 2, 2, 0, 1, 0, 0, 3, 3, 3]


def test_short_gaps_interpolated_long_kept_and_ends_untouched():
    s = pd.Series([nan, 1.0, nan, 3.0, nan, nan, nan, 7.0, nan])
    out = fill_short_gaps(s, max_steps=2)
    expected = [nan, 1.0, 2.0, 3.0, nan, nan, nan, 7.0, nan]
    np.testing.assert_array_equal(out.to_numpy(), expected)
    out3 = fill_short_gaps(s, max_steps=3)
    np.testing.assert_array_equal(out3.to_numpy(), [nan, 1, 2, 3, 4, 5, 6, 7, nan])


def test_regularize_inserts_missing_rows():
    index = pd.to_datetime(["2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 04:00"])
    frame = pd.DataFrame({"a": [1.0, 2.0, 5.0]}, index=index)
    out, inserted = regularize(frame, pd.Timedelta("1h"))
    assert inserted == 2 and len(out) == 5
    assert out["a"].isna().tolist() == [False, False, True, True, False]


def test_off_clock_timestamps_are_an_error():
    index = pd.to_datetime(["2020-01-01 00:00", "2020-01-01 01:30", "2020-01-01 02:00"])
    with pytest.raises(InvalidInput, match="not on the 1h clock"):
        regularize(pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=index), pd.Timedelta("1h"))


def test_infer_step_ignores_a_few_gaps():
    index = pd.date_range("2020", periods=50, freq="10min").delete([5, 6, 20])
    assert infer_step(index) == pd.Timedelta("10min")


def test_gap_limit_in_steps():
    assert max_gap_steps("6h", pd.Timedelta("1h")) == 6
    assert max_gap_steps("6h", pd.Timedelta("10min")) == 36
    assert max_gap_steps("0", pd.Timedelta("1h")) == 0


@pytest.mark.parametrize(
    ("stamps", "message"),
    [
        (["2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 01:00"], "data row 3: duplicate"),
        (["2020-01-01 00:00", "2020-01-01 02:00", "2020-01-01 01:00"], "data row 3: timestamp"),
    ],
)
def test_timestamp_order(stamps, message):
    with pytest.raises(InvalidInput, match=message):
        check_timestamps(pd.DatetimeIndex(pd.to_datetime(stamps)), "f.csv")


@given(
    values=st.lists(st.one_of(st.none(), st.floats(-100, 100)), min_size=1, max_size=40),
    limit=st.integers(0, 5),
)
def test_fill_rule_holds_for_any_pattern(values, limit):
    series = pd.Series([np.nan if v is None else v for v in values], dtype=float)
    out = fill_short_gaps(series, limit)
    missing = series.isna().to_numpy()
    runs = run_lengths(missing)
    present = np.flatnonzero(~missing)
    inside = np.zeros(len(series), dtype=bool)
    if len(present):
        inside[present[0] : present[-1] + 1] = True
    should_fill = missing & inside & (runs <= limit)
    # observed values never change; short interior gaps are filled, nothing else is
    np.testing.assert_array_equal(out[~missing].to_numpy(), series[~missing].to_numpy())
    np.testing.assert_array_equal(out.isna().to_numpy(), missing & ~should_fill)
    for i in np.flatnonzero(should_fill):  # linear between the neighbours that bound the gap
        left, right = present[present < i][-1], present[present > i][0]
        expected = series[left] + (series[right] - series[left]) * (i - left) / (right - left)
        assert out[i] == pytest.approx(expected, abs=1e-9)
