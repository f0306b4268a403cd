from rnncap import __version__
from rnncap.cli.app import main


def test_version(capsys):
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == __version__


def test_unknown_command_is_a_usage_error(capsys):
    assert main(["no-such-command"]) == 2
