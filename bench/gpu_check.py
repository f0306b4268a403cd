"""GPU check of the batched engine, one script of about 3 minutes on one GPU.

1. Correctness on the GPU, TF32 pinned off:
   * forward of `EnsembleRecurrent` vs cuDNN `RecurrentModel`s, every cell and width pattern,
     shared and own inputs, tolerance 1e-5;
   * `train()` (CUDA-graph backend) vs an independent plain loop over `RecurrentModel`s with
     the same seeds, data and batch order, tolerance 2e-4 on weights (CPU tests use the same);
     and vs the eager ensemble backend, tolerance 1e-5; a learning-rate x schedule grid with
     dropout in one ensemble vs `train_reference` member by member;
   * out of memory: with the per-process memory capped, a chunk that does not fit is halved
     until it does, and the members still match eager training.
2. Throughput of one training step (forward + backward + Adam for all M models) on the workload
   of docs/performance.md (B = 128, T = 20, I = 8, random binary labels, BCE, one LSTM layer),
   M in {64, 512, 2048}, H in {8, 32, 128}: a loop of cuDNN `nn.LSTM` models (one Adam each;
   M <= 512, per-model cost is flat in M), the eager ensemble, the CUDA-graph ensemble.

    python bench/gpu_check.py                # writes $OUT/gpu_check.json when OUT is set
    python bench/gpu_check.py --device cpu --quick   # smoke test of the script itself
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rnncap.arch import parse_arch
from rnncap.engine import (
    EnsembleRecurrent,
    Job,
    MemberData,
    RecurrentModel,
    TrainSettings,
    train,
    train_reference,
)
from rnncap.engine.backends.cuda_graph import pinned_fp32
from rnncap.engine.backends.ensemble import EnsembleBackend
from rnncap.engine.trainer import Setup, run_members

B, T, D = 128, 20, 8
RESULTS: dict = {"checks": [], "throughput": []}


def log(message: str) -> None:
    print(message, flush=True)


def check(name: str, ok: bool, detail: str) -> None:
    RESULTS["checks"].append({"name": name, "ok": bool(ok), "detail": detail})
    log(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}")


def eager_train(jobs: list[Job], device: torch.device) -> list:
    """The eager ensemble backend (no CUDA graph), fp32 pinned as `train` does."""
    setup = Setup(jobs, device)
    with pinned_fp32():
        return run_members(EnsembleBackend(setup), setup)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# -- correctness --------------------------------------------------------------------------------
def forward_checks(device: torch.device) -> None:
    worst = 0.0
    for cell in ("lstm", "gru", "rnn_tanh", "rnn_relu"):
        for pattern in ("1x1", "1x8", "3x16", "32,8", "2,64,5"):
            spec = parse_arch(f"{cell}:{pattern}", input_size=3, outputs=2)
            models = [RecurrentModel(spec, seed=s).to(device) for s in range(4)]
            ens = EnsembleRecurrent.from_models(models).to(device)
            gen = torch.Generator(device=device).manual_seed(1)
            shared = torch.randn(7, 13, 3, device=device, generator=gen)
            own = torch.randn(4, 7, 13, 3, device=device, generator=gen)
            with torch.no_grad():
                ref_shared = torch.stack([m(shared) for m in models])
                ref_own = torch.stack([m(own[i]) for i, m in enumerate(models)])
                err = max(
                    (ens(shared) - ref_shared).abs().max().item(),
                    (ens(own) - ref_own).abs().max().item(),
                )
            worst = max(worst, err)
    check("forward == cuDNN modules", worst <= 1e-5, f"max abs diff {worst:.2e} (tol 1e-5)")


def reference_train(spec, seed, data, s, device):
    """Training alone: the recipe of docs/engine.md written out plainly (as in tests/engine)."""
    model = RecurrentModel(spec, seed=seed).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    x = torch.from_numpy(data.x_train).to(device)
    y = torch.from_numpy(data.y_train).to(device)
    gen = torch.Generator().manual_seed(seed)
    loss_fn = F.mse_loss if s.loss == "mse" else F.binary_cross_entropy_with_logits
    n = len(x)
    for _ in range(s.epochs):
        order = torch.randperm(n, generator=gen) if s.shuffle and s.batch_size < n else None
        for start in range(0, n, s.batch_size):
            idx = torch.arange(start, min(n, start + s.batch_size))
            if order is not None:
                idx = order[idx]
            idx = idx.to(device)
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            if s.clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), s.clip)
            opt.step()
    return {k: v.cpu() for k, v in model.state_dict().items()}


def make_data(seed: int, n: int = 48, labels: bool = False) -> MemberData:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 9, 3)).astype(np.float32)
    if labels:
        y = rng.integers(0, 2, size=(n, 1)).astype(np.float32)
    else:
        y = x[:, -3:, :1].mean(axis=1).astype(np.float32)
    return MemberData(x, y)


def max_state_diff(a: dict, b: dict) -> float:
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a)


def training_checks(device: torch.device) -> None:
    cases = [
        ("lstm:2x8", TrainSettings(epochs=3, batch_size=16, clip=0.5, patience=0), False),
        ("gru:16,4", TrainSettings(epochs=3, batch_size=20, lr=3e-3, patience=0), False),
        ("rnn_tanh:1x32", TrainSettings(epochs=3, batch_size=48, patience=0), False),
        ("rnn_relu:8,8", TrainSettings(epochs=2, batch_size=16, loss="bce", patience=0), True),
    ]
    for arch, settings, own in cases:
        spec = parse_arch(arch, input_size=3, outputs=1)
        shared = make_data(0)
        jobs = [
            Job(spec, seed, make_data(seed, labels=True) if own else shared, settings)
            for seed in range(5)
        ]
        members = train(jobs, device=device, strategy="ensemble")
        ref = max(
            max_state_diff(m.state_dict, reference_train(spec, j.seed, j.data, settings, device))
            for m, j in zip(members, jobs, strict=True)
        )
        eager = eager_train(jobs, device)
        vs_eager = max(
            max_state_diff(m.state_dict, e.state_dict) for m, e in zip(members, eager, strict=True)
        )
        kind = "own labels" if own else "shared inputs"
        check(
            f"train({arch}, {kind}) == models alone",
            ref <= 2e-4,
            f"max weight diff {ref:.2e} (tol 2e-4)",
        )
        check(f"train({arch}) graph == eager", vs_eager <= 1e-5, f"{vs_eager:.2e} (tol 1e-5)")


def grid_checks(device: torch.device) -> None:
    """Per-member lr x schedule in one ensemble (graph without dropout, eager with it)."""
    spec = parse_arch("gru:8,8", input_size=3, outputs=1)
    data = make_data(1)
    grid = [(1e-3, "constant"), (1e-2, "cosine"), (3e-2, "onecycle"), (1e-2, "constant")]
    for dropout in (0.0, 0.3):
        jobs = [
            Job(spec, seed, data, TrainSettings(epochs=3, batch_size=16, lr=lr, schedule=sched,
                                                dropout=dropout, patience=0))
            for seed, (lr, sched) in enumerate(grid)
        ]  # fmt: skip
        members = train(jobs, device=device, strategy="ensemble")
        diff = max(
            max_state_diff(m.state_dict, train_reference(j).state_dict)
            for m, j in zip(members, jobs, strict=True)
        )
        check(
            f"lr x schedule grid in one ensemble (dropout {dropout}) == train_reference",
            diff <= 2e-4,
            f"max weight diff {diff:.2e} (tol 2e-4)",
        )


def oom_check(device: torch.device) -> None:
    if device.type != "cuda":
        return
    total = torch.cuda.get_device_properties(device).total_memory
    spec = parse_arch("lstm:1x128", input_size=D, outputs=1)
    rng = np.random.default_rng(0)
    data = MemberData(
        rng.normal(size=(512, T, D)).astype(np.float32), np.zeros((512, 1), np.float32)
    )
    settings = TrainSettings(epochs=1, batch_size=512, patience=0)
    jobs = [Job(spec, s, data, settings) for s in range(256)]
    cap = 3 * 2**30
    torch.cuda.empty_cache()
    torch.cuda.set_per_process_memory_fraction(cap / total, device)
    try:
        start = time.perf_counter()
        members = train(jobs, device=device, strategy="ensemble", max_members=256)
        took = time.perf_counter() - start
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0, device)
        torch.cuda.empty_cache()
    few = eager_train(jobs[:3], device)
    diff = max(
        max_state_diff(a.state_dict, b.state_dict) for a, b in zip(members[:3], few, strict=True)
    )
    check(
        "out of memory -> smaller chunks",
        len(members) == 256 and diff <= 1e-5,
        f"256 x lstm:1x128 (B=512) under a 3 GiB cap trained in {took:.1f} s; "
        f"first members vs eager {diff:.2e}",
    )


# -- throughput ---------------------------------------------------------------------------------
def workload(width: int, members: int) -> list[Job]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(B, T, D)).astype(np.float32)
    spec = parse_arch(f"lstm:1x{width}", input_size=D, outputs=1)
    settings = TrainSettings(epochs=1, batch_size=B, loss="bce", clip=None, patience=0)
    return [
        Job(spec, s, MemberData(x, rng.integers(0, 2, (B, 1)).astype(np.float32)), settings)
        for s in range(members)
    ]


def time_steps(step, device, warmup: int, steps: int) -> float:
    for _ in range(warmup):
        step()
    sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync(device)
    return (time.perf_counter() - start) / steps * 1e3


def loop_ms(jobs: list[Job], device: torch.device, steps: int) -> float:
    width = jobs[0].spec.hidden_sizes[0]
    x = torch.from_numpy(jobs[0].data.x_train).to(device)
    models = []
    for job in jobs:
        rnn, head = nn.LSTM(D, width, batch_first=True).to(device), nn.Linear(width, 1).to(device)
        opt = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-3)
        models.append((rnn, head, opt, torch.from_numpy(job.data.y_train).to(device)))

    def step() -> None:
        for rnn, head, opt, y in models:
            out, _ = rnn(x)
            loss = F.binary_cross_entropy_with_logits(head(out[:, -1]), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

    return time_steps(step, device, 1, steps)


def ensemble_ms(jobs: list[Job], device: torch.device, graph: bool, steps: int) -> float:
    if graph:
        from rnncap.engine.backends.cuda_graph import GraphBackend

        backend = GraphBackend(Setup(jobs, device))
        with pinned_fp32():
            return time_steps(lambda: backend.step(slice(0, B)), device, 2, steps)
    backend = EnsembleBackend(Setup(jobs, device))
    return time_steps(lambda: backend.step(slice(0, B)), device, 2, steps)


def throughput(device: torch.device, quick: bool) -> None:
    grid = [(8, 4), (16, 8)] if quick else [(m, h) for m in (64, 512, 2048) for h in (8, 32, 128)]
    loop_per_model: dict[int, float] = {}
    for members, width in grid:
        row = {"M": members, "H": width}
        jobs = workload(width, members)
        try:
            if members <= (16 if quick else 512):
                row["loop_ms"] = loop_ms(jobs, device, 1 if members > 64 else 3)
                loop_per_model[width] = row["loop_ms"] / members
            elif width in loop_per_model:
                row["loop_ms_estimate"] = loop_per_model[width] * members
            row["eager_ms"] = ensemble_ms(jobs, device, False, 5)
            if device.type == "cuda":
                row["graph_ms"] = ensemble_ms(jobs, device, True, 20)
                row["peak_gb"] = torch.cuda.max_memory_allocated(device) / 2**30
                torch.cuda.reset_peak_memory_stats(device)
        except torch.cuda.OutOfMemoryError as exc:
            row["error"] = f"out of memory: {str(exc)[:80]}"
        best = row.get("graph_ms", row.get("eager_ms"))
        loop = row.get("loop_ms", row.get("loop_ms_estimate"))
        if best and loop:
            row["speedup"] = loop / best
        if best:
            row["model_steps_per_s"] = members / best * 1e3
        RESULTS["throughput"].append(row)
        log(json.dumps(row))
        del jobs
        if device.type == "cuda":
            torch.cuda.empty_cache()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny grid (smoke test)")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        log("no CUDA device; run on a GPU machine (or --device cpu --quick for a smoke test)")
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    info = {"torch": torch.__version__, "device": str(device)}
    if device.type == "cuda":
        info |= {
            "gpu": torch.cuda.get_device_name(device),
            "cuda": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version(),
        }
    RESULTS["machine"] = info
    log(json.dumps(info))
    start = time.perf_counter()
    forward_checks(device)
    training_checks(device)
    grid_checks(device)
    oom_check(device)
    log(f"checks took {time.perf_counter() - start:.1f} s")
    throughput(device, args.quick)
    RESULTS["seconds"] = time.perf_counter() - start
    out = os.environ.get("OUT")
    if out:
        with open(os.path.join(out, "gpu_check.json"), "w") as f:
            json.dump(RESULTS, f, indent=2)
    failed = [c["name"] for c in RESULTS["checks"] if not c["ok"]]
    log(f"done in {RESULTS['seconds']:.1f} s; failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
