"""Every command the documentation shows runs (`doc_commands` collects them): it exits 0, or,
where the page shows the ``Error:`` line it ends in, exits with that error. Commands run
in-process (one Python, no start-up cost each), in a folder per page holding the files that page
describes (its model files, a data file with a gap, its study files).

A command runs as written, except that the budget of a long one is cut where its page states
what the full run costs (`budgeted` lists each cut and where the cost is stated): the test shows
that the documented command line is accepted and its whole path runs, not the full figures.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import signal
import sys
import types
from pathlib import Path

import pytest
from doc_commands import ROOT, DocCommand, doc_commands

from rnncap.cli.app import main

pytestmark = pytest.mark.slow

COMMANDS = doc_commands()

#: Per command family, the flags that cut its budget, and where the page states the full cost.
CUTS: dict[tuple[str, ...], tuple[dict[str, str], str]] = {
    ("forecast", "train"): (
        {"--epochs": "1", "--ensemble": "1", "--time-limit": "0", "--stride": "24"},
        "README.md (a 5-seed ensemble), docs/forecasting.md (81 s wall for one member)",
    ),
    ("capacity", "memorize"): (
        {
            "--epochs": "2",
            "--seeds": "1",
            "--lr": "0.01",
            "--schedule": "constant",
            "--samples": "40,60",
        },
        "README.md (4 CPU minutes), docs/capacity.md",
    ),  # fmt: skip
    ("capacity", "depth"): (
        {
            "--epochs": "2",
            "--seeds": "1",
            "--lr": "0.01",
            "--schedule": "constant",
            "--vc-epochs": "2",
            "--vc-reps": "2",
        },
        "docs/capacity.md (depth: minutes per depth), issue 28 (over 300 s for --epochs 300)",
    ),  # fmt: skip
    ("capacity", "vc"): ({"--epochs": "2", "--reps": "2"}, "docs/capacity.md (20 reps x 8 sizes)"),
    ("capacity", "atlas"): (
        {
            "--epochs": "2",
            "--vc-epochs": "2",
            "--max-budgets": "3",
            "--seeds": "1",
            "--depths": "1",
            "--designs": "fixed-width",
        },
        "docs/capacity.md section 7 (the atlas: hours of CPU; its CPU time is in the export)",
    ),  # fmt: skip
    ("capacity", "rademacher"): (
        {"--epochs": "10", "--draws": "2"},
        "docs/capacity.md (11.2 s wall for 8 draws x 128 windows x 300 epochs)",
    ),
    ("capacity", "gaps"): (
        {"--epochs": "1", "--seeds": "1", "--stride": "48"},
        "docs/capacity.md (seeds x epochs per architecture)",
    ),
}

#: A study trains: every study a command runs is cut to one seed, one epoch and every 48th
#: window, without the memorization and depth measures (docs/study.md: `rnncap study` 9 min
#: 57 s at load 2-3.6, `--quick` 15 s to 2.5 minutes; docs/robustness.md: ab.toml 77-470 s).
STUDY_CUT = {"seeds": (0,), "epochs": 1, "stride": 48}


def budgeted(args: tuple[str, ...]) -> list[str]:
    """`args` with the budget flags of its family replaced (or added) by `CUTS`."""
    family = next((k for k in CUTS if args[: len(k)] == k), None)
    if family is None or any(a in ("--help", "--list") for a in args):
        return list(args)
    cuts = CUTS[family][0]
    out, i = [], 0
    while i < len(args):
        if args[i] in cuts:
            i += 2
            continue
        out.append(args[i])
        i += 1
    for flag, value in cuts.items():
        out += [flag, value]
    return out


def _cut_study(cfg):
    from rnncap.study.config import Measure

    measures = tuple(m for m in cfg.measures if m not in (Measure.MEMORIZATION, Measure.DEPTH))
    # [axes]: the base point only, and the epoch budget is the cut's
    axes = {k: v if k == "design" else v[:1] for k, v in cfg.axes.items() if k != "epochs"}
    return cfg.replace(
        seeds=STUDY_CUT["seeds"],
        measures=measures,
        training={**cfg.training, "epochs": STUDY_CUT["epochs"]},
        task={**cfg.task, "stride": STUDY_CUT["stride"]},
        axes=axes,
    )


@pytest.fixture
def cut_studies(monkeypatch):
    import rnncap.cli.study as study_cli

    default, load = study_cli.default_study, study_cli.load_study
    monkeypatch.setattr(study_cli, "default_study", lambda quick=False: _cut_study(default(quick)))
    monkeypatch.setattr(study_cli, "load_study", lambda path: _cut_study(load(path)))


def _keras_model(path: Path) -> None:
    """docs/accounting.md's Keras model: LSTM(64) -> LSTM(32) -> Dense(1) on (120, 10)."""
    import keras

    keras.Sequential([keras.Input((120, 10)), keras.layers.LSTM(64, return_sequences=True),
                      keras.layers.LSTM(32), keras.layers.Dense(1)]).save(path)  # fmt: skip


def _torch_files(folder: Path) -> None:
    """docs/accounting.md's PyTorch forecaster (Conv1d, a 2-layer LSTM, a head), saved as a
    state_dict (model.pt) and as a whole module from a script (whole.pt)."""
    import torch

    script = types.ModuleType("doc_script")

    class Forecaster(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv1d(10, 10, 1)
            self.lstm = torch.nn.LSTM(10, 64, num_layers=2)
            self.head = torch.nn.Linear(64, 1)

    Forecaster.__module__, Forecaster.__qualname__ = "doc_script", "Forecaster"
    script.Forecaster = Forecaster
    sys.modules["doc_script"] = script
    try:
        model = Forecaster()
        torch.save(model.state_dict(), folder / "model.pt")
        torch.save(model, folder / "whole.pt")
    finally:
        del sys.modules["doc_script"]  # as in a new process: the class cannot be found


def _gap_csv(path: Path) -> None:
    """docs/robustness.md's file: 1 s steps, then a 187-year gap."""
    path.write_text(
        "time,temp\n1800-01-01 00:00:00,1\n1800-01-01 00:00:01,2\n1800-01-01 00:00:02,3\n"
        "1987-01-01 00:00:00,4\n"
    )


def _ab_toml(path: Path) -> None:
    """docs/robustness.md shows ab.toml with `$ cat ab.toml`: the lines up to the next `$`."""
    lines = (ROOT / "docs" / "robustness.md").read_text().splitlines()
    start = lines.index("$ cat ab.toml") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("$ "))
    path.write_text("\n".join(lines[start:end]) + "\n")


@pytest.fixture(scope="module")
def shared_files(tmp_path_factory) -> Path:
    """The files pages refer to, made once: copied into each page's folder."""
    folder = tmp_path_factory.mktemp("doc-files")
    _keras_model(folder / "model.keras")
    _gap_csv(folder / "gap.csv")
    _ab_toml(folder / "ab.toml")
    shutil.copytree(ROOT / "examples", folder / "examples")
    (folder / "torch").mkdir()
    _torch_files(folder / "torch")
    return folder


def _page_folder(shared: Path, base: Path, where: str) -> Path:
    """The working folder of the page `where` names (made on first use; commands of one page
    share it, in the page's order, so a file one command writes is there for the next)."""
    page = where.split(":")[0].replace("/", "_")
    folder = base / page
    if not folder.exists():
        shutil.copytree(shared, folder, ignore=shutil.ignore_patterns("torch"))
        if page == "docs_accounting.md":  # its model.pt is the state_dict of a PyTorch script
            for f in (shared / "torch").iterdir():
                shutil.copy(f, folder / f.name)
    return folder


class _Hang(Exception):
    pass


def _raise_hang(*_):
    raise _Hang("a documented command ran past 120 s")


def run_in(folder: Path, args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _raise_hang)
    signal.alarm(120)
    try:
        with (
            contextlib.chdir(folder),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


def _needs(folder: Path, args: tuple[str, ...]) -> None:
    """Files a command reads that its page made earlier, in a command of its own, on another
    page or in a template line (``--address HEAD_IP:6379``): ``model.pt`` from README's
    `forecast train --out model.pt`, the store a `study status|report|export` reads from
    `rnncap study --quick --out FOLDER` (cut like every study), and the store `study measures`
    ranks from `rnncap study run examples/measures.toml` (cut too)."""
    if "model.pt" in args and not (folder / "model.pt").exists():
        code, _, err = run_in(folder, budgeted(("forecast", "train", "--out", "model.pt")))
        assert code == 0, err
    if args[:1] == ("study",) and args[1:2] in (("status",), ("report",), ("export",)):
        store = args[2] if len(args) > 2 and not args[2].startswith("-") else "rnncap-study"
        if not (folder / store).exists():
            code, _, err = run_in(folder, ["study", "--quick", "--out", store, "--no-report"])
            assert code == 0, err
    if args[:2] == ("study", "measures") and not (folder / args[2]).exists():
        # the ranking needs measured models: the measures preset (cut like every study)
        run = ["study", "run", "examples/measures.toml", "--out", args[2], "--no-report"]
        code, _, err = run_in(folder, run)
        assert code == 0, err


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("doc-pages")


def test_commands_are_collected():
    """The collector finds the README tour and the --help examples (a page it no longer reads
    would make this suite pass by running nothing)."""
    texts = {c.text for c in COMMANDS}
    readme = [c for c in COMMANDS if c.where.startswith("README.md")]
    helps = [c for c in COMMANDS if c.where.startswith("src/")]
    assert any(c.args[:2] == ("capacity", "depth") for c in readme), readme
    assert any(c.args[:2] == ("capacity", "depth") for c in helps), helps
    assert "rnncap count lstm:2x64 --input-size 10 --seq-len 120" in texts
    assert sum(c.where.startswith("src/") for c in COMMANDS) >= 10
    assert sum(bool(c.error) for c in COMMANDS) >= 8
    assert len(COMMANDS) >= 60


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: f"{c.where} {c.text[7:60]}")
def test_documented_command_runs(command: DocCommand, shared_files, base, cut_studies):
    if "--address" in command.args:
        pytest.skip("needs a running Ray cluster (tests/study/test_cluster.py starts one)")
    folder = _page_folder(shared_files, base, command.where)
    _needs(folder, command.args)
    args = list(command.args) if command.error else budgeted(command.args)
    code, out, err = run_in(folder, args)  # a documented error comes before any work: no cut
    if command.error:
        lines = err.strip().splitlines()
        assert code in (1, 2) and lines, (command, code, err)
        assert lines[-1].split()[:4] == command.error.split()[:4], (command.error, lines[-1])
        return
    assert code == 0, f"{command.where}: {command.text}\nexit {code}\n{err[-1500:]}"
    if "--out" in args and args[:2] != ["study", "report"]:  # the result is the file written
        assert (folder / args[args.index("--out") + 1]).exists(), (command.text, err)
    else:
        assert out.strip(), f"{command.where}: {command.text} printed nothing"
