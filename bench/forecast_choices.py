"""Validation-only exploration behind the forecaster's defaults (docs/forecasting.md).

Trains 5 seeds of lstm:2x32 at once with the batched engine on the default task and prints each
member's and the ensemble's MAE, with the network learning the change from one of two anchors:

* ``persistence``: what `rnncap forecast train --ensemble 5` does (the residual on persistence);
* ``lagged-ridge``: the change from the lagged ridge baseline's forecast (a stacked model;
  ``rnncap forecast train --anchor lagged-ridge`` since issue 27).

Choices are made on the validation column only; the test column is printed so that the docs
can report what a choice led to, never to choose.

    python bench/forecast_choices.py persistence
    python bench/forecast_choices.py lagged-ridge
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch

from rnncap.data import Task, prepare_task
from rnncap.engine import ForecastSettings, Job, MemberData, train
from rnncap.forecast import Forecaster
from rnncap.forecast.anchor import fit_anchor

#: the forecasting recipe's engine part, with the constant schedule the figures in
#: docs/forecasting.md were measured with
SETTINGS = ForecastSettings(schedule="constant").train_settings()


def anchors(td, kind: str) -> dict[str, np.ndarray]:
    """Scaled forecasts (n, outputs) per split that the network's output is added to: the
    anchor `kind` fitted as `rnncap forecast train --anchor` fits it."""
    anchor = fit_anchor(td, kind)
    return {s: anchor.scaled(td, s) for s in ("train", "val", "test")}


def main(kind: str = "persistence", arch: str = "lstm:2x32", seeds: int = 5) -> None:
    torch.set_num_threads(1)
    td = prepare_task(Task())
    anc = anchors(td, kind)
    spec = Forecaster(arch).build_spec(td)
    data = MemberData(td.train.x, td.train.y - anc["train"], td.val.x, td.val.y - anc["val"])
    jobs = [Job(spec, s, data, SETTINGS, key=f"s{s}") for s in range(seeds)]
    start = time.perf_counter()
    members = train(jobs)
    seconds = time.perf_counter() - start
    truth = {s: td.y_physical(td.split(s)) for s in ("val", "test")}
    preds: dict[str, list[np.ndarray]] = {s: [] for s in truth}
    for i, m in enumerate(members):
        net = m.model().cpu().eval()
        for s in truth:
            with torch.no_grad():
                out = net(torch.from_numpy(td.split(s).x)).numpy()
            preds[s].append(td.y_to_physical(out + anc[s]))
        maes = " ".join(f"{s} {np.abs(preds[s][i] - truth[s]).mean():.3f}" for s in truth)
        print(f"seed {i}: best epoch {m.best_epoch} of {len(m.history)}, {maes}")
    ens = " ".join(f"{s} {np.abs(np.mean(preds[s], 0) - truth[s]).mean():.3f}" for s in truth)
    print(f"{kind} anchor, {seeds}-member ensemble: {ens} ({seconds:.0f} s training)")


if __name__ == "__main__":
    main(*sys.argv[1:2])
