"""The report folder: files, self-contained HTML, CSV equal to the store, answers from the data."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from rnncap.errors import InvalidInput
from rnncap.report import build_report
from rnncap.report.answer import answer
from rnncap.report.results import load_results
from rnncap.study import ResultsStore


@pytest.fixture(scope="module")
def report(report_store, tmp_path_factory):
    return build_report(report_store, tmp_path_factory.mktemp("report"))


def test_the_folder_holds_html_markdown_csv_and_every_figure_twice(report):
    names = {p.name for p in report.folder.iterdir()}
    assert {"index.html", "report.md", "results.csv"} <= names
    assert set(report.figures) >= {"mae_vs_params", "frontier", "best_forecast"}
    for fig in report.figures:
        assert (report.folder / f"{fig}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        root = ET.parse(report.folder / f"{fig}.svg").getroot()
        assert root.tag.endswith("svg")
        assert f"({fig}.png)" in (report.folder / "report.md").read_text()
    assert not [n for n in names if n.endswith(".tmp")]  # nothing half-written left behind


def test_results_csv_is_the_store(report, report_store):
    csv = pd.read_csv(report.folder / "results.csv")
    with ResultsStore.open(report_store) as store:
        runs = store.runs()
    assert len(csv) == len(runs) == 6
    stored = {(r["arch"], r["seed"]): r["test_mae"] for r in runs}
    for row in csv.itertuples():
        assert row.test_mae == pytest.approx(stored[(row.arch, row.seed)], rel=1e-12)


def test_html_is_self_contained_with_the_png_figures_embedded(report):
    html = (report.folder / "index.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html)
    embedded = re.findall(r'id="fig-(\w+)" src="data:image/png;base64,([^"]+)"', html)
    assert {n for n, _ in embedded} == set(report.figures)
    for name, b64 in embedded:
        assert base64.b64decode(b64) == (report.folder / f"{name}.png").read_bytes()


def test_the_answer_names_the_best_model_by_validation_error(report):
    csv = pd.read_csv(report.folder / "results.csv")
    means = csv.groupby("arch")[["val_mae", "test_mae"]].mean()
    best = means["val_mae"].idxmin()
    assert f"**{best}**" in report.answer[0]
    assert f"test MAE {means.loc[best, 'test_mae']:.3f}" in report.answer[0]


def test_the_answer_follows_the_results(report_store, tmp_path):
    """Make another architecture the best by validation error: the answer must change with it."""
    copy = tmp_path / "results.sqlite"
    src, dst = sqlite3.connect(report_store / "results.sqlite"), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    before = answer(load_results(copy))[0]
    worst = max(
        dst.execute("SELECT arch, metrics FROM runs").fetchall(),
        key=lambda r: json.loads(r[1])["val_mae"],
    )[0]
    dst.execute(
        "UPDATE runs SET metrics = json_set(metrics, '$.val_mae', 0.001) WHERE arch = ?", (worst,)
    )
    dst.commit()
    dst.close()
    after = answer(load_results(copy))[0]
    assert f"**{worst}**" in after and f"**{worst}**" not in before


def test_bad_report_inputs(tmp_path, report_store):
    with pytest.raises(InvalidInput, match="no results store"):
        build_report(tmp_path / "nowhere", tmp_path / "r")
    empty = tmp_path / "empty"
    ResultsStore.create(empty / "results.sqlite").close()
    with pytest.raises(InvalidInput, match="holds no finished runs yet"):
        build_report(empty, tmp_path / "r")
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(InvalidInput, match="cannot write to output folder"):
        build_report(report_store, blocker / "report")
