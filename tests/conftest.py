import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

import pytest  # noqa: E402

#: Fixtures that train models or run a study: every test that uses one is `slow`, so that
#: ``python -m pytest -m "not slow"`` skips them (and their set-up) for day-to-day work.
TRAINING_FIXTURES = frozenset(
    {
        # forecast: fitted forecasters and checkpoints
        "fitted", "checkpoint", "model", "ensemble", "nyc_model", "cli_weights",
        # study and report: finished tiny studies
        "tiny_study", "report_store",
        # capacity: trained measurements
        "tiny_run", "result", "big", "tiny", "linear", "by_k",
    }
)  # fmt: skip


def pytest_collection_modifyitems(items):
    for item in items:
        if TRAINING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
