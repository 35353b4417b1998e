r"""Polynomial maps truncated in h, in FLINT's multivariate rational polynomials.

One-step maps built by composing polynomial steps (the stages of a Runge-Kutta method,
the m steps of an SGD epoch) are needed only to some power of h for a modified equation
of a given order.  Composing in SymPy and expanding afterwards builds every power of h
(RK4 on a cubic field: h^39) before dropping them; here each composition is truncated
as it is made (``fmpq_mpoly.compose``), exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from ..core.objective import h

__all__ = ["TruncatedPolynomials"]


class TruncatedPolynomials:
    """Q[h, x_1..x_n, p_1..p_P] with every power of h above ``order`` dropped.

    >>> x = sp.Symbol("x")
    >>> T = TruncatedPolynomials([x], [], 2)
    >>> step = T.convert(x - h * x**2)            # one step x -> x - h x^2
    >>> T.to_sympy(T.at(step, [step]))    # two steps: x - 2h x^2 + 2h^2 x^3 - h^3 x^4, cut
    2*h**2*x**3 - 2*h*x**2 + x
    """

    def __init__(self, symbols: Sequence[sp.Symbol], params: Sequence[sp.Symbol], order: int):
        self.gens = [h, *symbols, *params]
        self.order = order
        self.ctx = flint.fmpq_mpoly_ctx.get(tuple(f"g{i}" for i in range(len(self.gens))), "lex")
        G = self.ctx.gens()
        n = len(symbols)
        self.h = G[0]
        self.x = list(G[1 : 1 + n])
        self._rest = list(G[1 + n :])

    def convert(self, e: sp.Expr) -> Any:
        """The polynomial ``e`` (rational coefficients) as an element."""
        terms = sp.Poly(sp.sympify(e, strict=True), *self.gens).terms()
        return self.ctx.from_dict({m: flint.fmpq(int(c.p), int(c.q)) for m, c in terms})

    @staticmethod
    def rational(v: Fraction | int) -> Any:
        q = Fraction(v)
        return flint.fmpq(q.numerator, q.denominator)

    def cut(self, p: Any) -> Any:
        """p with the powers of h above ``order`` dropped."""
        return self.ctx.from_dict({m: c for m, c in p.to_dict().items() if m[0] <= self.order})

    def at(self, p: Any, point: Sequence[Any]) -> Any:
        """p(point) (the state variables replaced by ``point``), truncated."""
        return self.cut(p.compose(self.h, *point, *self._rest))

    def to_sympy(self, p: Any) -> sp.Expr:
        return sp.Add(
            *(
                sp.Rational(int(v.p), int(v.q))
                * sp.Mul(*(g**e for g, e in zip(self.gens, m, strict=True)))
                for m, v in p.to_dict().items()
            )
        )
