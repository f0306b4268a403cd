"""One lever setting of issue 27 on the default task: train, then the JFK 24 h output's MAE.

Trains ``rnncap.forecast.Forecaster`` (the path of ``rnncap forecast train``) on nyc2013 with
the given anchor, stations, leads and settings, and prints the validation and test MAE of the
JFK temperature 24 h ahead (the default task's output; with several stations or leads it is one
output of many), the mean over every output, and the CPU time of the process. Choices are made
on the validation column; test is printed to report what a choice led to.

    python bench/forecast_levers.py --anchor lagged-ridge --stations all --horizons 1-24 \
        --ensemble 1 --seed 0 --set weight_decay=0.01
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from rnncap.cli.task_options import task_from_options
from rnncap.data import prepare_task
from rnncap.engine import ForecastSettings
from rnncap.forecast import Forecaster


def _value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="lstm:2x32")
    parser.add_argument("--anchor", default=ForecastSettings().anchor)
    parser.add_argument("--stations", default="")
    parser.add_argument("--horizons", default="")
    parser.add_argument("--ensemble", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", nargs="*", default=[], help="setting=value overrides")
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.process_time()
    task = task_from_options("nyc2013", stations=args.stations, horizons=args.horizons)
    td = prepare_task(task)
    overrides = {k: _value(v) for k, v in (s.split("=", 1) for s in args.set)}
    model = Forecaster(args.arch, seed=args.seed, ensemble=args.ensemble, anchor=args.anchor,
                       **overrides).fit(td)  # fmt: skip
    column = td.output_names.index("JFK.temp@+24")
    out = {}
    for split in ("val", "test"):
        error = np.abs(model.predict(td, split) - td.y_physical(td.split(split)))
        out[split], out[f"{split}_all"] = error[:, column].mean(), error.mean()
    cpu = time.process_time() - start
    blend = "none" if model.blend_ is None else f"{model.blend_.weight.min():.2f}*net"
    print(f"{args.arch} anchor={model.anchor_.kind} blend={blend} "
          f"stations={args.stations or 'JFK'} horizons={args.horizons or '24'} "
          f"ensemble={args.ensemble} seed={args.seed} "
          f"{' '.join(args.set)} | JFK@24 val {out['val']:.3f} test {out['test']:.3f} | "
          f"all outputs val {out['val_all']:.3f} test {out['test_all']:.3f} | best epoch "
          f"{model.best_epoch_} of {len(model.history_)} | cpu {cpu:.0f} s",
          flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
