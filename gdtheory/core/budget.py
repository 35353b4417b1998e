"""Refusing work that would take hours or exhaust memory, with the estimate.

A call whose *estimated* run time exceeds :data:`MAX_SECONDS` (default one hour; the
environment variable ``GDTHEORY_MAX_SECONDS`` or :func:`allow` change it), or whose
largest array would exceed :data:`MAX_FLOATS` float64 numbers (default 2**30, 8 GiB),
raises :class:`CostError` naming the estimate, instead of hanging or dying of memory.
The rates are deliberately optimistic measurements (so a refusal is never premature):
about 4e4 high-precision GD steps per second on a 2-D objective at 50 digits (scaled
by the dimension), 1e9 float64 map iterations per second (the numba engine).

>>> check_cost("GD", 10**12, RATE_MP_STEPS, "steps")
Traceback (most recent call last):
...
gdtheory.core.budget.CostError: GD would take about 289 days (1e+12 steps at ~4e+04 steps/s); ...
>>> with allow(10**9):
...     check_cost("GD", 10**12, RATE_MP_STEPS, "steps")
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import InvalidInputError

__all__ = [
    "CostError",
    "MAX_SECONDS",
    "MAX_FLOATS",
    "RATE_MP_STEPS",
    "RATE_FLOAT_ITERATIONS",
    "check_cost",
    "check_memory",
    "allow",
]


class CostError(InvalidInputError):
    """The requested computation would take too long or need too much memory."""


def _env_seconds() -> float:
    try:
        return float(os.environ.get("GDTHEORY_MAX_SECONDS", "3600"))
    except ValueError:
        return 3600.0


#: Largest estimated run time (seconds) of one call.
MAX_SECONDS: float = _env_seconds()
#: Largest array (number of float64 values) one call may allocate.
MAX_FLOATS: int = 2**30
#: High-precision GD steps per second (2-D objective, 50 digits; optimistic).
RATE_MP_STEPS = 4e4
#: float64 GD-map iterations (one start, one step) per second (optimistic: numba).
RATE_FLOAT_ITERATIONS = 1e9


def human(seconds: float) -> str:
    """A duration in words: '45 s', '12 minutes', '3.1 hours', '40 days', ..."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} hours"
    if seconds < 2 * 365 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (365 * 86400):.3g} years"


def check_cost(what: str, work: float, rate: float, unit: str) -> None:
    """Raise :class:`CostError` if ``work`` units at ``rate`` per second exceed the budget."""
    seconds = float(work) / rate
    if seconds > MAX_SECONDS:
        raise CostError(
            f"{what} would take about {human(seconds)} ({float(work):.3g} {unit} at "
            f"~{rate:.0e} {unit}/s); refused above {human(MAX_SECONDS)}: reduce the "
            "request, or raise the limit with gdtheory.core.budget.allow(seconds) or "
            "GDTHEORY_MAX_SECONDS"
        )


def check_memory(what: str, n_floats: float) -> None:
    """Raise :class:`CostError` if an array of ``n_floats`` float64 would exceed the budget."""
    if float(n_floats) > MAX_FLOATS:
        raise CostError(
            f"{what} would need an array of {float(n_floats):.3g} float64 numbers "
            f"({float(n_floats) * 8 / 2**30:.3g} GiB); refused above "
            f"{MAX_FLOATS * 8 / 2**30:.0f} GiB"
        )


@contextmanager
def allow(seconds: float) -> Iterator[None]:
    """Temporarily raise (or lower) :data:`MAX_SECONDS`."""
    global MAX_SECONDS
    saved = MAX_SECONDS
    MAX_SECONDS = float(seconds)
    try:
        yield
    finally:
        MAX_SECONDS = saved
