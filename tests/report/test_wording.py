"""The answer's wording on stores with known results: ties, too few architectures, failed fits,
budget-limited memorization. Each store is written directly (no training), so the data are known.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from fake_store import PERSISTENCE, Fake, make_store, seeds

from rnncap.report import build_report, load_results
from rnncap.report.answer import answer
from rnncap.report.build import table
from rnncap.report.trends import MIN_TREND_ARCHS, rank_interval
from rnncap.study.records import MemorizationVerdict

pytestmark = pytest.mark.slow  # keras models / report figures: seconds each

GRID = ["lstm:1x4", "lstm:1x8", "lstm:1x16", "lstm:2x4", "lstm:2x8", "lstm:2x16", "lstm:3x16"]


def _answer(tmp_path, fakes, **kw) -> list[str]:
    return answer(load_results(make_store(tmp_path, fakes, **kw)))


def test_a_tie_within_the_seed_spread_names_both_and_no_single_best(tmp_path):
    # val MAE 3.300 vs 3.301, sd 0.05 over 3 seeds: 0.001 apart, far inside two standard errors
    text = _answer(tmp_path, [
        Fake("lstm:1x8", seeds(1.5, 3.300, 3.40)),
        Fake("lstm:2x8", seeds(1.5, 3.301, 3.35)),
        Fake("lstm:1x4", seeds(1.8, 3.900, 4.00)),
    ])[0]  # fmt: skip
    assert "tied within the seed spread" in text
    assert "**lstm:1x8**" in text and "**lstm:2x8**" in text and "lstm:1x4" not in text
    assert "best model" not in text


def test_a_clear_winner_is_named_as_the_best(tmp_path):
    text = _answer(tmp_path, [
        Fake("lstm:1x8", seeds(1.5, 3.30, 3.40, sd=0.01)),
        Fake("lstm:2x8", seeds(1.5, 3.60, 3.35, sd=0.01)),
    ])[0]  # fmt: skip
    assert text.startswith("The best model by validation error is **lstm:1x8**")
    assert "tied" not in text
    assert "test MAE 3.400 ± 0.010 °C" in text  # sd of 3.39, 3.40, 3.41
    assert f"{100 * (1 - 3.40 / PERSISTENCE.test):.1f}%" in text


def test_too_few_architectures_give_no_correlation_sentence(tmp_path):
    fakes = [Fake(a, seeds(1.5, 3.0 + i / 10, 3.0 + i / 10)) for i, a in enumerate(GRID[:4])]
    text = " ".join(_answer(tmp_path, fakes))
    assert "correlation" not in text and "rises" not in text and "falls" not in text
    assert f"4 architectures with fitted models, fewer than the {MIN_TREND_ARCHS}" in text


def test_enough_architectures_give_a_rank_correlation_with_its_interval(tmp_path):
    # test MAE falls with parameters except for one swapped pair: rank correlation below 1
    fakes = [Fake(a, seeds(1.5, 3.0, 4.0 - i / 10)) for i, a in enumerate(GRID)]
    params = {f.arch: load_results(make_store(tmp_path / "a", fakes)).arch(f.arch).info.params
              for f in fakes}  # fmt: skip
    swapped = [Fake(f.arch, seeds(1.5, 3.0, 3.0 + (i == 0) / 10 + 1.0 * (i == 1)))
               if i < 2 else f for i, f in enumerate(fakes)]  # fmt: skip
    res = load_results(make_store(tmp_path / "b", swapped))
    sentence = next(p for p in answer(res) if p.startswith("Across"))
    frame = pd.DataFrame(
        {"p": [params[a.name] for a in res.grid], "m": [a.test_mae.mean for a in res.grid]}
    )
    r = frame["p"].corr(frame["m"], method="spearman")  # pandas' Spearman, independent
    lo, hi = rank_interval(r, len(frame))
    assert f"rank correlation {r:+.2f}, 95% interval {lo:+.2f} to {hi:+.2f}" in sentence
    assert ("falls with size" in sentence) == (hi < 0)


def test_the_rank_interval_is_fisher_z_with_fiellers_standard_error():
    lo, hi = rank_interval(0.8, 10)  # tanh(atanh(0.8) -+ 1.96 * 1.06 / sqrt(7)), by hand
    assert (lo, hi) == pytest.approx((0.30348, 0.95484), abs=1e-4)


def test_a_failed_fit_is_flagged_counted_and_kept_out_of_the_answer(tmp_path):
    # lstm:3x16 has the lowest validation MAE but a train MAE above persistence's 2.0 (seed 1)
    fakes = [Fake(a, seeds(1.5, 3.5 - i / 20, 3.5 - i / 20, sd=0.01)) for i, a in enumerate(GRID)]
    fakes[-1] = Fake("lstm:3x16", ((1.9, 2.0, 2.1), (6.3, 2.0, 2.1), (1.9, 2.0, 2.1)))
    path = make_store(tmp_path, fakes)
    res = load_results(path)
    text = answer(res)
    assert "lstm:3x16" not in text[0]  # never the best
    assert "**lstm:2x16**" in text[0]
    note = next(p for p in text if "failed fit" in p and "of 21 models" in p)
    assert note.startswith("1 of 21 models is a failed fit")
    assert "lstm:3x16 (seed 1; train MAE up to 6.300 °C)" in note
    size = next(p for p in text if p.startswith("Across"))
    assert "6 grid architectures with fitted models" in size
    assert "parameters; 1 with failed fits left out)" in size
    fit = table(res).set_index("Architecture")["Fit"]
    assert fit["lstm:3x16"] == "failed (seed 1)" and (fit.drop("lstm:3x16") == "ok").all()
    report = build_report(path, tmp_path / "report")
    html = (report.folder / "index.html").read_text()
    assert len(re.findall(r'<tr class="failed">', html)) == 1
    assert "red crosses" in html  # the figure captions say how failed fits are drawn


def _frontier(verdict: MemorizationVerdict) -> list[Fake]:
    return [
        Fake("lstm:1x9", seeds(1.5, 3.0, 3.1), ("frontier",), verdict, bits=0.66),
        Fake("lstm:2x6", seeds(1.5, 3.0, 3.2), ("frontier",), verdict, bits=0.21),
    ]


def test_budget_limited_memorization_is_never_quoted(tmp_path):
    text = " ".join(_answer(tmp_path, _frontier(MemorizationVerdict.BUDGET_LIMITED), budget=900))
    assert "Measured memorization" not in text and "0.66" not in text and "0.21" not in text
    assert "2 of 2 measurements did not converge by the rule" in text
    assert "2 budget-limited (still rising" in text


def test_unstable_and_unverified_memorization_say_why(tmp_path):
    fakes = _frontier(MemorizationVerdict.UNSTABLE)
    fakes[1] = _frontier(MemorizationVerdict.UNVERIFIED)[1]
    text = " ".join(_answer(tmp_path, fakes, budget=900))
    assert "Measured memorization" not in text and "0.66" not in text
    assert "1 unstable (the last doubling fell), 1 unverified (fewer than 3 seeds" in text


def test_converged_memorization_is_quoted(tmp_path):
    text = " ".join(_answer(tmp_path, _frontier(MemorizationVerdict.CONVERGED), budget=900))
    assert "Measured memorization goes from 0.66 to 0.21 bits per parameter" in text


def test_the_strongest_baseline_by_validation_error_stands_beside_persistence(tmp_path):
    from rnncap.study.records import BaselineResult

    baselines = (
        BaselineResult("persistence", PERSISTENCE.val, PERSISTENCE.test),
        BaselineResult("lagged ridge", 2.9, 3.1),  # lowest validation MAE: the strongest
        BaselineResult("climatology", 3.0, 2.8),  # lower test MAE, never chosen on test
    )
    fakes = [Fake("lstm:1x8", seeds(1.5, 3.30, 3.40, sd=0.01))]
    path = make_store(tmp_path, fakes, baselines=baselines)
    text = answer(load_results(path))[0]
    assert "The strongest baseline by validation error, lagged ridge, scores 3.100 °C" in text
    assert f"skill over it {100 * (1 - 3.40 / 3.1):.1f}%" in text and "climatology" not in text
    html = (build_report(path, tmp_path / "report").folder / "index.html").read_text()
    assert "<dt>Strongest baseline</dt><dd>lagged ridge: test MAE 3.100 °C" in html
    assert "0 beat lagged ridge (3.100 °C, dotted)" in html


def test_a_baseline_left_out_for_a_missing_package_is_named_in_the_report(tmp_path):
    """A study run without LightGBM says so beside the baselines it did record."""
    fakes = [Fake("lstm:1x8", seeds(1.5, 3.30, 3.40, sd=0.01))]
    line = "lightgbm baseline left out: LightGBM is not installed (pip install 'rnncap[boost]')"
    html = (build_report(make_store(tmp_path / "a", fakes, missing_baselines=(line,)),
                         tmp_path / "ra").folder / "index.html").read_text()  # fmt: skip
    assert "<dt>Baselines left out</dt><dd>lightgbm baseline left out" in html
    html = (build_report(make_store(tmp_path / "b", fakes), tmp_path / "rb").folder
            / "index.html").read_text()  # fmt: skip
    assert "Baselines left out" not in html
