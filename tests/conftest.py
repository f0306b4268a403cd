import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# Tests that train models (or run a study) are marked slow explicitly, on the test or the module
# (``@pytest.mark.slow`` / ``pytestmark``), so that ``python -m pytest -m "not slow"`` skips them.
# The fast subset still trains every engine backend once against the reference loop
# (tests/engine/test_backends_fast.py).
