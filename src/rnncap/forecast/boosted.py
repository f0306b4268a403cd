"""Gradient-boosted trees (LightGBM) on the compact lagged features: the practitioner's default.

LightGBM is an optional dependency (``pip install rnncap[boost]``; the ``test`` extra has it,
so CI runs this baseline). One booster per output, squared-error objective, early stopping on
the validation MAE; one thread and a fixed seed, so a fit is reproducible.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from rnncap.data.task import TaskData
from rnncap.errors import require
from rnncap.forecast.baselines import Learned, scaled_target
from rnncap.forecast.features import lagged_features


def lightgbm_missing() -> str:
    """Empty if LightGBM can be imported, else the one line that says how to get it."""
    if importlib.util.find_spec("lightgbm") is not None:
        return ""
    return "lightgbm baseline left out: LightGBM is not installed (pip install 'rnncap[boost]')"


class LightGBM(Learned):
    """LightGBM on `lagged_features`, level or change from persistence chosen on validation.

    Parameters
    ----------
    target : {"auto", "level", "change"}, default="auto"
    learning_rate : float, default=0.03
    num_leaves : int, default=15
    max_rounds : int, default=2000
        Upper bound on boosting rounds; early stopping picks the number on validation MAE.
    patience : int, default=100
        Rounds without a lower validation MAE before stopping.
    seed : int, default=0

    Fitted state (besides `Learned`'s): ``boosters_`` (one per output, of the kind it kept),
    ``rounds_`` (the kept number of rounds per output).
    """

    name = "lightgbm"

    def __init__(
        self,
        target: str = "auto",
        *,
        learning_rate: float = 0.03,
        num_leaves: int = 15,
        max_rounds: int = 2000,
        patience: int = 100,
        seed: int = 0,
    ):
        super().__init__(target)
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_rounds = max_rounds
        self.patience = patience
        self.seed = seed

    def _params(self) -> dict:
        return {
            "objective": "regression",
            "metric": "l1",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": 20,
            "feature_fraction": 0.8,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "num_threads": 1,
            "deterministic": True,
            "seed": self.seed,
            "verbose": -1,
        }

    def _fit_kinds(self, td: TaskData, kinds: tuple[str, ...]) -> dict:
        missing = lightgbm_missing()
        require(not missing, missing)
        import lightgbm as lgb

        x, x_val = lagged_features(td, "train"), lagged_features(td, "val")
        states = {}
        for kind in kinds:
            y, y_val = scaled_target(td, "train", kind), scaled_target(td, "val", kind)
            boosters = []
            for j in range(td.outputs):
                train_set = lgb.Dataset(x, y[:, j], free_raw_data=False)
                val_set = lgb.Dataset(x_val, y_val[:, j], reference=train_set)
                boosters.append(
                    lgb.train(
                        self._params(),
                        train_set,
                        num_boost_round=self.max_rounds,
                        valid_sets=[val_set],
                        callbacks=[lgb.early_stopping(self.patience, verbose=False)],
                    )
                )
            states[kind] = boosters
        return states

    def fit(self, td: TaskData) -> LightGBM:
        super().fit(td)
        self.boosters_ = [self.states_[k][j] for j, k in enumerate(self.output_targets_)]
        self.rounds_ = [b.best_iteration for b in self.boosters_]
        return self

    def _predict_kind(self, td: TaskData, split: str, state: object) -> np.ndarray:
        x = lagged_features(td, split)
        return np.column_stack(
            [b.predict(x, num_iteration=b.best_iteration) for b in state]  # type: ignore[attr-defined]
        )
