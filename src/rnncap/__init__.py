"""rnncap: how the layers and units of a recurrent forecaster change its complexity.

Rooms (each a subpackage): ``arch`` (specs and exact accounting), ``theory`` (cited capacity
bounds), ``data`` (weather data and forecasting tasks), ``engine`` (batched training of many small
recurrent models), ``forecast`` (forecaster and baselines), ``capacity`` (empirical measures),
``study`` (architecture grids, results store, executors), ``report`` (plots and the HTML report),
``cli`` (the thin command line).
"""

from rnncap.arch import RecurrentSpec, count_parameters, parse_arch
from rnncap.errors import InvalidInput

__version__ = "0.1.0"

__all__ = ["InvalidInput", "RecurrentSpec", "__version__", "count_parameters", "parse_arch"]
