"""One checkpoint file per forecaster: a plain dict saved with `torch.save`, written atomically.

It holds everything needed to predict again: weights, the spec, the task and the scalers (as
plain values, `rnncap.plain`), the column names, the training settings and history, and the
library versions.
"""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnncap import __version__
from rnncap.arch.budget import check_trainable
from rnncap.arch.spec import RecurrentSpec
from rnncap.atomic import atomic_path
from rnncap.data.scaling import Scaler
from rnncap.data.task import Task
from rnncap.errors import InvalidInput, brief, require
from rnncap.forecast.anchor import FittedAnchor, anchor_of
from rnncap.forecast.blend import FittedBlend
from rnncap.forecast.ensemble import network
from rnncap.forecast.forecaster import SETTINGS, Forecaster
from rnncap.plain import from_plain, to_plain
from rnncap.readable import check_readable_file

FORMAT = "rnncap.forecaster"
FORMAT_VERSION = 1  # the anchor entry is optional (older files: persistence or none)


def versions() -> dict[str, str]:
    return {
        "rnncap": __version__,
        "torch": str(torch.__version__),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "python": platform.python_version(),
    }


def to_checkpoint(model: Forecaster) -> dict:
    """The plain dict of a fitted forecaster."""
    model._check_fitted()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "state_dict": {k: v.detach().cpu() for k, v in model.model_.state_dict().items()},
        "spec": to_plain(model.spec_),
        "settings": model.get_params(),
        "task": to_plain(model.task_),
        "x_scaler": to_plain(model.x_scaler_),
        "y_scaler": to_plain(model.y_scaler_),
        "input_columns": list(model.input_columns_),
        "target_columns": list(model.target_columns_),
        "target_units": list(model.target_units_),
        "history": model.history_,
        "best_epoch": model.best_epoch_,
        "status": model.status_,
        "losses": model.losses_,
        "train_seconds": model.train_seconds_,
        "members": list(getattr(model, "members_", ())),
        "anchor": anchor_of(model).to_dict(),
        "blend": None if model.blend_ is None else model.blend_.to_dict(),
        "versions": versions(),
    }


def save(model: Forecaster, path: str | Path) -> Path:
    """Write the checkpoint to `path` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        torch.save(to_checkpoint(model), tmp)
    return path


def load(path: str | Path) -> Forecaster:
    """A fitted `Forecaster` from a checkpoint file."""
    path = Path(path)
    check_readable_file(
        path,
        "the checkpoint",
        missing=f"no checkpoint file {path}; train one with rnncap forecast train",
    )
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a file that is not a checkpoint
        raise InvalidInput(f"{path} is not a readable rnncap checkpoint ({brief(exc)})") from None
    require(
        isinstance(ckpt, dict) and ckpt.get("format") == FORMAT,
        f"{path} is not an rnncap forecaster checkpoint (made by rnncap forecast train)",
    )
    require(
        ckpt.get("format_version") == FORMAT_VERSION,
        f"{path} has checkpoint format {ckpt.get('format_version')}; this rnncap reads "
        f"{FORMAT_VERSION}",
    )
    try:
        model = _from_checkpoint(ckpt)
    except InvalidInput as exc:
        raise InvalidInput(f"{path} holds an invalid checkpoint: {exc}") from None
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
        what = f"missing entry {first}" if isinstance(exc, KeyError) else first
        raise InvalidInput(
            f"{path} is a damaged or inconsistent rnncap checkpoint ({type(exc).__name__}: "
            f"{what}); train the model again"
        ) from None
    return model


def _from_checkpoint(ckpt: dict) -> Forecaster:
    """The forecaster of a checkpoint dict; any inconsistency raises (turned into one line)."""
    settings = {k: ckpt["settings"][k] for k in SETTINGS if k in ckpt["settings"]}
    legacy = ckpt["settings"].get("residual")  # before the anchor: residual on persistence or none
    if "anchor" not in settings and legacy is not None:
        settings["anchor"] = "persistence" if legacy else "none"
    if "blend" not in settings:  # written before the blend existed: the network alone
        settings["blend"] = "none"
    model = Forecaster(**settings)  # validates the settings (one line each)
    spec = RecurrentSpec.from_dict(ckpt["spec"])
    check_trainable(spec)  # before building weights from a spec read from a file
    state = ckpt["state_dict"]
    require(isinstance(state, dict), "its weights are not a state dict")
    bad = [k for k, v in state.items() if not bool(torch.isfinite(v).all())]
    require(not bad, f"its weights hold NaN or infinite values ({', '.join(bad[:3])})")
    net = network(spec, model.settings.dropout, model.ensemble)
    net.load_state_dict(state)
    net.eval()
    model.model_, model.spec_ = net, spec
    model.task_ = Task.from_dict(ckpt["task"])
    model.x_scaler_ = from_plain(Scaler, ckpt["x_scaler"])
    model.y_scaler_ = from_plain(Scaler, ckpt["y_scaler"])
    model.input_columns_ = tuple(ckpt["input_columns"])
    model.target_columns_ = tuple(ckpt["target_columns"])
    model.target_units_ = tuple(ckpt["target_units"])
    model.history_ = list(ckpt["history"])
    model.best_epoch_ = ckpt["best_epoch"]
    model.status_ = ckpt["status"]
    model.losses_ = dict(ckpt["losses"])
    model.train_seconds_ = ckpt["train_seconds"]
    model.anchor_ = _anchor(ckpt, model.settings.anchor, spec.outputs)
    model.blend_ = _blend(ckpt, model.settings.blend, spec.outputs)
    if ckpt.get("members"):
        model.members_ = tuple(ckpt["members"])
    model.versions_ = dict(ckpt["versions"])
    return model


def _anchor(ckpt: dict, wanted: str, outputs: int) -> FittedAnchor:
    """The checkpoint's fitted anchor, checked against its settings and the network's outputs."""
    if "anchor" not in ckpt:  # written before the anchor was recorded: persistence or none
        require(
            wanted in ("persistence", "none"),
            f"its {wanted} anchor was not fitted (no anchor entry); train the model again",
        )
        return FittedAnchor(wanted)
    anchor = FittedAnchor.from_dict(ckpt["anchor"])
    require(
        wanted in ("auto", anchor.kind),
        f"its settings ask for the {wanted} anchor but it holds a fitted {anchor.kind} anchor",
    )
    if anchor.coef is not None:
        require(
            anchor.coef.ndim == 2 and anchor.coef.shape[1] == outputs
            and anchor.intercept.shape == (outputs,) and anchor.change.shape == (outputs,),
            f"its {anchor.kind} anchor has {anchor.coef.shape} coefficients for {outputs} outputs",
        )  # fmt: skip
    return anchor


def _blend(ckpt: dict, wanted: str, outputs: int) -> FittedBlend | None:
    """The checkpoint's fitted blend (None for ``blend = "none"``), checked against its
    settings and the network's outputs."""
    if wanted == "none":
        require(ckpt.get("blend") is None, "its settings ask for no blend but it holds one")
        return None
    require(
        ckpt.get("blend") is not None,
        f"its {wanted} blend was not fitted (no blend entry); train the model again",
    )
    blend = FittedBlend.from_dict(ckpt["blend"])
    partner = blend.partner
    require(
        partner.kind == wanted,
        f"its settings ask for a blend with the {wanted} but it holds one with the {partner.kind}",
    )
    require(
        blend.weight.shape == (outputs,) and partner.coef.shape[1] == outputs,
        f"its blend has {blend.weight.shape} shares for {outputs} outputs",
    )
    return blend
