"""CPU benchmark: rnncap's engine against a plain loop of nn.LSTM / nn.GRU / nn.RNN models.

Workload (docs/performance.md, ../shared/reference/performance.md): M independent one-layer
models, full-batch training, B = 128 sequences shared by all models, T = 20 steps, I = 8 inputs,
per-model random binary labels, BCE on a linear head over the last hidden state, fp32, Adam.
One step = forward + backward + Adam for all M models.

* ``loop``: M `nn.LSTM`/`nn.GRU`/`nn.RNN` + `nn.Linear`, one Adam each, stepped one after the
  other in this process with torch's default threads (what a user writes first);
* ``engine``: `rnncap.engine.train` with ``strategy="auto"`` (and the forced ``ensemble`` and
  ``loop`` strategies, to show the crossover), ``workers=1`` and ``workers=2``.

Engine step times are whole `train()` calls over E epochs divided by E (model construction and
worker start-up included); loop step times exclude construction and are the minimum over rounds
after one warm-up step, so the ratios are conservative. On a shared machine compare the ratios
within one run, not absolute times; ``--threads 1`` avoids OpenMP spinning under contention.

    python bench/engine_cpu.py                      # all cells, H in 4 8 16 32 64, M = 64
    python bench/engine_cpu.py --cells lstm --widths 8 32 --json

``--study`` instead times both strategies at the default study's own shapes (`STUDY_SHAPES`:
M = 3 seeds, I = 37 inputs, T = 120 steps, batches of 64 rows, the forecaster's dropout and weight
decay, one torch thread like the study workers) and prints the loop/ensemble ratio per shape;
`rnncap.engine.strategy` is derived from that table (docs/performance.md).

    python bench/engine_cpu.py --study --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
import torch
from torch import nn

from rnncap.arch import parse_arch
from rnncap.engine import Job, MemberData, TrainSettings, choose_strategy, train
from rnncap.engine.workers import tune_allocator

#: the default study's LSTM grid (layers 1-4 x units 8-64) and its three frontier models
STUDY_SHAPES = [(n, h) for n in (1, 2, 3, 4) for h in (8, 16, 32, 64)] + [(1, 49), (3, 26), (4, 22)]

B, T, D = 128, 20, 8  # rows per batch, time steps, input features


def machine() -> dict:
    with open("/proc/cpuinfo") as f:
        names = [line.split(":", 1)[1].strip() for line in f if "model name" in line]
    model = names[0] if names else platform.processor()
    return {
        "cpu": model,
        "nproc": os.cpu_count(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0],
    }


def make_jobs(cell: str, width: int, members: int, epochs: int) -> list[Job]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(B, T, D)).astype(np.float32)
    spec = parse_arch(f"{cell}:1x{width}", input_size=D, outputs=1)
    settings = TrainSettings(epochs=epochs, batch_size=B, loss="bce", patience=0, clip=None)
    jobs = []
    for seed in range(members):
        labels = rng.integers(0, 2, size=(B, 1)).astype(np.float32)
        jobs.append(Job(spec, seed, MemberData(x, labels), settings))
    return jobs


def loop_step_ms(jobs: list[Job], rounds: int, steps: int) -> float:
    """A plain loop over torch modules, one Adam each; ms per step of all members."""
    spec = jobs[0].spec
    x = torch.from_numpy(jobs[0].data.x_train)
    models = []
    for job in jobs:
        kind = {"lstm": nn.LSTM, "gru": nn.GRU}.get(spec.cell.value, nn.RNN)
        extra = {"nonlinearity": "relu"} if spec.cell.value == "rnn_relu" else {}
        rnn = kind(D, spec.hidden_sizes[0], batch_first=True, **extra)
        head = nn.Linear(spec.hidden_sizes[0], 1)
        opt = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-3)
        models.append((rnn, head, opt, torch.from_numpy(job.data.y_train)))

    def step() -> None:
        for rnn, head, opt, y in models:
            out, _ = rnn(x)
            loss = nn.functional.binary_cross_entropy_with_logits(head(out[:, -1]), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

    step()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best * 1e3


def engine_step_ms(cell, width, members, epochs, rounds, **options) -> float:
    """train() wall time over E epochs (one full-batch step each) / E, set-up and worker start-up
    included (conservative for the engine): ms per step of all members."""
    jobs = make_jobs(cell, width, members, epochs)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        train(jobs, device="cpu", **options)
        best = min(best, (time.perf_counter() - start) / epochs)
    return best * 1e3


def study_jobs(layers: int, width: int, members: int, batches: int) -> list[Job]:
    """`members` LSTM jobs shaped like a study unit; `batches` optimizer steps per epoch."""
    rng = np.random.default_rng(0)
    rows, t, inputs = 64 * batches, 120, 37
    x = rng.normal(size=(rows, t, inputs)).astype(np.float32)
    data = MemberData(x, rng.normal(size=(rows, 1)).astype(np.float32))
    spec = parse_arch(f"lstm:{layers}x{width}", input_size=inputs, outputs=1)
    settings = TrainSettings(epochs=1, batch_size=64, dropout=0.3, weight_decay=1e-3)
    return [Job(spec, seed, data, settings) for seed in range(members)]


def study_table(
    members: int, batches: int, rounds: int, shapes: list[tuple[int, int]] = STUDY_SHAPES
) -> list[dict]:
    """ms per optimizer step of all members, ensemble vs loop, at every study shape.

    Each timing is a whole one-epoch `train()` call divided by its steps (set-up included, the
    same for both); the best of `rounds`, the two strategies interleaved (alternating which goes
    first) so that load changes hit both alike. One warm-up call per shape is not timed.
    """
    rows = []
    for layers, width in shapes:
        jobs = study_jobs(layers, width, members, batches)
        train(jobs[:1], device="cpu", strategy="loop")  # warm-up (oneDNN primitives, allocator)
        best = {"ensemble": float("inf"), "loop": float("inf")}
        for r in range(rounds):
            for how in ("ensemble", "loop") if r % 2 == 0 else ("loop", "ensemble"):
                start = time.perf_counter()
                train(jobs, device="cpu", strategy=how)
                best[how] = min(best[how], (time.perf_counter() - start) / batches * 1e3)
        chosen = choose_strategy(jobs[0].spec, 64, torch.device("cpu"), members).value
        rows.append(
            {
                "L": layers,
                "H": width,
                "M": members,
                "ensemble_ms": best["ensemble"],
                "loop_ms": best["loop"],
                "loop_over_ensemble": best["loop"] / best["ensemble"],
                "auto": chosen,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru", "rnn_tanh"])
    parser.add_argument("--widths", nargs="+", type=int, default=[4, 8, 16, 32, 64])
    parser.add_argument(
        "--members", type=int, help="M (default: 64; with --study, 3 as in a study unit)"
    )
    parser.add_argument("--steps", type=int, default=8, help="E: steps (epochs) per timing")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", nargs="+", type=int, default=[1])
    parser.add_argument(
        "--worker-steps", type=int, default=40, help="steps per timing with workers > 1"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--study", action="store_true", help="the study's shapes, M = --members")
    parser.add_argument("--batches", type=int, default=4, help="--study: steps per timing")
    parser.add_argument("--shapes", nargs="+", help="--study: only these LAYERSxUNITS, e.g. 4x16")
    args = parser.parse_args()
    tune_allocator()  # the engine does this itself; the loop gets the same allocator
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.study:
        members = args.members or 3  # a study unit trains 3 seeds
        print(json.dumps(machine()))
        print("| L | H | M | ensemble ms/step | loop ms/step | loop / ensemble | auto |")
        print("|---|---|---|---|---|---|---|")
        shapes = (
            [tuple(map(int, s.split("x"))) for s in args.shapes] if args.shapes else STUDY_SHAPES
        )
        for row in study_table(members, args.batches, args.rounds, shapes):
            print(
                f"| {row['L']} | {row['H']} | {row['M']} | {row['ensemble_ms']:.1f} | "
                f"{row['loop_ms']:.1f} | {row['loop_over_ensemble']:.2f} | {row['auto']} |",
                flush=True,
            )
        print(json.dumps({"load_average_1min_end": os.getloadavg()[0]}))
        return
    args.members = args.members or 64
    rows = []
    info = machine()
    if not args.json:
        print(json.dumps(info))
    for cell in args.cells:
        for width in args.widths:
            jobs = make_jobs(cell, width, args.members, 1)
            chosen = choose_strategy(jobs[0].spec, B, torch.device("cpu"), args.members).value
            row = {"cell": cell, "H": width, "M": args.members, "auto": chosen}
            row["loop_ms"] = loop_step_ms(jobs, args.rounds, args.steps)
            common = (cell, width, args.members, args.steps, args.rounds)
            for how in ("ensemble", "loop"):
                row[f"engine_{how}_ms"] = engine_step_ms(*common, strategy=how)
            for w in args.workers:
                if w == 1:
                    ms = row[f"engine_{chosen}_ms"]
                else:
                    many = (cell, width, args.members, args.worker_steps, 1)
                    ms = engine_step_ms(*many, workers=w)
                row[f"auto_w{w}_ms"] = ms
                row[f"speedup_w{w}"] = row["loop_ms"] / ms
            rows.append(row)
            if not args.json:
                print(
                    f"{cell:8s} H={width:3d} loop {row['loop_ms']:7.1f} ms | ensemble "
                    f"{row['engine_ensemble_ms']:7.1f} | engine-loop {row['engine_loop_ms']:7.1f}"
                    f" | auto={chosen:8s} "
                    + " ".join(
                        f"w{w}: {row[f'auto_w{w}_ms']:7.1f} ms ({row[f'speedup_w{w}']:.2f}x)"
                        for w in args.workers
                    ),
                    flush=True,
                )
    info["load_average_1min_end"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"machine": info, "workload": {"B": B, "T": T, "I": D}, "rows": rows}))


if __name__ == "__main__":
    main()
