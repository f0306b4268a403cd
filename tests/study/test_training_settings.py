"""The study's [training] table is the recipe record `ForecastSettings`: checked against its
fields when the file is read (one line, exit code 2), and described field by field."""

from __future__ import annotations

import pytest
from study_helpers import TINY_TOML

from rnncap.cli.app import main
from rnncap.engine import ForecastSettings, TrainSettings
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain
from rnncap.study.config import load_study

#: A record with no default value, and the words `describe` must use for each of its fields.
ODD = ForecastSettings(epochs=7, batch_size=16, lr=0.005, clip=0.5, patience=2, dropout=0.1,
                       weight_decay=0.01, shuffle=False, schedule="onecycle", time_limit=90,
                       anchor="none", train_fraction=0.25, blend="none")  # fmt: skip
PHRASES = {
    "epochs": "up to 7 epochs",
    "batch_size": "batch 16",
    "lr": "learning rate 0.005",
    "clip": "gradient norm clipped at 0.5",
    "patience": "early stopping after 2 epochs",
    "loss": "mean squared error",
    "dropout": "dropout 0.1",
    "weight_decay": "weight decay 0.01",
    "shuffle": "in a fixed order",
    "schedule": "one-cycle",
    "time_limit": "time limit 90 s",
    "anchor": "no residual anchor",
    "train_fraction": "a fixed 25% of the training windows",
    "blend": "the network's forecast alone",
}
DEFAULT_PHRASES = {
    "epochs": "up to 30 epochs",
    "batch_size": "batch 64",
    "lr": "learning rate 0.001",
    "clip": "gradient norm clipped at 1",
    "patience": "early stopping after 6 epochs",
    "loss": "mean squared error",
    "dropout": "dropout 0.3",
    "weight_decay": "weight decay 0.01",
    "shuffle": "reshuffled each epoch",
    "schedule": "cosine decay to a tenth",
    "time_limit": "no time limit",
    "anchor": "residual on persistence",
    "train_fraction": "every training window",
    "blend": "forecast combined with the lagged ridge's",
}


@pytest.mark.parametrize(
    ("record", "phrases"), [(ODD, PHRASES), (ForecastSettings(), DEFAULT_PHRASES)]
)
def test_the_training_line_names_every_field(record, phrases):
    assert set(phrases) == set(ForecastSettings.names())  # a new field needs its words here
    line = record.describe()
    for name, words in phrases.items():
        assert words in line, name


def test_the_recipe_is_the_engine_settings_with_the_forecasters_defaults():
    engine, recipe = TrainSettings(), ForecastSettings()
    differ = {
        n for n in TrainSettings.__dataclass_fields__ if getattr(engine, n) != getattr(recipe, n)
    }
    assert differ == {"schedule", "patience", "dropout", "weight_decay"}
    assert (recipe.schedule, recipe.patience, recipe.dropout, recipe.weight_decay) == (
        "cosine",
        6,
        0.3,
        1e-2,
    )
    assert recipe.anchor == "persistence" and recipe.time_limit is None
    assert recipe.blend == "lagged-ridge"
    assert recipe.train_settings() == TrainSettings(schedule="cosine", patience=6, dropout=0.3,
                                                    weight_decay=1e-2)  # fmt: skip
    assert ForecastSettings.from_options(to_plain(recipe)) == recipe  # plain values round trip


def _study(tmp_path, training: str):
    path = tmp_path / "study.toml"
    path.write_text(TINY_TOML.replace("epochs = 1", f"epochs = 1\n{training}"))
    return path


@pytest.mark.parametrize(
    "line", ['anchor = "none"', 'loss = "mse"', "shuffle = false", "time_limit = 30.5"]
)
def test_documented_keys_are_accepted(tmp_path, line):
    config = load_study(_study(tmp_path, line))
    key, value = line.split(" = ")
    expected = {"false": False, '"mse"': "mse", '"none"': "none"}.get(value, 30.5)
    assert getattr(config.recipe(), key) == expected


BAD = {
    "epoch = 3": ["unknown key epoch", "known keys: epochs"],
    'loss = "bce"': ["loss must be 'mse'"],
    'shuffle = "no"': ["shuffle must be True or False"],
    "anchor = 1": ["unknown anchor 1", "lagged-ridge"],
    'anchor = "lightgbm"': ["unknown anchor 'lightgbm'", "only these baselines are fitted"],
    "residual = 1": ["residual must be true or false", 'anchor = "persistence" or "none"'],
    'residual = false\nanchor = "ridge"': ["residual and anchor both given", 'anchor = "none"'],
    'schedule = "linear"': ["learning-rate schedule 'linear'", "cosine"],
    "dropout = 1.5": ["dropout must be below 1"],
    'blend = "lagged-ridge"': ["cannot be studied", "network's own forecast", "drop blend"],
    'blend = "lightgbm"': ["unknown blend 'lightgbm'"],
    "time_limit = -1": ["time limit"],
}


@pytest.mark.parametrize("line", sorted(BAD))
def test_a_bad_training_key_or_value_is_one_line_exit_2_when_the_file_is_read(
    tmp_path, capsys, line
):
    path = _study(tmp_path, line)
    with pytest.raises(InvalidInput, match=r"\[training\] of the study file"):
        load_study(path)  # at parse time, before any plan or task
    out = tmp_path / "out"
    assert main(["study", "run", str(path), "--out", str(out), "--no-report"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "[training]" in err, err
    for words in BAD[line]:
        assert words in err
    assert not out.exists()


def test_the_report_says_why_a_study_trains_with_a_smaller_budget():
    from rnncap.study.defaults import FULL, training_line

    line = training_line(FULL)
    assert line.startswith(FULL.recipe().describe())
    full = ForecastSettings()
    assert (f"smaller budget than rnncap forecast train's (up to {full.epochs} epochs, "
            f"patience {full.patience}, weight decay {full.weight_decay:g}") in line  # fmt: skip
    assert "because a study trains" in line
    assert "not blended with the lagged-ridge" in line and line.count(". ") == 2  # two added
    at_full_budget = FULL.replace(training={})
    unblended = full.replace(blend="none")
    assert training_line(at_full_budget).startswith(unblended.describe() + ". Each model's")
    assert "smaller budget" not in training_line(at_full_budget)
