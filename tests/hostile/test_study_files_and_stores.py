"""Study files and results stores as a hostile user (or a crashed disk) leaves them: a bad file
is refused before anything is written, a damaged store is detected by every command that opens
it (with a way to keep what is intact), and two studies never write one folder at once."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from hostile_helpers import cli, no_partial_files, refused

from rnncap.study.store import STORE_NAME, study_lock

TINY = """
name = "tiny"
seeds = [0]
chunk = 1
measures = ["counts", "forecast"]
forecast_points = 4

[task]
history = 24
stride = 48

[grid]
layers = [1]
units = [2, 3]
frontier = []

[training]
epochs = 1
batch_size = 256
"""

#: A study that trains nothing (counts only): seconds, for the cases that must run to the end.
COUNTS_ONLY = TINY.replace('measures = ["counts", "forecast"]', 'measures = ["counts"]')


def _study_file(tmp_path, text: str):
    path = tmp_path / "study.toml"
    path.write_text(text)
    return path


BAD_STUDIES = {
    "epochs_many": (TINY.replace("epochs = 1", 'epochs = "many"'), ["epochs", "many"]),
    "unknown_training_key": (TINY.replace("epochs = 1", "epoch = 1"), ["unknown", "epoch"]),
    "chunk_list": (TINY.replace("chunk = 1", "chunk = [2, 3]"), ["chunk"]),
    "chunk_zero": (TINY.replace("chunk = 1", "chunk = 0"), ["chunk"]),
    "layers_million": (TINY.replace("layers = [1]", "layers = [1000000]"), ["grid layers"]),
    "units_huge": (TINY.replace("units = [2, 3]", "units = [100000]"), ["parameters"]),
    "units_bool": (TINY.replace("units = [2, 3]", "units = [true]"), ["grid units"]),
    "units_float": (TINY.replace("units = [2, 3]", "units = [2.5]"), ["grid units"]),
    "seeds_empty": (TINY.replace("seeds = [0]", "seeds = []"), ["seeds"]),
    "seeds_repeat": (TINY.replace("seeds = [0]", "seeds = [1, 1]"), ["repeat"]),
    "seeds_negative": (TINY.replace("seeds = [0]", "seeds = [-1]"), ["seeds"]),
    "unknown_measure": (TINY.replace('"forecast"]', '"vibes"]'), ["unknown measures"]),
    "unknown_top_key": ("colour = 'red'\n" + TINY, ["unknown key", "colour"]),
    "unknown_task_key": (TINY.replace("stride = 48", "stride = 48\nwindow = 3"), ["window"]),
    "history_zero": (TINY.replace("history = 24", "history = 0"), ["history"]),
    "executor_kind": (TINY + "\n[executor]\nkind = 'gpu'\n", ["unknown executor"]),
    "executor_workers_zero": (TINY + "\n[executor]\nworkers = 0\n", ["workers"]),
    "memorization_epochs_text": (TINY + "\n[memorization]\nepochs = 'x'\n", ["epochs"]),
    "memorization_fraction_nan": (
        TINY + "\n[memorization]\nsample_fractions = [nan]\n",
        ["sample_fractions"],
    ),
    "malformed_toml": ("name = [\n", ["malformed study file"]),
    "grid_not_table": (TINY.replace("[grid]", "grid = 3\n[grid2]"), ["grid"]),
}


@pytest.mark.parametrize("name", sorted(BAD_STUDIES))
def test_a_bad_study_file_is_refused_before_anything_is_written(tmp_path, name):
    text, words = BAD_STUDIES[name]
    out = tmp_path / "out"
    refused(cli("study", "run", _study_file(tmp_path, text), "--out", out, "--no-report"), *words)
    assert not out.exists()  # no store, no plan: `status` cannot claim a study to resume


def test_a_study_file_that_is_not_utf8_is_one_line(tmp_path):
    path = tmp_path / "study.toml"
    path.write_bytes(b"name = '\xff\xfe'\n")
    refused(cli("study", "run", path, "--out", tmp_path / "out"), "UTF-8")


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_workers_zero_or_less_is_refused(tmp_path, value):
    """Was silently ignored (0 is falsy)."""
    out = tmp_path / "out"
    outcome = cli("study", "run", _study_file(tmp_path, COUNTS_ONLY), "--out", out, "--workers",
                  value)  # fmt: skip
    refused(outcome, "--workers")
    assert not out.exists()


@pytest.mark.parametrize("name", ["[/bold]", "[dropout] study", "[red]x[/red] [link=x]y"])
def test_markup_in_a_study_name_is_printed_as_it_is(tmp_path, name):
    """`[/bold]` crashed the progress bar, `[dropout]` vanished from its label."""
    text = COUNTS_ONLY.replace('name = "tiny"', f"name = {json.dumps(name)}")
    out = tmp_path / "out"
    outcome = cli("study", "run", _study_file(tmp_path, text), "--out", out, "--no-report")
    assert outcome.code == 0, outcome
    status = cli("study", "status", out)
    assert status.code == 0 and name in status.out.replace("\n", ""), status


@pytest.fixture(scope="module")
def finished_store(tmp_path_factory):
    """A finished tiny study with trained runs: two units of one run each."""
    folder = tmp_path_factory.mktemp("hostile-study")
    study = folder / "study.toml"
    study.write_text(TINY)
    outcome = cli("study", "run", study, "--out", folder / "out", "--no-report")
    assert outcome.code == 0, outcome
    return folder / "out"


def _copy(store_folder, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(store_folder, target)
    return target


def _corrupt_pages(path, first_page: int = 2) -> None:
    """Overwrite every page from `first_page` (1-based) on with garbage; page 1 stays valid."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    for start in range((first_page - 1) * page, len(data), page):
        data[start + 8 : start + page - 8] = bytes((i * 37 + 11) % 256 for i in range(page - 16))
    path.write_bytes(bytes(data))


COMMANDS = [
    ["study", "status"],
    ["study", "report", "--json"],
    ["study", "export", "--json"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[1])
def test_a_damaged_store_is_one_line_for_every_command(finished_store, tmp_path, command):
    folder = _copy(finished_store, tmp_path)
    _corrupt_pages(folder / STORE_NAME)
    line = refused(cli(*command[:2], folder, *command[2:]), "damaged", "--salvage")
    assert "export" in line
    no_partial_files(folder)


def test_running_into_a_damaged_store_is_one_line(finished_store, tmp_path):
    folder = _copy(finished_store, tmp_path)
    _corrupt_pages(folder / STORE_NAME)
    study = _study_file(tmp_path, TINY)
    refused(cli("study", "run", study, "--out", folder, "--no-report"), "damaged")


def test_garbage_instead_of_a_store_is_one_line(tmp_path):
    (tmp_path / STORE_NAME).write_bytes(b"this is not sqlite" * 100)
    refused(cli("study", "status", tmp_path), "not an rnncap results store")


def _export(folder, out, *flags):
    import pandas as pd

    outcome = cli("study", "export", folder, *flags, "--out", out, "--json")
    assert outcome.code == 0, outcome
    return pd.read_csv(out) if out.stat().st_size > 1 else pd.DataFrame()


def _truth(folder) -> dict:
    conn = sqlite3.connect(folder / STORE_NAME)
    truth = {(a, s): json.loads(r)["errors"]["test"]
             for a, s, r in conn.execute("SELECT arch, seed, result FROM runs")}  # fmt: skip
    conn.close()
    return truth


def test_salvage_of_an_intact_store_exports_every_run(finished_store, tmp_path):
    """Salvage wrote 0 runs even from an intact store (the forecast column was left out, so
    every run failed to decode and was counted as lost)."""
    truth = _truth(finished_store)
    assert len(truth) == 2
    plain = _export(finished_store, tmp_path / "plain.csv")
    salvaged = _export(finished_store, tmp_path / "salvaged.csv", "--salvage")
    assert len(plain) == len(salvaged) == len(truth)
    for _, r in salvaged.iterrows():
        assert truth[(r["arch"], r["seed"])] == pytest.approx(r["test_mae"])


def test_one_damaged_run_costs_one_run(finished_store, tmp_path):
    """A run whose result is not JSON: the plain commands call the store damaged (they gave
    JSONDecodeError), and salvage exports every other run, exactly."""
    folder = _copy(finished_store, tmp_path)
    truth = _truth(folder)
    conn = sqlite3.connect(folder / STORE_NAME)
    ((bad_arch, bad_seed),) = conn.execute("SELECT arch, seed FROM runs LIMIT 1").fetchall()
    conn.execute("UPDATE runs SET result = '{not json' WHERE arch = ?", (bad_arch,))
    conn.commit()
    conn.close()
    for command in COMMANDS:
        refused(cli(*command[:2], folder, *command[2:]), "damaged", "--salvage")
    rows = _export(folder, tmp_path / "runs.csv", "--salvage")
    assert len(rows) == len(truth) - 1
    assert (bad_arch, bad_seed) not in set(zip(rows["arch"], rows["seed"], strict=True))
    for _, r in rows.iterrows():
        assert truth[(r["arch"], r["seed"])] == pytest.approx(r["test_mae"])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[1])
def test_a_store_without_its_runs_table_is_damaged(finished_store, tmp_path, command):
    """Was "no such table: runs" (exit 3)."""
    folder = _copy(finished_store, tmp_path)
    conn = sqlite3.connect(folder / STORE_NAME)
    conn.execute("DROP TABLE runs")
    conn.commit()
    conn.close()
    refused(cli(*command[:2], folder, *command[2:]), "damaged", "runs", "missing")


def test_an_unrelated_sqlite_file_is_not_an_rnncap_store(tmp_path):
    """Was "written by an incompatible rnncap (store schema none)"."""
    conn = sqlite3.connect(tmp_path / STORE_NAME)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.commit()
    conn.close()
    line = refused(cli("study", "status", tmp_path), "not an rnncap results store")
    assert "incompatible" not in line


def test_salvage_exports_the_readable_runs(finished_store, tmp_path):
    """With the table pages after the first damaged, salvage exports exactly the runs still
    readable row by row, each with its real metrics."""
    folder = _copy(finished_store, tmp_path)
    truth = _truth(folder)
    _corrupt_pages(folder / STORE_NAME, first_page=4)
    from rnncap.study.status import salvaged_table

    readable = salvaged_table(folder)[0]
    out = tmp_path / "runs.csv"
    outcome = cli("study", "export", folder, "--salvage", "--out", out, "--json")
    if outcome.code == 2:  # the runs table itself was unreadable: still one line
        refused(outcome)
        return
    assert outcome.code == 0, outcome
    assert json.loads(outcome.out)["rows"] == len(readable)
    import pandas as pd

    rows = pd.read_csv(out) if out.stat().st_size > 1 else pd.DataFrame()
    assert len(rows) == len(readable)
    for _, r in rows.iterrows():
        assert truth[(r["arch"], r["seed"])] == pytest.approx(r["test_mae"])


def test_a_second_study_on_a_locked_folder_is_one_line(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with study_lock(out):
        outcome = cli("study", "run", _study_file(tmp_path, COUNTS_ONLY), "--out", out)
    refused(outcome, "another rnncap study", "--out")
    outcome = cli("study", "run", _study_file(tmp_path, COUNTS_ONLY), "--out", out, "--no-report")
    assert outcome.code == 0, outcome  # the lock went with its holder


@pytest.mark.slow
def test_report_files_are_not_private(finished_store, tmp_path):
    """Report files were written with mode 0600 (mkstemp's); now 0666 minus the umask."""
    import os

    folder = _copy(finished_store, tmp_path)
    outcome = cli("study", "report", folder, "--out", tmp_path / "rep", "--json")
    assert outcome.code == 0, outcome
    umask = os.umask(0)
    os.umask(umask)
    for f in (tmp_path / "rep").iterdir():
        assert f.stat().st_mode & 0o777 == 0o666 & ~umask, f
    no_partial_files(tmp_path)
