"""Shared test set-up: mpmath precision reset, Agg backend, Hypothesis profiles."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import mpmath  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    """No test may leave mpmath's global precision changed (and none may depend on it)."""
    mpmath.mp.dps = 15
    yield
    changed = mpmath.mp.dps
    mpmath.mp.dps = 15
    assert changed == 15, f"a test left mpmath.mp.dps = {changed}"
