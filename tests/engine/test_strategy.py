"""`choose_strategy`: the CPU rule against the benchmark it was derived from (no training)."""

import pytest
import torch

from rnncap.arch import parse_arch
from rnncap.engine import choose_strategy
from rnncap.engine.bookkeeping import Strategy

CPU, CUDA = torch.device("cpu"), torch.device("cuda")

#: loop time / ensemble time per step at the study's shapes (120 steps, 37 inputs, 64 rows),
#: `python bench/engine_cpu.py --study --threads 1 --members M ...` (docs/performance.md, "CPU
#: strategy at the study's shapes", load 1.4-3.8): (layers, units, members) -> ratio
MEASURED = {
    (1, 8, 3): 0.59, (1, 16, 3): 0.54, (1, 32, 3): 0.61, (1, 64, 3): 0.72,
    (2, 8, 3): 0.53, (2, 16, 3): 0.54, (2, 32, 3): 0.56, (2, 64, 3): 0.69,
    (3, 8, 3): 0.57, (3, 16, 3): 0.52, (3, 32, 3): 0.55, (3, 64, 3): 0.69,
    (4, 8, 3): 0.54, (4, 16, 3): 0.49, (4, 32, 3): 0.59, (4, 64, 3): 0.67,
    (1, 49, 3): 0.77, (3, 26, 3): 0.64, (4, 22, 3): 0.61,
    (1, 8, 1): 0.29, (1, 16, 1): 0.31, (2, 16, 1): 0.19, (4, 16, 1): 0.28, (4, 22, 1): 0.36,
    (1, 8, 12): 1.02, (4, 16, 12): 0.68,
    (1, 8, 32): 1.21, (1, 16, 32): 0.95, (4, 8, 32): 0.96, (4, 16, 32): 0.65, (2, 32, 32): 0.70,
    (1, 8, 64): 1.19, (4, 8, 64): 1.03, (1, 16, 64): 0.87, (4, 16, 64): 0.70,
}  # fmt: skip

#: ratios within 10% of 1 are ties on this shared machine: either strategy is right there
NOISE = 0.1


def lstm(layers: int, units: int):
    return parse_arch(f"lstm:{layers}x{units}", input_size=37, outputs=1)


@pytest.mark.parametrize(("layers", "units", "members"), sorted(MEASURED))
def test_the_rule_takes_the_faster_strategy_where_it_was_measured(layers, units, members):
    ratio = MEASURED[layers, units, members]
    chosen = choose_strategy(lstm(layers, units), 64, CPU, members)
    if ratio < 1 - NOISE:
        assert chosen is Strategy.LOOP
    elif ratio > 1 + NOISE:
        assert chosen is Strategy.ENSEMBLE


def test_a_study_unit_takes_the_loop_at_every_study_shape():
    """3 seeds (and 1, `forecast train --ensemble 1`): the loop, so both give the same weights."""
    grid = [(n, h) for n in (1, 2, 3, 4) for h in (8, 16, 32, 64)] + [(1, 49), (3, 26), (4, 22)]
    for layers, units in grid:
        for m in (1, 3):
            assert choose_strategy(lstm(layers, units), 64, CPU, m) is Strategy.LOOP


def test_many_narrow_lstm_members_take_the_ensemble():
    # 64 one-layer members, 128 rows, 20 steps: the ensemble measured 1.8x at width 8, a tie at 16
    assert choose_strategy(lstm(1, 8), 128, CPU, 64) is Strategy.ENSEMBLE
    assert choose_strategy(lstm(1, 16), 128, CPU, 64) is Strategy.LOOP
    assert choose_strategy(lstm(4, 8), 64, CPU, 16) is Strategy.ENSEMBLE  # depth plays no part
    assert choose_strategy(lstm(4, 8), 64, CPU, 15) is Strategy.LOOP


def test_gru_rnn_gpu_and_unsupported_specs():
    gru = parse_arch("gru:1x16", input_size=37, outputs=1)
    assert choose_strategy(gru, 64, CPU, 3) is Strategy.ENSEMBLE  # no fused CPU GRU
    assert choose_strategy(lstm(1, 8), 64, CUDA, 1) is Strategy.ENSEMBLE
    bi = parse_arch("lstm:1x8", input_size=37, outputs=1, bidirectional=True)
    assert choose_strategy(bi, 64, CPU, 64) is Strategy.LOOP
