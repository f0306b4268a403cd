"""The torch-free bookkeeping: schedules against torch's own schedulers, and the stop rules."""

import math

import pytest
import torch

from rnncap.engine.bookkeeping import Ledger, MemberBook, Schedule, Status, lr_factor


def torch_rates(scheduler_factory, epochs: int, lr: float = 0.5) -> list[float]:
    """The rate of each epoch under a torch scheduler stepped once per epoch."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = scheduler_factory(opt)
    rates = []
    for _ in range(epochs):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


@pytest.mark.parametrize("epochs", [2, 3, 7, 30])
def test_cosine_is_torch_cosine_annealing_to_a_tenth(epochs):
    lr = 0.5
    want = torch_rates(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, epochs - 1, eta_min=0.1 * lr),
        epochs,
        lr,
    )
    got = [lr * lr_factor("cosine", e, epochs) for e in range(1, epochs + 1)]
    assert got == pytest.approx(want, rel=1e-12)
    assert got[0] == lr and got[-1] == pytest.approx(0.1 * lr)


@pytest.mark.parametrize("epochs", [3, 4, 10, 101])
def test_onecycle_is_torch_one_cycle(epochs):
    lr = 0.5
    want = torch_rates(
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=lr, total_steps=epochs), epochs, lr
    )
    got = [lr * lr_factor(Schedule.ONECYCLE, e, epochs) for e in range(1, epochs + 1)]
    assert got == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize("restarts", [(), (3,), (4, 8), (2, 4, 8, 16)])
def test_restarts_are_torch_cosine_annealing_cycles_ending_at_each_restart(restarts):
    """Warm restarts (SGDR): each cycle, from one restart to the next (or the last epoch), is
    torch's CosineAnnealingLR over that cycle's epochs; no restarts is plain cosine."""
    lr, epochs = 0.5, 20
    want, start = [], 0
    for end in [*restarts, epochs]:
        length = end - start
        want += torch_rates(
            lambda o, n=length: torch.optim.lr_scheduler.CosineAnnealingLR(
                o, max(n - 1, 1), eta_min=0.1 * lr
            ),
            length,
            lr,
        )
        start = end
    got = [lr * lr_factor(Schedule.RESTARTS, e, epochs, restarts) for e in range(1, epochs + 1)]
    assert got == pytest.approx(want, rel=1e-12)


def test_constant_and_single_epoch_schedules_are_one():
    assert [lr_factor("constant", e, 5) for e in (1, 3, 5)] == [1.0, 1.0, 1.0]
    assert lr_factor("cosine", 1, 1) == 1.0 and lr_factor("onecycle", 1, 1) == 1.0


def test_book_keeps_the_strictly_lower_validation_loss_and_counts_patience():
    book = MemberBook(patience=2)
    flags = [book.end_epoch(e, 1.0, v, 0.0) for e, v in enumerate([3.0, 2.0, 2.0, 2.5], 1)]
    assert flags == [True, True, False, False]
    assert book.best_epoch == 2 and book.best_loss == 2.0
    assert book.status is Status.EARLY_STOPPED and len(book.history) == 4


def test_book_without_validation_keeps_the_latest_epoch_and_never_stops_early():
    book = MemberBook(patience=1)
    for e in range(1, 5):
        assert book.end_epoch(e, 10.0 - e, None, 0.0)
    assert book.best_epoch == 4 and book.status is None


@pytest.mark.parametrize(("train", "val"), [(math.nan, 1.0), (1.0, math.inf), (math.inf, None)])
def test_book_stops_on_non_finite_losses(train, val):
    book = MemberBook(patience=0)
    assert not book.end_epoch(1, train, val, 0.0)
    assert book.status is Status.NON_FINITE and book.best_epoch == 0


def test_time_limit_stops_after_the_epoch_that_passes_it_unless_another_rule_did():
    book = MemberBook(patience=0, time_limit=2.0)
    book.end_epoch(1, 1.0, 1.0, elapsed=1.9)
    assert book.status is None
    book.end_epoch(2, 1.0, 0.5, elapsed=2.1)
    assert book.status is Status.TIME_LIMIT and book.best_epoch == 2
    late = MemberBook(patience=1, time_limit=1.0)
    late.end_epoch(1, 1.0, 1.0, 0.0)
    late.end_epoch(2, 1.0, 1.0, 5.0)
    assert late.status is Status.EARLY_STOPPED


def test_ledger_tracks_positions_as_members_leave():
    ledger = Ledger([MemberBook(patience=1) for _ in range(3)])
    improved, stopped = ledger.end_epoch(1, [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], 0.0)
    assert improved == [True] * 3 and stopped == []
    improved, stopped = ledger.end_epoch(2, [1.0] * 3, [0.5, 1.0, math.nan], 0.0)
    assert improved == [True, False, False] and stopped == [1, 2]
    assert ledger.drop(stopped) == [0] and ledger.active == [0]
    ledger.finish()
    assert [b.status for b in ledger.books] == [
        Status.MAX_EPOCHS, Status.EARLY_STOPPED, Status.NON_FINITE
    ]  # fmt: skip


def test_bookkeeping_does_not_import_torch():
    import subprocess
    import sys

    # load the file itself: the rnncap.engine package around it imports torch
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('bk', sys.argv[1])\n"
        "sys.modules['bk'] = module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print('torch' in sys.modules)"
    )
    from rnncap.engine import bookkeeping

    args = [sys.executable, "-c", code, bookkeeping.__file__]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_squared_hinge_by_hand():
    """max(0, 1 - s z)^2 with s = 2 y - 1: a point past the margin costs nothing."""
    from rnncap.engine.bookkeeping import Loss
    from rnncap.engine.trainer import elementwise_loss

    z = torch.tensor([0.5, -2.0, 0.3, 1.5])
    y = torch.tensor([1.0, 0.0, 0.0, 1.0])
    got = elementwise_loss(Loss.HINGE, z, y)
    assert got.tolist() == pytest.approx([0.25, 0.0, 1.69, 0.0])
