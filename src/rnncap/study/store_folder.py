"""The study folder a store lives in: proved writable before a study starts, and locked while
one study writes it, so a second study on the same folder stops with one line."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rnncap.errors import InvalidInput

LOCK_NAME = ".results.lock"


def ensure_writable_folder(folder: Path) -> Path:
    """Create `folder` if needed and prove it is writable, or raise `InvalidInput`."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".rnncap-write-test-{time.monotonic_ns()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(
            f"cannot write to output folder {str(folder)!r} ({reason}); choose another with out="
        ) from None
    return folder


@contextmanager
def study_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the study folder while a study writes it.

    A second study on the same folder exits with one line instead of training every unit again.
    The lock is an OS lock (flock), so it is released when its process dies, even by kill -9.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    lock_path = Path(folder) / LOCK_NAME
    fh = open(lock_path, "a+")  # noqa: SIM115 (held open for the lock's lifetime)
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            owner = fh.read().strip() or "unknown"
            raise InvalidInput(
                f"another rnncap study ({owner}) is writing to {str(folder)!r}; wait for it to "
                "finish (rnncap study status shows its progress) or choose another out= folder"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}")
        fh.flush()
        yield
    finally:
        fh.close()  # closing releases the lock
