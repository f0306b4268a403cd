"""`Forecaster`: a stacked LSTM/GRU/RNN with a linear head, trained through the batched engine.

`Forecaster.fit` is ``fit_many(td, [arch], [seed], settings=...)[0]`` (`rnncap.forecast.many`):
one recipe, the record `rnncap.engine.ForecastSettings`, for `rnncap forecast train`, `fit_many`
and `rnncap study`, so the same architecture, seed, data and settings give the same weights
whichever of them trained it. The recipe (`rnncap.engine`): Adam, MSE on scaled targets, the
network learning the correction to a fitted baseline (the residual anchor), gradient-norm clipping,
cosine decay of the learning rate to a tenth, early stopping on the validation loss (the best
epoch's weights are kept), and weights, batch order and dropout masks that depend on ``seed``
alone. `rnncap.engine.train_reference` writes that recipe out as a plain loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from rnncap.arch.budget import check_trainable
from rnncap.arch.spec import RecurrentSpec, parse_arch
from rnncap.data.scaling import Scaler
from rnncap.data.task import TIME_FEATURES, Task, TaskData
from rnncap.engine import ForecastSettings, TrainedMember
from rnncap.errors import InvalidInput, check_int, require
from rnncap.forecast.anchor import FittedAnchor, anchor_of
from rnncap.forecast.blend import fit_blend
from rnncap.plain import to_plain

# what a task must agree on, besides its input and target columns, for a trained model to apply
TASK_IDENTITY = ("history", "horizon", "all_leads", "time_features")


@torch.no_grad()
def mean_loss(
    model: nn.Module, x: np.ndarray, y: np.ndarray, anchor: np.ndarray, batch_size: int = 1024
) -> float:
    """Mean squared error of ``model(x) + anchor`` against y, in eval mode (mode restored)."""
    was_training = model.training
    model.eval()
    total = 0.0
    for i in range(0, len(x), batch_size):
        xb, yb = torch.from_numpy(x[i : i + batch_size]), torch.from_numpy(y[i : i + batch_size])
        pred = model(xb) + torch.from_numpy(anchor[i : i + batch_size])
        total += float(((pred - yb) ** 2).sum())
    model.train(was_training)
    return total / (len(x) * y.shape[1])


class Forecaster:
    """A recurrent forecaster for one task.

    Parameters
    ----------
    arch : str, default="lstm:2x32"
        Architecture string (``lstm:2x32``, ``gru:64,32``, ``rnn_tanh:1x16``); input size and
        outputs come from the task.
    seed : int, default=0
        Seed of the weights, the dropout masks and the batch order.
    ensemble : int, default=1
        Members of a seed ensemble (seeds ``seed .. seed + ensemble - 1``), trained at once by
        the batched engine; the forecast is the mean of the members' forecasts.
    settings : ForecastSettings, optional
        The training recipe (`rnncap.engine.ForecastSettings`: its defaults when omitted).
    **overrides
        Settings by name (``epochs=10``, ``anchor="none"``, ...) applied on top of `settings`;
        an unknown name or a bad value is one `InvalidInput` line, raised here.

    Fitted state: ``model_`` (RecurrentModel at the best epoch), ``anchor_`` (the fitted
    `FittedAnchor` its output is added to), ``blend_`` (the `FittedBlend` its forecast is
    combined with, chosen on validation after training; None with ``blend="none"``),
    ``spec_``, ``task_``,
    ``x_scaler_``, ``y_scaler_``, ``input_columns_``, ``target_columns_``, ``history_``
    (per-epoch train/val loss), ``best_epoch_``, ``status_``, ``losses_`` (train/val/test MSE
    of the kept weights, scaled units), ``train_seconds_``, ``initial_state_`` (the weights
    before training; not kept in checkpoints).

    To train N seeds at once, as one batched ensemble, use
    ``fit_many(td, [arch], seeds=range(N), **settings)``: each comes back as the Forecaster
    that ``Forecaster(arch, seed=s, **settings).fit(td)`` gives.
    """

    def __init__(
        self,
        arch: str = "lstm:2x32",
        *,
        seed: int = 0,
        ensemble: int = 1,
        settings: ForecastSettings | None = None,
        **overrides: Any,
    ):
        self.arch = arch
        self.seed = seed
        self.ensemble = ensemble
        require(
            settings is None or isinstance(settings, ForecastSettings),
            f"settings must be a rnncap.engine.ForecastSettings; got {settings!r:.60}",
        )
        self.settings = (settings or ForecastSettings()).replace(**overrides)

    def get_params(self) -> dict:
        """Architecture, seed, ensemble and every setting, as plain values (for checkpoints)."""
        return {"arch": self.arch, "seed": self.seed, "ensemble": self.ensemble,
                **to_plain(self.settings)}  # fmt: skip

    def build_spec(self, td: TaskData) -> RecurrentSpec:
        """Check the settings and the architecture for `td` (before any training starts)."""
        check_int(self.ensemble, "ensemble", low=1)
        spec = parse_arch(
            self.arch, input_size=td.input_size, seq_len=td.task.history, outputs=td.outputs
        )
        check_trainable(spec)
        return spec

    # -- training ------------------------------------------------------------------------------
    def fit(
        self,
        td: TaskData,
        progress: Callable[[int, int], None] | None = None,
        device: str | None = None,
    ) -> Forecaster:
        """Train on ``td.train`` with early stopping on ``td.val``: `fit_many` with this one
        model (with ``ensemble`` > 1, its seed members at once: `ensemble.fit_ensemble`).
        `progress(done, total)` counts member-epochs; `device` as in `rnncap.engine.train`."""
        self.build_spec(td)
        if self.ensemble > 1:
            from rnncap.forecast.ensemble import fit_ensemble

            return fit_ensemble(self, td, progress, device=device)
        from rnncap.forecast.many import fit_forecasters

        return fit_forecasters(td, [self], progress=progress, device=device)[0]

    def adopt(
        self,
        td: TaskData,
        member: TrainedMember,
        seconds: float,
        anchor: FittedAnchor,
        partner: FittedAnchor | None = None,
    ) -> Forecaster:
        """Take `member` (trained by the engine on `td` with `anchor`) as this forecaster's
        network, blended with `partner` (the recipe's ``blend``, fitted on `td`)."""
        self.adopt_network(
            td, member.model().cpu(), member.history, member.best_epoch, member.status.value,
            seconds, anchor, partner,
        )  # fmt: skip
        self.initial_state_ = member.initial_state_dict
        return self

    def adopt_network(
        self,
        td: TaskData,
        model: nn.Module,
        history: list[dict],
        best_epoch: int,
        status: str,
        seconds: float,
        anchor: FittedAnchor,
        partner: FittedAnchor | None = None,
    ) -> Forecaster:
        """Take `model` (a trained `RecurrentModel`, or a mean of them) and the fitted `anchor`
        its output is added to as the network; with a ``blend`` setting, choose its share
        against the fitted baseline `partner` on the validation windows of `td`."""
        model.eval()
        self.model_, self.spec_, self.task_ = model, model.spec, td.task
        self.x_scaler_, self.y_scaler_ = td.x_scaler, td.y_scaler
        self.input_columns_, self.target_columns_ = td.input_columns, td.target_columns
        self.target_units_ = td.target_units
        self.history_, self.best_epoch_, self.status_ = list(history), best_epoch, status
        self.train_seconds_ = seconds
        self.anchor_ = anchor
        self.losses_ = {
            s: mean_loss(model, td.split(s).x, td.split(s).y, anchor.scaled(td, s)) for s in SPLITS
        }
        self.blend_ = None
        if self.settings.blend != "none":
            require(
                partner is not None and partner.kind == self.settings.blend,
                f"the {self.settings.blend} baseline of the blend was not fitted; fit the model "
                "with fit_many or Forecaster.fit",
            )
            network_val = self.y_scaler_.inverse(
                self.predict_scaled(td.val.x, anchor.scaled(td, "val"))
            )
            self.blend_ = fit_blend(network_val, partner, td)
        return self

    # -- prediction ----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        require(
            hasattr(self, "model_"),
            "this Forecaster is not fitted yet; call fit(task_data) or load a checkpoint",
        )

    def check_task(self, td: TaskData, where: str = "this model") -> None:
        """The task of `td` must be the one the model was trained for (the data may differ)."""
        self._check_fitted()
        ours, theirs = to_plain(self.task_), to_plain(td.task)
        diff = [k for k in TASK_IDENTITY if ours[k] != theirs[k]]
        if td.input_columns != self.input_columns_:
            missing = [c for c in self.input_columns_ if c not in td.input_columns]
            extra = [c for c in td.input_columns if c not in self.input_columns_]
            diff.append(f"input columns (missing {missing}, extra {extra})")
        if td.target_columns != self.target_columns_:
            diff.append(f"target columns {list(td.target_columns)}")
        if diff:
            raise InvalidInput(
                f"{where} was trained for another task ({describe(self.task_)}); this one differs "
                f"in {', '.join(diff)} ({describe(td.task)}); train a model for this task"
            )

    def check_columns(self, inputs: tuple[str, ...], targets: tuple[str, ...], where: str) -> None:
        """Data for prediction must supply the inputs and targets the model was trained on."""
        self._check_fitted()
        require(
            tuple(inputs) == self.input_columns_ and tuple(targets) == self.target_columns_,
            f"{where} does not give this model's inputs and targets "
            f"(inputs {list(self.input_columns_)}, targets {list(self.target_columns_)}); "
            "use data with the same columns as the training data",
        )

    def task_for(self, dataset: str) -> Task:
        """The model's task on other data, naming its columns explicitly (``JFK.temp``), so any
        file with the training data's column names will do, whatever its loader."""
        self._check_fitted()
        own = set(TIME_FEATURES)
        return self.task_.replace(
            dataset=dataset,
            target=self.target_columns_,
            station=None,
            stations=(),
            inputs=tuple(c for c in self.input_columns_ if c not in own),
        )

    def predict_scaled(self, x: np.ndarray, anchor: np.ndarray) -> np.ndarray:
        """Scaled forecasts (n, outputs) for inputs scaled with the model's own scalers.

        `anchor` (n, outputs) is what the network's output is added to (``anchor_``).
        """
        self._check_fitted()
        out = []
        with torch.no_grad():
            for i in range(0, len(x), 1024):
                out.append(self.model_(torch.from_numpy(np.ascontiguousarray(x[i : i + 1024]))))
        if not out:
            return np.zeros((0, self.spec_.outputs), dtype=np.float32)
        return torch.cat(out).numpy() + anchor

    def forecast_scaled(self, x: np.ndarray, baseline: Callable[[FittedAnchor], np.ndarray]):
        """Scaled forecasts (n, outputs): the network's output plus its anchor, combined with
        the blend's baseline when there is one; `baseline(fitted)` is a fitted anchor's scaled
        forecast of the windows `x` (from a `TaskData` or from raw windows)."""
        out = self.predict_scaled(x, baseline(anchor_of(self)))
        blend = getattr(self, "blend_", None)
        if blend is None:
            return out
        return blend.combine(out, baseline(blend.partner))

    def predict_physical(
        self, x_physical: np.ndarray, now: np.ndarray, target_times: list[pd.DatetimeIndex]
    ) -> np.ndarray:
        """Forecasts in physical units for inputs (n, k, d), targets now (n, outputs) and the
        target times of each lead (what a lagged-ridge anchor's calendar features need)."""
        x = self.x_scaler_.transform(x_physical).astype(np.float32)
        now_scaled = self.y_scaler_.transform(now)
        columns = self.input_columns_
        out = self.forecast_scaled(
            x, lambda fitted: fitted.from_windows(x, now_scaled, columns, target_times)
        )
        return self.y_scaler_.inverse(out)

    def predict(self, td: TaskData, split: str = "test") -> np.ndarray:
        """Forecasts (n, outputs), physical units, for the windows of `split`."""
        self.check_task(td)
        x = td.split(split).x
        if td.x_scaler != self.x_scaler_:  # data scaled differently: back to units, then ours
            x = rescale(x, td.x_scaler, self.x_scaler_)
        out = self.forecast_scaled(x, lambda fitted: fitted.scaled(td, split, x, self.y_scaler_))
        return self.y_scaler_.inverse(out)


def rescale(x: np.ndarray, source: Scaler, target: Scaler) -> np.ndarray:
    """Inputs scaled by `source` re-expressed in the scaling of `target`."""
    return target.transform(source.inverse(x)).astype(np.float32)


def describe(task: Task) -> str:
    leads = f"leads 1..{task.horizon}" if task.all_leads else f"horizon {task.horizon}"
    where = f" at {task.station}" if task.station else ""
    return f"target {','.join(task.target)}{where}, history {task.history}, {leads}"


#: Everything a checkpoint stores to rebuild a `Forecaster`: architecture, seed, ensemble, recipe.
SETTINGS = ("arch", "seed", "ensemble", *ForecastSettings.names())
SPLITS = ("train", "val", "test")
