"""Rigorous enclosures of SymPy expressions over boxes, with python-flint ``arb`` balls.

Why arb rather than ``mpmath.iv``: arb (FLINT) propagates rigorous error bounds through
every elementary function we whitelist (tanh, cosh, atan, erf, ...), several of which
``mpmath.iv`` does not provide, and it is implemented in C.

:func:`enclose` walks the SymPy tree itself (no lambdify), so that every constant is
entered as a ball that *contains* it (1/3 becomes a ball around 0.333..., never a rounded
float).  Plain ball arithmetic is sign-unsafe on wide balls ([14 +- 7]^2 = [196 +- 245]
contains negative numbers, and 1/that is NaN), so products, integer powers, reciprocals
and monotone functions are evaluated at the *endpoints* of the balls (interval
semantics: the hull of rigorous arb point results, e.g. [a,b][c,d] = hull{ac, ad, bc, bd},
x^(2m) on a ball containing 0 = [0, max(|a|,|b|)^(2m)]).  A result that is not finite
(log of a ball reaching 0, say) is reported as such.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from ..core.gdmap import Arithmetic
from ..core.scalars import exact_real
from ..errors import InvalidInputError

__all__ = [
    "enclose",
    "enclose_gradient",
    "enclose_hessian",
    "box_ball",
    "to_fraction",
    "subdivide",
    "arb_upper",
    "arb_lower",
    "ARB",
    "Prec",
    "float_or_inf",
    "exact_fraction",
    "arb_identity",
]

_FUNCS: dict[type, Callable[[Any], Any]] = {
    sp.exp: lambda a: _monotone(lambda v: v.exp())(a),
    sp.log: lambda a: _monotone(lambda v: v.log())(a) if a.lower() > 0 else flint.arb("nan"),
    sp.sin: lambda a: a.sin(),
    sp.cos: lambda a: a.cos(),
    sp.tan: lambda a: a.tan(),
    sp.sinh: lambda a: _monotone(lambda v: v.sinh())(a),
    sp.cosh: lambda a: _cosh(a),
    sp.tanh: lambda a: _monotone(lambda v: v.tanh())(a),
    sp.atan: lambda a: _monotone(lambda v: v.atan())(a),
    sp.asinh: lambda a: _monotone(lambda v: v.asinh())(a),
    sp.erf: lambda a: _monotone(lambda v: v.erf())(a),
    sp.sech: lambda a: a.sech(),
    sp.cot: lambda a: a.cot(),
    sp.sec: lambda a: a.sec(),
    sp.csc: lambda a: a.csc(),
    sp.coth: lambda a: a.coth(),
    sp.csch: lambda a: a.csch(),
    sp.asin: lambda a: a.asin(),
    sp.acos: lambda a: a.acos(),
    sp.acosh: lambda a: a.acosh(),
    sp.atanh: lambda a: a.atanh(),
}


def _ends(a: Any) -> tuple[Any, Any]:
    return a.lower(), a.upper()


def _hull(*balls: Any) -> Any:
    out = balls[0]
    for b in balls[1:]:
        out = out.union(b)
    return out


def _mul(a: Any, b: Any) -> Any:
    """Interval product: hull of the four endpoint products (each a rigorous ball)."""
    (p, q), (r, t) = _ends(a), _ends(b)
    return _hull(p * r, p * t, q * r, q * t)


def _inv(a: Any) -> Any:
    lo, hi = _ends(a)
    if not (lo > 0 or hi < 0):
        return flint.arb("nan")
    return _hull(1 / lo, 1 / hi)  # 1/x is monotone on an interval without 0


def _ipow(a: Any, n: int) -> Any:
    if n < 0:
        return _inv(_ipow(a, -n))
    if n == 0:
        return flint.arb(1)
    lo, hi = _ends(a)

    def point_pow(v: Any) -> Any:
        result = flint.arb(1)
        for _ in range(n):
            result = result * v  # v is a point: no ball blow-up
        return result

    ends = _hull(point_pow(lo), point_pow(hi))
    if n % 2 == 0 and lo < 0 < hi:
        return ends.union(flint.arb(0))
    return ends


def _monotone(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An increasing function on a ball: the hull of its values at the endpoints."""

    def g(a: Any) -> Any:
        lo, hi = _ends(a)
        return _hull(f(lo), f(hi))

    return g


def _cosh(a: Any) -> Any:
    lo, hi = _ends(a)
    ends = _hull(lo.cosh(), hi.cosh())
    return ends.union(flint.arb(1)) if lo < 0 < hi else ends


def enclose(expr: sp.Expr, env: Mapping[sp.Symbol, Any]) -> Any:
    """A ball containing every value of ``expr`` with each symbol in its ball ``env[s]``.

    >>> x = sp.Symbol("x")
    >>> b = enclose(x**2 / 3, {x: box_ball(-1, 2)})
    >>> b.upper() >= flint.arb(4) / 3, b.lower() <= 0
    (True, True)
    """
    cache: dict[sp.Basic, Any] = {}

    def ev(e: sp.Basic) -> Any:
        if e in cache:
            return cache[e]
        if e.is_Symbol:
            if e not in env:
                raise InvalidInputError(f"no ball given for the symbol {e}")
            r = env[e]
        elif e.is_Integer:
            r = flint.arb(int(e))
        elif e.is_Rational:
            r = flint.arb(int(e.p)) / int(e.q)
        elif e.is_Float:
            man, exp = sp.Float(e)._mpf_[1:3]
            sign = sp.Float(e)._mpf_[0]
            r = flint.arb(flint.fmpz((-1) ** sign * int(man))) * flint.arb(2) ** int(exp)
        elif e is sp.pi:
            r = flint.arb.pi()
        elif e is sp.E:
            r = flint.arb.const_e()
        elif e.is_Add:
            r = flint.arb(0)
            for t in e.args:
                r = r + ev(t)
        elif e.is_Mul:
            r = flint.arb(1)
            for t in e.args:
                r = _mul(r, ev(t))
        elif e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                r = _ipow(ev(base), int(ex))
            elif ex == sp.Rational(1, 2):
                r = _monotone(lambda v: v.sqrt())(ev(base))
            elif ex == -sp.Rational(1, 2):
                r = _inv(_monotone(lambda v: v.sqrt())(ev(base)))
            else:
                r = (ev(ex) * ev(base).log()).exp()
        elif type(e) in _FUNCS:
            r = _FUNCS[type(e)](ev(e.args[0]))
        else:
            raise InvalidInputError(f"cannot enclose {type(e).__name__} ({e}) rigorously")
        cache[e] = r
        return r

    return ev(sp.sympify(expr, strict=True))


def to_fraction(value: Any, name: str = "value") -> Fraction:
    """An exact rational from a user scalar (floats by their exact binary value)."""
    v = exact_real(value, name)
    if not v.is_Rational:
        raise InvalidInputError(f"{name} must be rational (a box side), got {value!r}")
    return Fraction(int(v.p), int(v.q))


def box_ball(low: Any, high: Any) -> Any:
    """An arb ball containing the interval [low, high] (endpoints taken exactly)."""
    lo, hi = to_fraction(low, "box low"), to_fraction(high, "box high")
    if hi < lo:
        raise InvalidInputError(f"box side [{low}, {high}] has high < low")
    a = flint.arb(flint.fmpq(lo.numerator, lo.denominator))
    b = flint.arb(flint.fmpq(hi.numerator, hi.denominator))
    return a.union(b)


def subdivide(
    box: Sequence[tuple[Fraction, Fraction]], pieces: int
) -> Iterator[list[tuple[Fraction, Fraction]]]:
    """Split each side of ``box`` into ``pieces`` equal parts: the pieces**n sub-boxes,
    one at a time (a million of them are never held at once)."""
    widths = [(lo, (hi - lo) / pieces) for lo, hi in box]
    for index in itertools.product(range(pieces), repeat=len(widths)):
        yield [(lo + i * w, lo + (i + 1) * w) for (lo, w), i in zip(widths, index, strict=True)]


def _to_fraction(a: Any) -> Fraction:
    man, exp = a.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def arb_upper(a: Any) -> Fraction:
    """An exact rational >= every point of the ball ``a`` (ValueError if not finite)."""
    if not a.is_finite():
        raise ValueError("ball is not finite")
    return _to_fraction(a.upper())


def arb_lower(a: Any) -> Fraction:
    """An exact rational <= every point of the ball ``a`` (ValueError if not finite)."""
    if not a.is_finite():
        raise ValueError("ball is not finite")
    return _to_fraction(a.lower())


def _box_env(objective: Any, box: Sequence[tuple[Any, Any]]) -> dict[sp.Symbol, Any]:
    syms = objective.symbols
    if len(box) != len(syms):
        from ..errors import ShapeError

        raise ShapeError(f"box has {len(box)} sides for an objective of dimension {len(syms)}")
    return {s: box_ball(lo, hi) for s, (lo, hi) in zip(syms, box, strict=True)}


def enclose_gradient(objective: Any, box: Sequence[tuple[Any, Any]]) -> list[Any]:
    """Balls containing each component of grad f(x) for every x in ``box``.

    >>> from gdtheory import Objective
    >>> g = enclose_gradient(Objective.parse("x**2*y"), [(1, 2), (-1, 1)])
    >>> [(float(b.lower()) <= -4.0, float(b.upper()) >= 4.0) for b in g]  # 2xy, x^2
    [(True, True), (False, True)]
    """
    env = _box_env(objective, box)
    return [enclose(g, env) for g in objective.grad]


def enclose_hessian(objective: Any, box: Sequence[tuple[Any, Any]]) -> list[list[Any]]:
    """Balls containing each entry of the Hessian H(x) for every x in ``box``."""
    env = _box_env(objective, box)
    H = objective.hessian
    return [[enclose(H[i, j], env) for j in range(H.cols)] for i in range(H.rows)]


def _env(objective: Any, balls: Sequence[Any]) -> dict[sp.Symbol, Any]:
    return dict(zip(objective.symbols, balls, strict=True))


def arb_identity(n: int) -> Any:
    """The n x n identity as an ``arb_mat``."""
    return flint.arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])


def _enclose_all(objective: Any, exprs: Sequence[sp.Expr], balls: Sequence[Any]) -> list[Any]:
    env = _env(objective, balls)
    return [enclose(e, env) for e in exprs]


#: Ball arithmetic for :mod:`gdtheory.core.gdmap`: ``x`` a list of arb balls, ``h`` an
#: exact SymPy number; the step x - h grad f(x) and the Jacobian I - h Hess f(x) are
#: formed on the exact derivatives and each entry is enclosed as one expression by
#: :func:`enclose` (every value over the balls lies in the result); matrices are arb_mat.
ARB = Arithmetic(
    name="arb",
    gradient=None,
    hessian=None,
    matrix=flint.arb_mat,
    identity=lambda n, like: arb_identity(n),
    matmul=lambda A, B: A * B,
    evaluate=_enclose_all,
)


class Prec:
    """Set flint's working precision (bits) for a block, and restore it afterwards."""

    def __init__(self, bits: int) -> None:
        self.bits = bits

    def __enter__(self) -> None:
        self.saved = flint.ctx.prec
        flint.ctx.prec = self.bits

    def __exit__(self, *exc: object) -> None:
        flint.ctx.prec = self.saved


def float_or_inf(q: Fraction) -> float:
    """float(q), or +-inf when q is beyond the float range (a huge or tiny box)."""
    try:
        return float(q)
    except OverflowError:
        return float("inf") if q > 0 else float("-inf")


def exact_fraction(value: Any, name: str) -> Fraction:
    """An exact rational: the value itself, or a 60-digit rational approximation of an
    irrational point (sqrt(2), ...), which the boxes around it then contain.

    >>> exact_fraction("1/3", "x"), float(exact_fraction(sp.sqrt(2), "x"))
    (Fraction(1, 3), 1.4142135623730951)
    """
    v = exact_real(value, name)
    return to_fraction(v if v.is_Rational else sp.Rational(sp.N(v, 60)), name)
