"""Work too large to start is refused before anything is allocated (exit 1 naming the limit, or
exit 2 for the documented training limits), names from a study file never reach the terminal
raw, Ctrl-C says so in one line, and an empty study file says what it runs."""

from __future__ import annotations

import json

from hostile_helpers import cli, refused


def _limit(outcome, *words: str) -> str:
    """Exit 1, one line naming the limit and rnncap's value for it."""
    assert outcome.code == 1, outcome
    lines = outcome.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in outcome.err, outcome
    for w in ("limit", *words):
        assert w in lines[0], (w, outcome)
    return lines[0]


def test_vc_over_the_sequence_limit_is_refused_at_once():
    """`capacity vc lstm:1x4 --seq-len 1000000` reached 24 GB and was OOM-killed."""
    refused(cli("capacity", "vc", "lstm:1x4", "--seq-len", "1000000", limit=20), "100,000")


def test_vc_input_over_its_memory_limit_is_refused_at_once():
    """At the 100,000-step limit it was "out of memory" after 28 s: the design's 20 repetitions
    x 2n sequences x k steps of float32 are counted before one is drawn."""
    from rnncap.capacity.vc import MAX_VC_INPUT_BYTES

    outcome = cli("capacity", "vc", "lstm:1x4", "--seq-len", "5,100000", limit=20)
    _limit(outcome, f"{MAX_VC_INPUT_BYTES:,}", "--seq-len")


def _study(tmp_path, text: str):
    path = tmp_path / "study.toml"
    path.write_text(text)
    return path


def test_a_grid_of_a_million_units_is_refused_before_planning(tmp_path):
    """layers 1..1000 x units 1..1000 printed nothing for 300 s and took 4.8 GB."""
    from rnncap.study.config import MAX_PLANNED_UNITS

    text = (f'name = "g"\nmeasures = ["counts"]\n[grid]\nlayers = {list(range(1, 1001))}\n'
            f"units = {list(range(1, 1001))}\nfrontier = []\n")  # fmt: skip
    out = tmp_path / "out"
    line = _limit(cli("study", "run", _study(tmp_path, text), "--out", out, limit=20),
                  "1,000,000", f"{MAX_PLANNED_UNITS:,}")  # fmt: skip
    assert "units of work" in line
    assert not out.exists()


COUNTS = '\nmeasures = ["counts"]\nseeds = [0]\n[grid]\nlayers = [1]\nunits = [2]\nfrontier = []\n'


def test_an_escape_sequence_in_a_study_name_is_shown_escaped(tmp_path):
    """`study run` and `study status` printed the name raw: a terminal obeyed its sequence."""
    text = 'name = "\\u001b[2J\\u001b[31mred"' + COUNTS
    out = tmp_path / "out"
    run = cli("study", "run", _study(tmp_path, text), "--out", out, "--no-report")
    assert run.code == 0, run
    status = cli("study", "status", out)
    assert status.code == 0, status
    for outcome in (run, status):
        assert "\x1b" not in outcome.out + outcome.err, outcome
    assert "\\x1b[2J\\x1b[31mred" in status.out


def test_an_empty_study_file_says_what_it_runs(tmp_path, monkeypatch):
    """An empty file silently ran the whole built-in study; now one note line says so. (The
    study itself is stopped at its first unit here: the note comes before any work.)"""
    import rnncap.cli.study as study_cli

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(study_cli, "run_study", stop)
    outcome = cli("study", "run", _study(tmp_path, "# nothing here\n"), "--out", tmp_path / "o")
    assert outcome.code == 130, outcome
    assert "sets nothing" in outcome.err and "built-in settings" in outcome.err, outcome


def test_ctrl_c_prints_one_line(tmp_path, monkeypatch):
    """Typer turns Ctrl-C into exit 130 silently; the docs promise a line. (Ctrl-C is raised
    where a study trains, as the terminal's SIGINT would raise it.)"""
    import rnncap.cli.study as study_cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(study_cli, "run_study", interrupted)
    outcome = cli("study", "run", _study(tmp_path, 'name = "c"' + COUNTS), "--out", tmp_path / "o")
    assert outcome.code == 130, outcome
    lines = outcome.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: interrupted"), outcome


def test_a_plot_into_proc_is_refused_before_work(tmp_path, checkpoint):
    """`forecast evaluate m.pt --plot /proc/x.png` evaluated, then failed with FileNotFoundError
    (root may "write" /proc by its permissions; nothing can be created there)."""
    refused(cli("forecast", "evaluate", checkpoint, "--plot", "/proc/x.png"), "--plot", "/proc")


def test_the_limits_are_documented():
    """Every limit named here is in docs/robustness.md with its value."""
    from pathlib import Path

    from rnncap.arch.files import MAX_FILE_LAYERS
    from rnncap.capacity.vc import MAX_VC_INPUT_BYTES
    from rnncap.data.csvfile import MAX_CSV_BYTES, MAX_CSV_COLUMNS
    from rnncap.engine.settings import MAX_EPOCHS
    from rnncap.study.config import MAX_PLANNED_UNITS, MAX_STUDY_BYTES, MAX_STUDY_NESTING

    doc = (Path(__file__).parents[2] / "docs" / "robustness.md").read_text()
    names = {
        "MAX_FILE_LAYERS": MAX_FILE_LAYERS,
        "MAX_EPOCHS": MAX_EPOCHS,
        "MAX_VC_INPUT_BYTES": MAX_VC_INPUT_BYTES,
        "MAX_CSV_BYTES": MAX_CSV_BYTES,
        "MAX_CSV_COLUMNS": MAX_CSV_COLUMNS,
        "MAX_PLANNED_UNITS": MAX_PLANNED_UNITS,
        "MAX_STUDY_BYTES": MAX_STUDY_BYTES,
        "MAX_STUDY_NESTING": MAX_STUDY_NESTING,
    }
    for name, value in names.items():
        row = next((line for line in doc.splitlines() if name in line), "")
        assert row, name
        assert json.dumps(value) in row.replace(",", "") or f"{value:,}" in row, (name, row)


def test_capacity_depth_shows_progress_before_the_first_depth_trains(monkeypatch):
    """The --help example printed nothing on stderr for 300 s: the bar started only when the
    first depth had finished. Now it is on the terminal, with its clock, before the first
    depth trains (the depth is replaced by a recorder that stops the command)."""
    import sys

    import rnncap.capacity.depth_measure as depth

    seen = []

    def first_depth(*args, **kwargs):
        seen.append(sys.stderr.getvalue())
        raise KeyboardInterrupt

    monkeypatch.setenv("FORCE_COLOR", "1")  # stderr is a terminal for Rich
    monkeypatch.setattr(depth, "measure_depth_row", first_depth)
    outcome = cli("capacity", "depth", "rnn_tanh", "--units", "4", "--input-bits", "4",
                  "--layers", "1,2")  # fmt: skip
    assert outcome.code == 130, outcome
    assert seen and "measuring depths" in seen[0] and "0:00:00" in seen[0], seen
