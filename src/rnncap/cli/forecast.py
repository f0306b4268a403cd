"""`rnncap forecast train|evaluate|predict`: the recurrent forecaster against honest baselines."""

from __future__ import annotations

import contextlib
import math
import sys
from pathlib import Path
from typing import Annotated

import typer

from rnncap.atomic import check_writable_file
from rnncap.cli.app import app
from rnncap.cli.data import FreqOpt, MaxGapOpt, ResampleOpt, TimeColOpt, TzOpt
from rnncap.cli.output import JsonOpt, fmt_int, print_json, stderr, stdout, table
from rnncap.engine.settings import ForecastSettings
from rnncap.errors import RnncapError, check_float, check_int

forecast_app = typer.Typer(help="Train, evaluate and run recurrent weather forecasters.")
app.add_typer(forecast_app, name="forecast")

DataOpt = Annotated[str, typer.Option("--data", help="nyc2013, or a Jena or CSV file.")]
ModelArg = Annotated[Path, typer.Argument(help="Checkpoint written by `rnncap forecast train`.")]
#: The recipe (`rnncap.engine.ForecastSettings`): its defaults are the training flags' defaults.
RECIPE = ForecastSettings()


@forecast_app.command("train")
def train(
    data: DataOpt = "nyc2013",
    arch: Annotated[str, typer.Option(help="Architecture, e.g. lstm:2x32, gru:64,32.")] = (
        "lstm:2x32"
    ),
    preset: Annotated[str, typer.Option(help="Jena task preset: chollet or keras.")] = "",
    target: Annotated[str, typer.Option(help="Target variable(s), comma-separated.")] = "",
    station: Annotated[str, typer.Option(help="Station of the target (nyc2013: JFK).")] = "",
    stations: Annotated[
        str,
        typer.Option(help="Also forecast the target at these stations (JFK,LGA,EWR or all)."),
    ] = "",
    history: Annotated[
        int | None, typer.Option(help="Input steps per window [default: 120].")
    ] = None,
    horizon: Annotated[
        int | None, typer.Option(help="Steps ahead of the last input [default: 24].")
    ] = None,
    all_leads: Annotated[bool, typer.Option(help="Predict every lead 1..horizon.")] = False,
    horizons: Annotated[
        str, typer.Option(help="Leads to predict: 1-H (every lead 1..H) or H.")
    ] = "",
    inputs: Annotated[str, typer.Option(help="Input variables/columns (default: all).")] = "",
    time_features: Annotated[
        bool | None, typer.Option(help="Hour/day-of-year sin & cos [default: on].")
    ] = None,
    stride: Annotated[int, typer.Option(help="Keep every n-th window.")] = 1,
    split: Annotated[str, typer.Option(help="END_TRAIN,END_VAL: dates or fractions.")] = "",
    resample: ResampleOpt = "",
    freq: FreqOpt = "",
    time_column: TimeColOpt = "",
    tz: TzOpt = "",
    max_gap: MaxGapOpt = "",
    holdout_weeks: Annotated[
        int, typer.Option(help="Random whole weeks of the training months held out (0: none).")
    ] = 0,
    holdout_seed: Annotated[int, typer.Option(help="Seed of the holdout weeks' draw.")] = 0,
    epochs: Annotated[int, typer.Option(help="Maximum epochs.")] = RECIPE.epochs,
    batch_size: Annotated[int, typer.Option(help="Windows per batch.")] = RECIPE.batch_size,
    lr: Annotated[float, typer.Option(help="Peak Adam learning rate.")] = RECIPE.lr,
    schedule: Annotated[
        str, typer.Option(help="Learning rate over epochs: cosine, constant or onecycle.")
    ] = RECIPE.schedule.value,
    dropout: Annotated[float, typer.Option(help="Dropout between layers.")] = RECIPE.dropout,
    clip: Annotated[float, typer.Option(help="Gradient-norm clipping (0: none).")] = (
        RECIPE.clip or 0.0
    ),
    patience: Annotated[int, typer.Option(help="Early-stopping patience (epochs).")] = (
        RECIPE.patience
    ),
    weight_decay: Annotated[float, typer.Option(help="Adam L2 weight decay.")] = (
        RECIPE.weight_decay
    ),
    anchor: Annotated[
        str,
        typer.Option(help="Residual anchor: auto, persistence, ridge, lagged-ridge or none."),
    ] = RECIPE.anchor,
    blend: Annotated[
        str,
        typer.Option(
            help="Combine the forecast with this baseline, the share chosen on validation: "
            "lagged-ridge, ridge or none."
        ),
    ] = RECIPE.blend,
    shuffle: Annotated[bool, typer.Option(help="Reshuffle the windows each epoch.")] = (
        RECIPE.shuffle
    ),
    threads: Annotated[
        int | None,
        typer.Option(
            help="Torch CPU threads; default 1 (RNNCAP_THREADS, docs/robustness.md): other "
            "counts give other weights; 0 = torch's."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of weights, dropout and batch order.")] = 0,
    ensemble: Annotated[
        int,
        typer.Option(help="Seed-ensemble members (seeds SEED..), trained at once; 1 = one model."),
    ] = 5,
    time_limit: Annotated[
        float, typer.Option(help="Stop after this many seconds of training (0: no limit).")
    ] = (RECIPE.time_limit or 0.0),
    out: Annotated[Path, typer.Option(help="Checkpoint file to write.")] = Path("model.pt"),
    json: JsonOpt = False,
) -> None:
    """Train a forecaster and write one checkpoint file.

    Example: rnncap forecast train --data nyc2013 --arch lstm:2x32 --out model.pt
    """
    from rnncap.cli.task_options import task_from_options
    from rnncap.forecast import Forecaster, save, train_summary

    check_writable_file(out, "--out")  # before any work, not after training
    if threads is not None:
        check_int(threads, "--threads", low=0, high=1024, hint="0 keeps torch's default")
    check_float(time_limit, "--time-limit", low=0.0, hint="seconds; 0 for no limit")
    task = task_from_options(
        data, preset=preset, target=target, station=station, stations=stations, history=history,
        horizon=horizon, horizons=horizons, all_leads=all_leads, inputs=inputs,
        time_features=time_features, stride=stride, split=split, resample=resample, freq=freq,
        time_column=time_column, tz=tz, max_gap=max_gap, holdout_weeks=holdout_weeks or None,
        holdout_seed=holdout_seed or None,
    )  # fmt: skip
    from rnncap.data import prepare_task

    td = prepare_task(task)
    model = Forecaster(
        arch, seed=seed, ensemble=ensemble, dropout=dropout, epochs=epochs,
        batch_size=batch_size, lr=lr, schedule=schedule, clip=clip, patience=patience,
        weight_decay=weight_decay, anchor=anchor, blend=blend, shuffle=shuffle,
        time_limit=time_limit or None,  # 0: no limit (see --help)
    )  # fmt: skip
    model.build_spec(td)  # bad settings fail here, before the progress bar
    from rnncap.threads import torch_threads

    # None: the thread policy for one process (rnncap.threads); 0: torch's own default
    threads_set = contextlib.nullcontext() if threads == 0 else torch_threads(threads)
    with threads_set, _epoch_bar(epochs * ensemble) as advance:
        model.fit(td, progress=advance)
    if not model.best_epoch_:
        raise RnncapError(
            f"training of {arch} diverged: no epoch had a finite loss, so nothing was written; "
            "try a lower --lr or check the data"
        )
    save(model, out)
    summary = train_summary(model, td, out)
    if json:
        print_json(summary)
        return
    t = summary["task"]
    rows = [
        ("task", f"{','.join(td.target_columns)} {t['horizon']} steps ahead from {t['history']}"),
        ("parameters", fmt_int(summary["parameters"])),
        (
            "windows " + "/".join(summary["windows"]),
            "/".join(fmt_int(n) for n in summary["windows"].values()),
        ),
        *(
            [("ensemble", f"{ensemble} members (seeds {seed}..{seed + ensemble - 1}), mean")]
            if ensemble > 1
            else []
        ),
        (
            "epochs run (best)",
            f"{summary['epochs_run']} ({summary['best_epoch']}), {summary['status']}",
        ),
        ("training time", f"{summary['train_seconds']:.0f} s"),
        *([("blend", _blend_text(summary["blend"]))] if summary["blend"] else []),
        ("MSE train/val/test (scaled)", "/".join(f"{v:.4f}" for v in summary["loss"].values())),
    ]
    for split in ("val", "test", "holdout")[: 3 if td.holdout is not None else 2]:
        m = summary[f"{split}_mae"]
        rows.append(
            (f"{split} MAE", f"{m['model']:.3f} (persistence {m['persistence']:.3f}, "
             f"skill {_skill(m['skill'])})")
        )  # fmt: skip
    if "gap_iid" in summary:
        rows.append(("holdout - train MAE", f"{summary['gap_iid']:+.3f}"))
    stdout().print(table(f"{summary['arch']} -> {out}", ["", "value"], rows))


def _shares(shares) -> str:
    """The network's share of a blend: one value, or the range over the outputs."""
    low, high = float(min(shares)), float(max(shares))
    return f"{low:.2f}" if low == high else f"{low:.2f}-{high:.2f}"


def _blend_text(blend: dict) -> str:
    """The blend row of `train`'s table: the network's share(s) and the validation MAEs."""
    mae = {k: sum(v) / len(v) for k, v in blend["val_mae"].items()}
    return (
        f"{_shares(blend['network_share'])} network + rest {blend['baseline']} "
        f"(val MAE {mae['blend']:.3f}; network alone {mae['network']:.3f}, "
        f"{blend['baseline']} {mae['partner']:.3f})"
    )


@forecast_app.command("evaluate")
def evaluate(
    model_path: ModelArg,
    data: Annotated[
        str, typer.Option("--data", help="Other data (default: the training data).")
    ] = "",
    plot: Annotated[
        Path | None, typer.Option(help="Write a PNG: fortnight and error by lead.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Score the model and every baseline on validation and test (physical units).

    Example: rnncap forecast evaluate model.pt --plot forecast.png
    """
    from rnncap.forecast import evaluate as run_evaluation
    from rnncap.forecast import load
    from rnncap.forecast.tasks import task_data_for

    if plot is not None:
        check_writable_file(plot, "--plot")
    model = load(model_path)
    td = task_data_for(model, data)
    result = run_evaluation(model, td)
    if plot is not None:
        from rnncap.forecast.plots import plot_evaluation

        plot_evaluation(model, td, result, plot)
    if json:
        print_json(result)
        return
    unit = ",".join(result.units)
    columns = ["model", "split", f"MAE ({unit})", f"RMSE ({unit})", "skill", "windows"]
    rows = [
        (s.model, s.split, f"{s.mae:.3f}", f"{s.rmse:.3f}", _skill(s.skill), fmt_int(s.n))
        for s in result.scores
    ]
    losses = ", ".join(f"{k} {v:.4f}" for k, v in result.losses.items())
    caption = f"skill = 1 - MAE / MAE(persistence); network MSE (scaled): {losses}"
    if model.blend_ is not None:  # the model's forecast includes a fitted baseline: say so
        caption += (
            f"; the model's forecast is {_shares(model.blend_.weight)} network + the rest "
            f"{model.blend_.partner.kind} (fitted on train, share chosen on validation)"
        )
    console = stdout()
    console.print(table(str(model_path), columns, rows, right=columns[2:], caption=caption))
    if result.differences:
        console.print(_differences_table(result, unit))
    if result.by_output:
        console.print(_by_output_table(result, unit))
    for note in result.notes:
        stderr().print(note, markup=False, soft_wrap=True)


#: Lead times shown in the per-output table (every lead is in --json and the --plot figure).
SHOWN_LEADS = (1, 3, 6, 12, 18, 24, 36, 48)


def _by_output_table(result, unit: str):
    leads = sorted({c.lead for c in result.by_output})
    shown = [h for h in leads if h in SHOWN_LEADS or h == leads[-1]]
    columns = ["target", "lead", f"{result.model} val / test", "strongest baseline (val)",
               "its val / test", f"test difference ({unit}), 95 % interval"]  # fmt: skip
    rows = []
    for c in result.by_output:
        if c.lead not in shown:
            continue
        best = c.strongest_baseline(result.model)
        d = next(d for d in c.differences if d.baseline == best)
        mine = f"{c.val[result.model]:.3f} / {c.test[result.model]:.3f}"
        rows.append((c.target, str(c.lead), mine, best, f"{c.val[best]:.3f} / {c.test[best]:.3f}",
                     f"{d.difference:+.3f} [{d.low:+.3f}, {d.high:+.3f}]"))  # fmt: skip
    caption = (
        "each output alone (every baseline fitted per output, chosen on validation); leads "
        f"{', '.join(map(str, shown))} of {len(leads)} shown, all in --json (by_output)"
    )
    return table("per target and lead time", columns, rows, right=columns[2:], caption=caption)


def _differences_table(result, unit: str):
    first = result.differences[0]
    columns = ["baseline", f"test MAE difference ({unit})", f"{first.level:.0%} interval", ""]
    rows = [
        (d.baseline, f"{d.difference:+.3f}", f"[{d.low:+.3f}, {d.high:+.3f}]",
         ("model better" if d.high < 0 else "baseline better") if d.significant else "unclear")
        for d in result.differences
    ]  # fmt: skip
    caption = (
        f"{result.model} minus baseline (negative: the model is better); moving-block bootstrap "
        f"of the paired test windows, blocks of {first.block} windows, {first.resamples} resamples"
    )
    return table(f"{result.model} against each baseline", columns, rows, right=columns[1:3],
                 caption=caption)  # fmt: skip


@forecast_app.command("predict")
def predict(
    model_path: ModelArg,
    data: Annotated[str, typer.Option("--data", help="nyc2013, or a file with the same columns.")],
    out: Annotated[Path | None, typer.Option(help="CSV file to write (default: stdout).")] = None,
    json: JsonOpt = False,
) -> None:
    """Forecast from every complete window of the data, as CSV (one row per window and lead).

    Example: rnncap forecast predict model.pt --data nyc2013 --out forecasts.csv
    """
    from rnncap.forecast import forecast_frame, load
    from rnncap.forecast.tasks import dataset_for, write_csv

    if out is not None:
        check_writable_file(out, "--out")
    model = load(model_path)
    frame = forecast_frame(model, dataset_for(model, data))
    if json:
        print_json({"model": str(model_path), "rows": len(frame), "forecasts": _records(frame)})
    elif out is not None:
        write_csv(frame, out)
        stderr().print(f"wrote {fmt_int(len(frame))} forecasts to {out}", markup=False)
    else:
        frame.to_csv(sys.stdout, index=False)


def _records(frame) -> list[dict]:
    out = frame.copy()
    for col in ("issued", "valid"):
        out[col] = out[col].map(lambda t: t.isoformat())
    out["observed"] = out["observed"].astype(object).where(out["observed"].notna(), None)
    return out.to_dict(orient="records")


class _epoch_bar:  # noqa: N801  (used as a context manager)
    """A Rich progress bar on stderr, advanced once per epoch."""

    def __init__(self, epochs: int):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr(),
            transient=False,
        )
        self.task = self.progress.add_task("epochs", total=epochs)

    def __enter__(self):
        def advance(done: int, total: int) -> None:
            if not self.progress.live.is_started:  # shown from the first epoch on
                self.progress.start()
            self.progress.update(self.task, completed=done, total=total)

        return advance

    def __exit__(self, *exc) -> None:
        if self.progress.live.is_started:
            self.progress.stop()


def _skill(value: float) -> str:
    """Skill as a percentage; n/a where persistence is exact (a constant target)."""
    return f"{value:+.1%}" if math.isfinite(value) else "n/a (persistence is exact)"
