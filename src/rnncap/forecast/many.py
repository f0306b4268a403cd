"""Many forecasters at once through the batched engine (`rnncap.engine.train`).

`Forecaster.fit` is the readable single-model reference; `fit_many` trains a grid of
architectures and seeds on one task as batched ensembles and returns ordinary, fitted
`Forecaster` objects (same predict/evaluate/save). Differences from `fit`: the engine keeps the
learning rate constant (no cosine decay) and has no time limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rnncap.data.task import TaskData
from rnncap.engine import Job, MemberData, TrainSettings, train
from rnncap.forecast.forecaster import Forecaster


def fit_many(
    td: TaskData,
    archs: Sequence[str],
    seeds: Sequence[int] = (0,),
    *,
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 1e-3,
    clip: float = 1.0,
    patience: int = 6,
    dropout: float = 0.3,
    weight_decay: float = 1e-3,
    residual: bool = True,
    progress: Callable[[int, int], None] | None = None,
    device: str | None = None,
) -> list[Forecaster]:
    """One fitted `Forecaster` per (arch, seed), in that order (arch-major).

    All members share one copy of the windows (one `MemberData`); with ``residual`` the
    targets are the change from persistence, as in `Forecaster.fit`.
    """
    template = Forecaster(
        archs[0], dropout=dropout, epochs=epochs, batch_size=batch_size, lr=lr, clip=clip,
        patience=patience, weight_decay=weight_decay, residual=residual,
    )  # fmt: skip
    specs = {a: Forecaster(a, **_settings(template)).build_spec(td) for a in archs}
    anchor = {s: template._anchor(td, s, td.y_scaler) for s in ("train", "val")}
    data = MemberData(td.train.x, td.train.y - anchor["train"], td.val.x, td.val.y - anchor["val"])
    settings = TrainSettings(
        epochs=epochs, batch_size=batch_size, lr=lr, clip=clip, patience=patience,
        dropout=dropout, weight_decay=weight_decay,
    )  # fmt: skip
    jobs = [
        Job(specs[a], seed, data, settings, key=f"{a}/seed={seed}") for a in archs for seed in seeds
    ]
    start = time.perf_counter()
    members = train(jobs, device=device, progress=progress)
    seconds = (time.perf_counter() - start) / max(1, len(jobs))
    out = []
    for job, member in zip(jobs, members, strict=True):
        model = Forecaster(job.spec.name, **{**_settings(template), "seed": job.seed})
        net = member.model().cpu()
        out.append(model.adopt(td, net, member.history, member.best_epoch, member.status, seconds))
    return out


def _settings(model: Forecaster) -> dict:
    params = model.get_params()
    params.pop("arch")
    return params
