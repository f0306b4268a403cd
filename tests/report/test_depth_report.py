"""The fixed-width depth measurement in the report: a figure, and a sentence that states a depth
trend only when every depth converged (stores written directly, no training)."""

from __future__ import annotations

import json

import pytest
from fake_store import Fake, make_store, seeds

from rnncap.arch import count_parameters, parse_arch
from rnncap.capacity.depth import DepthMeasure, DepthRow
from rnncap.report import build_report, load_results
from rnncap.report.answer import answer


def _row(layers: int, vc: float, bits: float, bits_at_budget: float) -> DepthRow:
    arch = f"lstm:{layers}x2"
    w = count_parameters(parse_arch(arch, input_size=12, seq_len=2, outputs=1)).total
    # 3 seeds at 3 doubling budgets: the last doubling goes bits_at_budget -> bits per seed
    vc_curve = ((vc,) * 3,) * 3
    bits_curve = ((bits_at_budget,) * 3, (bits_at_budget,) * 3, (bits,) * 3)
    return DepthRow(
        layers, arch, w, DepthMeasure(vc_curve), DepthMeasure(bits_curve), seeds=(0, 1, 2)
    )


def _fakes(limited: bool) -> list[Fake]:
    # depth 2 memorizes 300 bits at twice the budget but 200 at the budget: +50 %, budget-limited
    second = _row(2, 33.0, 300.0, 200.0 if limited else 299.0)
    return [
        Fake("lstm:1x9", seeds(1.5, 3.0, 3.1), ("frontier",), depth=_row(1, 20.0, 200.0, 199.0)),
        Fake("lstm:2x6", seeds(1.5, 3.0, 3.2), ("frontier",), depth=second),
    ]


def test_no_depth_trend_from_a_budget_limited_measurement(tmp_path):
    res = load_results(make_store(tmp_path, _fakes(limited=True), budget=900))
    (depth,) = res.depth
    assert [r.layers for r in depth.rows] == [1, 2]
    text = " ".join(answer(res))
    assert "Is VC(L layers) = L × VC(1 layer)?" in text
    assert (
        "Measured memorization of lstm at 2 units per layer (fixed-width design) did not converge"
        in text
    )
    assert "L=2: budget-limited (+50% at 2x)" in text and "1.50x" not in text
    # the VC measurement converged, so its ratio is stated: 33 / 20 beside 2 layers
    assert (
        "The measured VC dimension of lstm at 2 units per layer (fixed-width design) goes 1.65x"
        in text
    )


@pytest.mark.slow
def test_converged_depth_ratios_are_stated_with_a_figure(tmp_path):
    store = make_store(tmp_path / "store", _fakes(limited=False), budget=900)
    text = " ".join(answer(load_results(store)))
    assert (
        "Measured memorization of lstm at 2 units per layer (fixed-width design) goes 1.50x" in text
    )
    files = build_report(store, tmp_path / "report")
    assert "depth_ratios" in files.figures
    md = (tmp_path / "report" / "report.md").read_text()
    assert "Capacity against depth at a fixed width" in md


def test_explain_quotes_the_stores_converged_depth_ratios_only(tmp_path, capsys):
    from rnncap.cli.app import main

    store = make_store(tmp_path, _fakes(limited=True), budget=900)
    args = ["explain", "lstm:1x64", "lstm:2x64", "--store", str(store), "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    measured = doc["direct_answer"]["measured"]
    # VC converged at both depths: quoted (33 / 20); memorization at depth 2 did not: left out
    assert [m["what"] for m in measured] == ["VC-dimension estimate"]
    assert measured[0]["ratio"] == pytest.approx(33 / 20)
    assert "2 units per layer" in measured[0]["source"]
    assert main(["explain", "lstm:1x64", "lstm:2x64", "--store", str(store)]) == 0
    assert "1.65" in capsys.readouterr().out


def test_a_study_without_the_depth_measure_says_once_what_is_missing(tmp_path):
    """The default study measures no depth (it cannot converge there): the answer says so once,
    with why, and states no measured ratio."""
    from rnncap.report.answer import NO_DEPTH_MEASURE
    from rnncap.study import default_study

    assert "depth" not in {m.value for m in default_study().measures}
    fakes = [Fake("lstm:1x9", seeds(1.5, 3.0, 3.1), ("frontier",)),
             Fake("lstm:2x6", seeds(1.5, 3.0, 3.2), ("frontier",))]  # fmt: skip
    paragraphs = answer(load_results(make_store(tmp_path, fakes, budget=900)))
    assert sum(p.startswith(NO_DEPTH_MEASURE) for p in paragraphs) == 1
    assert sum("L × VC(1 layer)" in p for p in paragraphs) == 1
    assert "did not measure it" in NO_DEPTH_MEASURE and "3 or more seeds" in NO_DEPTH_MEASURE
    # and it quotes the capacity atlas, naming it as the source (or saying none ships)
    (paragraph,) = [p for p in paragraphs if p.startswith(NO_DEPTH_MEASURE)]
    assert "rnncap/capacity/atlas/v1.json" in paragraph
