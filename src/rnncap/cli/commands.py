"""Imports every command module so that its commands attach to the app. One line per group."""

# ruff: noqa: I001  (one appended line per command group, in any order)
from rnncap.cli import data  # noqa: F401
from rnncap.cli import count  # noqa: F401
from rnncap.cli import theory  # noqa: F401
from rnncap.cli import study  # noqa: F401
from rnncap.cli import forecast  # noqa: F401
from rnncap.cli import capacity  # noqa: F401
from rnncap.cli import capacity_depth  # noqa: F401
from rnncap.cli import measures  # noqa: F401
