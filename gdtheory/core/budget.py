"""Refusing work that would take hours or exhaust memory, with the estimate.

Exact expansion is guarded too: :func:`check_expansion` estimates, from the SymPy tree
alone and without expanding, how many monomials an input has once expanded, and
refuses above :data:`MAX_TERMS` (``(w + x + y + z + 1)**1000`` has ~4e10).

A call whose *estimated* run time exceeds :data:`MAX_SECONDS` (default one hour; the
environment variable ``GDTHEORY_MAX_SECONDS`` or :func:`allow` change it), or whose
largest array would exceed :data:`MAX_FLOATS` float64 numbers (a quarter of the
machine's memory, at most 2**30 = 8 GiB),
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

import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sympy as sp

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
    "expansion_size",
    "check_expansion",
    "MAX_TERMS",
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


def _memory_floats() -> int:
    """A quarter of this machine's physical memory in float64 numbers, at most 2**30
    (8 GiB): an allocation above it would swap or be killed, so it is refused."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: keep the fixed cap
        return 2**30
    return int(min(2**30, max(2**24, total // 32)))


#: Largest array (number of float64 values) one call may allocate.
MAX_FLOATS: int = _memory_floats()
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


#: Largest estimated number of monomials of an input accepted for exact expansion.
MAX_TERMS = 2_000_000


def _binom(n: float, k: float) -> float:
    """C(n, k) as a float, finite for any size (via log-gamma)."""
    if k < 0 or n < k:
        return 0.0
    return math.exp(min(700.0, math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)))


def expansion_size(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> tuple[float, int]:
    """(monomials, total degree) of ``expr`` once expanded as a polynomial in the symbols
    and its non-polynomial building blocks, estimated from the tree (an upper bound,
    never expanded; floats so that astronomically large counts stay finite).

    >>> x, y = sp.symbols("x y")
    >>> expansion_size((x + y + 1) ** 2, [x, y])       # 1, x, y, x^2, xy, y^2
    (6.0, 2)
    >>> terms, degree = expansion_size((x + y + 1) ** 1000, [x, y])
    >>> f"{terms:.3g}", degree
    ('5.02e+05', 1000)
    """
    syms = set(symbols)

    def walk(e: sp.Expr) -> tuple[float, int, frozenset[Any]]:
        if e.is_Number or not (e.free_symbols & syms):
            return 1.0, 0, frozenset()
        if e in syms:
            return 1.0, 1, frozenset([e])
        if e.is_Add:
            parts = [walk(a) for a in e.args]
            return (
                min(1e300, sum(p[0] for p in parts)),
                max(p[1] for p in parts),
                frozenset().union(*(p[2] for p in parts)),
            )
        if e.is_Mul:
            parts = [walk(a) for a in e.args]
            gens = frozenset().union(*(p[2] for p in parts))
            deg = sum(p[1] for p in parts)
            prod = math.prod(min(p[0], 1e300) for p in parts)
            return min(prod, _binom(deg + len(gens), len(gens)), 1e300), deg, gens
        if e.is_Pow and e.exp.is_Integer and e.exp > 0:
            t, d, gens = walk(e.base)
            p = int(min(e.exp, 10**9))
            bound = min(_binom(p + t - 1, p), _binom(p * d + len(gens), len(gens)))
            return bound, p * d, gens
        return 1.0, 1, frozenset([e])  # a building block of its own (exp(x), 1/(1+x^2), ...)

    try:
        terms, degree, _ = walk(expr)
    except RecursionError:
        return math.inf, 0
    return terms, degree


def check_expansion(exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol], what: str) -> None:
    """Refuse (CostError) inputs whose exact expansion would exceed :data:`MAX_TERMS`.

    >>> x = sp.Symbol("x")
    >>> check_expansion([(x + 1) ** 5], [x], "f")
    >>> w, y, z = sp.symbols("w y z")
    >>> check_expansion([(w + x + y + z + 1) ** 1000], [w, x, y, z], "f")
    Traceback (most recent call last):
    ...
    gdtheory.core.budget.CostError: expanding f exactly would give about 4.2e+10 monomials ...
    """
    total = sum(expansion_size(e, symbols)[0] for e in exprs)
    if total > MAX_TERMS:
        raise CostError(
            f"expanding {what} exactly would give about {total:.2g} monomials (refused above "
            f"{MAX_TERMS:.0e}, which already needs gigabytes): lower the degree or the "
            "number of variables"
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
