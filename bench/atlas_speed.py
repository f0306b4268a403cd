"""CPU benchmark: one row of the capacity atlas at its first three budgets, measured two ways.

* ``per budget``: what the atlas did before (issue 23, first protocol): one run per seed and per
  budget (250, 500 and 1,000 memorization epochs; 100, 200 and 400 VC epochs), each seed alone;
* ``one run``: what it does now (`rnncap.capacity.atlas.grid.measure_points`): one run to the
  third budget read at the first two (the engine's snapshots), every seed in one engine call.

Both use the atlas protocol (Gaussian inputs, b in {1, 2, 4, 8} x w, two learning rates, VC
design 1..8 w with 4 repetitions); the figure is process CPU time, the ratio is within one run
of this script (compare ratios, not absolute times, on a shared machine).

    python bench/atlas_speed.py                       # rnn_tanh:1x4, gru:1x4, rnn_tanh:1x17
    python bench/atlas_speed.py --archs gru:1x9 --seeds 3
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import torch

from rnncap.arch import parse_arch
from rnncap.capacity import vc
from rnncap.capacity.atlas.grid import AtlasProtocol, measure_points
from rnncap.capacity.checks import logit_parameters
from rnncap.capacity.memorize import default_memorization_settings, measure_memorization


def per_budget(spec, seeds, protocol: AtlasProtocol, levels: int) -> float:
    """CPU seconds of the first protocol: a run per seed and budget."""
    start = time.process_time()
    w = logit_parameters(spec)
    for seed in seeds:
        for level in range(levels):
            epochs, vc_epochs = protocol.budget_epochs(level)
            settings = dataclasses.replace(default_memorization_settings(), epochs=epochs)
            sweep = dataclasses.replace(protocol.sweep, schedules=("cosine",))
            measure_memorization(spec, protocol.sample_sizes(w), [seed], settings=settings,
                                 sweep=sweep, max_samples=protocol.max_samples)  # fmt: skip
            design = dataclasses.replace(vc.default_design(w), repetitions=protocol.vc_repetitions)
            vc.measure_vc_recurrent(
                spec,
                design,
                seed=seed,
                max_samples=protocol.max_samples,
                settings=vc.default_vc_settings(vc_epochs, protocol.vc_lr),
            )
    return time.process_time() - start


def one_run(spec, seeds, protocol: AtlasProtocol, levels: int) -> float:
    """CPU seconds of `measure_points`: one run to the last budget, every seed at once."""
    from rnncap.plain import to_plain

    start = time.process_time()
    options = {"cell": spec.cell.value, "design": "bench", "size": 0, "level": levels - 1,
               "protocol": to_plain(protocol)}  # fmt: skip
    measure_points(spec, list(seeds), options)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=["rnn_tanh:1x4", "gru:1x4", "rnn_tanh:1x17"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--levels", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    protocol = AtlasProtocol()
    print(f"load {os.getloadavg()[0]:.2f}, {args.seeds} seeds, {args.levels} budgets, 1 thread")
    print("| network | w | per budget, each seed alone (CPU s) | one run, seeds together | ratio |")
    print("|---|---|---|---|---|")
    for arch in args.archs:
        spec = parse_arch(arch, input_size=protocol.input_bits, seq_len=1 + protocol.delay,
                          outputs=1)  # fmt: skip
        seeds = range(args.seeds)
        old = per_budget(spec, seeds, protocol, args.levels)
        new = one_run(spec, seeds, protocol, args.levels)
        print(f"| {arch} | {logit_parameters(spec)} | {old:.1f} | {new:.1f} | {old / new:.2f} |",
              flush=True)  # fmt: skip
    print(f"load {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
