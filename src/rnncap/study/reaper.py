"""Kill a driver's process tree when the driver dies: run as ``python reaper.py DRIVER_PID``.

A locally started Ray runs its own daemons (GCS, raylet, workers) as the driver's descendants.
After a ``kill -9`` of the driver nothing in them notices for minutes, and a task's watchdog
only stops the task, not Ray. This script, started in its own session so the kill does not
reach it, keeps a snapshot of the driver's descendants while the driver lives; once it is gone
it SIGKILLs that snapshot and everything still descending from it (workers a raylet started
after the last snapshot). Standard library only and run as a file, so it starts in
milliseconds without importing rnncap or torch. Linux (/proc); elsewhere it exits at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

POLL_S = 0.2


def parents() -> dict[int, int]:
    """pid -> parent pid of every process, from /proc."""
    out: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        out[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def descendants(roots: set[int], ppids: dict[int, int]) -> set[int]:
    """Every process below any of `roots` (not the roots themselves)."""
    children: dict[int, list[int]] = {}
    for pid, ppid in ppids.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        for kid in children.get(stack.pop(), []):
            if kid not in found:
                found.add(kid)
                stack.append(kid)
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to collect it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def reap(driver: int) -> None:
    me = os.getpid()
    known: set[int] = set()
    while alive(driver):
        known = descendants({driver}, parents()) - {me}
        time.sleep(POLL_S)
    victims = (known | descendants(known, parents())) - {me}
    for pid in victims:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    if Path("/proc/self/stat").exists() and len(sys.argv) == 2:
        reap(int(sys.argv[1]))
