"""The report's measures section: shown for a store with measured models, laid out at 1280 px."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_browser import _chromium, _coloured_pixels, _laid_out_width

from rnncap.measures.rank import rank_measures
from rnncap.measures.records import BOUND_PREFIX, GAP_IID, GAP_SHIFT, LOG_PARAMS, ModelPoint
from rnncap.report import build_report
from rnncap.report.measures import FIGURE, heatmap
from rnncap.study.store import ResultsStore

#: Measure names as long as the real ones (the catalog's longest keys).
NAMES = [
    LOG_PARAMS,
    "log_params_recurrent",
    BOUND_PREFIX + "ks98-thm5-arbitrary-sigmoid-lower",
    BOUND_PREFIX + "km97-pfaffian-unrolled",
    "log_prod_spectral",
    "log_path_norm",
    "pacbayes_mag_flatness",
    "steps_to_loss",
]


def _points(n: int = 48) -> list[ModelPoint]:
    """Six axes, as many as a study file can vary, with measures that track the gaps by degrees."""
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        axes = {"cell": ("lstm", "gru")[i % 2], "units": (8, 32)[(i // 2) % 2],
                "lr": (1e-3, 3e-3, 1e-2)[(i // 4) % 3], "dropout": (0.0, 0.3)[(i // 12) % 2],
                "batch_size": (32, 64)[(i // 24) % 2], "weight_decay": 0.0}  # fmt: skip
        gaps = {GAP_IID: float(rng.normal()), GAP_SHIFT: float(rng.normal())}
        measures = {
            name: gaps[GAP_IID] * (k - 3) / 4 + float(rng.normal()) for k, name in enumerate(NAMES)
        }
        out.append(ModelPoint(f"m{i}", axes, gaps, measures))
    return out


@pytest.fixture
def measured(monkeypatch):
    points = _points()
    monkeypatch.setattr(ResultsStore, "model_points", lambda self: points, raising=False)
    return points


def test_the_section_holds_the_tables_the_sentence_and_the_heatmap(
    fake_report_store, measured, tmp_path
):
    report = build_report(fake_report_store, tmp_path / "report")
    assert FIGURE in report.figures
    assert {f"{FIGURE}.png", f"{FIGURE}.svg"} <= set(report.files)
    page = (report.folder / "index.html").read_text()
    assert "Which complexity measure ranks the generalization gap?" in page
    assert "Over 48 models, the same-season gap is ranked best by" in page
    assert page.count('<table class="measures">') == 2 and f'id="fig-{FIGURE}"' in page
    md = (report.folder / "report.md").read_text()
    assert f"![Which complexity measure ranks the generalization gap?]({FIGURE}.png)" in md
    assert "| measure | models | tau | psi batch_size | psi cell | psi dropout |" in md


def test_no_section_without_measured_models(fake_report_store, monkeypatch, tmp_path):
    bare = [replace(p, measures={}) for p in _points()]
    monkeypatch.setattr(ResultsStore, "model_points", lambda self: bare, raising=False)
    report = build_report(fake_report_store, tmp_path / "report")
    assert FIGURE not in report.figures
    assert "complexity measure" not in (report.folder / "index.html").read_text()


def test_the_heatmap_cells_are_the_ranking_taus():
    ranking = rank_measures(_points(), resamples=20)
    fig = heatmap(ranking)
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in panels] == [
        "same-season gap (gap_iid)",
        "season-shift gap (gap_shift)",
    ]
    labels = [t.get_text() for t in panels[0].get_yticklabels()]
    rows = {r.measure: r for r in ranking.rows}
    for ax, gap in zip(panels, ranking.gaps, strict=True):
        grid = ax.images[0].get_array()
        for i, name in enumerate(labels):
            row = rows[name]
            expected = [row.overall[gap].value]
            expected += [row.granulated[gap][a].value for a in ranking.axes]
            expected += [row.psi[gap].value]
            got = [None if grid.mask[i, j] else float(grid[i, j]) for j in range(len(expected))]
            assert got == pytest.approx(expected)


@pytest.mark.slow  # two headless-browser runs
def test_the_section_fits_1280_px_in_chromium(fake_report_store, measured, tmp_path):
    browser = _chromium()
    report = build_report(fake_report_store, tmp_path / "report")
    page = report.folder / "index.html"
    width, widest = _laid_out_width(browser, page, tmp_path / "profile", 1280)
    assert width <= 1280 and widest <= 1280, (width, widest)
    # the heatmap draws: the section alone, without the other figures, still shows colour
    html = page.read_text()
    head, _, rest = html.partition("<h2>Which complexity measure")
    only = page.with_name("only.html")
    only.write_text(head.split("<figure>")[0] + "<h2>Which complexity measure" + rest)
    import subprocess

    from test_browser import FLAGS

    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile2'}", f"--screenshot={shot}",
         "--window-size=1280,4000", only.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert _coloured_pixels(shot) > 3000


def test_a_store_that_refuses_its_model_points_has_no_section(
    fake_report_store, monkeypatch, tmp_path
):
    """A store recorded before models kept their axes: `model_points` refuses it in one line;
    the report goes on without the section (`rnncap study measures` shows the line)."""
    from rnncap.errors import InvalidInput

    def refuse(self):
        raise InvalidInput("recorded before rnncap kept each model's axes")

    monkeypatch.setattr(ResultsStore, "model_points", refuse, raising=False)
    report = build_report(fake_report_store, tmp_path / "report")
    assert FIGURE not in report.figures
