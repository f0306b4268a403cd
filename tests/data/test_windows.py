import numpy as np
import pandas as pd

from rnncap.data import Task
from rnncap.data.csvfile import finish
from rnncap.data.dataset import Variable
from rnncap.data.windows import inference_windows


def test_every_complete_window_in_physical_units():
    index = pd.date_range("2021-03-01", periods=40, freq="1h")
    frame = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) ** 2}, index=index)
    frame.iloc[20:30, 1] = np.nan  # a 10-hour hole: longer than the 2 h limit
    ds = finish(name="s", values=frame, step=pd.Timedelta("1h"), max_gap="2h", source="",
                variables=(Variable("a", "a", None), Variable("b", "b", None)))  # fmt: skip
    win = inference_windows(Task(dataset="s", target="a", history=5, horizon=2,
                                 time_features=False), ds)  # fmt: skip
    expected_ends = [t for t in range(4, 40) if not (20 <= t < 34)]  # window must skip the hole
    assert win.rows.tolist() == expected_ends
    assert win.issued[0] == index[4]
    np.testing.assert_array_equal(win.x[0], frame.iloc[0:5].to_numpy())
    assert win.input_columns == ("a", "b") and win.target_columns == ("a",)
