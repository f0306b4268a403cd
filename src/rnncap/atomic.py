"""The one atomic-write helper: a result file is either complete or absent, never half-written.

Every file rnncap writes for a user (checkpoints, CSV, reports, plots, exports) goes through
`atomic_path`: the writer fills a temporary file in the target's folder, which is renamed onto
the target only if the writer succeeds, with the permissions of an ordinary new file (0666 minus
the umask, not mkstemp's 0600).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rnncap.errors import InvalidInput


def check_writable_file(path: Path | str, option: str = "the output file") -> Path:
    """Refuse, before any work, a target that is a folder or whose folder is missing/read-only."""
    path = Path(path)
    if path.is_dir():
        raise InvalidInput(f"{option} {str(path)!r} is a folder; give a file name inside it")
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"{option}: no folder {str(folder)!r}; create it first")
    try:  # a real probe: os.access says yes for root, also in /proc, where nothing is created
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".rnncap-probe-", suffix=".tmp")
        os.close(fd)
        os.remove(probe)
    except OSError:
        raise InvalidInput(
            f"{option}: folder {str(folder)!r} is not writable; choose another"
        ) from None
    if path.exists() and not os.access(path, os.W_OK):
        raise InvalidInput(f"{option} {str(path)!r} is read-only; choose another file")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path | str) -> Iterator[str]:
    """A temp file name in the folder of `path`; renamed onto `path` only if the block succeeds."""
    path = check_writable_file(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_atomic(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
    return Path(path)
