"""The HTML report in a real headless browser (Debian's chromium): it loads and shows the plots.

In CI (CI=true) a missing chromium is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest
from matplotlib.image import imread

from rnncap.report import build_report

pytestmark = pytest.mark.slow  # trains models

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
]  # fmt: skip


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI; install Debian's chromium (see .ci/run)")
        pytest.skip("chromium not installed (apt-get install chromium); CI runs this test")
    return path


def _coloured_pixels(png) -> int:
    """Pixels whose channels differ clearly: plot colours, not black text or white paper."""
    rgb = imread(png)[..., :3]
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 0.25).sum())


def test_the_report_loads_in_chromium_and_the_screenshot_shows_the_plots(report_store, tmp_path):
    browser = _chromium()
    report = build_report(report_store, tmp_path / "report")
    page = (report.folder / "index.html").resolve().as_uri()
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1200,3000", page],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-2000:]
    for problem in ("Failed to load resource", "Uncaught", "ERR_FILE_NOT_FOUND", "Not allowed"):
        assert problem not in log, log[-2000:]
    assert shot.is_file()
    # the page's figures carry coloured markers and lines; an empty page has none
    assert _coloured_pixels(shot) > 3000

    # the same page with its images removed has almost none: the colour came from the plots
    bare = report.folder / "bare.html"
    html = (report.folder / "index.html").read_text()
    assert html.count("<figure>") == len(report.figures)
    bare.write_text(html.split("<figure>")[0] + "</body></html>")
    shot_bare = tmp_path / "bare.png"
    subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile2'}",
         f"--screenshot={shot_bare}", "--window-size=1200,3000", bare.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert _coloured_pixels(shot_bare) < 200
    np.testing.assert_array_less(_coloured_pixels(shot_bare), _coloured_pixels(shot))


#: Appended to a copy of the page: the laid-out width of the document and of its widest element.
MEASURE = """<script>
const widest = [...document.querySelectorAll('body *')].reduce(
  (w, e) => Math.max(w, e.getBoundingClientRect().right), 0);
document.body.setAttribute('data-width', document.documentElement.scrollWidth);
document.body.setAttribute('data-widest', Math.ceil(widest));
</script>"""


def _laid_out_width(browser: str, page, profile, width: int) -> tuple[int, int]:
    html = page.read_text().replace("</body>", MEASURE + "</body>")
    probe = page.with_name("probe.html")
    probe.write_text(html)
    run = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},1000",
         "--dump-dom", probe.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    import re

    found = re.search(r'data-width="(\d+)" data-widest="(\d+)"', run.stdout)
    assert found, run.stdout[-2000:]
    return int(found.group(1)), int(found.group(2))


def test_the_default_sized_report_fits_1280_px_with_no_python_structures(tmp_path):
    """A store the size of the default study (16 grid architectures, a 4-deep frontier with
    memorization, bound ratios, a failed fit) lays out within 1280 px: no sideways scroll."""
    from fake_store import Fake, make_store, seeds

    from rnncap.study.records import MemorizationVerdict

    browser = _chromium()
    ratios = {"km97-pfaffian-unrolled": 0.52, "ks97-quadratic-vc": -0.2, "bmm98-upper-untied": 3.4}
    fakes = [
        Fake(f"lstm:{n}x{u}", seeds(1.5, 3.3 + n / 50 + u / 500, 3.4 + n / 50), ratios=ratios)
        for n in (1, 2, 3, 4)
        for u in (8, 16, 32, 64)
    ]
    failed = Fake("lstm:4x8", ((6.3, 6.1, 6.2), (1.5, 3.3, 3.4), (1.5, 3.3, 3.4)))
    fakes = [failed if f.arch == failed.arch else f for f in fakes]
    fakes += [
        Fake(f"lstm:{n}x{u}", seeds(1.5, 3.2, 3.3), ("frontier",), MemorizationVerdict.CONVERGED,
             ratios=ratios)
        for n, u in ((1, 49), (3, 26), (4, 22))
    ]  # fmt: skip
    report = build_report(make_store(tmp_path, fakes, budget=17569).parent, tmp_path / "report")
    page = report.folder / "index.html"
    assert "{'" not in page.read_text() and "`" not in page.read_text()
    width, widest = _laid_out_width(browser, page, tmp_path / "profile", 1280)
    assert width <= 1280 and widest <= 1280, (width, widest)
