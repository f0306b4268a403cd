"""`rnncap study ...` through the real CLI: JSON outputs, and one line + exit 2 for bad input."""

from __future__ import annotations

import json
import shutil
import socket

import pandas as pd
import pytest
from study_helpers import TINY_TOML, stored_runs

from rnncap.cli.app import main


@pytest.fixture
def study_copy(tiny_study, tmp_path):
    out = tmp_path / "study"
    shutil.copytree(tiny_study[0], out)
    return out


def _one_error_line(capsys, *parts: str) -> None:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("Error: "), err
    for p in parts:
        assert p in err, err


@pytest.mark.slow  # trains models
def test_run_resumes_a_finished_study_and_writes_the_report(study_copy, tmp_path, capsys):
    study_file = tmp_path / "tiny.toml"
    study_file.write_text(TINY_TOML)
    assert main(["study", "run", str(study_file), "--out", str(study_copy), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["planned"] == 4 and doc["summary"]["skipped"] == 4
    assert doc["summary"]["ran"] == 0
    assert (study_copy / "report" / "index.html").is_file()
    assert doc["report"]["runs"] == 4 and doc["report"]["answer"]
    # where the time went, with the report's: nothing trained, every unit already there
    phases = doc["summary"]["phases"]
    assert phases["forecast_units"] == phases["capacity"] == phases["baselines"] == 0.0
    assert phases["report"] > 0 and phases["setup"] > 0
    assert main(["study", "run", str(study_file), "--out", str(study_copy), "--no-report"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("time: setup ") and "forecast 0 s, capacity 0 s" in last
    assert "report" not in last  # --no-report: no report time


@pytest.mark.slow  # trains models
def test_status_report_and_export(study_copy, tmp_path, capsys):
    assert main(["study", "status", str(study_copy), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["complete"] and (st["units_done"], st["runs_done"]) == (4, 4)
    assert {a["arch"]: a["runs_done"] for a in st["archs"]} == {"lstm:1x4": 2, "lstm:2x4": 2}

    assert main(["study", "report", str(study_copy), "--out", str(tmp_path / "rep")]) == 0
    assert "report:" in capsys.readouterr().out
    assert (tmp_path / "rep" / "report.md").is_file()

    stored = {k: r.errors.test for k, r in stored_runs(study_copy).items()}
    for fmt in ("csv", "parquet"):
        target = tmp_path / f"runs.{fmt}"
        args = ["study", "export", str(study_copy), "--format", fmt, "--out", str(target)]
        assert main([*args, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["rows"] == 4
        table = pd.read_csv(target) if fmt == "csv" else pd.read_parquet(target)
        got = {(r.arch, r.seed): r.test_mae for r in table.itertuples()}
        assert got == pytest.approx(stored)
    assert main(["study", "export", str(study_copy), "--format", "xlsx"]) == 2
    _one_error_line(capsys, "unknown format 'xlsx'")


@pytest.mark.parametrize(
    "text, message",
    [
        ("[grid]\nlayres = [1]", "unknown key layres in [grid]"),
        ("name = [", "malformed study file"),
        ("[grid]\nlayers = []\nunits = []\nfrontier = []", "the study's grid is empty"),
        ("[task]\nhorizn = 3", "unknown key horizn in [task]"),
    ],
)
def test_bad_study_files_exit_2_and_write_nothing(tmp_path, capsys, text, message):
    study_file = tmp_path / "bad.toml"
    study_file.write_text(text)
    out = tmp_path / "out"
    assert main(["study", "run", str(study_file), "--out", str(out)]) == 2
    _one_error_line(capsys, message)
    assert not out.exists()


def test_an_unwritable_output_folder_exits_2(tmp_path, capsys):
    study_file = tmp_path / "tiny.toml"
    study_file.write_text(TINY_TOML)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["study", "run", str(study_file), "--out", str(blocker / "out")]) == 2
    _one_error_line(capsys, "cannot write to output folder")


@pytest.mark.slow  # trains models
def test_a_store_from_an_incompatible_version_exits_2_untouched(study_copy, tmp_path, capsys):
    import sqlite3

    path = study_copy / "results.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    study_file = tmp_path / "tiny.toml"
    study_file.write_text(TINY_TOML)
    assert main(["study", "run", str(study_file), "--out", str(study_copy)]) == 2
    _one_error_line(capsys, "incompatible rnncap", "store schema 0")
    assert path.read_bytes() == before
    for cmd in ("status", "report"):
        assert main(["study", cmd, str(study_copy)]) == 2
        _one_error_line(capsys, "incompatible rnncap")


@pytest.mark.slow
def test_a_ray_address_that_does_not_answer_exits_2(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    args = ["study", "--quick", "--executor", "ray", "--address", f"127.0.0.1:{port}"]
    assert main([*args, "--out", str(out)]) == 2
    _one_error_line(capsys, "no Ray cluster answers")
    assert not out.exists()


def test_status_of_a_folder_without_a_store_exits_2(tmp_path, capsys):
    assert main(["study", "status", str(tmp_path)]) == 2
    _one_error_line(capsys, "no results store")
