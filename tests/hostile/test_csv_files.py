"""CSV files as found in the wild: every one is loaded (exit 0, its rows stated) or refused in one
line naming the row; non-finite values are refused, never trained on."""

from __future__ import annotations

import json

import pytest
from hostile_helpers import TINY_TRAIN, cli, no_partial_files, ok_or_refused, refused
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOOD_HEAD = "time,temp\n2013-01-01 00:00,1\n2013-01-01 01:00,2\n"

BAD_FILES = {
    "inf": (GOOD_HEAD + "2013-01-01 02:00,inf\n", ["row 3", "infinite"]),
    "minus_inf": (GOOD_HEAD + "2013-01-01 02:00,-inf\n", ["infinite"]),
    "huge_overflows": (GOOD_HEAD + "2013-01-01 02:00,1e999\n", ["infinite"]),
    "mixed_offsets": (
        "time,temp\n2013-01-01 00:00+00:00,1\n2013-01-01 01:00+01:00,2\n2013-01-01 02:00,3\n",
        ["row 3", "offset"],
    ),
    "gap_187_years_at_1s": (
        "time,temp\n1800-01-01 00:00:00,1\n1800-01-01 00:00:01,2\n1987-01-01 00:00:00,3\n",
        ["clock", "20,000,000"],
    ),
    "empty": ("", ["malformed"]),
    "header_only": ("time,temp\n", ["no rows"]),
    "one_column": ("time\n2013-01-01\n2013-01-02\n", ["value column"]),
    "text_values": (GOOD_HEAD + "2013-01-01 02:00,warm\n", ["not numeric"]),
    "bad_time": (GOOD_HEAD + "yesterday,3\n", ["unparseable"]),
    "duplicate_time": (GOOD_HEAD + "2013-01-01 01:00,3\n", ["duplicate"]),
    "backwards": (GOOD_HEAD + "2013-01-01 00:30,3\n", ["before"]),
    "ragged": (GOOD_HEAD + "2013-01-01 02:00,3,4,5\n", ["malformed"]),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_csv_is_one_line(tmp_path, name):
    text, words = BAD_FILES[name]
    path = tmp_path / f"{name}.csv"
    path.write_text(text)
    refused(cli("data", "show", path), *words)


def test_binary_garbage_is_one_line(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 8)
    refused(cli("data", "show", path))


def test_nan_text_is_a_missing_value_and_said_so(tmp_path):
    path = tmp_path / "nan.csv"
    path.write_text(GOOD_HEAD + "2013-01-01 02:00,nan\n2013-01-01 03:00,4\n")
    outcome = cli("data", "show", path, "--json")
    assert outcome.code == 0, outcome
    assert "missing" in outcome.out and json.loads(outcome.out)


def test_training_on_infinite_data_writes_nothing(tmp_path, hourly_csv):
    """Was: exit 0, all-NaN results and a checkpoint. Now the data is refused before training."""
    text = hourly_csv.read_text().splitlines()
    row = text[50].split(",")
    text[50] = ",".join([row[0], "inf", row[2]])
    path = tmp_path / "inf.csv"
    path.write_text("\n".join(text) + "\n")
    out = tmp_path / "model.pt"
    refused(cli("forecast", "train", "--data", path, *TINY_TRAIN, "--out", out), "infinite")
    assert not out.exists()
    no_partial_files(tmp_path)


_cell = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["", "nan", "NaN", "inf", "-", "1,5", '"2"', "null"]),
)
_time = st.one_of(
    st.datetimes().map(lambda t: t.strftime("%Y-%m-%d %H:%M")),
    st.sampled_from(["2013-01-01 00:00+05:00", "0", "", "2013-13-01"]),
)


@pytest.mark.slow
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_time, _cell), min_size=0, max_size=8))
def test_any_small_csv_is_loaded_or_refused(tmp_path, rows):
    path = tmp_path / "any.csv"
    path.write_text("time,temp\n" + "".join(f"{t},{v}\n" for t, v in rows))
    ok_or_refused(cli("data", "show", path, "--json"))
