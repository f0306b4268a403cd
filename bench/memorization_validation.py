"""Validate the tuned memorization protocol on Collins et al. (ICLR 2017): 3-6 bits per parameter.

Run:  nice -n 10 python bench/memorization_validation.py [--part single|depth|all] [--json out.json]

single: rnn_tanh, gru and lstm with one layer and 100-400 parameters, each with a sweep per point
        (learning rates x schedules x losses x input encodings) and a doubling budget until
        converged (capacity rises < 5 % at twice the budget) or until the time limit per
        architecture. Acceptance (issue 11):
        >= 3 bits/parameter, converged.
depth:  one cell at depths 1, 2, 4 at an equal budget (~400 parameters); acceptance: bits per
        parameter within +-25 % of each other when every depth converged.

Prints Markdown tables (capacity against budget for every run of the ladder, so an unconverged
case shows its curve), the CPU seconds and wall seconds of each architecture, and `uptime` before
and after: the machine is shared, so wall time depends on the load; the time limit is on this
process's CPU seconds (with one torch thread, what wall time would be on an idle core).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import torch

from rnncap.arch import frontier, parse_arch
from rnncap.capacity.sweep import Sweep
from rnncap.capacity.tuned import TunedMemorization, tuned_memorization

SINGLE = ("rnn_tanh:1x6", "gru:1x3", "lstm:1x3")
ACCEPT_BITS, ACCEPT_DEPTH_SPREAD = 3.0, 0.25


def uptime() -> str:
    with open("/proc/loadavg") as f:
        return "load average " + ", ".join(f.read().split()[:3])


def measure(spec, args) -> tuple[TunedMemorization, float, float]:
    w_grid = None
    if args.factors:
        from rnncap.arch import count_parameters

        w = count_parameters(spec.replace(outputs=1)).total
        w_grid = [round(f * w) for f in args.factors]
    cpu, wall = time.process_time(), time.perf_counter()
    result = tuned_memorization(
        spec, w_grid, args.seeds, epochs=args.epochs, max_epochs=args.max_epochs,
        time_limit=args.time_limit, clock=time.process_time,
        sweep=Sweep(
            tuple(args.lrs), tuple(args.schedules), args.restarts, tuple(args.losses),
            tuple(args.encodings),
        ),
        on_run=lambda run: print(
            f"  ... {spec.name}: {run.training['epochs']} epochs: "
            f"{run.bits_per_parameter['mean']:.2f} bits/parameter after "
            f"{time.process_time() - cpu:.0f} CPU s, {time.perf_counter() - wall:.0f} s wall "
            f"({uptime()})", flush=True,
        ),
    )  # fmt: skip
    return result, time.process_time() - cpu, time.perf_counter() - wall


def report(result: TunedMemorization, cpu: float, wall: float) -> list[str]:
    lines = []
    for point in result.curve():
        bpp = point["bits_per_parameter"]
        lines.append(
            f"| {result.arch} | {result.parameters} | {point['epochs']} | "
            f"{bpp['mean']:.2f} ({bpp['min']:.2f}-{bpp['max']:.2f}) |"
        )
    best = sorted({(p.lr, p.schedule, p.loss, p.encoding) for p in result.at_double.points})
    lines.append(
        f"| **{result.arch}** | | **verdict** | **{result.bits_per_parameter['mean']:.2f}: "
        f"{result.verdict}** (CPU {cpu:.0f} s, wall {wall:.0f} s; best members: "
        f"{', '.join(' '.join(f'{v:g}' if isinstance(v, float) else v for v in m) for m in best)})"
        " |"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("single", "depth", "all"), default="all")
    parser.add_argument("--archs", nargs="+", default=list(SINGLE))
    parser.add_argument("--input-bits", type=int, default=12)
    parser.add_argument("--delay", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=500, help="first budget of the ladder")
    parser.add_argument("--max-epochs", type=int, default=16_000)
    parser.add_argument("--time-limit", type=float, default=600.0, help="CPU s per architecture")
    parser.add_argument("--lrs", type=float, nargs="+", default=[0.003, 0.01, 0.03])
    parser.add_argument("--schedules", nargs="+", default=["constant", "onecycle"])
    parser.add_argument("--restarts", type=int, default=1)
    parser.add_argument("--losses", nargs="+", default=["bce"], help="bce, hinge")
    parser.add_argument("--encodings", nargs="+", default=["binary"], help="binary, signed")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--factors", type=float, nargs="+", default=[2, 3, 4, 6],
                        help="b grid as multiples of w")  # fmt: skip
    parser.add_argument("--depth-cell", default="rnn_tanh")
    parser.add_argument("--depth-budget", type=int, default=400)
    parser.add_argument("--depths", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}")
    print(f"start: {uptime()}")
    print(
        f"protocol: {args.input_bits} input bits, delay {args.delay}, seeds {args.seeds}, "
        f"b = {args.factors} x w, lr {args.lrs} x {args.schedules} x losses {args.losses} x "
        f"encodings {args.encodings} x {args.restarts} restart(s), {args.threads} thread(s); "
        f"budget from {args.epochs} epochs doubling up to {args.max_epochs} while budget-limited, "
        f"at most {args.time_limit:.0f} CPU s per architecture\n"
    )
    print("| arch | w | epochs | bits/parameter mean (seed range) |")
    print("|---|---|---|---|")
    docs, results = [], {}
    specs = []
    if args.part in ("single", "all"):
        specs += [
            parse_arch(a, input_size=args.input_bits, seq_len=1 + args.delay, outputs=1)
            for a in args.archs
        ]
    if args.part in ("depth", "all"):
        template = parse_arch(
            f"{args.depth_cell}:1", input_size=args.input_bits, seq_len=1 + args.delay, outputs=1
        )
        specs += [p.spec for p in frontier(template, args.depth_budget, args.depths)]
    for spec in specs:
        result, cpu, wall = measure(spec, args)
        results[spec.name] = result
        print("\n".join(report(result, cpu, wall)), flush=True)
        docs.append({**result.to_dict(), "cpu_s": cpu, "wall_s": wall, "load": uptime()})
    print(f"\nend: {uptime()}")
    single = [results[s.name] for s in specs if s.num_layers == 1 and s.name in args.archs]
    for r in single:
        ok = r.converged and r.bits_per_parameter["mean"] >= ACCEPT_BITS
        print(f"{r.arch}: {r.bits_per_parameter['mean']:.2f} bits/parameter, {r.verdict}: "
              f"{'PASS' if ok else 'FAIL'} (>= {ACCEPT_BITS}, converged)")  # fmt: skip
    if args.part in ("depth", "all"):
        depth = [results[p.spec.name] for p in frontier(template, args.depth_budget, args.depths)]
        bpp = [r.bits_per_parameter["mean"] for r in depth]
        spread = max(abs(b / bpp[0] - 1) for b in bpp)
        every = all(r.converged for r in depth)
        print(
            f"depths {args.depths} at ~{args.depth_budget} parameters: bits/parameter "
            f"{', '.join(f'{b:.2f}' for b in bpp)}; largest change from depth "
            f"{args.depths[0]}: {spread:.0%}; "
            + (f"{'PASS' if spread <= ACCEPT_DEPTH_SPREAD else 'FAIL'} (within +-25 %)"
               if every else "not every depth converged: no depth comparison")
        )  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump(docs, f, indent=1, default=str)


if __name__ == "__main__":
    main()
