"""Records of the engine's API: what to train (`Job`) and what came out (`TrainedMember`).

The settings records (`TrainSettings`, `ForecastSettings`) live in the torch-free
`rnncap.engine.settings`.

All are frozen dataclasses validated on construction, so a bad job fails before any training
starts, with an `InvalidInput` that names the field and the fix.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch

from rnncap.arch.spec import RecurrentSpec
from rnncap.engine.bookkeeping import Loss, Status, Strategy, parse_enum
from rnncap.engine.model import RecurrentModel
from rnncap.engine.settings import TrainSettings
from rnncap.errors import InvalidInput, check_int, require


def _array(value: object, what: str, ndim: int, shape_hint: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{what} must be a numeric array {shape_hint}; got {value!r:.60}"
        ) from None
    require(
        arr.ndim == ndim,
        f"{what} must have {ndim} dimensions {shape_hint}; got shape {tuple(arr.shape)}",
    )
    require(arr.shape[0] >= 1, f"{what} has no rows; pass at least one sample")
    require(
        bool(np.isfinite(arr).all()), f"{what} contains NaN or infinite values; clean them first"
    )
    return np.ascontiguousarray(arr)


@dataclass(frozen=True, eq=False)
class MemberData:
    """Training (and optional validation) arrays, converted to C-contiguous float32.

    Jobs that pass the same `MemberData` object share their inputs: the engine keeps one copy.

    The *anchor* is what the network's output is added to: the model predicts
    ``net(x) + anchor`` and the loss is taken on that sum. A forecaster that learns the change
    from persistence passes the (scaled) value of the target now as the anchor; without anchors
    the model predicts ``net(x)``.

    Parameters
    ----------
    x_train : array, shape (n, k, d)
    y_train : array, shape (n, outputs)
    x_val : array, shape (n_val, k, d), optional
    y_val : array, shape (n_val, outputs), optional
    anchor_train : array, shape (n, outputs), optional
    anchor_val : array, shape (n_val, outputs), optional
        Required with validation data when `anchor_train` is given.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    anchor_train: np.ndarray | None = None
    anchor_val: np.ndarray | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        x = _array(self.x_train, "x_train", 3, "(n, time, features)")
        y = _array(self.y_train, "y_train", 2, "(n, outputs)")
        require(
            x.shape[0] == y.shape[0],
            f"x_train has {x.shape[0]} rows but y_train has {y.shape[0]}; pass one target per row",
        )
        set_(self, "x_train", x)
        set_(self, "y_train", y)
        require(
            (self.x_val is None) == (self.y_val is None),
            "pass both x_val and y_val, or neither",
        )
        if self.x_val is not None:
            xv = _array(self.x_val, "x_val", 3, "(n, time, features)")
            yv = _array(self.y_val, "y_val", 2, "(n, outputs)")
            require(
                xv.shape[0] == yv.shape[0],
                f"x_val has {xv.shape[0]} rows but y_val has {yv.shape[0]}; "
                "pass one target per row",
            )
            require(
                xv.shape[1:] == x.shape[1:] and yv.shape[1:] == y.shape[1:],
                f"validation shapes {xv.shape[1:]}, {yv.shape[1:]} differ from training shapes "
                f"{x.shape[1:]}, {y.shape[1:]}; use the same window length and features",
            )
            set_(self, "x_val", xv)
            set_(self, "y_val", yv)
        self._check_anchors()

    def _check_anchors(self) -> None:
        if self.anchor_train is None:
            require(self.anchor_val is None, "anchor_val given without anchor_train; pass both")
            return
        set_ = object.__setattr__
        pairs = [("anchor_train", "y_train")] + ([("anchor_val", "y_val")] if self.has_val else [])
        require(
            self.has_val or self.anchor_val is None,
            "anchor_val given without validation data; pass x_val and y_val too",
        )
        for name, target in pairs:
            value = getattr(self, name)
            require(value is not None, f"{name} is missing; with anchor_train pass {name} too")
            arr = _array(value, name, 2, "(n, outputs)")
            shape = getattr(self, target).shape
            require(
                arr.shape == shape,
                f"{name} has shape {arr.shape} but {target} has {shape}; one anchor per target",
            )
            set_(self, name, arr)

    @property
    def has_val(self) -> bool:
        return self.x_val is not None

    @property
    def has_anchor(self) -> bool:
        return self.anchor_train is not None

    @property
    def shape_key(self) -> tuple:
        """Shapes that must agree for members to step in lockstep."""
        n_val = 0 if self.x_val is None else self.x_val.shape[0]
        return (self.x_train.shape, self.y_train.shape, n_val, self.has_anchor)


@dataclass(frozen=True, eq=False)
class Job:
    """One model to train: architecture, seed, data and settings; `key` is the caller's label."""

    spec: RecurrentSpec
    seed: int
    data: MemberData
    settings: TrainSettings = field(default_factory=TrainSettings)
    key: str = ""

    def __post_init__(self) -> None:
        require(
            isinstance(self.spec, RecurrentSpec),
            f"spec must be a RecurrentSpec (see rnncap.arch.parse_arch); got {self.spec!r:.60}",
        )
        object.__setattr__(self, "seed", check_int(self.seed, "seed", low=0))
        require(isinstance(self.data, MemberData), "data must be a rnncap.engine.MemberData")
        require(isinstance(self.settings, TrainSettings), "settings must be a TrainSettings")
        x, y = self.data.x_train, self.data.y_train
        require(
            x.shape[2] == self.spec.input_size,
            f"job {self.key or self.seed}: x has {x.shape[2]} features but the spec expects "
            f"input_size={self.spec.input_size}; build the spec with input_size={x.shape[2]}",
        )
        outputs = max(self.spec.outputs, 1)
        require(
            y.shape[1] == outputs,
            f"job {self.key or self.seed}: y has {y.shape[1]} columns but the spec has "
            f"outputs={outputs}; build the spec with outputs={y.shape[1]}",
        )
        if self.settings.loss in (Loss.BCE, Loss.HINGE):
            ys = [y] if self.data.y_val is None else [y, self.data.y_val]
            require(
                all(bool(((a >= 0) & (a <= 1)).all()) for a in ys),
                f"loss '{self.settings.loss}' needs targets in [0, 1]; use loss='mse' for "
                "real-valued targets",
            )


@dataclass(frozen=True, eq=False)
class TrainedMember:
    """A trained model: weights at the best epoch, weights at initialisation, and per-epoch metrics.

    ``state_dict`` and ``initial_state_dict`` are `RecurrentModel(spec)` state dicts (CPU tensors).
    ``history`` holds one dict per epoch run: ``epoch``, ``train_loss`` (the mean loss over the
    epoch's training steps, weighted by batch rows) and ``val_loss`` (None without validation).
    ``strategy`` says how it was trained: ``ensemble`` or ``loop`` (one torch model at a time);
    ``status`` why it stopped (`Status`). ``snapshots`` maps each snapshot epoch of the run
    (`rnncap.engine.train`'s ``snapshots``) to the best weights up to that epoch (`at`).
    """

    spec: RecurrentSpec
    seed: int
    settings: TrainSettings
    state_dict: dict[str, torch.Tensor]
    initial_state_dict: dict[str, torch.Tensor]
    history: list[dict[str, Any]]
    best_epoch: int
    status: Status
    key: str = ""
    strategy: Strategy = Strategy.ENSEMBLE
    snapshots: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict, repr=False)

    # Metadata only (no weights): the JSON `rnncap.plain.to_plain` writes for output and stores.
    PLAIN_VIEW: ClassVar = {
        "key": "key",
        "arch": "spec.arch_string",
        "seed": "seed",
        "status": "status",
        "best_epoch": "best_epoch",
        "epochs_run": "epochs_run",
        "strategy": "strategy",
        "settings": "settings",
        "history": "history",
    }

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", parse_enum(Status, self.status, "status"))
        object.__setattr__(self, "strategy", parse_enum(Strategy, self.strategy, "strategy"))
        require(self.best_epoch >= 0, f"best epoch must be >= 0; got {self.best_epoch}")

    @property
    def epochs_run(self) -> int:
        return len(self.history)

    def at(self, epoch: int) -> TrainedMember:
        """This member as it was kept at snapshot `epoch`: its best weights up to then."""
        require(
            epoch in self.snapshots,
            f"no snapshot at epoch {epoch}; this run kept {sorted(self.snapshots) or 'none'}",
        )
        return dataclasses.replace(self, state_dict=self.snapshots[epoch], snapshots={})

    def model(self) -> RecurrentModel:
        """A `RecurrentModel` holding the best weights (eval mode, CPU)."""
        model = RecurrentModel(self.spec, dropout=self.settings.dropout)
        model.load_state_dict(self.state_dict)
        return model.eval()

    def predict(
        self, x: np.ndarray, anchor: np.ndarray | None = None, batch_size: int = 4096
    ) -> np.ndarray:
        """Outputs of the best model for ``x`` (n, k, d) plus `anchor` (n, outputs) when given
        (see `MemberData`): a float32 array (n, outputs)."""
        xs = _array(x, "x", 3, "(n, time, features)")
        require(
            xs.shape[2] == self.spec.input_size,
            f"x has {xs.shape[2]} features; this model expects {self.spec.input_size}",
        )
        model = self.model()
        with torch.no_grad():
            parts = [
                model(torch.from_numpy(xs[i : i + batch_size])).numpy()
                for i in range(0, len(xs), batch_size)
            ]
        out = np.concatenate(parts, axis=0)
        return out if anchor is None else out + np.asarray(anchor, dtype=np.float32)
