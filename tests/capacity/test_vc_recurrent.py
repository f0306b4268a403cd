"""The VC measurement on small recurrent classifiers through the engine, and its bad input."""

import json

import numpy as np
import pytest

from rnncap import parse_arch
from rnncap.capacity.vc import VCDesign, default_vc_settings, growth_table, measure_vc_recurrent
from rnncap.cli.app import main
from rnncap.errors import InvalidInput

pytestmark = pytest.mark.slow  # trains models

DESIGN = VCDesign((1, 2, 4, 8, 16, 32, 64), repetitions=8)


@pytest.fixture(scope="module")
def by_k():
    settings = default_vc_settings(epochs=300, lr=0.02)
    return {
        k: measure_vc_recurrent(
            parse_arch("rnn_tanh:1x2", input_size=1, seq_len=k), DESIGN, settings=settings
        )
        for k in (1, 4)
    }


def test_estimates_are_fitted_inside_the_design(by_k):
    for est in by_k.values():
        assert est.parameters == 13  # 2 * (1 + 2 + 2) + (2 + 1)
        assert est.fit.bracketed
        assert 1.0 < est.h < 2 * max(DESIGN.sample_sizes)
        assert [p.n for p in est.points] == list(DESIGN.sample_sizes)


def test_longer_sequences_give_a_larger_vc_estimate(by_k):
    # the seed question measured: Koiran and Sontag's Omega(wk) grows with k at fixed w
    rows = growth_table([by_k[1], by_k[4]])
    assert rows[1]["wk_ratio"] == 4.0
    assert rows[1]["h_ratio"] > 1.3


def test_deviation_decreases_with_the_sample_size(by_k):
    xi = np.array([p.mean_deviation for p in by_k[4].points])
    assert xi[0] > 0.8 and xi[-1] < 0.4


def test_network_too_large_for_the_budget_is_refused():
    spec = parse_arch("lstm:1x32", input_size=1, seq_len=4)
    with pytest.raises(InvalidInput, match="network too large for the budget"):
        measure_vc_recurrent(spec, max_samples=1000)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seq-len", "0"], "--seq-len must be an integer >= 1"),
        (["--seq-len", ""], "at least one length"),
        (["--n", "4,8"], "too few for the fit"),
        (["--n", ""], "network too large for the budget"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args, message):
    extra = ["--max-samples", "100"] if message.startswith("network") else []
    assert main(["capacity", "vc", "lstm:1x8", *args, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_cli_linear_json(capsys):
    args = ["capacity", "vc", "linear", "--input-size", "5", "--n", "1,2,4,8,16,32,64", "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    est = doc["estimates"][0]
    assert est["model"] == "linear" and est["known_vc"] == 6
    assert abs(est["relative_error"]) <= 0.25
    assert doc["growth"][0]["h_ratio"] == 1.0
