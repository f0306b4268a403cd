"""The ranking's table cells and its one sentence, from known rankings."""

from rnncap.measures.rank import MeasureRank, MeasureRanking, Tau, rank_measures
from rnncap.measures.records import BOUND_PREFIX, GAP_IID, LOG_PARAMS
from rnncap.measures.summary import fmt_tau, ranking_table, verdict


def test_cells_say_no_evidence_when_the_interval_includes_zero():
    assert fmt_tau(Tau(0.41, 0.3, 0.52)) == "+0.41 [+0.30, +0.52]"
    assert fmt_tau(Tau(0.05, -0.1, 0.2)) == "+0.05 [-0.10, +0.20] n.e."
    assert fmt_tau(Tau(-0.3, -0.5, -0.1)) == "-0.30 [-0.50, -0.10]"
    assert fmt_tau(Tau(None)) == "—"
    assert fmt_tau(Tau(0.5, -0.001, 1.0)) == "+0.50 [+0.00, +1.00] n.e."  # never "-0.00"


def _row(name: str, tau: Tau) -> MeasureRank:
    return MeasureRank(name, 10, {GAP_IID: tau}, {GAP_IID: {"units": tau}}, {GAP_IID: tau})


def test_the_sentence_names_best_worst_and_the_bound_against_the_count():
    rows = (
        _row(LOG_PARAMS, Tau(0.2, 0.05, 0.35)),
        _row(BOUND_PREFIX + "a", Tau(0.5, 0.3, 0.7)),
        _row(BOUND_PREFIX + "b", Tau(0.1, -0.1, 0.3)),
        _row("sharp", Tau(-0.4, -0.6, -0.2)),
    )
    text = verdict(MeasureRanking(10, (GAP_IID,), ("units",), 200, 0, rows))
    assert "best by log10_bound:a (tau +0.50 [+0.30, +0.70])" in text
    assert "worst by sharp (tau -0.40 [-0.60, -0.20])" in text
    assert "1 of 2 bounds rank it better than the parameter count (tau +0.20)" in text
    assert text.count(".") >= 1 and "\n" not in text


def test_no_evidence_and_no_better_bound_are_said():
    rows = (
        _row(LOG_PARAMS, Tau(0.6, 0.4, 0.8)),
        _row(BOUND_PREFIX + "a", Tau(0.1, -0.1, 0.3)),
    )
    text = verdict(MeasureRanking(10, (GAP_IID,), ("units",), 200, 0, rows))
    assert "worst by log10_bound:a (tau +0.10 [-0.10, +0.30], no evidence)" in text
    assert "no bound ranks it better than the parameter count (tau +0.60)" in text


def test_tables_order_measures_by_tau_with_one_column_per_axis(synthetic):
    ranking = rank_measures(synthetic, resamples=50)
    iid, shift = ranking_table(ranking)
    assert iid.columns == ("measure", "models", "tau", *(f"psi {a}" for a in ranking.axes), "Psi")
    assert set(ranking.axes) == {"units", "lr", "dropout", "layers"}
    names = [r[0] for r in iid.rows]
    assert names[0] == BOUND_PREFIX + "km97-pfaffian-unrolled" and names[-1] == "inverse"
    assert all(len(r) == len(iid.columns) for r in iid.rows + shift.rows)
