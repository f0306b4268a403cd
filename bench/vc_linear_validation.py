"""Validate the Vapnik–Levin–LeCun VC estimator on linear classifiers in R^d (VC dimension d + 1).

Run:  python bench/vc_linear_validation.py [--seeds 5] [--reps 30]

One design for every d (14 geometric half-sample sizes from 1 to 512, nothing about d in it),
several seeds per d; prints a Markdown table of the estimates and their relative errors, and
the acceptance check of issue 6 (every estimate within 25 % of d + 1 for d in {5, 10, 20}).
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from rnncap.capacity.vc import VCDesign, measure_vc_linear

DIMENSIONS = (2, 5, 10, 20, 40)
ACCEPTANCE = (5, 10, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    sizes = tuple(int(n) for n in np.unique(np.geomspace(1, 512, 14).round()))
    design = VCDesign(sizes, args.reps)
    print(f"design: n = {list(sizes)}, {args.reps} repetitions per n, {args.steps} Adam steps")
    print(f"machine: {platform.processor() or platform.machine()}, torch {torch.__version__}\n")
    print("| d | true VC (d+1) | estimates h over seeds | mean h | mean rel. error | worst |")
    print("|---|---|---|---|---|---|")
    worst_accepted, started = 0.0, time.perf_counter()
    for d in DIMENSIONS:
        hs = [measure_vc_linear(d, design, seed=s, steps=args.steps).h for s in range(args.seeds)]
        errors = [(h - (d + 1)) / (d + 1) for h in hs]
        worst = max(errors, key=abs)
        if d in ACCEPTANCE:
            worst_accepted = max(worst_accepted, abs(worst))
        print(
            f"| {d} | {d + 1} | {', '.join(f'{h:.2f}' for h in hs)} | {np.mean(hs):.2f} | "
            f"{np.mean(errors):+.1%} | {worst:+.1%} |"
        )
    verdict = "PASS" if worst_accepted <= 0.25 else "FAIL"
    print(
        f"\nworst |relative error| for d in {{5, 10, 20}}: {worst_accepted:.1%} "
        f"(acceptance: <= 25 %): {verdict}; {time.perf_counter() - started:.0f} s in all"
    )


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
