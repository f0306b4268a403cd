"""`rnncap study`: run the default study, or a study file, into a resumable store; then report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from rnncap.cli.app import app
from rnncap.cli.output import JsonOpt, fmt_int, print_json, stderr, stdout, table
from rnncap.errors import MAX_ECHO, check_int, printable
from rnncap.plain import to_plain
from rnncap.study import (
    ExecutorKind,
    ExecutorSettings,
    StudyConfig,
    StudySummary,
    UnitDone,
    default_study,
    load_study,
    run_study,
)
from rnncap.study.records import PhaseTimes

study_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Architecture studies: train a layers x units grid on real data, record every run in a "
    "resumable SQLite store, and write a report that answers the question. With no command: run "
    "the default study (LSTMs, layers 1-4 x units 8-64 plus an equal-budget frontier, on the "
    "embedded nyc2013 data). Example: rnncap study --quick --out quick-study",
)
app.add_typer(study_app, name="study")

OutOpt = Annotated[
    Path, typer.Option("--out", help="Study folder: results.sqlite and report/ go here.")
]
StoreArg = Annotated[
    Path, typer.Argument(help="Study folder (or its results.sqlite).", show_default=True)
]
ExecutorOpt = Annotated[
    ExecutorKind | None,
    typer.Option("--executor", help="inline (default), process or ray; overrides the file."),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="Process pool size (implies --executor process).")
]
AddressOpt = Annotated[
    str | None, typer.Option("--address", help="Ray cluster address, e.g. 10.0.0.5:6379.")
]
NoReportOpt = Annotated[bool, typer.Option("--no-report", help="Skip writing the report.")]


def _with_executor(
    cfg: StudyConfig, executor: ExecutorKind | None, workers: int | None, address: str | None
) -> StudyConfig:
    ex = cfg.executor
    if workers is not None:
        check_int(workers, "--workers", low=1, high=1024, hint="processes; e.g. --workers 2")
    kind = executor or (ExecutorKind.PROCESS if workers is not None else None)
    kind = kind or (ExecutorKind.RAY if address else ex.kind)
    workers = workers if workers is not None else ex.workers
    settings = ExecutorSettings(kind, workers, address or ex.address, ex.num_cpus)
    return cfg.replace(executor=settings)


def _run(cfg: StudyConfig, out: Path, json_out: bool, no_report: bool) -> None:
    err = stderr()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.1f}/{task.total:.0f} models"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    bar = Progress(*columns, console=err, transient=False)
    task = bar.add_task(escape(f"study {printable(cfg.name, MAX_ECHO)}"), total=1, start=False)

    def on_progress(done: float, total: float) -> None:
        if not bar.live.is_started:  # the plan is valid and recorded: show the bar from now on
            from rnncap.forecast.baselines import missing_baselines
            from rnncap.study.config import Measure

            if Measure.FORECAST in cfg.measures:  # say which baselines the report will lack
                for line in missing_baselines():
                    err.print(f"note: {line}", markup=False)
            bar.start()
            bar.start_task(task)
        bar.update(task, completed=done, total=total)

    def on_unit(u: UnitDone) -> None:
        mae = f"test MAE {u.test_mae:.3f}" if u.test_mae is not None else "done"
        where = f", node {u.node[:8]}" if u.node else ""
        where += f", attempt {u.attempts}" if u.attempts > 1 else ""
        line = f"[{u.done}/{u.total}] {u.arch} seeds {list(u.seeds)}: "
        if u.error is not None:
            line += f"FAILED after {u.attempts} attempts ({u.error})"
        else:
            line += f"{mae} ({u.seconds:.1f} s{where})"
        bar.console.print(line, markup=False)

    try:
        summary = run_study(cfg, out, on_unit=on_unit, on_progress=on_progress)
    finally:
        if bar.live.is_started:  # stopping a bar never shown prints a blank line
            bar.stop()
    result: dict = {"summary": to_plain(summary)}
    report_seconds = None
    if not no_report:
        from rnncap.report import build_report

        report_start = time.perf_counter()
        result["report"] = to_plain(build_report(summary.store, out / "report"))
        report_seconds = time.perf_counter() - report_start
        if result["summary"]["phases"] is not None:
            result["summary"]["phases"]["report"] = report_seconds
    if json_out:
        print_json(result)
        return
    _print_summary(summary, result.get("report"), report_seconds)


def _print_summary(s: StudySummary, rep: dict | None, report_seconds: float | None) -> None:
    """What ran, the report's answer (when built) and where the time went."""
    print(
        f"{s.planned} units planned, {s.skipped} already in the store, {s.ran} run now "
        f"({fmt_int(s.runs)} models, {s.seconds:.0f} s on {s.device}); store: {s.store}"
    )
    if s.failed:
        print(f"{s.failed} unit(s) failed every attempt; running the study again retries them")
    if rep is not None:
        for paragraph in rep["answer"]:
            print(f"- {paragraph.replace('**', '')}")
        print(f"report: {rep['folder']}/index.html")
    if s.phases is not None:
        print(phase_line(s.phases, report_seconds))


def phase_line(p: PhaseTimes, report: float | None) -> str:
    """One line: where the run's time went (docs/study.md quotes it)."""
    text = (
        f"time: setup {p.setup:.0f} s; units {p.units_wall:.0f} s wall (summed over units: "
        f"forecast {p.forecast_units:.0f} s, capacity {p.capacity:.0f} s); baselines "
        f"{p.baselines:.0f} s on the driver beside the units"
    )
    return text + ("" if report is None else f"; report {report:.0f} s")


@study_app.callback()
def study(
    ctx: typer.Context,
    quick: Annotated[bool, typer.Option("--quick", help="Smaller grid and budget.")] = False,
    out: OutOpt = Path("rnncap-study"),
    executor: ExecutorOpt = None,
    workers: WorkersOpt = None,
    address: AddressOpt = None,
    no_report: NoReportOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Run the default study (LSTMs, layers 1-4 x units 8-64 plus an equal-budget frontier, on the
    embedded nyc2013 data) and write its report. Run again to resume.

    Example: rnncap study --quick --out quick-study
    """
    if ctx.invoked_subcommand is not None:
        return
    cfg = _with_executor(default_study(quick), executor, workers, address)
    _run(cfg, out, json_out, no_report)


@study_app.command("run")
def run_cmd(
    file: Annotated[Path, typer.Argument(help="Study file (TOML), e.g. examples/study.toml.")],
    out: OutOpt = Path("rnncap-study"),
    executor: ExecutorOpt = None,
    workers: WorkersOpt = None,
    address: AddressOpt = None,
    no_report: NoReportOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Run a study file into a store (skipping finished units) and write its report.

    Example: rnncap study run examples/study.toml --out my-study --workers 2
    """
    cfg = _with_executor(load_study(file), executor, workers, address)
    if cfg == StudyConfig(executor=cfg.executor):
        stderr().print(
            f"note: {printable(file, MAX_ECHO)} sets nothing; running the built-in settings "
            "(LSTMs, layers 1-4 x units 8-64 and a frontier; docs/study.md lists them)",
            markup=False,
            soft_wrap=True,
        )
    _run(cfg, out, json_out, no_report)


@study_app.command("status")
def status_cmd(store: StoreArg = Path("rnncap-study"), json_out: JsonOpt = False) -> None:
    """How much of the planned study is done, per architecture.

    Example: rnncap study status rnncap-study
    """
    from rnncap.study.status import study_status

    st = study_status(store)
    if json_out:
        print_json(to_plain(st))
        return
    rows = [
        (a.arch, fmt_int(a.params or 0), f"{a.units_done}/{a.units_planned}", a.runs_done)
        for a in st.archs
    ]
    caption = (
        f"{st.units_done}/{st.units_planned} units, {st.runs_done}/{st.runs_planned} models, "
        f"{st.seconds:.0f} s of training" + ("; complete" if st.complete else "; run it to resume")
    )
    if st.nodes:
        per_node = ", ".join(f"{n[:8]} {c}" for n, c in sorted(st.nodes.items()))
        caption += f"\nunits per Ray node: {per_node}; {st.retried} retried after a failed attempt"
    for f in st.failed:
        caption += f"\nfailed ({f.attempts} attempts): {f.arch} seeds {list(f.seeds)}: {f.error}"
    stdout().print(
        table(
            f"study {st.name} ({st.store})",
            ["arch", "params", "units", "models"],
            rows,
            right=["params", "units", "models"],
            caption=caption,
        )
    )


@study_app.command("report")
def report_cmd(
    store: StoreArg = Path("rnncap-study"),
    out: Annotated[Path | None, typer.Option("--out", help="Report folder.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the report (index.html, report.md, PNG/SVG plots, results.csv) from the store alone.

    Example: rnncap study report rnncap-study --out rnncap-study/report
    """
    from rnncap.report import build_report

    folder = out or (store if store.is_dir() else store.parent) / "report"
    rep = build_report(store, folder)
    if json_out:
        print_json(to_plain(rep))
        return
    for paragraph in rep.answer:
        print(f"- {paragraph.replace('**', '')}")
    print(f"report: {rep.folder}/index.html ({len(rep.files)} files)")


@study_app.command("export")
def export_cmd(
    store: StoreArg = Path("rnncap-study"),
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
    salvage: Annotated[
        bool, typer.Option("--salvage", help="Damaged store: export the rows still readable.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Export every finished run (one row per model) as CSV or Parquet.

    Example: rnncap study export rnncap-study --format parquet --out runs.parquet
    """
    from rnncap.study.status import export_runs, runs_table, salvaged_table

    folder = store if store.is_dir() else store.parent
    path = export_runs(store, fmt, out or folder / f"runs.{fmt}", salvage=salvage)
    rows = len(salvaged_table(store)[0] if salvage else runs_table(store))
    if json_out:
        print_json({"file": str(path), "format": fmt, "rows": rows, "salvage": salvage})
        return
    print(f"wrote {rows} runs to {path}")
