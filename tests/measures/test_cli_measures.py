"""`rnncap study measures STORE` through the real CLI, on a store double's model points."""

import json

from rnncap.cli.app import main
from rnncap.measures.rank import MIN_MODELS
from rnncap.measures.records import GAP_IID, GAP_SHIFT
from rnncap.study.store import ResultsStore


def _one_error_line(capsys, *parts: str) -> None:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("Error: "), err
    for p in parts:
        assert p in err, err


def test_table_and_sentence(measured_store, capsys):
    assert main(["study", "measures", str(measured_store), "--resamples", "50"]) == 0
    out = capsys.readouterr().out
    assert "Kendall's tau with the same-season gap (gap_iid), 36 models" in out
    assert "season-shift gap (gap_shift)" in out
    for column in ("units", "psi lr", "dropout", "layers", "Psi"):
        assert column in out  # "psi AXIS" headers wrap onto two lines
    assert "log10_bound:km97-pfaffian-unrolled │" in out  # names are never cut
    assert "n.e." in out  # the noise measure's interval includes 0
    assert "Over 36 models, the same-season gap is ranked best by" in out
    assert "worst by inverse" in out


def test_json_is_the_ranking_and_the_sentence(measured_store, capsys):
    args = ["study", "measures", str(measured_store), "--resamples", "50", "--seed", "2", "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["models"] == 36 and doc["gaps"] == [GAP_IID, GAP_SHIFT] and doc["seed"] == 2
    rows = {r["measure"]: r for r in doc["rows"]}
    good = rows["good"]["overall"][GAP_IID]
    assert good["evidence"] and good["low"] > 0.5
    assert set(rows["good"]["granulated"][GAP_IID]) == {"units", "lr", "dropout", "layers"}
    assert doc["verdict"].startswith("Over 36 models")


def test_missing_store_is_one_line(tmp_path, capsys):
    assert main(["study", "measures", str(tmp_path / "nowhere")]) == 2
    _one_error_line(capsys, "no results store")


def test_store_without_measures_is_one_line(measured_store, monkeypatch, capsys):
    from dataclasses import replace

    points = [replace(p, measures={}) for p in ResultsStore.model_points(None)]
    monkeypatch.setattr(ResultsStore, "model_points", lambda self: points)
    assert main(["study", "measures", str(measured_store)]) == 2
    _one_error_line(capsys, "holds no model measures", "examples/measures.toml")


def test_too_few_models_is_one_line(measured_store, monkeypatch, capsys):
    points = ResultsStore.model_points(None)[: MIN_MODELS - 1]
    monkeypatch.setattr(ResultsStore, "model_points", lambda self: points)
    assert main(["study", "measures", str(measured_store)]) == 2
    _one_error_line(capsys, f"{MIN_MODELS - 1} models have measures", f"at least {MIN_MODELS}")


def test_bad_resamples_is_one_line(measured_store, capsys):
    assert main(["study", "measures", str(measured_store), "--resamples", "1"]) == 2
    _one_error_line(capsys, "--resamples")
