"""The capacity measures a study records equal the capacity room's own results for the same runs."""

from __future__ import annotations

import pytest
from study_helpers import tiny_config

from rnncap.arch import parse_arch
from rnncap.capacity.depth import DepthBudget
from rnncap.capacity.depth_measure import measure_depth_row
from rnncap.capacity.sweep import Sweep
from rnncap.capacity.tuned import tuned_memorization
from rnncap.engine import RecurrentModel
from rnncap.study import ResultsStore, run_study
from rnncap.study.config import Frontier, Grid

pytestmark = pytest.mark.slow  # trains models

MEMO = {"budget": 100, "input_bits": 8, "delay": 1, "epochs": 3, "sample_fractions": [0.5, 1]}


def test_memorization_is_measured_on_the_frontier_only_and_matches_a_direct_run(tmp_path):
    cfg = tiny_config(
        grid=Grid(layers=(1,), units=(4,), frontier=(Frontier("lstm", 900, (1, 2)),)),
        seeds=(0,),
        measures=("counts", "forecast", "memorization"),
        memorization=MEMO,
    )
    summary = run_study(cfg, tmp_path)
    with ResultsStore.open(tmp_path) as store:
        stored = store.units()
        infos = store.architectures()
    units = {u.result.arch: u.result.memorization for u in stored}
    # the memorization time is the units' capacity phase, apart from their forecasting
    spent = {u.result.arch: u.result.capacity_seconds for u in stored}
    assert spent["lstm:1x4"] == 0.0 < min(spent["lstm:1x5"], spent["lstm:2x4"])
    assert summary.phases.capacity == pytest.approx(sum(spent.values()))
    assert summary.phases.forecast_units == pytest.approx(
        sum(u.result.seconds - u.result.capacity_seconds for u in stored)
    )
    frontier = [a for a, i in infos.items() if "frontier" in i.groups]
    assert sorted(frontier) == ["lstm:1x5", "lstm:2x4"]
    assert units["lstm:1x4"] is None  # grid-only architecture: no memorization
    for arch in frontier:
        got = units[arch]
        spec = parse_arch(got.arch, input_size=8, seq_len=2, outputs=1)
        # the memorization network sits at the memorization budget, at the same depth
        assert spec.num_layers == infos[arch].layers
        w = sum(p.numel() for p in RecurrentModel(spec).parameters())
        assert got.parameters == w
        # the capacity comes from the last of 3 doubling budgets: 4x the first
        assert got.budget == MEMO["budget"] and got.epochs == 4 * MEMO["epochs"]
        sizes = list(got.sample_sizes)
        assert sizes == sorted({max(2, round(f * w)) for f in MEMO["sample_fractions"]})
        direct = tuned_memorization(spec, sizes, [0], epochs=3, sweep=Sweep((0.01,)))
        assert got.bits_per_parameter == pytest.approx(
            direct.bits_per_parameter["mean"], rel=1e-6, abs=1e-9
        )
        assert got.verdict.value == direct.convergence.status
        assert 0 <= got.bits_per_parameter <= 32  # a float32 weight holds at most 32 bits


DEPTH = {"units": 1, "input_bits": 8, "delay": 0, "epochs": 4, "lrs": [0.05],
         "sample_fractions": [1, 2], "vc_epochs": 4, "vc_reps": 2}  # fmt: skip


def test_depth_is_measured_at_the_fixed_width_for_frontier_depths_and_matches_a_direct_run(
    tmp_path,
):
    cfg = tiny_config(
        grid=Grid(layers=(1,), units=(4,), frontier=(Frontier("lstm", 900, (1, 2)),)),
        seeds=(0,),
        measures=("counts", "forecast", "depth"),
        depth=DEPTH,
    )
    run_study(cfg, tmp_path)
    with ResultsStore.open(tmp_path) as store:
        rows = {u.result.arch: u.result.depth for u in store.units()}
    assert rows["lstm:1x4"] is None  # grid-only architecture: no depth measurement
    for arch, layers in (("lstm:1x5", 1), ("lstm:2x4", 2)):
        got = rows[arch]
        assert got.arch == f"lstm:{layers}x1" and got.layers == layers and got.seeds == (0,)
        spec = parse_arch(got.arch, input_size=8, seq_len=1, outputs=1)
        budget = DepthBudget(4, Sweep((0.05,), ("cosine",)), (got.parameters, 2 * got.parameters),
                             vc_epochs=4, vc_repetitions=2)  # fmt: skip
        assert got == measure_depth_row(spec, [0], budget)
