"""A study's results as tables, from the store alone: one row per run, one per architecture."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rnncap.errors import require
from rnncap.study.store import ResultsStore

#: Per-run metric columns averaged over seeds in the per-architecture table (when present).
METRICS = ("train_mae", "val_mae", "test_mae", "gap", "val_gap", "best_epoch")
ARCH_COLUMNS = ("arch", "cell", "layers", "units", "params", "groups", "budget")


@dataclass(frozen=True)
class StudyResults:
    """Everything the report shows.

    Attributes
    ----------
    runs : DataFrame, one row per trained model (arch, seed, architecture columns, metrics)
    archs : DataFrame, one row per architecture (means and standard deviations over seeds)
    infos : dict, per architecture: counts, bounds and ratios as recorded by the study
    meta : dict, the store's meta (study config, task info)
    forecasts : dict, arch -> {seed: forecast sample}
    """

    runs: pd.DataFrame
    archs: pd.DataFrame
    infos: dict
    meta: dict
    forecasts: dict

    @property
    def planned_runs(self) -> int:
        return sum(len(u["seeds"]) for u in self.meta.get("_plan", []))


def load_results(path: str | Path) -> StudyResults:
    """Read a study's store (a folder or the .sqlite file) into `StudyResults`."""
    with ResultsStore.open(path) as store:
        meta = store.meta()
        meta["_plan"] = store.plan()
        infos = store.architectures()
        runs = store.runs()
        units = store.units()
        forecasts: dict = {}
        for r in runs:
            forecasts.setdefault(r["arch"], {})[r["seed"]] = store.forecast(
                r["unit_key"], r["seed"]
            )
    require(bool(runs), f"the store at {str(path)!r} holds no finished runs yet; run the study")
    arch_measures = {}
    for u in units:
        for k, v in u["result"].get("arch_measures", {}).items():
            arch_measures.setdefault(u["arch"], {}).setdefault(k, []).append(v)
    rows = []
    for r in runs:
        info = infos.get(r["arch"], {})
        row = {"arch": r["arch"], "seed": r["seed"]}
        row.update({c: info.get(c) for c in ARCH_COLUMNS if c != "arch"})
        row["units"] = ",".join(map(str, info.get("units", [])))
        row["groups"] = "+".join(info.get("groups", []))
        row.update({k: v for k, v in r.items() if k != "unit_key"})
        rows.append(row)
    runs_df = pd.DataFrame(rows)
    archs = _per_arch(runs_df, infos, arch_measures)
    return StudyResults(runs_df, archs, infos, meta, forecasts)


def _per_arch(runs: pd.DataFrame, infos: dict, arch_measures: dict) -> pd.DataFrame:
    numeric = [
        c
        for c in runs.columns
        if c not in ("seed", "layers", "params", "budget", "epochs")
        and pd.api.types.is_numeric_dtype(runs[c])
    ]
    grouped = runs.groupby("arch", sort=False)
    out = grouped[["cell", "layers", "units", "params", "groups", "budget"]].first()
    out["seeds"] = grouped["seed"].count()
    for c in numeric:
        out[c] = grouped[c].mean()
        out[f"{c}_std"] = grouped[c].std(ddof=1)
    for arch, measures in arch_measures.items():
        for k, values in measures.items():
            nums = [v for v in values if isinstance(v, (int, float))]
            if arch in out.index and nums:
                out.loc[arch, k] = float(np.mean(nums))
    order = [a for a in infos if a in out.index]
    return out.loc[order].reset_index()
