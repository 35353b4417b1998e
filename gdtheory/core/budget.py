"""Refusing work that would take hours or exhaust memory, with the estimate.

**Estimates rest on measurements.**  Every long computation times a *pilot* of the
actual work (the first steps of the actual objective at the actual precision, a few
sub-boxes of a proof, the first stretch of a flow) and extrapolates: a
:class:`Meter` times a loop while it runs and judges after its first
:data:`PILOT_SECONDS`, and :func:`pilot` times a call at a few growing sizes and fits
cost = a + b * units.  The extrapolation goes to :func:`charge`, the one place where a
refusal is decided: the time already spent in the current public call plus the
estimate must stay within :data:`MAX_SECONDS`, so the budget applies to the total of a
call made of parts: a certificate bundle estimates its members first (:func:`estimate`)
and charges their sum before proving any; a regime map charges the rest after each
learning rate; a sweep pilots its rows; an adaptive flow is judged by a
:class:`PaceMeter`.  A computation no pilot can predict (a resultant in FLINT) runs in a
worker stopped when the budget runs out.

:func:`estimate` runs a call in *estimating* mode: it stops at its first charge and
returns the estimate (the benchmark in ``tests/benchmarks/test_bench_cost_model.py``
compares such estimates with measured times over 20+ calls).

Exact expansion is guarded too: :func:`check_expansion` estimates, from the SymPy tree
alone and without expanding, how many monomials an input has once expanded, and
refuses above :data:`MAX_TERMS` (``(w + x + y + z + 1)**1000`` has ~4e10).

A call whose *estimated* run time exceeds :data:`MAX_SECONDS` (default one hour; the
environment variable ``GDTHEORY_MAX_SECONDS`` or :func:`allow` change it), or whose
largest array would exceed :data:`MAX_FLOATS` float64 numbers (a quarter of the
machine's memory, at most 2**30 = 8 GiB),
raises :class:`CostError` naming the estimate, instead of hanging or dying of memory.
Before any pilot, :func:`check_cost` refuses what would take *at least* too long at
deliberately optimistic rates (about 4e4 high-precision GD steps per second on a 2-D
objective at 50 digits, 1e9 float64 map iterations per second): a request for 10^12
steps is refused before anything is compiled.

>>> check_cost("GD", 10**12, RATE_MP_STEPS, "steps")
Traceback (most recent call last):
...
gdtheory.core.budget.CostError: GD would take at least about 289 days (1e+12 steps at ...
>>> with allow(10**9):
...     check_cost("GD", 10**12, RATE_MP_STEPS, "steps")
"""

from __future__ import annotations

import bisect
import contextvars
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..errors import InvalidInputError

__all__ = [
    "CostError",
    "Estimate",
    "Meter",
    "PaceMeter",
    "PILOT_SECONDS",
    "call",
    "charge",
    "estimate",
    "spent",
    "pilot",
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
    """Raise :class:`CostError` if ``work`` units at ``rate`` per second exceed the budget.

    ``rate`` is an optimistic (high) rate, so this is a quick refusal of what would take
    *at least* too long, before anything runs; the measured estimate (:class:`Meter`,
    :func:`pilot`) decides the rest."""
    seconds = float(work) / rate
    if seconds > MAX_SECONDS:
        raise CostError(
            f"{what} would take at least about {human(seconds)} ({float(work):.3g} {unit} at "
            f"most ~{rate:.0e} {unit}/s); refused above {human(MAX_SECONDS)}: reduce the "
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


# ---------------------------------------------------------------- measured estimates
#: Wall time a pilot measures before it extrapolates (long enough to average out the
#: timer and the first-call costs, short enough that a refusal comes in about a second).
PILOT_SECONDS = 0.1


@dataclass
class _Ledger:
    """The current public call: when it started; in estimating mode, the charges."""

    start: float
    estimating: bool = False
    charges: list[tuple[str, float]] = field(default_factory=list)


_LEDGER: contextvars.ContextVar[_Ledger | None] = contextvars.ContextVar("ledger", default=None)
#: True while a pilot runs: the metered loops inside it do not judge (the pilot does).
_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("quiet", default=False)


class _Estimated(Exception):  # noqa: N818 - control flow of estimating mode, never seen
    def __init__(self, what: str, seconds: float) -> None:
        super().__init__(what)
        self.what, self.seconds = what, seconds


@dataclass(frozen=True)
class Estimate:
    """What :func:`estimate` found: ``seconds`` for the whole call (the pilot's own time
    included), ``what`` the part that was charged, ``completed`` True when the call
    finished before any charge (then ``seconds`` is its measured time and ``result`` what
    it returned, so a caller need not run it again)."""

    seconds: float
    what: str
    completed: bool
    result: Any = field(default=None, repr=False, compare=False)


@contextmanager
def call() -> Iterator[_Ledger]:
    """The ledger of a public call: opened by the outermost one (``core.guard`` does it for
    every public function), shared by everything it calls."""
    ledger = _LEDGER.get()
    if ledger is not None:
        yield ledger
        return
    token = _LEDGER.set(_Ledger(time.perf_counter()))
    try:
        yield _LEDGER.get()  # type: ignore[misc]
    finally:
        _LEDGER.reset(token)


def spent() -> float:
    """Seconds the current public call has taken so far (0 outside one)."""
    ledger = _LEDGER.get()
    return 0.0 if ledger is None else time.perf_counter() - ledger.start


def charge(what: str, seconds: float, detail: str = "") -> None:
    """Decide whether ``seconds`` more of work on ``what`` fit in the budget of the current
    call (the time it has already taken counts); raise :class:`CostError` naming the
    estimate if not.  In estimating mode, stop the call and report the estimate.

    >>> with allow(10):
    ...     charge("a study", 3600.0, "12 parts at 5 minutes each")
    Traceback (most recent call last):
    ...
    gdtheory.core.budget.CostError: a study would take about 60 minutes (12 parts at 5 ...
    """
    if _QUIET.get():
        return
    ledger = _LEDGER.get()
    now = time.perf_counter()
    spent = 0.0 if ledger is None else now - ledger.start
    if ledger is not None and ledger.estimating:
        raise _Estimated(what, spent + max(0.0, float(seconds)))
    if spent + seconds > MAX_SECONDS:
        so_far = f"; with the {human(spent)} this call has already taken" if spent >= 1 else ""
        raise CostError(
            f"{what} would take about {human(seconds)}"
            + (f" ({detail})" if detail else "")
            + f"{so_far}, refused above {human(MAX_SECONDS)}: reduce the request, or raise "
            "the limit with gdtheory.core.budget.allow(seconds) or GDTHEORY_MAX_SECONDS"
        )


def estimate(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Estimate:
    """Run ``fn(*args, **kwargs)`` until its first charge and return the estimate of the
    whole call (the call is not completed); a call that finishes before charging returns
    its measured time.

    >>> from gdtheory.objectives import quadratic
    >>> from gdtheory.dynamics.trajectories import gd
    >>> e = estimate(gd, quadratic([1]), [1], h="1/2", steps=10**6)
    >>> e.completed, e.what, e.seconds > 0    # the seconds depend on the machine
    (False, 'GD at high precision', True)
    """
    token = _LEDGER.set(_Ledger(time.perf_counter(), estimating=True))
    t0 = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except _Estimated as est:
        return Estimate(est.seconds, est.what, False)
    finally:
        _LEDGER.reset(token)
    return Estimate(time.perf_counter() - t0, "", True, result)


class Meter:
    """Times a loop of ``total`` units while it runs, and after :data:`PILOT_SECONDS`
    charges the rest at the measured pace (the clock starts at the first progress: the
    first unit, with its compilation and caches, is a warm-up, not extrapolated).  Call
    :meth:`tick` with the units done so far (steps, or time reached by a flow).

    >>> m = Meter("a loop", 10**9, "steps")
    >>> for k in range(1, 10**9 + 1):
    ...     time.sleep(0.01)
    ...     m.tick(k)
    Traceback (most recent call last):
    ...
    gdtheory.core.budget.CostError: a loop would take about ... (1e+09 steps at ... steps/s, ...
    """

    __slots__ = ("what", "total", "unit", "t0", "done0", "judged", "factor")

    def __init__(self, what: str, total: float, unit: str, *, factor: float = 1.0) -> None:
        self.what, self.total, self.unit = what, float(total), unit
        self.t0 = time.perf_counter()
        self.done0: float | None = None
        self.judged = False
        self.factor = float(factor)  # repetitions of the whole loop still to come

    def tick(self, done: float) -> None:
        if self.judged:
            return
        now = time.perf_counter()
        if self.done0 is None:
            if done > 0:  # the clock starts after the first progress (the warm-up)
                self.t0, self.done0 = now, float(done)
            return
        elapsed = now - self.t0
        if elapsed < PILOT_SECONDS:
            return
        units = float(done) - self.done0
        if units <= 0:
            return  # no progress measured yet
        self.judged = True
        rate = units / elapsed
        remaining = max(self.total - float(done), 0.0) + self.total * (self.factor - 1.0)
        charge(
            self.what,
            remaining / rate,
            f"{self.total * self.factor:.3g} {self.unit} at {rate:.3g} {self.unit}/s, "
            f"measured on the first {float(done):.3g}",
        )


class PaceMeter:
    """The :class:`Meter` of an adaptive integrator, whose pace changes as it runs: a
    flow settling towards an equilibrium takes ever longer steps (its step size grows
    like e^(c t) once the solution decays exponentially), a stiff one ever shorter.  It
    judges only after ``after`` seconds (2 s: a shorter flow is simply run, and the
    transient of its first steps is not extrapolated), then at every call, from the
    paces of the last two quarters of the wall time so far, p1 (earlier) and p2 (later):

    * linear: the rest at the pace p2 (exact for a steady pace, an upper bound for a
      settling flow);
    * trend: the pace growing like e^(c t), c = ln(p2 / p1) / (t2 - t1), integrated to
      the final time (a lower bound for a settling flow);

    and charges the geometric mean of the two when the pace grows (the linear figure when
    it does not).  The benchmark ``tests/benchmarks/test_bench_cost_model.py`` compares it
    with measured times.  Call :meth:`tick` with the time reached.

    >>> m = PaceMeter("a flow", 1e9, "time units", after=0.05)
    >>> for k in range(1, 10**6):
    ...     time.sleep(0.001)
    ...     m.tick(k * 1e-3)
    Traceback (most recent call last):
    ...
    gdtheory.core.budget.CostError: a flow would take about ... (1e+09 time units left at ...
    """

    __slots__ = ("what", "total", "unit", "after", "start", "walls", "done")

    def __init__(self, what: str, total: float, unit: str, *, after: float = 2.0) -> None:
        self.what, self.total, self.unit, self.after = what, float(total), unit, after
        self.start = time.perf_counter()
        self.walls: list[float] = []
        self.done: list[float] = []

    def _at(self, wall: float) -> tuple[float, float]:
        k = min(bisect.bisect_left(self.walls, wall), len(self.walls) - 1)
        return self.walls[k], self.done[k]

    def tick(self, done: float, *, settled: bool = True) -> None:
        """Record progress; ``settled`` False while the step size is still growing (then
        judged only from twice ``after`` on)."""
        now = time.perf_counter()
        self.walls.append(now)
        self.done.append(float(done))
        elapsed = now - self.start
        left = self.total - float(done)
        if left <= 0 or elapsed < self.after or (not settled and elapsed < 2 * self.after):
            return
        w0, d0 = self._at(self.start + elapsed / 2)
        w1, d1 = self._at(self.start + 3 * elapsed / 4)
        if not (d0 < d1 < float(done) and w0 < w1 < now):
            return
        p1, p2 = (d1 - d0) / (w1 - w0), (float(done) - d1) / (now - w1)
        linear = left / p2
        seconds = linear
        c = math.log(p2 / p1) / ((float(done) - d0) / 2)  # per unit of flow time
        if c > 0:
            mid = (d1 + float(done)) / 2
            trend = (math.exp(-c * (float(done) - mid)) - math.exp(-c * (self.total - mid))) / (
                p2 * c
            )
            seconds = math.sqrt(linear * max(trend, 0.0)) if trend > 0 else linear
        charge(
            self.what,
            seconds,
            f"{left:.3g} {self.unit} left at {p2:.3g} {self.unit}/s, the pace of the last "
            f"{now - w1:.2g} s" + (f", growing like e^({c:.3g} t)" if c > 0 else ""),
        )


def pilot(
    what: str,
    run: Callable[[int], Any],
    total: float,
    unit: str,
    *,
    times: float = 1.0,
    cap: int | None = None,
) -> float:
    """Estimate ``times`` runs of ``total`` units from pilots ``run(k)`` at k = 1, 2, 4, ...
    (at most ``cap`` or ``total``) until the last took :data:`PILOT_SECONDS`: the time
    is fitted as a + b k on the last two sizes (a: the fixed cost of a call, b: the cost
    per unit), charged, and returned.  The pilots' work is discarded.
    """
    limit = max(1, int(min(total, cap if cap is not None else total)))
    token = _QUIET.set(True)
    try:
        run(1)  # warm-up: compilation and caches
        k, prev, last = 1, None, None
        while True:
            t0 = time.perf_counter()
            run(k)
            took = time.perf_counter() - t0
            prev, last = last, (k, took)
            if took >= PILOT_SECONDS or k >= limit:
                break
            k = min(2 * k, limit)
    finally:
        _QUIET.reset(token)
    k2, t2 = last
    if prev is not None and k2 > prev[0]:
        k1, t1 = prev
        per_unit = max((t2 - t1) / (k2 - k1), t2 / k2 / 4)
        fixed = max(t1 - per_unit * k1, 0.0)
    else:
        per_unit, fixed = t2 / max(k2, 1), 0.0
    seconds = times * (fixed + per_unit * total)
    charge(
        what,
        seconds,
        f"{times * total:.3g} {unit} at {per_unit:.3g} s per {unit.rstrip('s')}, measured "
        f"on pilots of up to {k2}",
    )
    return seconds
