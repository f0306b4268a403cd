"""Importing this module registers every bound family into the catalog (one module per family)."""

from rnncap.theory import empirical, feedforward, koiran_sontag, learning_rows, norms  # noqa: F401
