"""The one check before rnncap opens a user's file for reading.

A path must name a regular file: a FIFO would block the first read forever, a device can
stream without end and a folder has no bytes to read. The check uses ``stat`` (which never
blocks), then opens the file once so that a permission problem is one line, and refuses a file
larger than the reader's stated limit before a byte is parsed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from rnncap.errors import InvalidInput, check_limit, shown

_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def check_readable_file(
    path: str | Path,
    what: str,
    *,
    missing: str = "",
    max_bytes: int | None = None,
    limit_name: str = "",
) -> Path:
    """`path` if it is a regular file this process can open, else one `InvalidInput` line.

    Parameters
    ----------
    what : str
        What the file is for the message, e.g. "the data file".
    missing : str
        The message when nothing is there (default: "<what> '<path>' does not exist").
    max_bytes : int, optional
        Largest size accepted; a larger file is `LimitExceeded` naming `limit_name`.
    """
    path = Path(path)
    name = shown(str(path))
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InvalidInput(missing or f"{what} {name} does not exist") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {what} {name} ({exc.strerror}); check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInput(f"{what} {name} is a folder; give a file")
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise InvalidInput(f"{what} {name} is {kind}; give a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InvalidInput(
            f"cannot read {what} {name} ({exc.strerror}); check its permissions"
        ) from None
    os.close(fd)
    if max_bytes is not None:
        check_limit(info.st_size, max_bytes, f"the size of {what} {name} in bytes", limit_name)
    return path
