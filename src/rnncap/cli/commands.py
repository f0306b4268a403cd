"""Imports every command module so that its commands attach to the app. One line per group."""

from rnncap.cli import data  # noqa: F401
