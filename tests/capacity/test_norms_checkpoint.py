"""Norms of a forecaster checkpoint written by the forecast room, and the catalog's bounds."""

import json

import pytest
import torch

from rnncap.capacity.norms import checkpoint_norms, weight_norms
from rnncap.cli.app import main
from rnncap.data import Task, prepare_task
from rnncap.engine import RecurrentModel
from rnncap.errors import InvalidInput
from rnncap.forecast import Forecaster, save

pytestmark = pytest.mark.slow  # trains models


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    td = prepare_task(Task(history=8, horizon=1, stride=48))
    model = Forecaster("rnn_relu:1x4", epochs=2, seed=3).fit(td)
    return save(model, tmp_path_factory.mktemp("ckpt") / "relu.pt"), model


def test_checkpoint_norms_equal_those_of_the_saved_weights(checkpoint):
    path, model = checkpoint
    result = checkpoint_norms(path)
    start = RecurrentModel(model.spec_, seed=3).state_dict()  # how the forecaster initialises
    direct = weight_norms(model.spec_, model.model_.state_dict(), start)
    assert result.rows == direct.rows
    hh = next(r for r in result.rows if r.tensor == "weight_hh")
    w = model.model_.layers[0].weight_hh_l0.detach().double()
    assert hh.spectral == pytest.approx(torch.linalg.matrix_norm(w, 2).item(), rel=1e-9)
    assert hh.distance_from_init > 0  # two epochs of training moved the weights


def test_catalog_bounds_are_evaluated_and_say_when_vacuous(checkpoint):
    bounds = {b["key"]: b for b in checkpoint_norms(checkpoint[0]).bounds}
    tu = bounds["tu20-fisher-rao"]
    assert tu["kind"] == "explicit"
    assert tu["vacuous"] == (tu["value"] is None or tu["value"] >= 1)
    assert bounds["clz20-vanilla-order"]["kind"] == "not applicable"  # tanh only


def test_cli_json_and_table(checkpoint, capsys):
    assert main(["capacity", "norms", str(checkpoint[0]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["arch"] == "rnn_relu:1x4" and doc["has_initial"] is True
    assert {r["tensor"] for r in doc["rows"]} == {"weight_ih", "weight_hh", "weight"}
    assert main(["capacity", "norms", str(checkpoint[0])]) == 0
    table = capsys.readouterr().out
    assert "Tu–He–Tao" in table
    assert "E[xxᵀ]" in table or "vacuous" not in table  # bound texts are not eaten as markup


def test_a_file_that_is_not_a_checkpoint_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_text("not a checkpoint")
    assert main(["capacity", "norms", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "not a readable checkpoint" in err and "\n" not in err
    with pytest.raises(InvalidInput, match="no checkpoint file"):
        checkpoint_norms(tmp_path / "missing.pt")
