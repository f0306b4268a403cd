"""Importing this module registers every bound family into the catalog (one module per family)."""

from rnncap.theory import empirical, feedforward, glue, koiran_sontag, norms  # noqa: F401
