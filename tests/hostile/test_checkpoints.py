"""Checkpoint files that are not what they claim: refused in one line, never evaluated.

Each damaged copy starts from a real checkpoint (trained once per session) with one thing broken.
"""

from __future__ import annotations

import pickle

import pytest
import torch
from hostile_helpers import TINY_TRAIN, cli, no_partial_files, refused


def _damaged(checkpoint, tmp_path, change) -> object:
    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=True)
    change(ckpt)
    path = tmp_path / "damaged.pt"
    torch.save(ckpt, path)
    return path


def _nan_weights(c):
    key = next(iter(c["state_dict"]))
    c["state_dict"][key] = torch.full_like(c["state_dict"][key], float("nan"))


def _other_spec(c):
    c["spec"]["hidden_sizes"] = [5]  # weights are for 2 units


DAMAGES = {
    "nan_weights": (_nan_weights, ["NaN or infinite"]),
    "spec_does_not_match_weights": (_other_spec, ["inconsistent"]),
    "missing_key": (lambda c: c.pop("y_scaler"), ["missing entry", "y_scaler"]),
    "settings_not_a_table": (lambda c: c.update(settings=None), ["inconsistent"]),
    "bad_setting": (lambda c: c["settings"].update(epochs="many"), ["epochs"]),
    "negative_lr": (lambda c: c["settings"].update(lr=-1.0), ["finite number > 0", "-1.0"]),
    "huge_spec": (lambda c: c["spec"].update(hidden_sizes=[10**9]), ["parameters"]),
    "unknown_spec_key": (lambda c: c["spec"].update(colour="red"), ["unknown spec keys"]),
    "wrong_format": (lambda c: c.update(format="something.else"), ["not an rnncap"]),
    "future_version": (lambda c: c.update(format_version=99), ["format 99"]),
    "weights_not_a_dict": (lambda c: c.update(state_dict=[1, 2]), ["state dict"]),
}


@pytest.mark.parametrize("name", sorted(DAMAGES))
@pytest.mark.slow  # trains models
def test_a_damaged_checkpoint_is_one_line(checkpoint, tmp_path, name):
    change, words = DAMAGES[name]
    path = _damaged(checkpoint, tmp_path, change)
    refused(cli("forecast", "evaluate", path), *words)


@pytest.mark.slow  # trains models
def test_the_undamaged_checkpoint_evaluates(checkpoint):
    outcome = cli("forecast", "evaluate", checkpoint, "--json")
    assert outcome.code == 0, outcome
    assert "persistence" in outcome.out


class _Evil:
    def __reduce__(self):
        return (print, ("pwned",))


@pytest.mark.parametrize(
    "content",
    [b"", b"not a checkpoint", bytes(range(256)), pickle.dumps(_Evil()), pickle.dumps([1, 2])],
    ids=["empty", "text", "binary", "malicious_pickle", "plain_pickle"],
)
def test_a_file_that_is_not_a_checkpoint_is_one_line(tmp_path, content):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    outcome = cli("forecast", "evaluate", path)
    refused(outcome, "checkpoint")
    assert "pwned" not in outcome.out


def test_a_folder_given_as_checkpoint_is_one_line(tmp_path):
    refused(cli("forecast", "evaluate", tmp_path), "checkpoint")


def test_train_out_a_folder_is_refused_before_training(tmp_path, hourly_csv):
    """Was found only after training; now before any work (it returns within seconds)."""
    refused(cli("forecast", "train", "--data", hourly_csv, *TINY_TRAIN, "--out", tmp_path),
            "--out", "folder")  # fmt: skip
    no_partial_files(tmp_path)


def test_train_out_in_a_missing_folder_is_refused(tmp_path, hourly_csv):
    out = tmp_path / "no" / "such" / "model.pt"
    refused(cli("forecast", "train", "--data", hourly_csv, *TINY_TRAIN, "--out", out), "folder")


@pytest.mark.slow  # trains models
def test_evaluate_plot_a_folder_is_refused_before_work(checkpoint, tmp_path):
    refused(cli("forecast", "evaluate", checkpoint, "--plot", tmp_path), "--plot", "folder")


@pytest.mark.slow  # trains models
def test_predict_out_a_folder_is_refused(checkpoint, tmp_path, hourly_csv):
    refused(cli("forecast", "predict", checkpoint, "--data", hourly_csv, "--out", tmp_path),
            "--out")  # fmt: skip


@pytest.mark.parametrize(
    "option, value, words",
    [
        ("--time-limit", "-1", ["--time-limit"]),
        ("--time-limit", "nan", ["--time-limit"]),
        ("--threads", "-2", ["--threads"]),
        ("--epochs", "0", ["epochs"]),
        ("--lr", "nan", ["finite number > 0", "nan"]),
        ("--lr", "0", ["finite number > 0", "0.0"]),
        ("--dropout", "1.5", ["dropout"]),
        ("--history", "1000000000", ["history"]),
        ("--arch", "lstm:2x5000", ["parameters"]),
    ],
)
def test_bad_training_options_are_one_line_and_write_nothing(tmp_path, hourly_csv, option,
                                                              value, words):  # fmt: skip
    out = tmp_path / "model.pt"
    args = ["forecast", "train", "--data", hourly_csv, *TINY_TRAIN, option, value, "--out", out]
    refused(cli(*args), *words)
    assert not out.exists()
    no_partial_files(tmp_path)


def test_a_diverging_run_is_an_error_not_a_result(tmp_path, hourly_csv):
    """Every epoch non-finite (a learning rate of 1e30): exit 1, an error line, no checkpoint."""
    out = tmp_path / "model.pt"
    outcome = cli("forecast", "train", "--data", hourly_csv, *TINY_TRAIN, "--lr", "1e30",
                  "--clip", "1e30", "--out", out)  # fmt: skip
    if outcome.code == 0:  # the run stayed finite after all: then it is a real result
        assert out.is_file()
        return
    # training ran (its progress bar may precede): the failure is the last line, exit 1
    assert outcome.code == 1 and outcome.err.splitlines()[-1].startswith("Error: "), outcome
    assert "diverged" in outcome.err and "Traceback" not in outcome.err and not out.exists()
