"""The capacity atlas as a measure: its converged memorization for the model's cell and widths."""

import pytest

from rnncap.capacity.atlas import quote
from rnncap.measures import compute as c


def _atlas(converged: bool, bits: float = 2.5) -> dict:
    row = {"arch": "gru:1x2", "memorization": {"converged": converged,
           "bits_per_parameter": {"mean": bits}}}  # fmt: skip
    return {"rows": [row]}


def test_a_converged_row_of_the_same_cell_and_widths_is_quoted():
    assert quote.atlas_bits_per_parameter("gru", (2,), _atlas(True)) == 2.5
    assert quote.atlas_bits_per_parameter("gru", (2,), _atlas(False)) is None  # not converged
    assert quote.atlas_bits_per_parameter("lstm", (2,), _atlas(True)) is None  # other cell
    assert quote.atlas_bits_per_parameter("gru", (2, 2), _atlas(True)) is None  # other depth
    assert quote.atlas_bits_per_parameter("gru", (3,), _atlas(True)) is None  # other width


@pytest.mark.parametrize("converged", [True, False])
def test_model_measures_carry_the_atlas_figure_only_where_it_converged(
    monkeypatch, make_member, make_data, converged
):
    monkeypatch.setattr(quote, "load_atlas", lambda: _atlas(converged, bits=3.25))
    got = c.model_measures(make_member("gru:1x2"), make_data())
    if converged:
        assert got[c.ATLAS_BITS] == 3.25
    else:
        assert c.ATLAS_BITS not in got  # missing, never 0
