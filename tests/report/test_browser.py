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
    bare.write_text(html.split("<h2>mae vs params</h2>")[0] + "</body></html>")
    shot_bare = tmp_path / "bare.png"
    subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile2'}",
         f"--screenshot={shot_bare}", "--window-size=1200,3000", bare.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert _coloured_pixels(shot_bare) < 200
    np.testing.assert_array_less(_coloured_pixels(shot_bare), _coloured_pixels(shot))
