"""The thread policy (`rnncap.threads`) as a pure function of (cores, load, processes), and the
places that read it: RNNCAP_THREADS (1 by default, ``idle`` for the policy; `forecast train`'s
default: tests/forecast/test_cli.py)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnncap import threads
from rnncap.errors import InvalidInput
from rnncap.threads import idle_thread_count, thread_count


@pytest.mark.parametrize(
    ("cores", "load", "processes", "expected"),
    [
        (2, 0.0, 1, 2),  # a quiet 2-core machine: forecast train takes both cores
        (2, 0.4, 1, 2),  # a core more than half idle counts as idle
        (2, 0.6, 1, 1),  # 1.4 idle cores: one
        (2, 0.0, 2, 1),  # two workers share two idle cores
        (16, 0.0, 3, 5),  # floor(16 / 3)
        (16, 4.0, 3, 4),  # 12 idle cores among 3 processes
        (16, 0.0, 1, 16),
        (2, 1.7, 1, 1),  # under load: the one-thread rule
        (2, 3.0, 1, 1),
        (2, 13.0, 4, 1),
        (8, 7.6, 1, 1),
        (2, math.nan, 1, 1),  # no load average known: treated as busy
    ],
)
def test_threads_are_the_idle_cores_shared_among_the_processes(cores, load, processes, expected):
    assert idle_thread_count(cores, load, processes) == expected


@given(
    cores=st.integers(1, 256),
    load=st.floats(0, 512, allow_nan=False),
    processes=st.integers(1, 64),
)
def test_the_policy_never_takes_more_than_the_idle_cores_beyond_one_thread_each(
    cores, load, processes
):
    n = idle_thread_count(cores, load, processes)
    idle = max(0, math.floor(cores - load + 0.5))
    assert 1 <= n <= cores
    assert n == 1 or n * processes <= idle  # more than one thread only from idle cores
    if load >= cores:  # a saturated machine: the one-thread rule
        assert n == 1


@pytest.mark.parametrize(("cores", "processes"), [(0, 1), (2, 0)])
def test_no_cores_or_no_processes_is_refused(cores, processes):
    with pytest.raises(InvalidInput):
        idle_thread_count(cores, 0.0, processes)


def test_thread_count_is_one_by_default_at_any_load(monkeypatch):
    monkeypatch.delenv("RNNCAP_THREADS", raising=False)
    monkeypatch.setattr(threads, "machine_cores", lambda: 4)
    for load in (0.0, 5.0):
        monkeypatch.setattr(threads, "machine_load", lambda load=load: load)
        assert thread_count() == 1 and thread_count(2) == 1


def test_rnncap_threads_idle_shares_the_idle_cores(monkeypatch):
    monkeypatch.setenv("RNNCAP_THREADS", "idle")
    monkeypatch.setattr(threads, "machine_cores", lambda: 4)
    monkeypatch.setattr(threads, "machine_load", lambda: 0.0)
    assert thread_count() == 4 and thread_count(2) == 2
    monkeypatch.setattr(threads, "machine_load", lambda: 5.0)
    assert thread_count() == 1


def test_rnncap_threads_overrides_the_policy(monkeypatch):
    monkeypatch.setattr(threads, "machine_load", lambda: 99.0)
    monkeypatch.setenv("RNNCAP_THREADS", "3")
    assert thread_count() == 3
    monkeypatch.setenv("RNNCAP_THREADS", "zero")
    with pytest.raises(InvalidInput, match="RNNCAP_THREADS"):
        thread_count()


def test_the_machine_load_is_the_one_minute_load_average():
    import os

    assert threads.machine_load() == pytest.approx(os.getloadavg()[0], abs=2.0)
    assert 1 <= threads.machine_cores() <= (os.cpu_count() or 1)
