r"""First-order rounding-error bounds: the scale on which a float64 step is judged.

A float evaluation of a formula commits a relative error of at most u = 2^-53 in every
operation.  To first order in u the error of the result is at most kappa u, where kappa
is the *running error bound* of the formula (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2nd ed., 2002, Sec. 3.3): inputs are exact; every operation adds the
magnitude of its result; errors propagate as

    a +- b:  kappa_a + kappa_b + |a +- b|
    a * b:   kappa_a |b| + |a| kappa_b + |a b|
    a / b:   (kappa_a + |a / b| kappa_b) / |b| + |a / b|
    a^p:     |p a^(p-1)| kappa_a + |a^p|
    sqrt(a): kappa_a / (2 sqrt(a)) + sqrt(a)

and a constant that float64 cannot hold exactly (beta = 9/10) enters with kappa = |c|.

:class:`Rounded` carries (value, kappa) through an optimiser's update formula, so the
oracle :func:`gdtheory.testing.assert_step` judges any method, a user's included, on the
scale its own formula sets; :func:`running_error` is the same bound for a SymPy
expression (a gradient component), and :func:`rounded_gradient` the gradient of an
objective at a Rounded point (the error of the point propagates through the Hessian).

>>> import mpmath
>>> x = Rounded(mpmath.mpf(3))
>>> y = x * x - Rounded.constant(sp.Rational(1, 10))   # 1/10: no float holds it
>>> float(y.value), float(y.kappa)         # kappa = |9| + |1/10| + |89/10|
(8.9, 18.0)
>>> float((x * x - 0.1).kappa)             # the float 0.1 is an exact input
17.9
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp

from ..core.conversion import as_expression, as_symbols
from ..core.objective import Objective
from ..core.scalars import to_mpf
from ..errors import InvalidInputError

__all__ = ["Rounded", "running_error", "rounded_gradient"]

_ZERO = mpmath.mpf(0)


def _lift(a: Any) -> Rounded:
    """A number the formula was given (h, an integer, a float): exact, kappa = 0."""
    if isinstance(a, Rounded):
        return a
    return Rounded(mpmath.mpf(a))


@dataclass(frozen=True)
class Rounded:
    """A value with its first-order rounding-error bound kappa (error <= kappa u)."""

    value: mpmath.mpf
    kappa: mpmath.mpf = _ZERO

    @staticmethod
    def constant(c: Any) -> Rounded:
        """A constant of the formula: exact if float64 holds it, else kappa = |c|."""
        if isinstance(c, sp.Basic):
            v = to_mpf(c)
            f = float(c)
            exact = bool(c.is_Rational) and math.isfinite(f) and sp.Rational(f) == c
        else:
            v = mpmath.mpf(c)
            exact = mpmath.mpf(float(v)) == v
        return Rounded(v, _ZERO if exact else abs(v))

    def from_constant(self, c: Any) -> Rounded:
        """The hook of :meth:`gdtheory.methods.registry.Method.num`."""
        return Rounded.constant(c)

    def __add__(self, other: Any) -> Rounded:
        b = _lift(other)
        v = self.value + b.value
        return Rounded(v, self.kappa + b.kappa + abs(v))

    __radd__ = __add__

    def __sub__(self, other: Any) -> Rounded:
        b = _lift(other)
        v = self.value - b.value
        return Rounded(v, self.kappa + b.kappa + abs(v))

    def __rsub__(self, other: Any) -> Rounded:
        return _lift(other) - self

    def __mul__(self, other: Any) -> Rounded:
        b = _lift(other)
        v = self.value * b.value
        return Rounded(v, self.kappa * abs(b.value) + abs(self.value) * b.kappa + abs(v))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Rounded:
        b = _lift(other)
        v = self.value / b.value
        return Rounded(v, (self.kappa + abs(v) * b.kappa) / abs(b.value) + abs(v))

    def __rtruediv__(self, other: Any) -> Rounded:
        return _lift(other) / self

    def __pow__(self, p: Any) -> Rounded:
        e = p.value if isinstance(p, Rounded) else mpmath.mpf(p)
        if e == 1:
            return self
        v = self.value**e
        d = abs(e * self.value ** (e - 1)) if self.value != 0 else _ZERO
        return Rounded(v, d * self.kappa + abs(v))

    def sqrt(self) -> Rounded:
        """sqrt(a): |d sqrt/da| kappa_a + |sqrt(a)| = kappa_a / (2 sqrt(a)) + sqrt(a) (the
        hook of :meth:`gdtheory.methods.registry.Method.sqrt`)."""
        v = mpmath.sqrt(self.value)
        if v == 0:
            if self.kappa:
                raise InvalidInputError(
                    "the square root of a rounded zero: its error, sqrt(kappa u), is not of "
                    "first order in u, so this step cannot be judged on the rounding scale"
                )
            return Rounded(v)
        return Rounded(v, self.kappa / (2 * v) + v)

    def __neg__(self) -> Rounded:
        return Rounded(-self.value, self.kappa)

    def __pos__(self) -> Rounded:
        return self

    def __abs__(self) -> Rounded:
        return Rounded(abs(self.value), self.kappa)

    def __float__(self) -> float:
        return float(self.value)

    def __lt__(self, other: Any) -> bool:
        return bool(self.value < _lift(other).value)

    def __le__(self, other: Any) -> bool:
        return bool(self.value <= _lift(other).value)

    def __gt__(self, other: Any) -> bool:
        return bool(self.value > _lift(other).value)

    def __ge__(self, other: Any) -> bool:
        return bool(self.value >= _lift(other).value)


def running_error(expr: sp.Expr, env: dict[sp.Symbol, Any]) -> tuple[Any, Any]:
    """(value, kappa) of ``expr`` at the point ``env`` (symbol -> mpf), kappa the running
    error bound of a straightforward float evaluation (module docstring; functions
    propagate as |f'(u)| kappa_u and add |f(u)|).

    >>> x = sp.Symbol("x")
    >>> v, k = running_error(3 * x**2, {x: mpmath.mpf(2)})
    >>> float(v), float(k)     # x^2: 2|x^2| = 8; times 3: 3 * 8 + 12
    (12.0, 36.0)
    """
    if not isinstance(env, dict):
        raise InvalidInputError("env must map SymPy symbols to numbers")
    symbols = as_symbols(list(env), "the keys of env")
    try:
        point = dict(zip(symbols, (mpmath.mpf(v) for v in env.values()), strict=True))
    except (TypeError, ValueError):
        raise InvalidInputError("env must map SymPy symbols to real numbers") from None
    return _running_error(as_expression(expr, "expr", symbols=symbols), point)


def _running_error(expr: sp.Expr, env: dict[sp.Symbol, Any]) -> tuple[Any, Any]:
    """:func:`running_error` on a validated expression and point."""
    prec = mpmath.mp.dps
    if expr.is_Symbol:
        return env[expr], _ZERO
    if expr.is_Number or expr.is_NumberSymbol:
        v = mpmath.mpf(sp.N(expr, prec + 5))
        return v, (_ZERO if expr.is_Integer else abs(v))
    if expr.is_Add or expr.is_Mul:
        parts = [_running_error(a, env) for a in expr.args]
        if expr.is_Add:
            v = mpmath.fsum(p[0] for p in parts)
            k = mpmath.fsum(p[1] for p in parts)
        else:
            v, k = parts[0]
            for pv, pk in parts[1:]:
                v, k = v * pv, k * abs(pv) + abs(v) * pk
        return v, k + abs(v)
    if expr.is_Pow and expr.exp.is_Integer:
        b, kb = _running_error(expr.base, env)
        n = int(expr.exp)
        v = b**n
        return v, abs(n) * abs(b) ** (n - 1) * kb + abs(n) * abs(v)
    if len(expr.args) == 1 or expr.is_Pow:
        arg = expr.base if expr.is_Pow else expr.args[0]
        u, ku = _running_error(arg, env)
        t = sp.Dummy("t")
        fn = t**expr.exp if expr.is_Pow else expr.func(t)
        at = {t: sp.Float(u, prec)}
        v = mpmath.mpf(sp.N(fn.subs(at), prec))
        d = mpmath.mpf(sp.N(sp.diff(fn, t).subs(at), prec))
        return v, abs(d) * ku + abs(v)
    v = mpmath.mpf(sp.N(expr.subs({s: sp.Float(x, prec) for s, x in env.items()}), prec))
    return v, abs(v)


def rounded_gradient(objective: Objective, y: Sequence[Any]) -> list[Rounded]:
    """grad f at a point of Rounded coordinates: the value at the point, kappa the running
    error of each component plus the point's own error through the Hessian,
    sum_j |H_ij(y)| kappa_{y_j} (rounding the point moves the gradient; Nesterov's
    look-ahead point is the classic case)."""
    ys = [_lift(c) for c in y]
    values = [c.value for c in ys]
    env = dict(zip(objective.symbols, values, strict=True))
    g = objective.grad_mp(values)
    kappa = [_running_error(e, env)[1] for e in objective.grad]
    if any(c.kappa for c in ys):
        H = objective.hess_mp(values)
        n = len(ys)
        kappa = [
            k + mpmath.fsum(abs(H[i, j]) * ys[j].kappa for j in range(n))
            for i, k in enumerate(kappa)
        ]
    return [Rounded(a, k) for a, k in zip(g, kappa, strict=True)]
