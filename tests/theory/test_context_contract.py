"""The evaluation context and result records: their one-line messages, edges and DERIVED reasons.

Messages are the documented contract (what is wrong, how to fix it: HELPERS.md, docs/theory.md);
edges come from the definitions (m >= 1 sample; a VC proxy is any number > 0).
"""

import math
from enum import Enum

import pytest

from rnncap.arch import parse_arch
from rnncap.errors import InvalidInput
from rnncap.plain import to_plain
from rnncap.theory import Kind, Task, bounds, get_bound
from rnncap.theory.cells import single_recurrence_reason
from rnncap.theory.context import context
from rnncap.theory.core import Result


def _spec(arch="rnn_tanh:8", **kw):
    return parse_arch(arch, input_size=3, seq_len=10, outputs=1, **kw)


def _message(call) -> str:
    with pytest.raises(InvalidInput) as info:
        call()
    return str(info.value)


def test_context_messages_say_what_is_wrong_and_how_to_fix_it():
    assert _message(lambda: context("lstm:1x8")) == (
        "spec must be a RecurrentSpec (see parse_arch)"
    )
    assert _message(lambda: context(_spec(), m=0)) == (
        "samples must be an integer >= 1; got 0 (e.g. m=20000)"
    )
    assert _message(lambda: context(_spec(), vc=0)) == (
        "vc must be a number > 0; got 0 (e.g. vc=10)"
    )


def test_context_edges_one_sample_and_a_small_vc_proxy_are_allowed():
    ctx = context(_spec(), m=1, vc=0.5)
    assert (ctx.m, ctx.vc) == (1, 0.5)
    assert _message(lambda: context(_spec(), vc=math.inf)).startswith("vc must be a number > 0")


def test_context_reads_a_task_enum_of_another_module_by_its_value():
    class Choice(Enum):  # e.g. a CLI's own choice enum: its value names the task
        CLASSIFICATION = "classification"

    ctx = context(_spec(), task=Choice.CLASSIFICATION)
    assert ctx.task is Task.CLASSIFICATION and not ctx.regression
    assert context(_spec(), task="classification").task is Task.CLASSIFICATION


def test_result_records_refuse_what_they_cannot_show():
    assert _message(lambda: Result("order", "O(w)", log10=1.0)) == (
        "result kind must be a Kind; got 'order'"
    )
    assert _message(lambda: Result(Kind.EXPLICIT, "")) == "a result needs its text"
    assert _message(lambda: Result(Kind.ORDER, "O(w)")) == (
        "an order result keeps its log10 for ratios"
    )


def test_a_bidirectional_single_layer_is_named_as_such():
    # docs/theory.md: stated for one recurrence; no bound for stacked or bidirectional RNNs
    reason = single_recurrence_reason(context(_spec(bidirectional=True)))
    assert reason == (
        "bidirectional network: stated for one recurrence; no bound for stacked or "
        "bidirectional RNNs is known (theory.md 0.3)"
    )
    stacked = single_recurrence_reason(context(_spec("rnn_tanh:8,8", bidirectional=True)))
    assert stacked.startswith("stacked network: stated for one recurrence")
    assert single_recurrence_reason(context(_spec())) is None  # one recurrence: covered


def test_a_bound_applied_within_its_statement_has_no_derived_reason():
    # Zhang–Lei–Dhillon: statement and application both STATED-SECONDARY, no per-spec condition
    bound = get_bound("zld18-pac-bayes")
    assert bound.derived_reason(context(_spec())) == ""
    row = bounds(_spec(), keys=("ks98-sigmoid-lower",))[0]  # one-layer tanh RNN: covered
    assert row.result.derived == "" and to_plain(row.result)["derived"] is False
