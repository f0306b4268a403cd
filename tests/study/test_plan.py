"""The default study's plan: the grid the issue asks for and an equal-budget frontier, checked
against parameter counts of real torch modules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from study_helpers import tiny_config

from rnncap.arch import parse_arch
from rnncap.engine import RecurrentModel
from rnncap.study import default_study
from rnncap.study.plan import TaskRef, TaskShape, plan_architectures, plan_units

SHAPE = TaskShape(input_size=37, seq_len=120, outputs=1)  # the default nyc2013 task


def _torch_count(arch: str) -> int:
    spec = parse_arch(arch, input_size=37, seq_len=120, outputs=1)
    return sum(p.numel() for p in RecurrentModel(spec).parameters())


def test_the_default_grid_is_layers_1_to_4_by_units_8_to_64():
    archs = plan_architectures(default_study(), SHAPE)
    grid = {(a.spec.num_layers, a.spec.hidden_sizes[0]) for a in archs if "grid" in a.groups}
    assert grid == {(n, h) for n in (1, 2, 3, 4) for h in (8, 16, 32, 64)}
    assert all(a.references["grid"] == f"lstm:1x{a.spec.hidden_sizes[0]}" for a in archs
               if "grid" in a.groups)  # fmt: skip


def test_the_default_frontier_holds_the_closest_width_at_each_depth():
    archs = [a for a in plan_architectures(default_study(), SHAPE) if "frontier" in a.groups]
    budget = _torch_count("lstm:2x32")
    assert sorted(a.spec.num_layers for a in archs) == [1, 2, 3, 4]
    for a in archs:
        n, h = a.spec.num_layers, a.spec.hidden_sizes[0]
        mine = abs(_torch_count(a.name) - budget)
        assert mine <= abs(_torch_count(f"lstm:{n}x{h + 1}") - budget)
        assert mine <= abs(_torch_count(f"lstm:{n}x{h - 1}") - budget)
        assert a.references["frontier"] == "lstm:1x49" and a.budget == budget


def test_units_chunk_the_seeds():
    cfg = default_study().replace(seeds=(0, 1, 2, 3, 4), chunk=2)
    archs = plan_architectures(cfg, SHAPE)
    units = plan_units(cfg, archs, TaskRef.of({}))
    assert len(units) == 3 * len(archs)
    assert [u.seeds for u in units[:3]] == [(0, 1), (2, 3), (4,)]
    assert len({u.key for u in units}) == len(units)


@pytest.mark.slow
@given(
    layers=st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True),
    units=st.lists(st.integers(1, 40), min_size=1, max_size=3, unique=True),
    seeds=st.lists(st.integers(0, 50), min_size=1, max_size=6, unique=True),
    chunk=st.integers(1, 4),
)
def test_every_architecture_and_seed_lands_in_exactly_one_unit(layers, units, seeds, chunk):
    from rnncap.study.config import Grid

    cfg = default_study().replace(
        grid=Grid(layers=tuple(layers), units=tuple(units), frontier=()),
        seeds=tuple(seeds),
        chunk=chunk,
    )
    archs = plan_architectures(cfg, SHAPE)
    units_ = plan_units(cfg, archs, TaskRef.of({"stride": 3}))
    pairs = [(u.arch, s) for u in units_ for s in u.seeds]
    assert sorted(pairs) == sorted((a.name, s) for a in archs for s in seeds)
    assert all(len(u.seeds) <= chunk for u in units_)
    again = plan_units(cfg, plan_architectures(cfg, SHAPE), TaskRef.of({"stride": 3}))
    assert [u.key for u in again] == [u.key for u in units_]  # keys are stable
    assert len({u.key for u in units_}) == len(units_)


def test_the_unit_key_changes_with_the_rnncap_and_torch_versions(monkeypatch):
    """An upgrade may change training or measurements: its units must not be skipped."""
    import importlib.metadata

    import rnncap

    cfg = tiny_config()
    shape = TaskShape(37, 24, 1)

    def keys() -> set[str]:
        units = plan_units(cfg, plan_architectures(cfg, shape), TaskRef.of(cfg.task))
        return {u.key for u in units}

    before = keys()
    assert keys() == before  # the key is a function of its inputs
    monkeypatch.setattr(rnncap, "__version__", "99.0.0")
    bumped = keys()
    assert len(bumped) == len(before) and not bumped & before
    monkeypatch.undo()
    real = importlib.metadata.version

    def fake(name: str) -> str:
        return "0.0.1" if name == "torch" else real(name)

    monkeypatch.setattr(importlib.metadata, "version", fake)
    assert not keys() & before


def test_a_study_asking_for_depth_measures_it_at_two_units_once_per_frontier_depth():
    # the default study leaves depth out (it cannot converge there); a study file may ask for it
    base = default_study()
    assert "depth" not in {m.value for m in base.measures}
    measures = tuple(m.value for m in base.measures) + ("depth",)
    cfg = base.replace(seeds=(0, 1, 2), chunk=2, measures=measures)
    archs = plan_architectures(cfg, SHAPE)
    units = plan_units(cfg, archs, TaskRef.of({}))
    frontier = {a.name for a in archs if "frontier" in a.groups}
    measured = {}
    for u in units:
        depth = u.payload.depth
        if depth is not None:
            assert u.arch in frontier and u.seeds == (0, 1)  # the first chunk only
            measured[u.arch] = depth.spec
    assert set(measured) == frontier
    layers = sorted((s.num_layers, s.hidden_sizes) for s in measured.values())
    assert layers == [(n, (2,) * n) for n in (1, 2, 3, 4)]
