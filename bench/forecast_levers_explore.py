"""Quick lever exploration (1 seed, 1 member): anchor, stations (as outputs), all leads."""

from __future__ import annotations

import sys
import time

import numpy as np
import torch

from rnncap.data import Task, prepare_task
from rnncap.engine import ForecastSettings, Job, MemberData, train
from rnncap.forecast import Forecaster, LaggedRidge, Ridge


def anchor_of(td, kind):
    splits = ("train", "val", "test")
    if kind == "persistence":
        return {s: td.scaled_now(s).astype(np.float32) for s in splits}
    if kind == "none":
        return {s: np.zeros((len(td.split(s)), td.outputs), np.float32) for s in splits}
    b = (LaggedRidge() if kind == "lagged-ridge" else Ridge()).fit(td)
    out = {}
    for s in splits:
        level = b._predict_kind(td, s, b.state_)
        if b.target_ == "change":
            level = level + td.scaled_now(s)
        out[s] = level.astype(np.float32)
    return out


def main(anchor="persistence", stations="JFK", leads="24", members="1", seed="0", arch="lstm:2x32", extra=""):
    torch.set_num_threads(1)
    targets = ("JFK.temp",) if stations == "JFK" else ("JFK.temp", "LGA.temp", "EWR.temp")
    task = Task(target=targets, horizon=24, all_leads=(leads == "all"))
    td = prepare_task(task)
    t0 = time.process_time()
    anc = anchor_of(td, anchor)
    kw = dict(kv.split("=") for kv in extra.split(",") if kv)
    kw = {k: (float(v) if "." in v or "e" in v else int(v)) for k, v in kw.items()}
    settings = ForecastSettings(**kw).train_settings()
    spec = Forecaster(arch).build_spec(td)
    data = MemberData(td.train.x, td.train.y, td.val.x, td.val.y, anchor_train=anc["train"], anchor_val=anc["val"])
    seeds = range(int(seed), int(seed) + int(members))
    jobs = [Job(spec, s, data, settings, key=f"s{s}") for s in seeds]
    ms = train(jobs)
    # JFK lead 24 output column
    col = td.output_names.index("JFK.temp@+24")
    res = {}
    for s in ("val", "test"):
        truth = td.y_physical(td.split(s))
        preds = np.mean([td.y_to_physical(m.predict(td.split(s).x, anc[s])) for m in ms], axis=0)
        err = np.abs(preds - truth)
        res[s] = err[:, col].mean()
        res[s + "_all"] = err.mean()
    cpu = time.process_time() - t0
    eps = [f"{m.best_epoch}/{len(m.history)}" for m in ms]
    print(f"anchor={anchor} stations={stations} leads={leads} members={members} seed={seed} arch={arch} {extra} | "
          f"JFK@24 val {res['val']:.3f} test {res['test']:.3f} | all outputs val {res['val_all']:.3f} test {res['test_all']:.3f} | epochs {eps} cpu {cpu:.0f}s", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
