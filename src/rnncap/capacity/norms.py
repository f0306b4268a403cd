"""Weight measures of a trained recurrent model, per layer and per gate.

For every weight matrix of a `RecurrentModel` state dict (``weight_ih``, ``weight_hh``,
``weight_hr`` of each layer and direction, and the head's ``weight``), split into its gate blocks
(PyTorch order: LSTM i, f, g, o; GRU r, z, n; a vanilla RNN has one block), and also whole:
spectral norm ||W||_2 (largest singular value), Frobenius norm ||W||_F, stable rank
||W||_F^2 / ||W||_2^2, and where the initial weights are known the distance from initialisation
||W - W0||_F and its ratio to ||W0||_F.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import numpy as np

from rnncap.arch import Cell, RecurrentSpec
from rnncap.errors import InvalidInput, brief, require
from rnncap.plain import to_plain
from rnncap.readable import check_readable_file

GATE_NAMES = {
    Cell.LSTM: ("input", "forget", "cell", "output"),
    Cell.GRU: ("reset", "update", "new"),
    Cell.RNN_TANH: ("hidden",),
    Cell.RNN_RELU: ("hidden",),
}

_KEY = re.compile(r"^layers\.(?P<layer>\d+)\.(?P<kind>weight_(?:ih|hh|hr))_l0(?P<rev>_reverse)?$")


@dataclass(frozen=True)
class MatrixNorms:
    """Norms of one weight block: a gate of a layer's matrix, the whole matrix, or the head."""

    layer: str  # "layer 1", ..., "head"
    tensor: str  # "weight_ih", "weight_hh", "weight_hr", "weight" (head)
    direction: str  # "forward", "reverse" or "" (head)
    gate: str  # a gate name, or "all" for the whole matrix
    shape: tuple[int, int]
    spectral: float
    frobenius: float
    stable_rank: float
    distance_from_init: float | None = None  # ||W - W0||_F
    relative_distance: float | None = None  # ||W - W0||_F / ||W0||_F

    def __post_init__(self) -> None:
        require(len(self.shape) == 2, f"a weight block is a matrix; got shape {self.shape}")
        require(self.spectral >= 0 and self.frobenius >= 0, "norms are >= 0")


@dataclass(frozen=True)
class WeightNorms:
    """All weight blocks of one model, and the bounds evaluated on them (see `norm_bounds`)."""

    arch: str
    parameters: int
    rows: tuple[MatrixNorms, ...]
    has_initial: bool
    bounds: tuple[dict, ...] = ()

    PLAIN_VIEW: ClassVar = {  # the JSON `rnncap.plain.to_plain` writes (`capacity norms --json`)
        "arch": "arch",
        "parameters": "parameters",
        "has_initial": "has_initial",
        "rows": "rows",
        "bounds": "bounds",
    }


def _matrix(value: object) -> np.ndarray:
    arr = value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)
    return np.asarray(arr, dtype=np.float64)


def matrix_norms(
    weight: np.ndarray, initial: np.ndarray | None = None, **where: str
) -> MatrixNorms:
    """Spectral and Frobenius norms, stable rank and distance from `initial` of one matrix.

    Parameters
    ----------
    weight, initial : array, shape (rows, cols)
    where : layer, tensor, direction, gate labels of the row.
    """
    w = _matrix(weight)
    require(w.ndim == 2, f"expected a matrix; got shape {w.shape}")
    spectral = float(np.linalg.norm(w, 2)) if w.size else 0.0
    frob = float(np.linalg.norm(w))
    stable = frob**2 / spectral**2 if spectral > 0 else 0.0
    dist = rel = None
    if initial is not None:
        w0 = _matrix(initial)
        require(w0.shape == w.shape, f"initial weights {w0.shape} do not match {w.shape}")
        dist = float(np.linalg.norm(w - w0))
        norm0 = float(np.linalg.norm(w0))
        rel = dist / norm0 if norm0 > 0 else None
    return MatrixNorms(
        layer=where["layer"],
        tensor=where["tensor"],
        direction=where["direction"],
        gate=where["gate"],
        shape=(int(w.shape[0]), int(w.shape[1])),
        spectral=spectral,
        frobenius=frob,
        stable_rank=stable,
        distance_from_init=dist,
        relative_distance=rel,
    )


def _recurrent_rows(
    spec: RecurrentSpec, key: str, m: re.Match, value: object, init: object | None
) -> list[MatrixNorms]:
    """The norms of one recurrent weight matrix: per gate (gated cells), then the whole."""
    gates = GATE_NAMES[spec.cell]
    layer = int(m.group("layer"))
    require(
        layer < spec.num_layers,
        f"{key!r} is beyond the {spec.num_layers} layers of {spec.name}",
    )
    where = dict(
        layer=f"layer {layer + 1}",
        tensor=m.group("kind"),
        direction="reverse" if m.group("rev") else "forward",
    )
    w = _matrix(value)
    w0 = None if init is None else _matrix(init)
    rows = []
    if where["tensor"] != "weight_hr":
        h = spec.hidden_sizes[layer]
        require(
            w.shape[0] == len(gates) * h,
            f"{key!r} has {w.shape[0]} rows; {spec.name} expects {len(gates) * h}: "
            "is this checkpoint for another architecture?",
        )
        if len(gates) > 1:
            for g, name in enumerate(gates):
                block = slice(g * h, (g + 1) * h)
                part0 = None if w0 is None else w0[block]
                rows.append(matrix_norms(w[block], part0, **where, gate=name))
    rows.append(matrix_norms(w, w0, **where, gate="all"))
    return rows


def weight_norms(
    spec: RecurrentSpec,
    state_dict: Mapping[str, object],
    initial_state_dict: Mapping[str, object] | None = None,
) -> WeightNorms:
    """Per-gate and per-layer norms of a `RecurrentModel(spec)` state dict.

    Parameters
    ----------
    spec : RecurrentSpec
        The architecture the weights belong to (gate count and widths).
    state_dict : mapping of name to tensor or array
        As returned by `RecurrentModel.state_dict()` or `TrainedMember.state_dict`.
    initial_state_dict : mapping, optional
        Weights at initialisation (`TrainedMember.initial_state_dict`) for the distances.
    """
    from rnncap.arch import count_parameters

    rows: list[MatrixNorms] = []
    seen = 0
    for key, value in state_dict.items():
        init = None if initial_state_dict is None else initial_state_dict.get(key)
        require(
            initial_state_dict is None or init is not None,
            f"initial weights lack {key!r}; pass the initial state dict of the same model",
        )
        if key == "head.weight":
            rows.append(
                matrix_norms(value, init, layer="head", tensor="weight", direction="", gate="all")
            )
            continue
        m = _KEY.match(key)
        if m is None:
            continue  # biases and anything that is not a weight matrix
        seen += 1
        rows += _recurrent_rows(spec, key, m, value, init)
    require(
        seen > 0, "no recurrent weight matrices found (expected keys like layers.0.weight_ih_l0)"
    )
    return WeightNorms(
        spec.name, count_parameters(spec).total, tuple(rows), initial_state_dict is not None
    )


def bound_weights(spec: RecurrentSpec, state_dict: Mapping[str, object], inputs: np.ndarray | None):
    """The theory room's `RecurrentWeights` of a single-layer vanilla RNN (the only model the
    catalog's weight-based bounds cover), or None for any other model or without inputs."""
    from rnncap.theory import RecurrentWeights

    single = spec.num_layers == 1 and not spec.bidirectional and spec.cell.is_vanilla
    if not (single and inputs is not None and "head.weight" in state_dict):
        return None
    bias = None
    if spec.bias:
        bias = _matrix(state_dict["layers.0.bias_ih_l0"]) + _matrix(
            state_dict["layers.0.bias_hh_l0"]
        )
    return RecurrentWeights(
        input_weight=_matrix(state_dict["layers.0.weight_ih_l0"]),
        recurrent_weight=_matrix(state_dict["layers.0.weight_hh_l0"]),
        output_weight=_matrix(state_dict["head.weight"]),
        inputs=np.asarray(inputs, dtype=np.float64),
        nonlinearity="relu" if spec.cell is Cell.RNN_RELU else "tanh",
        input_bias=bias,
    )


def norm_bounds(
    spec: RecurrentSpec,
    state_dict: Mapping[str, object],
    inputs: np.ndarray | None,
    delta: float = 0.05,
) -> tuple[dict, ...]:
    """The theory catalog's weight-based bounds evaluated on these weights, one dict per bound.

    The catalog decides applicability: Tu, He & Tao, Zhang, Lei & Dhillon and Chen, Li & Zhao
    cover a single-layer vanilla RNN with a linear read-out; for LSTM, GRU and stacks each row
    says why it does not apply. Each dict has key, name, citation, status, kind, text, value,
    vacuous and notes.
    """
    from rnncap.theory import bounds

    weights = bound_weights(spec, state_dict, inputs)
    m = None if inputs is None else int(len(inputs))
    rows = bounds(spec, m=m, delta=delta, weights=weights)
    out = []
    for row in rows:
        if "weights" not in row.bound.application:
            continue  # not a weight-based bound
        result = to_plain(row.result)
        out.append(
            {
                "key": row.bound.key,
                "name": row.bound.name,
                "citation": row.bound.citation.short(),
                "status": row.bound.status.value,
                "kind": result["kind"],
                "text": result["text"],
                "value": result.get("value"),
                "vacuous": result["vacuous"],
                "notes": result["notes"],
            }
        )
    return tuple(out)


CHECKPOINT_FORMAT = "rnncap.forecaster"  # written by `rnncap forecast train`


def checkpoint_norms(path: str | Path, delta: float = 0.05) -> WeightNorms:
    """Weight norms and norm-based bounds of a forecaster checkpoint (`rnncap forecast train`).

    The initial weights are rebuilt as the forecaster builds them, ``RecurrentModel(spec,
    seed=seed)``, so distances from initialisation are exact. The bounds read the task's training
    windows (prepared again from the task stored in the checkpoint).
    """
    import torch

    from rnncap.engine import RecurrentModel

    path = Path(path)
    check_readable_file(
        path,
        "the checkpoint",
        missing=f"no checkpoint file {path}; make one with rnncap forecast train",
    )
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a file that is not a checkpoint
        raise InvalidInput(f"{path} is not a readable checkpoint ({brief(exc)})") from None
    require(
        isinstance(ckpt, dict) and ckpt.get("format") == CHECKPOINT_FORMAT,
        f"{path} is not an rnncap forecaster checkpoint (made by rnncap forecast train)",
    )
    spec = RecurrentSpec.from_dict(ckpt["spec"])
    settings = ckpt.get("settings", {})
    initial = None
    if isinstance(settings.get("seed"), int):
        initial = RecurrentModel(spec, seed=settings["seed"]).state_dict()
    result = weight_norms(spec, ckpt["state_dict"], initial)
    inputs = None
    if spec.num_layers == 1 and spec.cell.is_vanilla and "task" in ckpt:
        from rnncap.data import Task, prepare_task

        inputs = prepare_task(Task.from_dict(ckpt["task"])).train.x
    return replace(result, bounds=norm_bounds(spec, ckpt["state_dict"], inputs, delta))
