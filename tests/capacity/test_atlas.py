"""The capacity atlas: its points run as study units into the study store, resume after an
interruption with the same rows, double a row's budget only while its curve has not converged,
and export rows whose curves, verdicts and intervals are recomputed here independently."""

import dataclasses
import json

import pytest
from scipy import stats

from rnncap.capacity.atlas.grid import AtlasGrid, AtlasProtocol, Design
from rnncap.capacity.atlas.run import run_atlas, stored_points
from rnncap.capacity.atlas.table import export_atlas, slope
from rnncap.capacity.convergence import Convergence
from rnncap.capacity.sweep import Sweep
from rnncap.cli.app import main
from rnncap.errors import RnncapError
from rnncap.study.executors import InlineExecutor
from rnncap.study.store import ResultsStore

SWEEP = Sweep((0.05,), ("restarts",), 1, ("bce",), ("gaussian",))
TINY = AtlasGrid(
    cells=("rnn_tanh",), depths=(1, 2), designs=(Design("fixed-width", 2),), seeds=(0, 1, 2),
    protocol=AtlasProtocol(2, 0, SWEEP, (1.0, 2.0), epochs=4, vc_epochs=4, vc_repetitions=2),
    max_budgets=3,
)  # fmt: skip


def w_rnn(layers: int, units: int, d: int) -> int:
    """Hand count: per layer W_ih + W_hh + two biases, and a one-logit head."""
    first = units * d + units * units + 2 * units
    return first + (layers - 1) * (2 * units * units + 2 * units) + units + 1


def per_seed(fake):
    """A fake of `measure_point(spec, seed, options)` as `measure_points` (one per seed)."""
    return lambda spec, seeds, options, device=None: [fake(spec, s, options) for s in seeds]


def measure_point(spec, seed, options):
    from rnncap.capacity.atlas.grid import measure_points

    (point,) = measure_points(spec, [seed], options)
    return point


def values(points):
    return {k: (p.bits, p.vc_h, p.arch, p.parameters) for k, p in points.items()}


@pytest.mark.slow
def test_an_interrupted_atlas_resumes_to_the_same_rows(tmp_path):
    whole = run_atlas(TINY, tmp_path / "whole", InlineExecutor(), wave=4)
    # 2 depths x 3 seeds x 3 budgets: one unit per depth (its 3 seeds, one run each read at the
    # 3 budgets)
    assert whole.ran == 2 and whole.points == 18
    first = run_atlas(TINY, tmp_path / "cut", InlineExecutor(), wave=4, stop_after=1)
    assert first.ran == 1 and first.points == 9
    rest = run_atlas(TINY, tmp_path / "cut", InlineExecutor(), wave=4)
    assert rest.ran == 1 and rest.points == 18  # nothing finished is run again
    again = run_atlas(TINY, tmp_path / "cut", InlineExecutor(), wave=4)
    assert again.ran == 0
    with ResultsStore.open(tmp_path / "whole") as a, ResultsStore.open(tmp_path / "cut") as b:
        fp = TINY.protocol.fingerprint()
        pa, pb = stored_points(a, fp), stored_points(b, fp)
    assert values(pa) == values(pb)
    assert {p.parameters for p in pa.values()} == {w_rnn(1, 2, 2), w_rnn(2, 2, 2)}
    doc = export_atlas(tmp_path / "cut", command="test")
    assert len(doc["rows"]) == 2 and doc["provenance"]["points"] == 18
    for row in doc["rows"]:  # the curve and verdict from the points, recomputed here
        key = row["arch"]
        curve = [[pb[(key, s, k)].bits for s in (0, 1, 2)] for k in range(3)]
        assert [c["bits_by_seed"] for c in row["curve"]] == curve
        assert row["memorization"]["verdict"] == Convergence(curve).verdict
        last = curve[-1]
        lo, hi = stats.t.interval(0.95, 2, loc=sum(last) / 3, scale=stats.sem(last))
        assert row["memorization"]["bits"]["ci95"] == pytest.approx([lo, hi])
        assert [c["memorization_epochs"] for c in row["curve"]] == [4, 8, 16]


def test_a_point_reads_its_lower_levels_as_their_own_runs_measure_them():
    """The run to level 2 read at levels 0 and 1 gives what the runs to levels 0 and 1 give:
    memorized bits and the VC estimate, at every level (so a point may stand for the lower
    ones)."""
    from rnncap.capacity.atlas.grid import measure_points, point_options

    row = TINY.rows()[1]  # depth 2
    tops = measure_points(row.spec, [0, 1], point_options(row, 2, TINY.protocol))
    for top in tops:
        assert len(top.bits_curve) == 3 and top.bits_curve[-1] == top.bits
        assert [p.level for p in top.below()] == [0, 1]
        assert list(top.bits_curve) == sorted(top.bits_curve)  # the most bits so far
    for level in (0, 1):
        alone = measure_points(row.spec, [0, 1], point_options(row, level, TINY.protocol))
        for top, own in zip(tops, alone, strict=True):
            lower = top.below()[level]
            assert (lower.bits, lower.vc_h, lower.vc_bracketed) == pytest.approx(
                (own.bits, own.vc_h, own.vc_bracketed), rel=1e-9)  # fmt: skip
            assert (lower.memorization_epochs, lower.vc_epochs) == (
                own.memorization_epochs, own.vc_epochs)  # fmt: skip
    # a seed trained beside another gives what it gives alone
    (one,) = measure_points(row.spec, [1], point_options(row, 2, TINY.protocol))
    assert one.bits_curve == pytest.approx(tops[1].bits_curve)
    assert one.vc_curve == pytest.approx(tops[1].vc_curve)


def test_a_row_doubles_only_while_its_curve_has_not_converged(tmp_path, monkeypatch):
    """Fake points: depth 1 flat from the third budget (converged after 3), depth 2 rising 10%
    per doubling (budget-limited, so doubled up to the cap of 5 budgets)."""
    from rnncap.capacity.atlas import grid as grid_module

    def fake(spec, seed, options, device=None):
        level, layers = int(options["level"]), int(options["layers"])
        value = 100.0 * (1.1**level if layers == 2 else 1.0) + seed
        return grid_module.AtlasPoint(
            options["cell"], options["design"], int(options["size"]), layers, spec.name, 10,
            seed, level, 4 * 2**level, 4 * 2**level, value, value / 2, True, 0.5,
            grid_module.from_plain(grid_module.AtlasProtocol, options["protocol"]).fingerprint(),
        )  # fmt: skip

    monkeypatch.setattr(grid_module, "measure_points", per_seed(fake))
    grid = AtlasGrid(TINY.cells, TINY.depths, TINY.designs, TINY.seeds, TINY.protocol, 5)
    run = run_atlas(grid, tmp_path, InlineExecutor(), wave=2)
    assert run.points == 3 * 3 + 3 * 5
    doc = export_atlas(tmp_path, command="test")
    by_depth = {r["layers"]: r for r in doc["rows"]}
    assert by_depth[1]["memorization"]["verdict"] == "converged"
    assert by_depth[2]["memorization"]["verdict"].startswith("budget-limited (+10% at 2x")
    assert [m["layers"] for m in doc["missing"]] == [2]
    assert doc["provenance"]["cpu_seconds"] == pytest.approx(0.5 * 24)
    group = doc["depth"][0]  # depth 2 did not converge: no trend drawn
    assert "no depth trend is drawn" in group["sentences"]["memorization"]


def test_slope_of_bits_against_w_matches_least_squares():
    rows = []
    for w, bits in ((100, (300.0, 310.0, 305.0)), (200, (590.0, 612.0, 600.0)),
                    (400, (1190.0, 1220.0, 1201.0)), (800, (9.0, 9.0, 9.0))):  # fmt: skip
        rows.append({"arch": f"n{w}", "design_label": "d", "parameters": w, "seeds": [0, 1, 2],
                     "memorization": {"converged": w != 800},
                     "curve": [{"bits_by_seed": list(bits)}]})  # fmt: skip
    out = slope(rows)
    x = [w for w in (100, 200, 400) for _ in range(3)]
    y = [300.0, 310.0, 305.0, 590.0, 612.0, 600.0, 1190.0, 1220.0, 1201.0]
    fit = stats.linregress(x, y)
    assert out["slope"] == pytest.approx(fit.slope) and out["sizes"] == [100, 200, 400]
    half = stats.t.ppf(0.975, 7) * fit.stderr
    assert out["slope_ci95"] == pytest.approx([fit.slope - half, fit.slope + half])
    assert slope(rows[:2])["slope"] is None  # 2 converged sizes: no slope


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--designs", "deep"], "unknown design 'deep'; choose from fixed-width, equal-params"),
        (["--units", "3"], "fixed width 3 is below the 4 inputs per step"),
        (["--units", "3"], "the measure would be of width, not depth"),
        (["--epochs", "10000"], "over the limit of 1,000,000 per run"),
        (["--max-budgets", "9"], "--max-budgets must be an integer >= 3 and <= 8"),
        (["--max-budgets", "2"], "--max-budgets must be an integer >= 3"),
        (["--targets", "3000"], "is too large for the atlas: its VC design trains members on"),
        (["--cells", "elman"], "elman"),
    ],
)
def test_bad_atlas_input_exits_2_with_one_line(capsys, tmp_path, args, message):
    assert main(["capacity", "atlas", "--out", str(tmp_path / "a"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not (tmp_path / "a").exists()  # refused before any folder or store was written


def fake_points(monkeypatch, by_depth: dict, rising: set = frozenset()):
    """measure_point replaced: value by_depth[L] (+ the seed), flat over budgets (converged),
    or rising 10% per doubling for depths in `rising` (budget-limited)."""
    from rnncap.capacity.atlas import grid as grid_module

    def fake(spec, seed, options, device=None):
        level, layers = int(options["level"]), int(options["layers"])
        value = by_depth[layers] * (1.1**level if layers in rising else 1.0) + seed
        proto = grid_module.from_plain(grid_module.AtlasProtocol, options["protocol"])
        return grid_module.AtlasPoint(
            options["cell"], options["design"], int(options["size"]), layers, spec.name,
            spec.num_layers * 10, seed, level, 4 * 2**level, 4 * 2**level, value, value, True,
            1.0, options.get("fingerprint") or proto.fingerprint(),
        )  # fmt: skip

    monkeypatch.setattr(grid_module, "measure_points", per_seed(fake))


def test_the_atlas_is_quoted_by_explain_and_depth_only_where_converged(
    tmp_path, monkeypatch, capsys
):
    from rnncap.capacity.atlas import quote

    fake_points(monkeypatch, {1: 100.0, 2: 150.0, 4: 170.0}, rising={4})
    grid = AtlasGrid(TINY.cells, (1, 2, 4), TINY.designs, TINY.seeds, TINY.protocol, 3)
    run_atlas(grid, tmp_path / "a", InlineExecutor(), wave=8)
    path = tmp_path / "v1.json"
    assert main(["capacity", "atlas", "--out", str(tmp_path / "a"), "--export-only",
                 "--export", str(path), "--cells", "rnn_tanh", "--designs", "fixed-width",
                 "--units", "2", "--input-bits", "2", "--delay", "0", "--json"]) == 0  # fmt: skip
    monkeypatch.setattr(quote, "ATLAS_PATH", path)
    quote.load_atlas.cache_clear()
    lines = quote.depth_quote("rnn_tanh", "fixed-width")
    text = "\n".join(lines)
    assert "rnncap/capacity/atlas/v1.json" in lines[0]
    paired = [(150 + s) / (100 + s) for s in (0, 1, 2)]
    mean = sum(paired) / 3
    lo, hi = stats.t.interval(0.95, 2, loc=mean, scale=stats.sem(paired))
    ratio = 151 / 101  # the ratio of the means over seeds 0, 1, 2
    assert f"L=2: VC h(L)/h(1) {ratio:.2f} [95% {lo:.2f}-{hi:.2f}]" in text
    assert "L=4" not in text.split("Not in the atlas")[0]  # budget-limited: never a figure
    assert text.count("rnn_tanh fixed-width 2 units: L=4 (not converged after 3 budgets") == 1
    # explain: the same cell at the same width is the fixed-width design, quoted with its source
    capsys.readouterr()
    assert main(["explain", "rnn_tanh:1x2", "rnn_tanh:2x2", "--json"]) == 0
    measured = json.loads(capsys.readouterr().out)["direct_answer"]["measured"]
    assert [m["what"].split(" (")[0] for m in measured] == ["VC-dimension estimate",
                                                            "memorized bits"]  # fmt: skip
    assert measured[0]["a"] == pytest.approx(101) and measured[0]["b"] == pytest.approx(151)
    assert "rnncap/capacity/atlas/v1.json" in measured[0]["source"]
    # depths 1 and 4: depth 4 did not converge, so nothing is quoted, and the note says so
    assert main(["explain", "rnn_tanh:1x2", "rnn_tanh:4x2"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "has no converged figure for rnn_tanh at 1 and 4 layers in the fixed-width" in out
    quote.load_atlas.cache_clear()


def test_a_network_two_designs_share_is_measured_once(tmp_path, monkeypatch):
    """rnn_tanh:1x2 on 2 inputs has w = 15 (hand count), so it is both the fixed-width-2 row and
    the equal-params-15 row: its points are measured once and serve both rows."""
    assert w_rnn(1, 2, 2) == 15
    fake_points(monkeypatch, {1: 40.0})
    designs = (Design("fixed-width", 2), Design("equal-params", 15))
    grid = AtlasGrid(TINY.cells, (1,), designs, TINY.seeds, TINY.protocol, 3)
    assert run_atlas(grid, tmp_path, InlineExecutor(), wave=8).points == 3 * 3
    rows = export_atlas(tmp_path, command="test")["rows"]
    assert [(r["design"], r["arch"]) for r in rows] == [
        ("fixed-width", "rnn_tanh:1x2"), ("equal-params", "rnn_tanh:1x2")]  # fmt: skip
    assert rows[0]["curve"] == rows[1]["curve"]


def test_capacity_depth_quotes_the_atlas_apart_from_its_live_figures(tmp_path, monkeypatch, capsys):
    """The live measurement (here a budget-limited stand-in) keeps its own sentences; the atlas
    comes after, named as a separate measurement with its file, never in the live table."""
    import rnncap.capacity.depth_measure as depth_measure
    from rnncap.capacity.atlas import quote
    from rnncap.capacity.depth import DepthMeasure, DepthMeasurement, DepthRow

    fake_points(monkeypatch, {1: 100.0, 2: 150.0})
    run_atlas(AtlasGrid(TINY.cells, (1, 2), TINY.designs, TINY.seeds, TINY.protocol, 3),
              tmp_path / "a", InlineExecutor(), wave=8)  # fmt: skip
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(export_atlas(tmp_path / "a", command="test")))
    monkeypatch.setattr(quote, "ATLAS_PATH", path)
    quote.load_atlas.cache_clear()
    rising = DepthMeasure(((10.0, 11.0, 12.0), (20.0, 21.0, 22.0), (40.0, 41.0, 42.0)))
    live = DepthMeasurement("rnn_tanh", 4, 4, 2, (0, 1, 2), (
        DepthRow(1, "rnn_tanh:1x4", 45, rising, rising, True, (0, 1, 2)),
        DepthRow(2, "rnn_tanh:2x4", 85, rising, rising, True, (0, 1, 2))))  # fmt: skip
    monkeypatch.setattr(depth_measure, "measure_depth", lambda *a, **k: live)
    assert main(["capacity", "depth", "rnn_tanh", "--layers", "1,2"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    live_part, _, atlas_part = out.partition("The capacity atlas (a separate measurement")
    assert "no depth trend is drawn" in live_part and "v1.json" not in live_part
    assert "rnncap/capacity/atlas/v1.json" in atlas_part
    assert f"L=2: VC h(L)/h(1) {151 / 101:.2f}" in atlas_part
    assert main(["capacity", "depth", "rnn_tanh", "--layers", "1,2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("L=2: VC h(L)/h(1)" in line for line in doc["atlas"])
    quote.load_atlas.cache_clear()


@pytest.mark.slow
def test_an_atlas_killed_with_sigkill_resumes_without_loss(tmp_path):
    """The command killed (SIGKILL, process group) after its first points and run again ends
    with the points of an uninterrupted run: nothing recorded is lost or run twice."""
    import os
    import signal
    import subprocess
    import sys
    import time

    args = ["capacity", "atlas", "--cells", "rnn_tanh", "--depths", "1,2", "--designs",
            "fixed-width", "--units", "2", "--input-bits", "2", "--delay", "0", "--seeds", "3",
            "--epochs", "4", "--vc-epochs", "4", "--max-budgets", "3", "--wave", "1"]  # fmt: skip
    cmd = [sys.executable, "-m", "rnncap", *args, "--out"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen([*cmd, str(killed)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    fp = None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        try:
            with ResultsStore.open(killed) as store:
                fp = store.meta().get("atlas_protocol")
                if fp and len(stored_points(store, fp)) >= 3:
                    break
        except Exception:  # the store is being created
            continue
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with ResultsStore.open(killed) as store:
        before = values(stored_points(store, fp))
    assert 3 <= len(before) < 18
    assert subprocess.run([*cmd, str(killed)], capture_output=True).returncode == 0
    assert subprocess.run([*cmd, str(tmp_path / "whole")], capture_output=True).returncode == 0
    with ResultsStore.open(killed) as a, ResultsStore.open(tmp_path / "whole") as b:
        after, whole = values(stored_points(a, fp)), values(stored_points(b, fp))
    assert len(after) == 18 and after == whole
    assert {k: after[k] for k in before} == before  # the points recorded before the kill stay


def test_a_later_rnncap_with_another_fingerprint_resumes_the_same_points(tmp_path, monkeypatch):
    """A later rnncap may compute another fingerprint for the same protocol (a field added to a
    record): the resumed run keeps the store's, so nothing is measured twice."""
    fake_points(monkeypatch, {1: 100.0, 2: 150.0})
    first = run_atlas(TINY, tmp_path, InlineExecutor(), wave=4, stop_after=1)
    assert first.points == 3
    monkeypatch.setattr(AtlasProtocol, "fingerprint", lambda self: "a-later-rnncap")
    rest = run_atlas(TINY, tmp_path, InlineExecutor(), wave=4)
    assert rest.points == 18
    assert export_atlas(tmp_path)["provenance"]["points"] == 18


def test_a_wave_that_records_nothing_new_stops_with_one_line(tmp_path, monkeypatch):
    """Points recorded under other keys (here: every point claims another fingerprint) would be
    due again forever; the run stops after that wave and says why (it hung before)."""
    from rnncap.capacity.atlas import grid as grid_module

    def elsewhere(spec, seed, options, device=None):
        (point,) = real(spec, [seed], options)
        return dataclasses.replace(point, protocol="another-protocol")

    fake_points(monkeypatch, {1: 100.0, 2: 150.0})
    real = grid_module.measure_points
    monkeypatch.setattr(grid_module, "measure_points", per_seed(elsewhere))
    with pytest.raises(RnncapError, match="recorded no new point in a wave of 2 units"):
        run_atlas(TINY, tmp_path, InlineExecutor(), wave=4)


def test_a_measure_stops_where_it_converged_while_the_other_doubles_on(tmp_path, monkeypatch):
    """VC flat from the first budget (converged at 3) and 1% lower at the 4th, which it gets
    only because memorization (rising 10% per doubling) doubles on: VC's ladder stopped at 3
    budgets, so it is converged at its 3rd budget's value, not 'unstable' from a level that
    was not its own; memorization stays budget-limited over all 4."""
    from rnncap.capacity.atlas import grid as grid_module

    def fake(spec, seed, options, device=None):
        level = int(options["level"])
        proto = grid_module.from_plain(grid_module.AtlasProtocol, options["protocol"])
        return grid_module.AtlasPoint(
            options["cell"], options["design"], int(options["size"]), spec.num_layers,
            spec.name, 10, seed, level, 4 * 2**level, 4 * 2**level, 50.0 * 1.1**level + seed,
            (99.0 if level == 3 else 100.0) + seed, True, 1.0, proto.fingerprint(),
        )  # fmt: skip

    monkeypatch.setattr(grid_module, "measure_points", per_seed(fake))
    grid = AtlasGrid(TINY.cells, (1,), TINY.designs, TINY.seeds, TINY.protocol, 4)
    assert run_atlas(grid, tmp_path, InlineExecutor(), wave=8).points == 4 * 3
    (row,) = export_atlas(tmp_path)["rows"]
    assert row["vc"]["verdict"] == "converged" and row["vc"]["budgets_used"] == 3
    assert row["vc"]["h"]["mean"] == pytest.approx(101.0)
    assert row["memorization"]["budgets_used"] == 4 and row["budgets"] == 4
    assert row["memorization"]["verdict"].startswith("budget-limited (+10% at 2x")


class CatchingExecutor(InlineExecutor):
    """In process, but a unit that raises is recorded as failed, as the pool and Ray do."""

    def run(self, units, on_results, on_progress):
        from rnncap.study.records import FailedUnit
        from rnncap.study.unit import run_unit

        for unit in units:
            try:
                on_results([(unit, run_unit(unit.payload))])
            except RuntimeError as exc:
                failure = FailedUnit(unit.key, unit.arch, unit.seeds, str(exc), 1)
                on_results([(unit, failure)])


def test_a_unit_that_failed_is_retried_by_the_next_run_and_said(tmp_path, monkeypatch, capsys):
    """A unit that fails every attempt (a lost Ray raylet did this) is not run again in the same
    run, is named with its error, and the next run retries it (before, it was skipped forever
    and the command said nothing)."""
    from rnncap.capacity.atlas import grid as grid_module
    from rnncap.study import executors

    fake_points(monkeypatch, {1: 100.0, 2: 150.0})
    working = grid_module.measure_points
    broken = {"on": True}

    def flaky(spec, seeds, options, device=None):
        if broken["on"] and spec.num_layers == 2:
            raise RuntimeError("the raylet died")
        return working(spec, seeds, options)

    monkeypatch.setattr(grid_module, "measure_points", flaky)
    first = run_atlas(TINY, tmp_path, CatchingExecutor(), wave=4)
    assert first.failed == 1 and first.last_error == "the raylet died"
    assert first.points == 9  # depth 1 only
    broken["on"] = False
    again = run_atlas(TINY, tmp_path, CatchingExecutor(), wave=4)
    assert again.failed == 0 and again.points == 18
    broken["on"] = True
    monkeypatch.setattr(executors, "make_executor", lambda settings: CatchingExecutor())
    args = ["capacity", "atlas", "--out", str(tmp_path / "cli"), "--cells", "rnn_tanh",
            "--depths", "1,2", "--designs", "fixed-width", "--units", "2", "--input-bits", "2",
            "--delay", "0", "--epochs", "4", "--vc-epochs", "4", "--max-budgets", "3"]  # fmt: skip
    assert main(args) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "1 unit(s) failed every attempt (the last: the raylet died)" in err
    assert "running the atlas again retries them" in err


def test_a_seeds_curve_comes_from_its_longest_run(tmp_path, monkeypatch):
    """Runs of different units differ by float rounding; here a run to level k reads
    100 + 10 j - 5 k at level j < k (lower the longer the run, as two trajectories may part).
    Mixed, the curve would fall at each new level; read from the longest run it rises, every
    level's value is that run's, and the CPU of the shorter runs stays counted."""
    from rnncap.capacity.atlas import grid as grid_module

    def fake(spec, seed, options, device=None):
        k = int(options["level"])
        curve = tuple(100.0 + 10 * j - 5 * k + seed for j in range(k + 1))
        proto = grid_module.from_plain(grid_module.AtlasProtocol, options["protocol"])
        return grid_module.AtlasPoint(
            options["cell"], options["design"], int(options["size"]), spec.num_layers,
            spec.name, 10, seed, k, 4 * 2**k, 4 * 2**k, curve[-1], curve[-1], True, 1.0,
            proto.fingerprint(), curve, curve, (True,) * (k + 1),
        )  # fmt: skip

    monkeypatch.setattr(grid_module, "measure_points", per_seed(fake))
    grid = AtlasGrid(TINY.cells, (1,), TINY.designs, TINY.seeds, TINY.protocol, 4)
    run = run_atlas(grid, tmp_path, InlineExecutor(), wave=8)
    assert run.ran == 2 and run.points == 4 * 3  # a run to level 2, then one to level 3
    with ResultsStore.open(tmp_path) as store:
        points = stored_points(store, TINY.protocol.fingerprint())
    for seed in TINY.seeds:
        got = [points[("rnn_tanh:1x2", seed, j)].bits for j in range(4)]
        assert got == [100.0 + 10 * j - 15 + seed for j in range(4)]  # the level-3 run's
    assert sum(p.cpu_seconds for p in points.values()) == pytest.approx(2 * 3 * 1.0)
    (row,) = export_atlas(tmp_path)["rows"]
    assert not row["memorization"]["verdict"].startswith("unstable")
