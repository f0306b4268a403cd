"""`choose_strategy`: the CPU rule against the benchmark it was derived from (no training)."""

import pytest
import torch

from rnncap.arch import parse_arch
from rnncap.engine import choose_strategy
from rnncap.engine.bookkeeping import Strategy

CPU, CUDA = torch.device("cpu"), torch.device("cuda")

#: loop time / ensemble time per step, `python bench/engine_cpu.py --study --threads 1
#: --members M --batches 6 --rounds 3` (docs/performance.md, load 2.4-3.5): (layers, units, M)
MEASURED = {
    (1, 8, 3): 0.52, (1, 16, 3): 0.52, (1, 32, 3): 0.64, (1, 64, 3): 0.86,
    (2, 8, 3): 0.49, (2, 16, 3): 0.51, (2, 32, 3): 0.57, (2, 64, 3): 0.74,
    (3, 8, 3): 0.51, (3, 16, 3): 0.50, (3, 32, 3): 0.82, (3, 64, 3): 0.68,
    (4, 8, 3): 0.50, (4, 16, 3): 0.49, (4, 32, 3): 0.47, (4, 64, 3): 0.65,
    (1, 49, 3): 0.76, (3, 26, 3): 0.70, (4, 22, 3): 0.65,
    (1, 8, 1): 0.29, (1, 16, 1): 0.31, (2, 16, 1): 0.19, (4, 16, 1): 0.28, (4, 22, 1): 0.36,
}  # fmt: skip


def lstm(layers: int, units: int):
    return parse_arch(f"lstm:{layers}x{units}", input_size=37, outputs=1)


@pytest.mark.parametrize(("layers", "units", "members"), sorted(MEASURED))
def test_the_faster_strategy_at_the_study_shapes(layers, units, members):
    """Where the loop measured faster (ratio < 1), the rule must take the loop."""
    faster = Strategy.LOOP if MEASURED[layers, units, members] < 1 else Strategy.ENSEMBLE
    assert choose_strategy(lstm(layers, units), 64, CPU, members) is faster


def test_many_narrow_lstm_members_take_the_ensemble():
    # 64 one-layer members, 128 rows: the ensemble measured 1.8x faster at width 8, a tie at 16
    assert choose_strategy(lstm(1, 8), 128, CPU, 64) is Strategy.ENSEMBLE
    assert choose_strategy(lstm(1, 16), 128, CPU, 64) is Strategy.LOOP
    assert choose_strategy(lstm(4, 8), 128, CPU, 64) is Strategy.ENSEMBLE  # depth plays no part


def test_gru_rnn_gpu_and_unsupported_specs():
    gru = parse_arch("gru:1x16", input_size=37, outputs=1)
    assert choose_strategy(gru, 64, CPU, 3) is Strategy.ENSEMBLE  # no fused CPU GRU
    assert choose_strategy(lstm(1, 8), 64, CUDA, 1) is Strategy.ENSEMBLE
    bi = parse_arch("lstm:1x8", input_size=37, outputs=1, bidirectional=True)
    assert choose_strategy(bi, 64, CPU, 64) is Strategy.LOOP
