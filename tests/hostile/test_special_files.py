"""Paths that are not readable regular files, and files over a stated size: every command that
reads a path refuses a FIFO (which used to hang `count`), a device, a folder and a file it may
not read, in one line from one helper (`rnncap.readable.check_readable_file`); a data file over
its size or column limit, a Keras file over its layer limit and a study file nested too deeply
are exit 1 naming the limit, before anything is parsed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hostile_helpers import cli, refused

#: Each command that reads a path, with the suffix its path usually has.
READERS = {
    "data show": (("data", "show"), ".csv", ()),
    "forecast train --data": (("forecast", "train", "--data"), ".csv", ("--out", "never.pt")),
    "count": (("count",), ".keras", ()),
    "count .pt": (("count",), ".pt", ()),
    "study run": (("study", "run"), ".toml", ("--out", "never")),
    "forecast evaluate": (("forecast", "evaluate"), ".pt", ()),
    "capacity norms": (("capacity", "norms"), ".pt", ()),
}


def _run(name: str, path: Path, tmp_path: Path, limit: int = 30):
    words, _, tail = READERS[name]
    tail = tuple(str(tmp_path / t) if t.startswith("never") else t for t in tail)
    return cli(*words, path, *tail, limit=limit)


def _nothing_written(tmp_path: Path) -> None:
    assert not list(tmp_path.glob("never*")), list(tmp_path.iterdir())


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_fifo_is_refused_at_once(tmp_path, name):
    """`count` on a FIFO named .keras or .csv hung (the first read blocks forever)."""
    fifo = tmp_path / f"pipe{READERS[name][1]}"
    os.mkfifo(fifo)
    refused(_run(name, fifo, tmp_path, limit=20), "FIFO")
    _nothing_written(tmp_path)


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_folder_is_refused(tmp_path, name):
    """A folder given as a data file was "no dataset"."""
    folder = tmp_path / f"folder{READERS[name][1]}"
    folder.mkdir()
    refused(_run(name, folder, tmp_path), "is a folder")
    _nothing_written(tmp_path)


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_device_is_refused(tmp_path, name):
    refused(_run(name, Path("/dev/zero"), tmp_path), "character device")
    _nothing_written(tmp_path)


@contextlib.contextmanager
def _as_nobody():
    """The block with the effective uid of `nobody` when the tests run as root (root reads any
    file), so that a file without read permission is unreadable here too."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


def test_a_file_without_read_permission_is_one_line(hourly_csv):
    """`data show` on a file it may not read was a PermissionError (exit 3)."""
    cli("data", "show", hourly_csv)  # imports everything before the uid changes
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        os.chmod(folder, 0o755)
        path = folder / "secret.csv"
        shutil.copy(hourly_csv, path)
        os.chmod(path, 0)
        with _as_nobody():
            outcome = cli("data", "show", path)
        refused(outcome, "cannot read", "secret.csv", "permission")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_2_gib_data_file_is_refused_by_its_size(tmp_path):
    """`data show` on a 2 GB file took 6.6-8.7 GB of memory before failing."""
    from rnncap.data.csvfile import MAX_CSV_BYTES

    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:
        fh.truncate(2 * 2**30)  # sparse: no disk used
    outcome = cli("data", "show", path, limit=20)
    assert outcome.code == 1 and len(outcome.err.splitlines()) == 1, outcome
    assert f"{MAX_CSV_BYTES:,}" in outcome.err and "limit" in outcome.err, outcome


def test_a_csv_of_100000_columns_is_refused_by_its_width(tmp_path):
    """Ran past 60 s (211 s with --json)."""
    path = tmp_path / "wide.csv"
    n = 100_000
    path.write_text(",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" * n) + "\n")
    outcome = cli("data", "show", path, "--json", limit=20)
    assert outcome.code == 1 and len(outcome.err.splitlines()) == 1, outcome
    assert "100,000" in outcome.err and "1,000" in outcome.err and "columns" in outcome.err


def _keras_with_layers(tmp_path: Path, n: int) -> Path:
    """A .keras zip whose config declares `n` Dropout layers (nothing else is read first)."""
    layer = {"class_name": "Dropout", "config": {"name": "d", "rate": 0.1}}
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [layer] * n}}
    path = tmp_path / f"layers{n}.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", json.dumps(config))
        z.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
    return path


def test_a_keras_file_of_100002_layers_is_refused_before_keras_builds_it(tmp_path):
    """`count` on it ran past 90 s."""
    from rnncap.arch.files import MAX_FILE_LAYERS

    outcome = cli("count", _keras_with_layers(tmp_path, 100_002), limit=20)
    assert outcome.code == 1 and len(outcome.err.splitlines()) == 1, outcome
    assert "100,002" in outcome.err and f"{MAX_FILE_LAYERS:,}" in outcome.err, outcome


def test_an_h5_renamed_keras_is_named_as_such(tmp_path):
    """Keras said "File not found" for an HDF5 file under a .keras name."""
    path = tmp_path / "model.keras"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(600))
    refused(cli("count", path), "HDF5", "rename it to .h5")


def test_a_study_file_nested_5000_deep_is_refused_before_parsing(tmp_path):
    """tomllib recursed until RecursionError (exit 3)."""
    from rnncap.study.config import MAX_STUDY_NESTING

    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    out = tmp_path / "out"
    outcome = cli("study", "run", path, "--out", out)
    assert outcome.code == 1 and len(outcome.err.splitlines()) == 1, outcome
    assert "5,000" in outcome.err and f"limit of {MAX_STUDY_NESTING}" in outcome.err, outcome
    assert not out.exists()


def test_nesting_depth_skips_strings_and_comments():
    from rnncap.study.config import nesting_depth

    text = "a = [[1], [2]]\n[grid]\n[[x]]\ns = \"[[[[\\\"[\"\nt = '''[[['''  # [[[[[\n"
    assert nesting_depth(text) == 2
    assert nesting_depth("x = {a = [{b = 1}]}") == 3
