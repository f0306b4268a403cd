"""`Task` (what to forecast from what) and `prepare_task` (windows, chronological splits, scalers).

A window ending at row t holds the inputs of rows t-k+1 .. t (k = history) and the target at
row t+h for the lead h (= horizon, or every lead 1..H with ``all_leads``). A window is built only
if every value it touches is present, including the target at row t (persistence) and at the
row of daily persistence, so every baseline and model is scored on exactly the same windows.
A window belongs to a split only if all its rows, inputs and targets, lie inside that split.
With ``holdout_weeks`` the training months also lose whole random weeks to a same-season
holdout split (`rnncap.data.holdout`: the rule for windows that touch a holdout week is there).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnncap.data.dataset import Dataset, load_dataset
from rnncap.data.holdout import HOLDOUT, holdout_mask
from rnncap.data.scaling import Scaler
from rnncap.data.splits import (
    check_length,
    check_window_bytes,
    split_boundaries,
    split_rows,
    valid_ends,
)
from rnncap.errors import check_int, require

TIME_FEATURES = ("hour_sin", "hour_cos", "doy_sin", "doy_cos")
SPLITS = ("train", "val", "test")


def _positive(value: object, what: str, example: str) -> int:
    return check_int(value, what, low=1, hint=f"e.g. {example}")


def _names(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(",") if s.strip()) if value else ()
    return tuple(str(v) for v in value)  # type: ignore[union-attr]


@dataclass(frozen=True)
class Task:
    """A forecasting task: enough, with the data file, to rebuild the same windows.

    Parameters
    ----------
    dataset : str, default="nyc2013"
        Embedded name or path of a Jena / CSV file.
    target : str or tuple of str, default="temp"
        Target variable(s): a variable name (taken at `station`) or a column name.
    station : str or None
        Station of the target (nyc2013: EWR, JFK, LGA; None = the dataset's default).
    stations : tuple of str
        More stations whose target is forecast too (multiple outputs, after the target
        station's), or ``("all",)`` for every station of the dataset; empty = the target
        station alone. The inputs are the same windows (every station's variables), so each
        window is supervised at every station at once.
    history : int, default=120
        Input steps k per window (hours for hourly data).
    horizon : int, default=24
        Steps between the last input and the target.
    all_leads : bool, default=False
        Predict every lead 1..horizon (outputs = horizon * targets, lead-major).
    inputs : tuple of str
        Input variables or columns; empty = every column of the dataset.
    time_features : bool, default=True
        Add hour-of-day and day-of-year as sine and cosine.
    stride : int, default=1
        Keep windows whose last input row is a multiple of `stride`.
    split : tuple
        (end of training, end of validation) as ISO timestamps or fractions of the span;
        empty = the dataset's default (nyc2013: train Jan-Aug, val Sep-Oct, test Nov-Dec).
    resample, freq, time_column, tz, max_gap : str
        Loader options (see `load_dataset`).
    holdout_weeks : int, default=0
        Whole weeks of the training months withheld as a same-season holdout split, never used
        for fitting, scaling or early stopping (`rnncap.data.holdout`); 0: no holdout.
    holdout_seed : int, default=0
        Seed of the draw of the holdout weeks (the same task gives the same weeks).
    """

    dataset: str = "nyc2013"
    target: tuple[str, ...] = ("temp",)
    station: str | None = None
    stations: tuple[str, ...] = ()
    history: int = 120
    horizon: int = 24
    all_leads: bool = False
    inputs: tuple[str, ...] = ()
    time_features: bool = True
    stride: int = 1
    split: tuple = ()
    resample: str = ""
    freq: str = ""
    time_column: str = ""
    tz: str = ""
    max_gap: str = ""
    holdout_weeks: int = 0
    holdout_seed: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "dataset", str(self.dataset))
        set_(self, "target", _names(self.target))
        require(len(self.target) >= 1, "a task needs a target (e.g. target=('temp',))")
        set_(self, "inputs", _names(self.inputs))
        set_(self, "station", str(self.station) if self.station else None)
        set_(self, "stations", _names(self.stations))
        set_(self, "history", _positive(self.history, "history", "history=120"))
        set_(self, "horizon", _positive(self.horizon, "horizon", "horizon=24"))
        set_(self, "stride", _positive(self.stride, "stride", "stride=1"))
        weeks = check_int(self.holdout_weeks, "holdout_weeks", low=0, hint="e.g. holdout_weeks=4")
        set_(self, "holdout_weeks", weeks)
        set_(self, "holdout_seed", check_int(self.holdout_seed, "holdout_seed", low=0))
        split = tuple(self.split or ())
        require(
            len(split) in (0, 2),
            f"split must be two boundaries (end of train, end of validation); got {split!r}",
        )
        set_(self, "split", split)

    @property
    def leads(self) -> tuple[int, ...]:
        return tuple(range(1, self.horizon + 1)) if self.all_leads else (self.horizon,)

    @classmethod
    def from_dict(cls, data: dict) -> Task:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        require(not unknown, f"unknown task keys {unknown}; known keys: {sorted(known)}")
        return cls(**{**data, "split": tuple(data.get("split", ()))})

    def replace(self, **changes: object) -> Task:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def load(self) -> Dataset:
        return load_dataset(
            self.dataset,
            freq=self.freq,
            time_column=self.time_column,
            tz=self.tz,
            max_gap=self.max_gap,
            resample=self.resample,
        )


@dataclass(frozen=True, eq=False)
class Split:
    """Windows of one split. x (n, k, d) and y (n, outputs) are float32 and scaled.

    ``rows`` (n,) is the index, in `TaskData.times`, of each window's last input row.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True, eq=False)
class TaskData:
    """The windows of a task, split and scaled, plus what baselines and metrics need.

    ``times`` (T,) are the row timestamps, ``target_values`` (T, targets) the targets in physical
    units. Outputs are ordered lead-major: output j is target ``j % targets`` at lead
    ``leads[j // targets]``.
    """

    task: Task
    train: Split
    val: Split
    test: Split
    input_columns: tuple[str, ...]
    target_columns: tuple[str, ...]
    target_units: tuple[str, ...]
    leads: tuple[int, ...]
    x_scaler: Scaler
    y_scaler: Scaler
    times: np.ndarray
    target_values: np.ndarray
    steps_per_day: int
    holdout: Split | None = None  # the same-season holdout weeks (`Task.holdout_weeks`)

    @property
    def input_size(self) -> int:
        return len(self.input_columns)

    @property
    def outputs(self) -> int:
        return len(self.leads) * len(self.target_columns)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(f"{c}@+{h}" for h in self.leads for c in self.target_columns)

    @property
    def output_leads(self) -> np.ndarray:
        return np.repeat(np.array(self.leads), len(self.target_columns))

    @property
    def output_targets(self) -> np.ndarray:
        return np.tile(np.arange(len(self.target_columns)), len(self.leads))

    def split(self, name: str) -> Split:
        if name == HOLDOUT:
            require(
                self.holdout is not None,
                "the task has no holdout split; set holdout_weeks (e.g. holdout_weeks=4)",
            )
            return self.holdout  # type: ignore[return-value]
        require(name in SPLITS, f"unknown split {name!r}; choose one of: {', '.join(SPLITS)}")
        return getattr(self, name)

    def y_to_physical(self, y_scaled: np.ndarray) -> np.ndarray:
        """Scaled outputs (n, outputs) back to physical units."""
        return self.y_scaler.inverse(np.asarray(y_scaled, dtype=np.float64))

    def scaled_now(self, split: str, scaler: Scaler | None = None) -> np.ndarray:
        """(n, outputs) float64: the target at the last input step of each window of `split`
        (persistence's forecast), scaled with `scaler` (default: the task's `y_scaler`). A
        forecaster anchored on persistence adds its output to it
        (`rnncap.engine.ForecastSettings.anchor`); a learned baseline of the change subtracts
        it."""
        rows = self.split(split).rows
        now = self.target_values[rows][:, self.output_targets]
        return (scaler or self.y_scaler).transform(now)

    def y_physical(self, split: Split) -> np.ndarray:
        """The true targets of `split`, (n, outputs), in physical units (from the raw series)."""
        rows = split.rows[:, None] + self.output_leads[None, :]
        return self.target_values[rows, self.output_targets[None, :]]


def time_features(index: pd.DatetimeIndex) -> pd.DataFrame:
    """Hour of day and day of year on the unit circle, (T, 4)."""
    hour = index.hour + index.minute / 60.0
    doy = (index.day_of_year - 1 + hour / 24.0) / 365.25
    return pd.DataFrame(
        {
            "hour_sin": np.sin(2 * np.pi * hour / 24.0),
            "hour_cos": np.cos(2 * np.pi * hour / 24.0),
            "doy_sin": np.sin(2 * np.pi * doy),
            "doy_cos": np.cos(2 * np.pi * doy),
        },
        index=index,
    )


def resolve_columns(ds: Dataset, task: Task) -> tuple[list[str], list[str]]:
    """Target and input columns of `task` in `ds` (names checked, one clear error each)."""
    station = task.station or ds.default_station
    if task.station and ds.stations:
        require(
            task.station in ds.stations,
            f"unknown station {task.station!r}; stations of {ds.name}: {', '.join(ds.stations)}",
        )
    require(
        not (task.station and not ds.stations),
        f"{ds.name} has no stations; drop station=",
    )
    targets: list[str] = []
    for at in (station, *(s for s in target_stations(ds, task) if s != station)):
        for name in task.target:
            cols = ds.resolve(name, at)
            require(len(cols) == 1, f"target {name!r} is ambiguous: {cols}; name a station")
            targets += [c for c in cols if c not in targets]
    inputs: list[str] = []
    for name in task.inputs or ds.columns:
        inputs += [c for c in ds.resolve(name, None) if c not in inputs]
    return targets, inputs


def target_stations(ds: Dataset, task: Task) -> tuple[str, ...]:
    """The stations of `task.stations` in `ds` ("all": every one), each checked."""
    if not task.stations:
        return ()
    require(bool(ds.stations), f"{ds.name} has no stations; drop stations=")
    if task.stations == ("all",):
        return tuple(ds.stations)
    for name in task.stations:
        require(
            name in ds.stations,
            f"unknown station {name!r}; stations of {ds.name}: {', '.join(ds.stations)} (or all)",
        )
    return task.stations


def steps_per_day(step: pd.Timedelta) -> int:
    """Rows per day (at least 1): the lag of daily persistence."""
    return max(1, int(round(pd.Timedelta(days=1) / step)))


def prepare_task(task: Task, dataset: Dataset | None = None) -> TaskData:
    """Windows, chronological splits and train-only scalers for `task`.

    Parameters
    ----------
    task : Task
    dataset : Dataset, optional
        Already loaded data (else ``task.load()``); lets tests and `forecast predict` swap data.

    Returns
    -------
    TaskData
        train/val/test with x (n, history, inputs) and y (n, outputs), float32, scaled.
    """
    ds = dataset if dataset is not None else task.load()
    targets, inputs = resolve_columns(ds, task)
    frame = ds.frame
    features = frame[inputs]
    if task.time_features:
        features = pd.concat([features, time_features(frame.index)], axis=1)
    leads = np.array(task.leads)
    check_length(ds, task)
    values = features.to_numpy(dtype=np.float64)
    target_values = frame[targets].to_numpy(dtype=np.float64)
    period = steps_per_day(ds.step)
    ok = valid_ends(
        ~np.isnan(values).any(axis=1), ~np.isnan(target_values).any(axis=1), task, period
    )
    train_end, val_end = split_boundaries(ds, task)
    held = holdout_mask(frame.index, train_end, task.holdout_weeks, task.holdout_seed)
    rows = split_rows(ds, task, ok, (train_end, val_end), held)
    in_train = np.asarray(frame.index < train_end) & ~held  # training rows outside the holdout
    x_scaler = Scaler.fit(values[in_train], tuple(features.columns))
    out_targets = np.tile(np.arange(len(targets)), len(leads))
    out_leads = np.repeat(leads, len(targets))
    y_train = target_values[rows["train"][:, None] + out_leads, out_targets]
    names = tuple(f"{c}@+{h}" for h in leads for c in targets)
    y_scaler = Scaler.fit(y_train, names)
    check_window_bytes(sum(len(r) for r in rows.values()), task.history, values.shape[1], ds.name)
    scaled = x_scaler.transform(values).astype(np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(scaled, task.history, axis=0)
    splits = {}
    for name, r in rows.items():
        x = np.ascontiguousarray(windows[r - task.history + 1].transpose(0, 2, 1))
        y = y_scaler.transform(target_values[r[:, None] + out_leads, out_targets])
        splits[name] = Split(name, x, y.astype(np.float32), r)
    return TaskData(
        task=task,
        train=splits["train"],
        val=splits["val"],
        test=splits["test"],
        holdout=splits.get(HOLDOUT),
        input_columns=tuple(features.columns),
        target_columns=tuple(targets),
        target_units=tuple(ds.variable(c).unit for c in targets),
        leads=tuple(int(h) for h in leads),
        x_scaler=x_scaler,
        y_scaler=y_scaler,
        times=frame.index.to_numpy(),
        target_values=target_values,
        steps_per_day=period,
    )
