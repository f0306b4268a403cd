"""Library errors name API arguments; the CLI shows the same message with its flags.

Each pair below is one mistake made twice: through the Python API (the message must name the
keyword argument and no ``--`` flag) and through `rnncap` (the message must name the flag).
"""

import pytest

from rnncap.arch import frontier, parse_arch
from rnncap.capacity import VCDesign, tuned_memorization
from rnncap.cli.app import main
from rnncap.cli.flags import command_words, to_flags
from rnncap.data import Task
from rnncap.errors import InvalidInput
from rnncap.theory.context import context


def test_value_form_becomes_flag_and_value():
    assert to_flags("got 0 (e.g. budget=50000)") == "got 0 (e.g. --budget 50000)"
    assert to_flags("e.g. m=20000") == "e.g. --samples 20000"
    assert to_flags("use convention=keras)") == "use --convention keras)"


def test_tuple_values_become_the_cli_comma_list():
    assert to_flags("(e.g. depths=(1, 2, 3))") == "(e.g. --layers 1,2,3)"
    assert to_flags("(e.g. lrs=(0.01, 0.03))") == "(e.g. --lr 0.01,0.03)"
    assert to_flags("(e.g. target=('temp',))") == "(e.g. --target temp)"


def test_bare_form_and_switches_become_the_flag_alone():
    assert to_flags("raise budget= to at least 52") == "raise --budget to at least 52"
    assert to_flags("shorten the history (history=), or") == "shorten the history (--history), or"
    assert to_flags("drop tz=") == "drop --tz"
    assert to_flags("x; drop station=; y") == "x; drop --station; y"
    assert to_flags("pass trust=True if you made it") == "pass --trust if you made it"


def test_unknown_names_and_flags_pass_through_unchanged():
    for text in (
        "e.g. foo=3 and bar= here",
        "--workers must be an integer >= 1; got 0 (processes; e.g. --workers 2)",
        "--history cannot be combined with --preset chollet",
        "the score a=budget=1",  # not at the start of a name: untouched
        "history + horizon = 144",  # no '=' right after the name
    ):
        assert to_flags(text) == text
    assert to_flags("spec.input_size=3") == "spec.input_size=3"


def test_a_command_can_map_one_argument_to_another_flag():
    text = "give at least 3 (sample_sizes=)"
    assert to_flags(text) == "give at least 3 (--samples)"
    assert to_flags(text, command_words(["capacity", "vc", "rnn_tanh:1x2"])) == (
        "give at least 3 (--n)"
    )
    assert command_words(["--json", "capacity", "vc", "lstm:1x2", "--n", "5"]) == (
        "capacity",
        "vc",
    )


def _api_message(call) -> str:
    with pytest.raises(InvalidInput) as info:
        call()
    return str(info.value)


def _cli_message(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


SPEC = parse_arch("lstm:1x8", input_size=10)

CASES = {  # id: (API call, argument text, CLI argv, flag text)
    "frontier budget": (
        lambda: frontier(SPEC, 5, [1]),
        "raise budget= to at least 52",
        ["frontier", "--budget", "5", "--cell", "lstm", "--input-size", "10", "--layers", "1"],
        "raise --budget to at least 52",
    ),
    "task history": (
        lambda: Task(history=0),
        "(e.g. history=120)",
        ["forecast", "train", "--history", "0"],
        "(e.g. --history 120)",
    ),
    "theory samples": (
        lambda: context(SPEC, m=0),
        "(e.g. m=20000)",
        ["bounds", "lstm:1x8", "--samples", "0"],
        "(e.g. --samples 20000)",
    ),
    "tuned epochs": (
        lambda: tuned_memorization(parse_arch("rnn_tanh:1x2", input_size=1), epochs=0),
        "(e.g. epochs=2000)",
        ["capacity", "memorize", "rnn_tanh:1x2", "--epochs", "0"],
        "(e.g. --epochs 2000)",
    ),
    "vc sizes": (
        lambda: VCDesign(sample_sizes=(5,)),
        "give at least 3 (sample_sizes=)",
        ["capacity", "vc", "rnn_tanh:1x2", "--n", "5"],
        "give at least 3 (--n)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_api_names_the_argument_and_cli_the_flag(case, capsys):
    call, argument, argv, flag = CASES[case]
    api = _api_message(call)
    assert argument in api and "--" not in api
    assert flag in _cli_message(capsys, argv)
