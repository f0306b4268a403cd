"""The engine's settings records, torch-free: `TrainSettings` and the forecasting recipe.

`TrainSettings` says how the engine trains one member. `ForecastSettings` is the forecasting
recipe, one frozen record from the command line to the report: `TrainSettings` with the
forecaster's defaults (cosine schedule, patience 6, dropout 0.3, weight decay 1e-2) plus the
residual anchor (``anchor``). Everything that trains or describes a weather forecaster reads
it: the defaults of ``rnncap forecast train``'s flags, `rnncap.forecast.Forecaster` and
``fit_many``, a study's ``[training]`` table (validated against its fields when the study file
is read), the report's Training line (`ForecastSettings.describe`) and ``rnncap capacity
gaps``. The setting names are its fields; the defaults are written here once.

What is *not* a setting: the architecture, the seed, and the command line's ``--ensemble``
(how many seeds are averaged into one model; 5 by default). A study trains one model per seed,
so one of its runs is ``rnncap forecast train --ensemble 1`` with the same arch, seed, task and
settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rnncap.engine.bookkeeping import Loss, Schedule, parse_enum
from rnncap.errors import InvalidInput, check_float, check_int, require
from rnncap.plain import to_plain

#: settings that may differ between members of one ensemble (each member has its own value)
PER_MEMBER = ("lr", "schedule", "time_limit")


#: The residual anchors (``ForecastSettings.anchor``): what the network's output is added to.
ANCHORS = ("auto", "persistence", "ridge", "lagged-ridge", "none")

#: How `ForecastSettings.describe` names each anchor.
ANCHOR_WORDS = {
    "auto": "residual on the anchor with the lowest validation MAE among persistence, ridge and "
    "lagged ridge (fitted on the training split)",
    "persistence": "residual on persistence (the network learns the change from the target now)",
    "ridge": "residual on the full-window ridge (fitted on the training split)",
    "lagged-ridge": "residual on the lagged ridge (fitted on the training split)",
    "none": "no residual anchor (the network predicts the target itself)",
}

#: The baselines a trained forecaster's forecast can be combined with (``ForecastSettings.blend``).
BLENDS = ("lagged-ridge", "ridge", "none")

#: How `ForecastSettings.describe` names each blend.
BLEND_WORDS = {
    "lagged-ridge": "forecast combined with the lagged ridge's (the network's share per output "
    "chosen on validation MAE, 0 to 1 in steps of 0.05)",
    "ridge": "forecast combined with the full-window ridge's (the network's share per output "
    "chosen on validation MAE, 0 to 1 in steps of 0.05)",
    "none": "the network's forecast alone (no combination)",
}

#: The most epochs one training run may take, checked before any work (docs/robustness.md).
MAX_EPOCHS = 1_000_000


def _int(value: object, what: str, low: int) -> int:
    return check_int(value, what, low=low)


def _float(value: object, what: str, low: float, *, strict: bool = False) -> float:
    return check_float(value, what, low=low, strict_low=strict)


@dataclass(frozen=True)
class TrainSettings:
    """How to train one member.

    Members whose settings differ only in ``lr``, ``schedule`` and ``time_limit`` (the
    per-member settings, `PER_MEMBER`) share an ensemble: a learning-rate grid x restarts trains
    at ensemble speed, one `Job` per member.

    Parameters
    ----------
    epochs : int, default=30
        Maximum passes over the training set.
    batch_size : int, default=64
        Rows per optimizer step; a value >= the number of rows means full-batch steps.
    lr : float, default=1e-3
        Peak Adam learning rate (the schedule's factor 1).
    clip : float or None, default=1.0
        Maximum gradient norm, per member (like `torch.nn.utils.clip_grad_norm_` on that
        member's parameters alone); None or 0 disables clipping.
    patience : int, default=5
        Epochs without a lower validation loss before the member stops; 0 disables early
        stopping. Without validation data there is no early stopping.
    loss : {"mse", "bce", "hinge"}, default="mse"
        Mean squared error; for targets in [0, 1], binary cross-entropy on logits or the
        squared hinge ``max(0, 1 - (2 y - 1) z) ** 2`` on the logit z.
    dropout : float, default=0.0
        Dropout between recurrent layers (as in `RecurrentModel`).
    weight_decay : float, default=0.0
        Adam's L2 penalty (``torch.optim.Adam(weight_decay=...)``).
    shuffle : bool, default=True
        Reshuffle the rows each epoch, from a generator seeded with the member's seed.
    schedule : {"constant", "cosine", "onecycle", "restarts"}, default="constant"
        Learning rate per epoch as a factor of ``lr`` (`rnncap.engine.bookkeeping.lr_factor`):
        constant; cosine decay to a tenth at the last epoch; one-cycle (warm-up from lr/25
        to lr over the first 30% of epochs, then cosine down to lr/2.5e5); or cosine warm
        restarts, a cycle ending at each of `rnncap.engine.train`'s ``snapshots``.
    time_limit : float or None, default=None
        Stop at the end of the first epoch that ends after this many seconds of training
        (status ``time_limit``); the clock is the wall time of the run that trains the member.
    """

    epochs: int = 30
    batch_size: int = 64
    lr: float = 1e-3
    clip: float | None = 1.0
    patience: int = 5
    loss: str = "mse"
    dropout: float = 0.0
    weight_decay: float = 0.0
    shuffle: bool = True
    schedule: Schedule = Schedule.CONSTANT
    time_limit: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        limit = f"the limit is {MAX_EPOCHS:,}"
        set_(self, "epochs", check_int(self.epochs, "epochs", low=1, high=MAX_EPOCHS, hint=limit))
        set_(self, "batch_size", _int(self.batch_size, "batch size", 1))
        set_(self, "lr", _float(self.lr, "learning rate", 0.0, strict=True))
        clip = None if self.clip is None else _float(self.clip, "clip", 0.0)
        set_(self, "clip", clip or None)
        set_(self, "patience", _int(self.patience, "patience", 0))
        set_(self, "loss", parse_enum(Loss, self.loss, "loss"))
        set_(self, "schedule", parse_enum(Schedule, self.schedule, "learning-rate schedule"))
        if self.time_limit is not None:
            set_(self, "time_limit", _float(self.time_limit, "time limit", 0.0, strict=True))
        dropout = _float(self.dropout, "dropout", 0.0)
        require(dropout < 1.0, f"dropout must be below 1; got {dropout!r}")
        set_(self, "dropout", dropout)
        set_(self, "weight_decay", _float(self.weight_decay, "weight decay", 0.0))
        require(
            isinstance(self.shuffle, bool), f"shuffle must be True or False; got {self.shuffle!r}"
        )

    def shared(self) -> tuple:
        """The settings that members of one ensemble must have in common."""
        return tuple(getattr(self, f) for f in self.__dataclass_fields__ if f not in PER_MEMBER)


def _residual_as_anchor(options: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """The older spelling ``residual = true|false`` (before the anchor could be any fitted
    baseline) as the anchor it meant: persistence, or none; never beside ``anchor``."""
    if "residual" not in options:
        return options
    residual = options["residual"]
    require(
        isinstance(residual, bool),
        f'{where}: residual must be true or false (or write anchor = "persistence" or "none"); '
        f"got {residual!r}",
    )
    require(
        "anchor" not in options,
        f"{where}: residual and anchor both given; keep anchor (residual = {str(residual).lower()}"
        f' is anchor = "{"persistence" if residual else "none"}")',
    )
    rest = {k: v for k, v in options.items() if k != "residual"}
    return {**rest, "anchor": "persistence" if residual else "none"}


@dataclass(frozen=True)
class ForecastSettings(TrainSettings):
    """How a forecaster is trained: `TrainSettings` (every field and check) with these defaults.

    Parameters (only those whose default differs from `TrainSettings`, and ``anchor``)
    ----------
    schedule : default="cosine"
        Cosine decay of the learning rate from ``lr`` to ``lr / 10``.
    patience : default=6
    dropout : default=0.3
        Between recurrent layers (none after the last).
    weight_decay : default=1e-2
        Chosen on validation (issue 27, docs/forecasting.md): against 1e-3, the 5-member
        ensemble's validation MAE fell from 2.045 to 1.968 degC on the default task.
    anchor : {"auto", "persistence", "ridge", "lagged-ridge", "none"}, default="persistence"
        The residual anchor (`rnncap.forecast.anchor`): the network's output is added to this
        fitted baseline's scaled forecast (the engine's anchor, `MemberData`), so an untrained
        or heavily regularised model falls back on that baseline rather than on the mean. The
        ridges are fitted on the training split only; "auto" keeps the one of persistence,
        ridge and lagged ridge with the lowest validation MAE; "none" predicts the target.
    blend : {"lagged-ridge", "ridge", "none"}, default="lagged-ridge"
        Forecast combination (`rnncap.forecast.blend`), after training: the forecast is
        ``w * network + (1 - w) * baseline`` per output, the baseline fitted on the training
        split, w in 0, 0.05, ..., 1 chosen on the validation MAE of the trained model (issue
        27: it made the ensemble beat the lagged ridge on validation and test at 24, 12 and
        6 h ahead, docs/forecasting.md). "none" keeps the network's forecast alone.
    train_fraction : float, default=1.0
        The share of the training windows trained on: a subset drawn once with a fixed seed, the
        same for every model, nested (a smaller fraction keeps a subset of a larger one's
        windows; `rnncap.forecast.many.training_data`). Like ``anchor``, it decides the
        training data, not how the engine steps.

    ``loss`` must stay ``"mse"`` (forecast targets are real-valued). ``time_limit`` stays None
    (no limit) by default, so that a run's weights do not depend on the machine's load; pass
    ``--time-limit`` to bound a command-line run.
    """

    schedule: Schedule = Schedule.COSINE
    patience: int = 6
    dropout: float = 0.3
    weight_decay: float = 1e-2
    anchor: str = "persistence"
    train_fraction: float = 1.0
    blend: str = "lagged-ridge"

    def __post_init__(self) -> None:
        super().__post_init__()
        fraction = check_float(
            self.train_fraction, "train_fraction", low=0.0, strict_low=True, high=1.0,
            hint="the share of the training windows, e.g. 0.5",
        )  # fmt: skip
        object.__setattr__(self, "train_fraction", fraction)
        require(
            self.loss is Loss.MSE,
            f"loss must be 'mse' for forecasting (the targets are real-valued); got "
            f"{self.loss.value!r}",
        )
        require(
            self.anchor in ANCHORS,
            f"unknown anchor {self.anchor!r}: the network can be anchored on "
            f"{', '.join(ANCHORS)} (only these baselines are fitted as anchors)",
        )
        require(
            self.blend in BLENDS,
            f"unknown blend {self.blend!r}: a forecast can be combined with "
            f"{', '.join(BLENDS)} (only these baselines are fitted for a blend)",
        )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every setting's name, in the record's order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_options(
        cls, options: Mapping[str, Any], where: str = "the forecasting settings"
    ) -> ForecastSettings:
        """The record with `options` (a subset of `names`) overriding the defaults; an unknown
        name or a bad value is one `InvalidInput` line that names `where`."""
        require(isinstance(options, Mapping), f"{where} must be a table; got {options!r}")
        options = _residual_as_anchor(options, where)
        unknown = sorted(set(options) - set(cls.names()))
        require(
            not unknown,
            f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(str, unknown))} in "
            f"{where}; known keys: {', '.join(cls.names())}",
        )
        try:
            return cls(**options)
        except InvalidInput as exc:
            raise InvalidInput(f"{where}: {exc}") from None

    def replace(self, **changes: Any) -> ForecastSettings:
        """A copy with `changes` (setting names), checked like `from_options`."""
        return self.from_options({**to_plain(self), **changes})

    def train_settings(self) -> TrainSettings:
        """The engine's part (everything but ``anchor`` and ``train_fraction``, which decide the
        training data, and ``blend``, applied after training)."""
        return TrainSettings(**{f.name: getattr(self, f.name) for f in _ENGINE_FIELDS})

    def describe(self) -> str:
        """The recipe in words, every setting named (the report's Training line)."""
        epochs = f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}"
        stop = (
            f"early stopping after {self.patience} epochs without a lower validation loss"
            if self.patience
            else "no early stopping"
        )
        parts = [
            f"Adam on mean squared error ({self.loss.value}), learning rate {self.lr:g} "
            f"({SCHEDULE_WORDS[self.schedule]})",
            f"batch {self.batch_size}"
            + (", reshuffled each epoch" if self.shuffle else " in a fixed order"),  # fmt: skip
            f"up to {epochs}",
            stop,
            f"gradient norm clipped at {self.clip:g}" if self.clip else "no gradient clipping",
            f"weight decay {self.weight_decay:g}",
            f"dropout {self.dropout:g} between layers",
            ANCHOR_WORDS[self.anchor],
            BLEND_WORDS[self.blend],
            f"time limit {self.time_limit:g} s" if self.time_limit else "no time limit",
            "every training window"
            if self.train_fraction == 1.0
            else f"a fixed {self.train_fraction:.0%} of the training windows",
        ]
        return ", ".join(parts)


_ENGINE_FIELDS = dataclasses.fields(TrainSettings)

#: How `ForecastSettings.describe` names each learning-rate schedule.
SCHEDULE_WORDS = {
    Schedule.CONSTANT: "constant",
    Schedule.COSINE: "cosine decay to a tenth",
    Schedule.ONECYCLE: "one-cycle",
    Schedule.RESTARTS: "cosine warm restarts",
}
