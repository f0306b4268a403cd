"""Any CSV: parsing, frequency, time zones, and one clear line for each kind of bad file."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from rnncap.cli.app import main
from rnncap.data import load_dataset
from rnncap.errors import InvalidInput


def write(tmp_path, text, name="series.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def hourly_csv(tmp_path, rows=30, drop=(), stamp="%Y-%m-%d %H:%M"):
    times = pd.date_range("2022-03-01", periods=rows, freq="1h")
    lines = ["timestamp,level,flow"]
    for i, t in enumerate(times):
        if i not in drop:
            lines.append(f"{t.strftime(stamp)},{i * 0.5},{10 - i}")
    return write(tmp_path, "\n".join(lines) + "\n")


def test_reads_time_and_numeric_columns_and_infers_the_step(tmp_path):
    ds = load_dataset(hourly_csv(tmp_path, drop=(5, 6, 20)))
    assert ds.columns == ("level", "flow") and ds.freq == "1h"
    assert len(ds.frame) == 30 and ds.missing_rows == 3
    # rows 5, 6 and 20 were absent: linear interpolation restores the straight lines
    np.testing.assert_allclose(ds.frame["level"].to_numpy(), np.arange(30) * 0.5)
    assert ds.frame.index.tz is None


def test_given_frequency_and_long_gap(tmp_path):
    ds = load_dataset(hourly_csv(tmp_path, drop=range(10, 18)), freq="1h", max_gap="3h")
    assert ds.frame["level"].isna().sum() == 8


def test_offsets_are_converted_to_utc(tmp_path):
    text = "time,x\n2022-06-01T00:00+02:00,1\n2022-06-01T01:00+02:00,2\n2022-06-01T02:00+02:00,3\n"
    ds = load_dataset(write(tmp_path, text))
    assert str(ds.frame.index.tz) == "UTC"
    assert ds.frame.index[0] == pd.Timestamp("2022-05-31 22:00", tz="UTC")


def test_naive_local_times_with_tz_cross_daylight_saving(tmp_path):
    # Europe/Berlin: 2022-03-27 02:00 local does not exist; the local clock jumps 01:00 -> 03:00
    text = "time,x\n" + "".join(f"2022-03-27 {h:02d}:00,{h}\n" for h in (0, 1, 3, 4))
    ds = load_dataset(write(tmp_path, text), tz="Europe/Berlin")
    assert ds.missing_rows == 0 and ds.freq == "1h"  # hourly in UTC: no gap at the DST jump
    assert ds.frame.index[0] == pd.Timestamp("2022-03-26 23:00", tz="UTC")


BAD_FILES = [
    ("", "malformed CSV"),
    ('time,x\n2022-01-01,1\n2022-01-02,"2\n', "malformed CSV"),
    ("time,x\n2022-01-01 00:00,1\n2022-01-01 01:00,abc\n", "column 'x' is not numeric"),
    ("time,x\n2022-01-01 00:00,1\nyesterday,2\n", "data row 2: unparseable timestamp 'yesterday'"),
    ("time,x\n2022-01-01 00:00,1\n2022-01-01 00:00,2\n", "data row 2: duplicate timestamp"),
    (
        "time,x\n2022-01-01 02:00,1\n2022-01-01 01:00,2\n2022-01-01 03:00,3\n",
        "data row 2: timestamp .* comes before",
    ),
    ("time\n2022-01-01 00:00\n", "need a time column and at least one value column"),
    ("time,x\n", "header but no rows"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_files_raise_one_clear_error(tmp_path, text, message):
    with pytest.raises(InvalidInput, match=message):
        load_dataset(write(tmp_path, text))


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_files_exit_2_on_the_cli(tmp_path, capsys, text, message):
    assert main(["data", "show", str(write(tmp_path, text))]) == 2
    err = " ".join(capsys.readouterr().err.split())  # Rich wraps the one line at 80 columns
    assert err.startswith("Error: ") and re.search(message, err) and "Traceback" not in err


def test_unknown_time_column_and_missing_file(tmp_path, capsys):
    path = hourly_csv(tmp_path)
    with pytest.raises(InvalidInput, match="no time column 'when'"):
        load_dataset(path, time_column="when")
    assert main(["data", "show", str(tmp_path / "nope.csv")]) == 2
    assert "no dataset" in capsys.readouterr().err


def test_data_show_json_keys(tmp_path, capsys):
    assert main(["data", "show", str(hourly_csv(tmp_path, drop=(3,))), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["rows"] == 30 and info["freq"] == "1h" and info["missing_rows"] == 1
    level = info["variables"][0]
    assert level["column"] == "level" and level["missing"] == 1 and level["interpolated"] == 1


def test_data_show_nyc2013_table(capsys):
    assert main(["data", "show", "nyc2013"]) == 0
    out = capsys.readouterr().out
    assert "JFK.temp" in out and "degC" in out and "8,730 rows" in out
