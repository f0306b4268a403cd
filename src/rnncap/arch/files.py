"""`read_model_file`: the recurrent stacks of a saved Keras or PyTorch model, from its bytes.

The kind is told by the content, not the name: a zip with ``config.json`` (``.keras``) or an HDF5
file (``.h5``) is Keras; a zip with ``data.pkl`` or a bare pickle is ``torch.save`` output. Keras is
imported only for a Keras file (an optional dependency). PyTorch files are opened with
``weights_only=True``; a pickled module needs ``trust=True``, because unpickling it runs code
stored in the file. Every failure is one `InvalidInput` line.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import pickle
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

from rnncap.arch.reader import ModuleReading, spec_from_module
from rnncap.arch.spec import RecurrentSpec
from rnncap.arch.state_dict import spec_from_state_dict
from rnncap.errors import InvalidInput, brief, check_limit, require
from rnncap.readable import check_readable_file

#: Names that mark an argument as a model file rather than an architecture string.
MODEL_SUFFIXES = (".keras", ".h5", ".hdf5", ".pt", ".pth", ".ckpt", ".bin")
KINDS = "a Keras (.keras, .h5) or PyTorch (.pt, torch.save) model file"
_HDF5 = b"\x89HDF\r\n\x1a\n"
_WRAPPERS = ("state_dict", "model_state_dict", "model")  # common checkpoint dict entries
_TRUST = (
    "loading a pickled module runs code stored in the file; pass trust=True if you made it "
    "yourself, or save and give model.state_dict() instead"
)


def looks_like_model_file(text: object) -> bool:
    """Whether `text` ends like a model file (``.keras``, ``.pt``...), not an architecture."""
    return isinstance(text, str) and Path(text.strip()).suffix.lower() in MODEL_SUFFIXES


def file_kind(path: Path) -> str:
    """``keras`` or ``torch``, from the file's first bytes (InvalidInput for anything else)."""
    check_readable_file(
        path,
        "the model file",
        missing=f"no such file: {path} (give an architecture such as lstm:2x64 or {KINDS})",
    )
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(_HDF5):
        return "keras"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            raise InvalidInput(f"{path} is a damaged zip file; save the model again") from None
        if "config.json" in names:
            return "keras"
        if any(n.endswith("constants.pkl") for n in names):
            raise InvalidInput(
                f"{path} is a TorchScript archive (torch.jit.save); save model.state_dict() "
                "with torch.save and give that file"
            )
        if any(n.endswith("/data.pkl") or n == "data.pkl" for n in names):
            return "torch"
    elif head[:1] == b"\x80":  # a pickle (torch.save's legacy format)
        return "torch"
    raise InvalidInput(f"{path} is not {KINDS}")


def _import_keras():
    if "KERAS_BACKEND" not in os.environ and importlib.util.find_spec("tensorflow") is None:
        os.environ["KERAS_BACKEND"] = "torch"  # rnncap ships torch; Keras defaults to TensorFlow
    try:
        import keras
    except ImportError:
        raise InvalidInput("reading a Keras file needs Keras 3: pip install keras") from None
    return keras


#: Most layers of a Keras model file rnncap loads (Keras builds each one; 100,000 took minutes).
MAX_FILE_LAYERS = 2_000

#: Largest Keras model configuration (``config.json`` / ``model_config``) rnncap parses.
_MAX_CONFIG_BYTES = 64 * 2**20


def _layer_count(config: object) -> int:
    """The layers a Keras model configuration declares, nested models included (iteratively:
    a deeply nested file cannot exhaust the stack)."""
    count, todo = 0, [config]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            layers = node.get("layers")
            if isinstance(layers, list):
                count += len(layers)
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return count


def _keras_config(path: Path, hdf5: bool) -> str | None:
    """The model configuration text of a Keras file, read within `_MAX_CONFIG_BYTES`."""
    if hdf5:
        try:
            import h5py
        except ImportError:
            return None
        with h5py.File(path, "r") as f:
            text = f.attrs.get("model_config")
        return text.decode() if isinstance(text, bytes) else text
    with zipfile.ZipFile(path) as z:
        check_limit(
            z.getinfo("config.json").file_size,
            _MAX_CONFIG_BYTES,
            f"the model configuration of {path} in bytes",
            "save a smaller model",
        )
        return z.read("config.json").decode("utf-8", errors="replace")


def check_keras_file(path: Path) -> None:
    """Before Keras builds anything: an HDF5 file needs an .h5 name (Keras said "File not
    found" for a renamed one), and the layer count must be within `MAX_FILE_LAYERS`."""
    with path.open("rb") as f:
        hdf5 = f.read(8).startswith(_HDF5)
    if hdf5 and path.suffix.lower() not in (".h5", ".hdf5"):
        raise InvalidInput(
            f"{path} is an HDF5 (.h5) Keras file named {path.suffix or 'without a suffix'}; "
            "Keras reads HDF5 only under an .h5 name: rename it to .h5"
        )
    text = _keras_config(path, hdf5)
    if text is None:
        return
    try:
        config = json.loads(text)
    except RecursionError:
        raise InvalidInput(f"{path}: the model configuration is nested too deeply") from None
    except ValueError as exc:
        raise InvalidInput(f"{path}: the model configuration is not JSON ({brief(exc)})") from None
    check_limit(
        _layer_count(config),
        MAX_FILE_LAYERS,
        f"the number of layers in {path}",
        "rnncap loads model files of at most that many layers",
    )


def read_keras_file(path: Path) -> ModuleReading:
    """Load a ``.keras`` / ``.h5`` model (``compile=False``, ``safe_mode=True``) and read it."""
    from rnncap.arch.keras_reader import spec_from_keras

    check_keras_file(path)
    keras = _import_keras()
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a file it cannot read
        raise InvalidInput(f"cannot read {path} as a Keras model ({brief(exc)})") from None
    return spec_from_keras(model)


def _tensor_dict(obj: object) -> bool:
    import torch

    return (
        isinstance(obj, Mapping)
        and len(obj) > 0
        and all(isinstance(v, torch.Tensor) for v in obj.values())
    )


def _from_rnncap_checkpoint(ckpt: Mapping) -> ModuleReading:
    """A `rnncap forecast train` checkpoint states its spec: read it, no inference needed."""
    spec = RecurrentSpec.from_dict(ckpt["spec"])
    total = sum(math.prod(v.shape) for v in ckpt["state_dict"].values())
    return ModuleReading((spec,), (), int(total), "rnncap checkpoint", (spec.seq_len,))


def read_torch_file(path: Path, *, trust: bool = False) -> ModuleReading:
    """Read a state_dict (``weights_only=True``) or, with `trust`, a pickled ``nn.Module``."""
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = re.search(r"Unsupported global: GLOBAL ([\w.]+)", str(exc))
        if found is None:  # refused for another reason: the bytes are not a torch.save pickle
            why = str(exc).split("WeightsUnpickler error:")[-1]
            raise InvalidInput(f"cannot read {path} as a PyTorch file ({brief(why)})") from None
        if not trust:
            raise InvalidInput(f"{path} holds a pickled {found.group(1)}: {_TRUST}") from None
        try:
            obj = torch.load(path, map_location="cpu", weights_only=False)
        except Exception as exc:  # e.g. the module's class is not importable here
            raise InvalidInput(
                f"cannot load the module in {path} ({brief(exc)}); save and give "
                "model.state_dict() instead"
            ) from None
    except Exception as exc:  # torch raises several types for a damaged file
        raise InvalidInput(f"cannot read {path} as a PyTorch file ({brief(exc)})") from None
    if isinstance(obj, torch.nn.Module):
        return spec_from_module(obj)
    if isinstance(obj, Mapping) and obj.get("format") == "rnncap.forecaster":
        return _from_rnncap_checkpoint(obj)
    if not _tensor_dict(obj) and isinstance(obj, Mapping):
        obj = next((obj[k] for k in _WRAPPERS if _tensor_dict(obj.get(k))), obj)
    require(
        _tensor_dict(obj),
        f"{path} holds a {type(obj).__name__}, not a state_dict or a module; save "
        "model.state_dict() (or torch.save(model) and pass trust=True)",
    )
    return spec_from_state_dict(obj)  # type: ignore[arg-type]


def read_model_file(path: str | Path, *, trust: bool = False) -> ModuleReading:
    """The recurrent stacks of the Keras or PyTorch model saved at `path`.

    Parameters
    ----------
    path : str or Path
        A ``.keras`` / ``.h5`` Keras model, or ``torch.save`` output (a state_dict, an rnncap
        forecaster checkpoint or, with `trust`, a whole module).
    trust : bool, default=False
        Unpickle a whole PyTorch module (this runs code from the file).
    """
    path = Path(path)
    if file_kind(path) == "keras":
        return read_keras_file(path)
    return read_torch_file(path, trust=trust)


def read_one_stack(path: str | Path, *, trust: bool = False) -> tuple[ModuleReading, RecurrentSpec]:
    """`read_model_file`, for callers that work on one recurrent stack: the reading and its stack.

    A file with no recurrent layer, or with separate stacks (branches, encoder and decoder), is
    refused in one line that says what it holds.
    """
    reading = read_model_file(path, trust=trust)
    if not reading.stacks:
        found = ", ".join(f"{u.name} ({u.kind})" for u in reading.unrecognized) or "no layers"
        raise InvalidInput(
            f"{path} holds no recurrent layer rnncap reads (LSTM, GRU, SimpleRNN / nn.LSTM, "
            f"nn.GRU, nn.RNN); found {found[:200]}"
        )
    first = reading.stacks[0]
    require(
        len(reading.stacks) == 1,
        f"{path} holds {len(reading.stacks)} separate recurrent stacks "
        f"({', '.join(s.name for s in reading.stacks)}); rnncap reads one chain: give the one "
        f"you mean as an architecture string, e.g. {first.name} with input_size={first.input_size}",
    )
    return reading, first
