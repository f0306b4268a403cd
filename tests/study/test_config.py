"""Study files: TOML parsing, defaults, and one clear error per bad key or value."""

from __future__ import annotations

import pytest

from rnncap.errors import InvalidInput
from rnncap.plain import to_plain
from rnncap.study.config import ExecutorKind, StudyConfig, load_study

GOOD = """
name = "tiny"
seeds = 2

[task]
history = 24

[grid]
layers = [1, 2]
units = [4]
widths = [[8, 4]]

[[grid.frontier]]
budget = 500
layers = [1, 2]

[training]
epochs = 1

[executor]
kind = "process"
workers = 2
"""


def test_a_study_file_parses_into_validated_records(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(GOOD)
    cfg = load_study(path)
    assert cfg.name == "tiny"
    assert cfg.seeds == (0, 1)  # a count means seeds 0..n-1
    assert cfg.grid.layers == (1, 2) and cfg.grid.units == (4,)
    assert cfg.grid.widths == ((8, 4),)
    assert cfg.grid.frontier[0].budget == 500 and cfg.grid.frontier[0].layers == (1, 2)
    assert cfg.executor.kind is ExecutorKind.PROCESS and cfg.executor.workers == 2
    assert cfg.task == {"history": 24} and cfg.training == {"epochs": 1}
    # the resolved config round-trips through its plain dict
    assert StudyConfig.from_dict(to_plain(cfg)) == cfg


@pytest.mark.parametrize(
    "text, message",
    [
        ("nmae = 'x'", "unknown key nmae in [top level]"),
        ("[grid]\nlayer = [1]", "unknown key layer in [grid]"),
        ("[[grid.frontier]]\nbudgt = 5", "unknown key budgt in [grid.frontier]"),
        ("[executor]\nkind = 'slurm'", "unknown executor 'slurm'"),
        ("[executor]\nadress = 'x'", "unknown key adress in [executor]"),
        ("[grid]\nlayers = [0]", "grid layers must be a list of integers >= 1"),
        ("seeds = []", "seeds must not be empty"),
        ("seeds = [1, 1]", "seeds repeat"),
        ("measures = ['vibes']", "unknown measures ['vibes']"),
        ("[[grid.frontier]]\nbudget = 'big'", "frontier budget must be a parameter count"),
        ("name = 'x\n", "malformed study file"),
    ],
)
def test_bad_study_files_name_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_study(path)


def test_a_missing_study_file_is_bad_input(tmp_path):
    with pytest.raises(InvalidInput, match="not found"):
        load_study(tmp_path / "nope.toml")


def test_the_example_study_file_is_valid_and_plans_its_grid():
    from pathlib import Path

    from rnncap.study.plan import TaskShape, plan_architectures

    example = Path(__file__).parents[2] / "examples" / "study.toml"
    cfg = load_study(example)
    archs = plan_architectures(cfg, TaskShape(input_size=37, seq_len=48, outputs=1))
    names = [a.name for a in archs]
    # 2 cells x (layers {1,2} x 16 units + widths 32,16), then the LSTM frontier at depths 1-3
    assert names[:6] == [
        "lstm:1x16", "lstm:2x16", "lstm:32,16", "gru:1x16", "gru:2x16", "gru:32,16",
    ]  # fmt: skip
    assert sorted(a.spec.num_layers for a in archs if "frontier" in a.groups) == [1, 2, 3]


@pytest.mark.parametrize(
    ("table", "options", "message"),
    [
        ("memorization", {"lrs": []}, "lrs in [memorization] must be a list"),
        ("memorization", {"lrs": [0.0]}, "lrs in [memorization]"),
        ("memorization", {"schedules": ["linear"]}, "schedules in [memorization] must be a list"),
        ("memorization", {"losses": ["mse"]}, "losses in [memorization] must be a list of bce"),
        ("depth", {"encodings": "signed"}, "encodings in [depth] must be a list of binary"),
        ("memorization", {"encodings": ["binary", "signed"]}, "takes one input encoding"),
        ("depth", {"units": 0}, "units in [depth]"),
        ("depth", {"vc_reps": "4"}, "vc_reps in [depth]"),
        ("depth", {"width": 2}, "depth"),
    ],
)
def test_bad_sweep_and_depth_settings_are_refused_before_planning(table, options, message):
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        StudyConfig(**{table: options})
