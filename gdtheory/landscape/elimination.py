r"""Elimination by resultants: the polynomial relation left between some quantities once
the variables are eliminated from a polynomial system, in FLINT's arithmetic.

Given polynomials E_1, ..., E_m in variables x and in the unknowns y (the sharp
eigenvalue and the conserved quantities of a balance law), and one sample point (x*, y*)
of the variety {E = 0} computed at high precision, :func:`eliminate` removes the
variables one by one: for the variable v, the equation of least positive degree in v is
the pivot, every other equation in v is replaced by its resultant with the pivot in v
(Sylvester; the resultant lies in the ideal), and each new polynomial is factored and
only the irreducible factors that vanish at the sample point are kept (a resultant
vanishes on the whole projection but may carry extraneous factors, and dropping those at
every stage keeps the degrees low).  What is left in y alone is a multiple of the
relation sought; its factors that vanish at two independent sample points are returned.

Against a lex Groebner basis (SymPy's Buchberger, the independent oracle of the tests)
this is orders of magnitude faster: the deep scalar network of depth 4 (4 variables,
3 conserved quantities) takes well under a second, where the Groebner basis took more
than ten minutes.

Reference: Cox, Little, O'Shea, *Ideals, Varieties, and Algorithms*, 4th ed. (2015),
3.6 (resultants and the extension theorem).
"""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Sequence
from typing import Any

import flint
import mpmath
import sympy as sp

from ..core import budget
from ..core.conversion import as_symbols
from ..errors import InvalidInputError

__all__ = ["eliminate", "eliminate_within_budget", "sample_point"]

#: Working digits of the sample points and of the vanishing test.
DIGITS = 60
#: Up to this many variables the elimination runs in the calling process (the depth-4
#: deep scalar network, the largest such case the tests know, takes 0.2 s); beyond, in a
#: worker process (a fresh one, from a fork server: no threads inherited) stopped at
#: the time budget.
IN_PROCESS_VARIABLES = 4


def sample_point(
    residual: sp.Expr, xs: Sequence[sp.Symbol], params: Sequence[sp.Symbol], *, seed: int
) -> dict[sp.Symbol, Any]:
    """A point of {residual = 0} at :data:`DIGITS` digits: random rationals for every
    symbol but one variable, which is a real root of the univariate residual left (tried
    again with other values until one exists).

    >>> x, y = sp.symbols("x y")
    >>> p = sample_point(1 - x * y, [x, y], [], seed=1)
    >>> abs(1 - p[x] * p[y]) < 1e-50
    True
    """
    rng = random.Random(seed)
    residual, xs, params = sp.sympify(residual, strict=True), as_symbols(xs), as_symbols(params)
    solve_for = [v for v in xs if sp.degree(residual, v) > 0]
    if not solve_for:
        raise InvalidInputError(f"the residual {residual} does not depend on the variables")
    v = min(solve_for, key=lambda s: sp.degree(residual, s))
    with mpmath.workdps(DIGITS):
        for _ in range(50):
            point = {
                s: sp.Rational(rng.choice((-1, 1)) * rng.randint(3, 29), rng.randint(5, 17))
                for s in [*xs, *params]
                if s != v
            }
            uni = sp.Poly(residual.xreplace(point), v)
            if uni.degree() < 1:
                continue
            roots = mpmath.polyroots([mpmath.mpf(c.p) / c.q for c in uni.all_coeffs()], 200, 40)
            real = [r for r in roots if abs(mpmath.im(r)) < mpmath.mpf(10) ** (-DIGITS // 2)]
            if real:
                out: dict[sp.Symbol, Any] = {s: mpmath.mpf(c.p) / c.q for s, c in point.items()}
                out[v] = mpmath.re(real[0])
                return out
    raise InvalidInputError(f"no real point of {residual} = 0 was found to test the elimination")


def eliminate_within_budget(
    equations: Sequence[sp.Expr],
    xs: Sequence[sp.Symbol],
    unknowns: Sequence[sp.Symbol],
    samples: Sequence[dict[sp.Symbol, Any]],
    what: str,
) -> list[sp.Expr]:
    """:func:`eliminate` in a worker process stopped when the time budget of the call runs
    out (a resultant is one call into FLINT whose cost no pilot predicts: depth 4 of the
    deep scalar network takes 0.2 s, depth 5 half a minute); the refusal then says how
    long it ran.  Up to :data:`IN_PROCESS_VARIABLES` variables, and where no worker can
    be forked, it runs here."""
    if len(xs) <= IN_PROCESS_VARIABLES:  # seconds at most: no worker needed
        return eliminate(equations, xs, unknowns, samples)
    left = budget.MAX_SECONDS - budget.spent()
    if left <= 0:
        budget.charge(what, 1.0, "the time budget of this call is used up")
    try:
        ctx = multiprocessing.get_context("forkserver")  # no threads inherited (JAX)
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_worker, args=(send, equations, xs, unknowns, samples), daemon=True
        )
        proc.start()
    except (ValueError, OSError, AssertionError):  # no fork here, or a daemonic process
        return eliminate(equations, xs, unknowns, samples)
    send.close()
    try:
        if not receive.poll(left):
            raise budget.CostError(
                f"{what} did not finish within the time budget ({budget.human(left)} left of "
                f"{budget.human(budget.MAX_SECONDS)}) and was stopped: its cost (successive "
                "resultants) cannot be estimated in advance; use fewer variables, or raise "
                "the limit with gdtheory.core.budget.allow(seconds)"
            )
        kind, payload = receive.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receive.close()
    if kind == "error":
        raise payload
    return list(payload)


def _worker(send: Any, *args: Any) -> None:
    try:
        send.send(("ok", eliminate(*args)))
    except Exception as exc:  # sent back and raised in the caller
        send.send(("error", exc))
    finally:
        send.close()


def eliminate(
    equations: Sequence[sp.Expr],
    xs: Sequence[sp.Symbol],
    unknowns: Sequence[sp.Symbol],
    samples: Sequence[dict[sp.Symbol, Any]],
) -> list[sp.Expr]:
    """The irreducible polynomials in the unknowns (and parameters) left after eliminating
    ``xs`` from ``equations``, each vanishing at every sample point (module docstring).

    >>> x, y, lam, q = sp.symbols("x y lam q")
    >>> eqs = [1 - x * y, x**2 - y**2 - q, x**2 + y**2 - lam]
    >>> pts = [sample_point(eqs[0], [x, y], [], seed=s) for s in (1, 2)]
    >>> with mpmath.workdps(DIGITS):  # the unknowns at the sample points, at 60 digits
    ...     for p in pts:
    ...         p[q], p[lam] = p[x] ** 2 - p[y] ** 2, p[x] ** 2 + p[y] ** 2
    >>> eliminate(eqs, [x, y], [lam, q], pts)
    [lam**2 - q**2 - 4]
    """
    equations = [sp.sympify(e, strict=True) for e in equations]
    xs = as_symbols(xs)
    gens = list(xs) + [
        s for s in sorted(set().union(*(e.free_symbols for e in equations)), key=str) if s not in xs
    ]
    names = tuple(f"g{i}" for i in range(len(gens)))
    ctx = flint.fmpz_mpoly_ctx.get(names, "lex")
    polys = [_to_flint(ctx, e, gens) for e in equations]
    polys = [p for p in polys if not p.is_zero()]
    pts = [[s[g] for g in gens] for s in samples]
    for k in range(len(xs)):
        name = names[k]
        with_v = [p for p in polys if p.degrees()[k] > 0]
        rest = [p for p in polys if p.degrees()[k] == 0]
        if not with_v:
            continue
        pivot = min(with_v, key=lambda p: (p.degrees()[k], len(p)))
        new = []
        for p in with_v:
            if p is pivot:
                continue
            new += _vanishing_factors(p.resultant(pivot, name), pts[:1])
        polys = _unique(rest + new)
    left = [p for p in polys if any(d > 0 for d in p.degrees()[len(xs) :])]
    out = []
    for p in left:
        out += _vanishing_factors(p, pts)
    return [
        sp.Add(
            *(
                sp.Integer(int(c)) * sp.Mul(*(g ** int(e) for g, e in zip(gens, m, strict=True)))
                for m, c in p.to_dict().items()
            )
        )
        for p in _unique(out)
    ]


def _to_flint(ctx: Any, expr: sp.Expr, gens: Sequence[sp.Symbol]) -> Any:
    """An integer polynomial (denominators cleared) in FLINT's context."""
    poly = sp.Poly(sp.expand(expr), *gens)
    den = sp.ilcm(*[c.q for c in poly.coeffs()]) if poly.coeffs() else 1
    return ctx.from_dict({m: int(c * den) for m, c in poly.as_dict().items()})


def _vanishing_factors(p: Any, points: Sequence[Sequence[Any]]) -> list[Any]:
    """The irreducible factors of p that vanish at every point (relative to the size of
    their terms there)."""
    if p.is_zero() or p.is_constant():
        return []
    _, factors = p.factor()
    return [f for f, _ in factors if all(_vanishes(f, pt) for pt in points)]


def _vanishes(p: Any, point: Sequence[Any]) -> bool:
    with mpmath.workdps(DIGITS):
        total, scale = mpmath.mpf(0), mpmath.mpf(0)
        for monomial, coeff in p.to_dict().items():
            term = int(coeff) * mpmath.fprod(
                v ** int(e) for v, e in zip(point, monomial, strict=True)
            )
            total += term
            scale += abs(term)
        return bool(abs(total) <= mpmath.mpf(10) ** (-DIGITS // 2) * max(scale, 1))


def _unique(polys: list[Any]) -> list[Any]:
    seen, out = set(), []
    for p in polys:
        key = str(p if p.leading_coefficient() > 0 else -p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
