"""A frontier budget given as a model file: its saved stack's exact count (sum of p.numel())."""

from __future__ import annotations

import torch
from torch import nn

from rnncap.study.config import load_study
from rnncap.study.plan import TaskShape, frontier_specs


def test_frontier_budget_from_a_state_dict_next_to_the_study(tmp_path):
    model = nn.Sequential(nn.GRU(6, 20, num_layers=2), nn.Linear(20, 1))
    torch.save(model.state_dict(), tmp_path / "mine.pt")
    study = tmp_path / "study.toml"
    study.write_text('[[grid.frontier]]\ncell = "lstm"\nbudget = "mine.pt"\nlayers = [1, 2]\n')
    (fr,) = load_study(study).grid.frontier
    budget, specs = frontier_specs(fr, TaskShape(input_size=6, seq_len=24, outputs=1))
    assert budget == sum(p.numel() for p in model.parameters())
    assert [s.num_layers for s in specs] == [1, 2]
