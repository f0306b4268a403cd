"""Importing this module registers every bound family into the catalog (one module per family),
in the catalog's order: `rnncap.theory` imports it before anything else, so the order does not
depend on which module a caller happens to import first."""

# isort: off
from rnncap.theory import empirical  # noqa: F401
from rnncap.theory import feedforward  # noqa: F401
from rnncap.theory import koiran_sontag  # noqa: F401
from rnncap.theory import norms  # noqa: F401
from rnncap.theory import learning_rows  # noqa: F401
# isort: on
