"""The capacity measures a study records equal the capacity room's own results for the same runs."""

from __future__ import annotations

import pytest
from study_helpers import tiny_config

from rnncap.arch import parse_arch
from rnncap.capacity.memorize import default_memorization_settings, measure_memorization
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
    run_study(cfg, tmp_path)
    with ResultsStore.open(tmp_path) as store:
        units = {u.result.arch: u.result.memorization for u in store.units()}
        infos = store.architectures()
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
        assert got.budget == MEMO["budget"] and got.epochs == MEMO["epochs"]
        sizes = list(got.sample_sizes)
        assert sizes == sorted({max(2, round(f * w)) for f in MEMO["sample_fractions"]})
        direct = measure_memorization(
            spec, sizes, [0], settings=default_memorization_settings(epochs=3)
        )
        assert got.bits_per_parameter == pytest.approx(
            direct.bits_per_parameter["mean"], rel=1e-6, abs=1e-9
        )
        assert 0 <= got.bits_per_parameter <= 32  # a float32 weight holds at most 32 bits
