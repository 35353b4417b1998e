"""The budget (core.budget): refusals name the estimate; the limit can be raised."""

from __future__ import annotations

import pytest

from gdtheory.core import budget
from gdtheory.core.budget import CostError, allow, check_cost, check_memory, human
from gdtheory.errors import GDTheoryError, InvalidInputError


def test_a_refusal_names_the_estimate_and_how_to_raise_the_limit():
    with pytest.raises(CostError, match=r"at least about 289 days \(1e\+12 steps") as info:
        check_cost("GD", 1e12, budget.RATE_MP_STEPS, "steps")
    assert isinstance(info.value, InvalidInputError) and isinstance(info.value, GDTheoryError)
    assert "allow(seconds)" in str(info.value) and "GDTHEORY_MAX_SECONDS" in str(info.value)


def test_allow_raises_the_limit_for_a_block_only():
    with allow(10**9):
        check_cost("GD", 1e12, budget.RATE_MP_STEPS, "steps")
    with pytest.raises(CostError):
        check_cost("GD", 1e12, budget.RATE_MP_STEPS, "steps")


def test_the_environment_variable_sets_the_limit_at_import(monkeypatch):
    """GDTHEORY_MAX_SECONDS is read when gdtheory is imported; a bad value means 1 hour."""
    monkeypatch.setenv("GDTHEORY_MAX_SECONDS", "1e9")
    assert budget._env_seconds() == 1e9
    monkeypatch.setenv("GDTHEORY_MAX_SECONDS", "lots")
    assert budget._env_seconds() == 3600.0


def test_memory_refusal():
    check_memory("a small array", 1e6)
    with pytest.raises(CostError, match="GiB"):
        check_memory("a huge array", 1e12)


def test_human_durations():
    assert human(30) == "30 s" and human(600) == "10 minutes" and human(3 * 3600) == "3.0 hours"
    assert human(3 * 86400) == "3 days" and human(1e9) == "31.7 years"
