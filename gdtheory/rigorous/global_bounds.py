r"""Certified bounds of Hessian entries on unbounded regions: a global smoothness constant.

R^n is covered by the box [-M, M]^n and the regions around it, each a product of sides
(-oo, -M], [-M, M], [M, oo).  On a region, an entry e of the Hessian is bounded as follows
(every step an exact identity or a rigorous enclosure):

1. sinh, cosh, tanh are rewritten as exponentials;
2. every exp(u) with u linear is written exp(r v), v primitive (content 1, leading sign +).
   When v has one sign on the region (v >= a >= 0, say), w = exp(-v) lies in
   (0, exp(-a)] and exp(r v) = w^(-r); for v <= b <= 0, w = exp(v) in (0, exp(b)] and
   exp(r v) = w^r;
3. sin and cos of an argument unbounded on the region become a symbol in [-1, 1];
4. the entry, now a function of the w's, the bounded coordinates and the [-1, 1] symbols,
   is cancelled as a rational function (so exp(x)/(1 + exp(x))^2 becomes w/(1 + w)^2) and
   enclosed with arb balls (:func:`gdtheory.rigorous.balls.enclose`).

A region on which some v changes sign, or an unbounded coordinate survives, is split
(finite sides in halves, [a, oo) into [a, 2a] and [2a, oo)) up to a budget of regions.
Then rho(H) <= rho(B) for the entrywise bounds B, as for boxes (Perron-Frobenius and
Collatz-Wielandt, in :mod:`gdtheory.rigorous.smoothness`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any

import flint
import sympy as sp

from ..core.conversion import as_symbols
from ..errors import InvalidInputError
from .balls import arb_lower, arb_upper, box_ball, enclose

__all__ = [
    "Side",
    "Region",
    "as_exponentials",
    "entry_bound",
    "equivalent_forms",
    "split_region",
    "outer_regions",
]

#: A side of a region: (low, high), None for -oo / +oo.
Side = tuple[Fraction | None, Fraction | None]
Region = tuple[Side, ...]

_HYPERBOLIC = (sp.sinh, sp.cosh, sp.tanh, sp.sech, sp.csch, sp.coth)


def outer_regions(n: int, M: Fraction) -> list[Region]:
    """The 3^n - 1 regions that, with [-M, M]^n, cover R^n.

    >>> len(outer_regions(2, Fraction(8)))
    8
    """
    choices: list[Side] = [(None, -M), (-M, M), (M, None)]
    out: list[list[Side]] = [[]]
    for _ in range(n):
        out = [prev + [c] for prev in out for c in choices]
    return [tuple(r) for r in out if any(lo is None or hi is None for lo, hi in r)]


def split_region(region: Region, width: Fraction = Fraction(1, 16)) -> list[Region]:
    """Halve the finite sides wider than ``width`` if there are any; else cut [a, oo) at 2a
    (and (-oo, b] at 2b), a, b != 0.

    >>> split_region(((Fraction(8), None),))
    [((Fraction(8, 1), Fraction(16, 1)),), ((Fraction(16, 1), None),)]
    """
    wide = any(a is not None and b is not None and b - a > width for a, b in region)
    parts: list[list[Side]] = []
    for lo, hi in region:
        if lo is not None and hi is not None:
            mid = (lo + hi) / 2
            parts.append([(lo, mid), (mid, hi)] if hi - lo > width else [(lo, hi)])
        elif wide:
            parts.append([(lo, hi)])
        elif hi is None and lo is not None:
            cut = 2 * lo if lo > 0 else lo + 1
            parts.append([(lo, cut), (cut, None)])
        elif lo is None and hi is not None:
            cut = 2 * hi if hi < 0 else hi - 1
            parts.append([(None, cut), (cut, hi)])
        else:
            parts.append([(None, Fraction(0)), (Fraction(0), None)])
    out: list[list[Side]] = [[]]
    for p in parts:
        out = [prev + [s] for prev in out for s in p]
    return [tuple(r) for r in out]


def _linear_range(u: sp.Expr, symbols: Sequence[sp.Symbol], region: Region) -> Side | None:
    """The exact range of a linear u over the region (None if u is not linear)."""
    try:
        poly = sp.Poly(u, *symbols)
    except sp.PolynomialError:
        return None
    if poly.total_degree() > 1:
        return None
    lo: Fraction | None = Fraction(0)
    hi: Fraction | None = Fraction(0)
    const = poly.coeff_monomial(1)
    if not const.is_Rational:
        return None
    lo = hi = Fraction(int(const.p), int(const.q))
    for s, (a, b) in zip(symbols, region, strict=True):
        c = poly.coeff_monomial(s)
        if c == 0:
            continue
        if not c.is_Rational:
            return None
        q = Fraction(int(c.p), int(c.q))
        low_end, high_end = (a, b) if q > 0 else (b, a)
        lo = None if lo is None or low_end is None else lo + q * low_end
        hi = None if hi is None or high_end is None else hi + q * high_end
    return lo, hi


def _exp_upper(v: Fraction) -> Fraction:
    """An exact rational >= exp(v)."""
    return arb_upper(flint.arb(flint.fmpq(v.numerator, v.denominator)).exp())


def _exp_lower(v: Fraction) -> Fraction:
    """An exact rational <= exp(v), >= 0."""
    return max(Fraction(0), arb_lower(flint.arb(flint.fmpq(v.numerator, v.denominator)).exp()))


@lru_cache(maxsize=1024)
def as_exponentials(expr: sp.Expr) -> sp.Expr:
    """``expr`` with sinh, cosh, tanh, sech, csch, coth written as exponentials (cached:
    the same Hessian entry is rewritten once, however many regions it is bounded on).

    >>> x = sp.Symbol("x")
    >>> as_exponentials(sp.tanh(x))
    (exp(x) - exp(-x))/(exp(x) + exp(-x))
    """
    return expr.replace(lambda t: isinstance(t, _HYPERBOLIC), lambda t: t.rewrite(sp.exp))


def _rewrite(
    expr: sp.Expr, symbols: Sequence[sp.Symbol], region: Region
) -> tuple[sp.Expr, dict[sp.Symbol, Any]] | None:
    """Steps 1-4 of the module docstring: the cancelled form and the balls of its symbols."""
    e = as_exponentials(expr)
    env: dict[sp.Symbol, Any] = {}
    bases: dict[sp.Expr, tuple[sp.Symbol, int]] = {}
    mapping: dict[sp.Expr, sp.Expr] = {}
    for atom in e.atoms(sp.exp):
        u = sp.expand(atom.args[0])
        content, v = u.as_content_primitive()
        if v.could_extract_minus_sign():
            content, v = -content, -v
        if not content.is_Rational:
            return None
        rng = _linear_range(v, symbols, region)
        if rng is None:
            return None
        lo, hi = rng
        if lo is not None and hi is not None and lo < 0 < hi:
            continue  # v bounded with both signs: keep exp(u) (a finite ball)
        if v not in bases:
            w = sp.Dummy("w", positive=True)
            if lo is not None and lo >= 0:  # w = exp(-v) in [exp(-hi), exp(-lo)]
                bases[v] = (w, -1)
                top = _exp_upper(-lo)
                bottom = Fraction(0) if hi is None else _exp_lower(-hi)
            elif hi is not None and hi <= 0:  # w = exp(v) in [exp(lo), exp(hi)]
                bases[v] = (w, 1)
                top = _exp_upper(hi)
                bottom = Fraction(0) if lo is None else _exp_lower(lo)
            else:
                return None  # v changes sign with an unbounded end: split
            env[w] = box_ball(bottom, top)
        w, sign = bases[v]
        mapping[atom] = w ** (sign * content)
    e = e.xreplace(mapping)
    infinite = {s for s, (lo, hi) in zip(symbols, region, strict=True) if lo is None or hi is None}
    trig: dict[sp.Expr, sp.Expr] = {}
    for t in e.atoms(sp.sin, sp.cos):
        if t.free_symbols & infinite:
            c = sp.Dummy("c", real=True)
            env[c] = box_ball(-1, 1)
            trig[t] = c
    e = e.xreplace(trig)
    if bases:
        e = sp.cancel(sp.together(e))
    if e.free_symbols & infinite:
        return None
    for s, (lo, hi) in zip(symbols, region, strict=True):
        if s not in infinite:
            env[s] = box_ball(lo, hi)
    return e, env


def entry_bound(expr: sp.Expr, symbols: Sequence[sp.Symbol], region: Region) -> Fraction | None:
    """An exact rational >= |expr| on the region, or None if no finite bound was found.

    On a finite region the plain enclosure is tried too, and the smaller bound is kept.

    >>> x = sp.Symbol("x", real=True)
    >>> float(entry_bound(sp.exp(x) / (1 + sp.exp(x))**2, [x], ((Fraction(8), None),)))
    0.0003354...
    """
    expr, symbols = sp.sympify(expr, strict=True), as_symbols(symbols)
    bounds: list[Fraction] = []
    finite = all(lo is not None and hi is not None for lo, hi in region)
    if finite:
        env = {s: box_ball(lo, hi) for s, (lo, hi) in zip(symbols, region, strict=True)}
        bounds += _abs_upper(expr, env)
    try:
        form = _rewrite(expr, symbols, region)
    except (sp.PolynomialError, TypeError, ValueError):
        form = None
    if form is not None:
        bounds += _abs_upper(*form)
    return min(bounds) if bounds else None


def equivalent_forms(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """``expr`` and, when different, its hyperbolic functions as exponentials, cancelled as
    a rational function of the exponentials (often much tighter under ball arithmetic:
    exp(-x)/(1 + exp(-x)) - exp(-2x)/(1 + exp(-x))^2 becomes one quotient).

    >>> x = sp.Symbol("x")
    >>> equivalent_forms(sp.exp(-x)/(1 + sp.exp(-x)) - sp.exp(-2*x)/(1 + sp.exp(-x))**2)[1]
    exp(x)/(exp(2*x) + 2*exp(x) + 1)
    """
    expr = sp.sympify(expr, strict=True)
    if not expr.has(sp.exp, *_HYPERBOLIC) or sp.count_ops(expr) > 40:
        return (expr,)  # nothing to gain, or too large to cancel quickly
    e = as_exponentials(expr)
    try:
        c = sp.cancel(sp.together(e))
    except (sp.PolynomialError, TypeError, ValueError):
        return (expr,)
    return (expr,) if c == expr else (expr, c)


def _abs_upper(expr: sp.Expr, env: dict[sp.Symbol, Any]) -> list[Fraction]:
    try:
        return [arb_upper(abs(enclose(expr, env)))]
    except (ValueError, InvalidInputError, ZeroDivisionError):
        return []
