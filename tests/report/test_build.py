"""The report folder: files, self-contained HTML, CSV equal to the store, answers from the data."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from rnncap.errors import InvalidInput
from rnncap.report import build_report
from rnncap.study import ResultsStore

pytestmark = pytest.mark.slow  # keras models / report figures: seconds each


@pytest.fixture(scope="module")
def report(fake_report_store, tmp_path_factory):
    return build_report(fake_report_store, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def trained_report(report_store, tmp_path_factory):
    """The report of a study that really trained (one epoch: every model a failed fit)."""
    return build_report(report_store, tmp_path_factory.mktemp("trained-report"))


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


def test_results_csv_is_the_store(trained_report, report_store):
    csv = pd.read_csv(trained_report.folder / "results.csv")
    with ResultsStore.open(report_store) as store:
        stored = {(u.result.arch, r.seed): r for u in store.units() for r in u.result.runs}
    assert len(csv) == len(stored) == 6
    for row in csv.itertuples():
        run = stored[(row.arch, row.seed)]
        assert row.test_mae == pytest.approx(run.errors.test, rel=1e-12)
        assert row.frobenius == pytest.approx(run.norms.frobenius, rel=1e-12)
    # one epoch on a few windows: worse than persistence on the training data, and said so
    assert "6 of 6 models are failed fits" in " ".join(trained_report.answer)


def test_the_page_shows_no_python_structures_backticks_or_slugs(report):
    for name in ("index.html", "report.md"):
        text = (report.folder / name).read_text()
        assert "{'" not in text and "`" not in text and "_mae" not in text
    html = (report.folder / "index.html").read_text()
    headings = re.findall(r"<h[23]>([^<]+)</h[23]>", html)
    assert headings and not [h for h in headings if "_" in h or h == h.lower()]
    # every figure has a caption of its own, computed (it names numbers)
    caps = re.findall(r"<figcaption>([^<]+)</figcaption>", html)
    assert len(caps) == len(report.figures) and all(re.search(r"\d", c) for c in caps)
    # the legend: every bound key shown in the figures, with its citation, status and caveat
    keys = re.search(r'<table class="keys">(.*?)</table>', html).group(1)
    assert "km97-pfaffian-unrolled" in keys and "Karpinski &amp; Macintyre 1997" in keys
    assert "ABSTRACT-ONLY · DERIVED" in keys and "constants unknown" in keys
    assert "ks97-quadratic-vc" in keys  # in the figure, absent from the store's legend: listed


def test_html_is_self_contained_with_the_png_figures_embedded(report):
    html = (report.folder / "index.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html)
    embedded = re.findall(r'id="fig-(\w+)" src="data:image/png;base64,([^"]+)"', html)
    assert {n for n, _ in embedded} == set(report.figures)
    for name, b64 in embedded:
        assert base64.b64decode(b64) == (report.folder / f"{name}.png").read_bytes()


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


def test_the_report_reads_typed_records_not_string_keys():
    """Issue 17: results reach the report as records; no dict.get("...") on them in report/."""
    from pathlib import Path

    import rnncap.report

    sources = sorted(Path(rnncap.report.__file__).parent.glob("*.py"))
    assert len(sources) >= 5
    for path in sources:
        text = path.read_text()
        assert not re.search(r"""\.get\(["']""", text), path.name
        assert "meta()" not in text, path.name  # the untyped meta table is not read either
