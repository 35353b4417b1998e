r"""Truncated power series in h over the differential ring of an objective: the
arithmetic in which the slow-manifold engine (:mod:`.slow_manifold`) runs a method's own
update formula.

An element is sum_{j <= K} h^j c_j(x) with coefficients in the ring of
:mod:`.diffring` (FLINT polynomials in x, the parameters and the atoms), extended by the
generators the engine needs: the method's symbolic hyperparameters, two inverse
determinants, h, Taylor dummies z, the symbolic state s and gradient placeholders G of
order 0, an opaque value W, and sign generators sigma (sigma^2 = 1).  Division by a
series q = c_0 + O(h) is the geometric series (1/c_0) sum_k (-u)^k, u = (q - c_0)/c_0,
and a square root the binomial series r_0 sum_k binom(1/2, k) u^k, u = (q - r_0^2)/r_0^2:
c_0 a nonzero number, or a function of x whose reciprocal is a building block of the
ring; r_0 a rational, or sigma p with p a polynomial of the ring and sigma = sign(p(x)), so
that r_0 = |p| on each region where p keeps its sign, or else sqrt(c_0) itself as a
building block (eps inside the root: sqrt(g^2 + eps)).  A building block the ring lacks
raises :class:`NeedAtoms`; the engine rebuilds the ring with it and starts again.

>>> import gdtheory as gt
>>> from gdtheory.optimizers import HeavyBall
>>> A = SeriesAlgebra(gt.Objective.parse("x**2/2"), HeavyBall("1/2"), 3)
>>> one_plus_h = Series(A, A.ring.one + A.gens[A.hi])
>>> A.ring.to_sympy((1 / one_plus_h).p).subs(A.H, gt.h)   # 1 - h + h^2 - h^3
-h**3 + h**2 - h + 1
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from ..core.objective import Objective
from ..core.scalars import exact_floats
from ..errors import GDTheoryError, InvalidInputError
from ..methods.registry import Method
from .diffring import DifferentialRing

__all__ = ["SeriesAlgebra", "Series", "NeedAtoms", "geometric", "method_parameters"]


def method_parameters(method: Method) -> list[sp.Symbol]:
    """The symbols in a method's hyperparameters (beta = Symbol("beta")), sorted by name."""
    found: set[sp.Symbol] = set()
    for value in method.hyperparameters().values():
        if isinstance(value, sp.Basic):
            found |= {s for s in value.free_symbols if isinstance(s, sp.Symbol)}
    return sorted(found, key=lambda s: s.name)


class SeriesAlgebra:
    """Truncated series in h over the differential ring of f, with the generators the
    engine needs: the method's symbols, two inverse determinants, h, the Taylor dummies
    z, the state symbols s of order 0 and the placeholders G of a gradient away from x."""

    def __init__(
        self,
        f: Objective,
        method: Method,
        K: int,
        atoms: Sequence[sp.Expr] = (),
        signs: Sequence[tuple[sp.Symbol, sp.Expr]] = (),
    ) -> None:
        self.f, self.K = f, K
        n = f.dim
        self.n, self.m = n, len(method.state) * n
        self.mparams = [p for p in method_parameters(method) if p not in f.params]
        self.C = [sp.Dummy("c0"), sp.Dummy("c1")]
        self.H = sp.Dummy("h")
        self.z = [sp.Dummy(f"z{i}") for i in range(n)]
        self.s = [sp.Dummy(f"s{i}") for i in range(self.m)]
        self.G = [sp.Dummy(f"g{i}") for i in range(n)]
        self.W = sp.Dummy("w")  # an opaque value at h = 0 (a root or quotient of the state)
        self.signs = list(signs)  # (sigma, p): sigma = sign(p(x)), sigma^2 = 1
        consts = [v for v in method.hyperparameters().values() if isinstance(v, sp.Basic)]
        extra = [e for v in consts for e in (v if isinstance(v, sp.MatrixBase) else [v])]
        params = [*f.params, *self.mparams, *self.C, self.H, *self.z, *self.s, *self.G, self.W]
        params += [sg for sg, _ in self.signs]
        self.ring = R = DifferentialRing(list(f.symbols), [*f.grad, *extra, *atoms], params)
        base = R.n + len(f.params) + len(self.mparams)
        self.ci = [base, base + 1]
        self.hi = base + 2
        self.zi = self.hi + 1
        self.si = self.zi + n
        self.gi = self.si + self.m
        self.wi = self.gi + n
        self.sgi = [self.wi + 1 + k for k in range(len(self.signs))]
        self.order0 = False  # True while the update runs at h = 0 on the symbolic state
        #: c q - 1 for each inverse-determinant generator c = 1/q (set by the engine once
        #: known): values are reduced modulo them before a root or a reciprocal is taken
        self.relations: list[Any] = []
        self.gens = list(R.gens)
        # each reciprocal building block a = 1/q the update asked for: a q = 1, so that
        # g (1/g) and (|g| + eps)/(|g| + eps) cancel instead of swelling the series
        self.atom_relations = [
            R.convert(a) * R.convert(a.base) - R.one
            for a in atoms
            if a.is_Pow and a.exp == -1 and not R.convert(a.base).is_constant()
        ]
        self.x = self.gens[:n]
        self.grad = [R.convert(e) for e in f.grad]
        self._powers: dict[int, list[list[Any]]] = {}  # (z . grad)^m of the gradient

    # --------------------------------------------------------------- series helpers
    def cut(self, p: Any, K: int | None = None) -> Any:
        """p truncated after h^K, with every sign generator's power reduced (sigma^2 = 1),
        in normal form modulo the relations (:meth:`normal`)."""
        K = self.K if K is None else K
        if p.is_zero():
            return p
        d = p.degrees()
        if d[self.hi] <= K and all(d[i] <= 1 for i in self.sgi):
            return self.normal(p)
        out: dict[tuple[int, ...], Any] = {}
        for e, c in p.to_dict().items():
            if e[self.hi] <= K:
                e2 = list(e)
                for i in self.sgi:
                    e2[i] %= 2
                key = tuple(e2)
                out[key] = out[key] + c if key in out else c
        return self.normal(self.ring.ctx.from_dict(out))

    def normal(self, p: Any) -> Any:
        """p reduced modulo the relations c q = 1 of the inverse determinants and a q = 1
        of the reciprocal building blocks (the remainder on division by each c q - 1 in
        turn: for one relation a normal form, since one polynomial is a Groebner basis of
        the ideal it generates; for several, an equal and smaller representative)."""
        for rel in (*self.relations, *self.atom_relations):
            if not p.is_zero():
                p = divmod(p, rel)[1]
        return p

    def value_at_zero(self, q: Any, refusal: str) -> Any:
        """q at h = 0 in normal form (the c0 a quotient or a root expands about); None for
        an opaque value at order 0 (:meth:`opaque`); the refusal when it is zero."""
        if self.opaque(q):
            return None
        c0 = self.normal(self.coeff(q, 0))
        if c0.is_zero():
            raise InvalidInputError(refusal)
        return c0

    def opaque(self, q: Any) -> bool:
        """At h = 0 on the symbolic state: whether q involves the state or a gradient away
        from x (then a root or quotient of it is an opaque value W, which must drop out)."""
        if not self.order0:
            return False
        return bool(self.degree_in(q, range(self.si, self.gi + self.n + 1)))

    def atom(self, expr: sp.Expr) -> Any:
        """The ring element of a building block, or NeedAtoms when the ring lacks it."""
        try:
            return self.ring.convert(expr)
        except GDTheoryError:
            raise NeedAtoms([expr], []) from None

    def sign_of(self, root: Any) -> Any:
        """The generator sigma = sign(root(x)) (a new one is requested when unknown)."""
        text = self.ring.to_sympy(root)
        for k, (_, p) in enumerate(self.signs):
            if p == text:
                return self.gens[self.sgi[k]]
        sigma = sp.Symbol(f"sigma_{len(self.signs) + 1}", real=True)
        raise NeedAtoms([1 / text], [(sigma, text)])

    def coeff(self, p: Any, j: int) -> Any:
        """The coefficient of h^j."""
        out = {}
        for e, c in p.to_dict().items():
            if e[self.hi] == j:
                e2 = list(e)
                e2[self.hi] = 0
                out[tuple(e2)] = c
        return self.ring.ctx.from_dict(out)

    def degree_in(self, p: Any, indices: Sequence[int]) -> int:
        if p.is_zero():
            return 0
        d = p.degrees()
        return max((d[i] for i in indices), default=0)

    def vanishes(self, p: Any, denominators: Sequence[tuple[int, Any]]) -> bool:
        """Whether p is zero once each generator c_i is 1/q_i: q_i^D p(1/q_i) = 0, D the
        degree of p in c_i, is a polynomial identity."""
        for ci, q in denominators:
            D = self.degree_in(p, [ci])
            if D == 0:
                continue
            parts: dict[int, dict[tuple[int, ...], Any]] = {}
            for e, c in p.to_dict().items():
                e2 = list(e)
                e2[ci] = 0
                parts.setdefault(e[ci], {})[tuple(e2)] = c
            ctx = self.ring.ctx
            p = sum(
                (ctx.from_dict(terms) * q ** (D - i) for i, terms in parts.items()),
                self.ring.zero,
            )
        return bool(self.ring.is_zero(self.ring.reduce(p)))

    def lift(self, value: Any) -> Any:
        """A number or a hyperparameter of the formula as a ring element."""
        if isinstance(value, Series):
            return value.p
        if isinstance(value, bool):
            raise InvalidInputError("a boolean in an update formula")
        if isinstance(value, int):
            return self.ring.constant(sp.Integer(value))
        if isinstance(value, float):
            return self.ring.constant(sp.Rational(value))  # the float's exact value
        if isinstance(value, sp.Basic):
            return self.ring.convert(exact_floats(value))
        raise InvalidInputError(
            f"the update formula combined a series with {type(value).__name__}; write it with "
            "+ - * /, integer powers and Method.num for the hyperparameters"
        )

    # --------------------------------------------------------------- composition
    def taylor(
        self, us: Sequence[Any], delta: Sequence[Any], K: int, cache: list[list[Any]] | None = None
    ) -> list[Any]:
        """u(x + delta) to h^K for ring elements u (delta = O(h))."""
        R, n = self.ring, self.n
        gens = list(self.gens)
        for i in range(n):
            gens[self.zi + i] = delta[i]
        powers = cache if cache is not None else [list(us)]
        out = list(us)
        for mth in range(1, K + 1):
            if len(powers) <= mth:
                prev = powers[mth - 1]
                powers.append(
                    [
                        R.reduce(
                            sum((self.gens[self.zi + j] * R.diff(t, j) for j in range(n)), R.zero)
                        )
                        for t in prev
                    ]
                )
            inv = flint.fmpq(1, math.factorial(mth))
            for c, t in enumerate(powers[mth]):
                if not t.is_zero():
                    out[c] = out[c] + self.cut(t.compose(*gens), K) * inv
        return [self.cut(o, K) for o in out]

    def gradient_at(self, y: Sequence[Any], order0: bool) -> list[Any]:
        """grad f at y = x + delta: the Taylor expansion, or at order 0 (h = 0, symbolic
        state) the placeholders G when y is not x (an h-multiplied gradient vanishes)."""
        delta = [self.lift(a) - xi for a, xi in zip(y, self.x, strict=True)]
        if all(d.is_zero() for d in delta):
            return list(self.grad)
        if order0 or any(not self.coeff(d, 0).is_zero() for d in delta):
            if order0:
                return [self.gens[self.gi + i] for i in range(self.n)]
            raise InvalidInputError(
                "the update takes a gradient at a point that differs from x at h = 0 on the "
                "slow manifold; the expansion needs it at x + O(h)"
            )
        cache = self._powers.setdefault(0, [list(self.grad)])
        return self.taylor(self.grad, delta, self.K, cache)


class Series:
    """An element of the truncated series algebra, the arithmetic the method's update runs
    in (``exact = True``: :meth:`Method.num` hands it the exact hyperparameters)."""

    exact = True
    __slots__ = ("A", "p")

    def __init__(self, A: SeriesAlgebra, p: Any) -> None:
        self.A, self.p = A, p

    def _new(self, p: Any) -> Series:
        return Series(self.A, p)

    def __add__(self, o: Any) -> Series:
        return self._new(self.p + self.A.lift(o))

    __radd__ = __add__

    def __sub__(self, o: Any) -> Series:
        return self._new(self.p - self.A.lift(o))

    def __rsub__(self, o: Any) -> Series:
        return self._new(self.A.lift(o) - self.p)

    def __neg__(self) -> Series:
        return self._new(-self.p)

    def __mul__(self, o: Any) -> Series:
        return self._new(self.A.ring.reduce(self.A.cut(self.p * self.A.lift(o))))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Series:
        return self * self._inverse(self.A.lift(o))

    def __rtruediv__(self, o: Any) -> Series:
        return self._new(self.A.lift(o)) * self._inverse(self.p)

    def __pow__(self, k: Any) -> Series:
        if isinstance(k, bool) or not isinstance(k, int | sp.Integer) or k < 0:
            raise InvalidInputError(
                f"the slow-manifold engine takes non-negative integer powers, got {k!r}"
            )
        out = self._new(self.A.ring.one)
        for _ in range(int(k)):
            out = out * self
        return out

    def _inverse(self, q: Any) -> Series:
        """1/q = (1/c0) sum_k (-u)^k, q = c0 + r with c0 its value at h = 0 and u = r/c0 =
        O(h): c0 a nonzero number, or a function of x whose reciprocal is a building block
        of the ring (1/(|g_i| + eps) for Adam)."""
        A = self.A
        c0 = A.value_at_zero(
            q, "the update divides by a series that vanishes at h = 0 on the slow manifold"
        )
        if c0 is None:
            return self._new(A.gens[A.wi])
        if c0.is_constant():
            inv0 = A.ring.ctx.constant(1 / c0.leading_coefficient())
        else:
            inv0 = A.atom(1 / A.ring.to_sympy(c0))
        return self._new(A.cut(inv0 * geometric(A, A.cut((q - c0) * inv0), Fraction(-1))))

    def sqrt(self) -> Series:
        """sqrt(q) = r0 sqrt(1 + u), q = r0^2 + r at h = 0, u = r/r0^2 = O(h): r0 a rational,
        or sigma p for a polynomial p of the ring with r0^2 = p^2 (v -> g^2 on Adam's
        manifold) and sigma = sign(p(x)), so that r0 = |p|, or else the building block
        sqrt(c0) itself (v + eps -> g^2 + eps, positive; 1/sqrt(c0) its reciprocal); the
        binomial series in u."""
        A = self.A
        q = self.p
        c0 = A.value_at_zero(
            q,
            "the update takes the square root of a series that vanishes at h = 0 on the "
            "slow manifold (sqrt(v) with v -> g^2 = 0: a point where a gradient component "
            "vanishes); the expansion needs every g_i != 0, or eps inside the root",
        )
        if c0 is None:
            return self._new(A.gens[A.wi])
        try:
            p = c0.sqrt()
        except Exception:  # flint: DomainError, not a perfect square
            p = None
        if p is None:  # sqrt(c0) itself a building block (eps inside the root: g^2 + eps)
            base = A.ring.to_sympy(c0)
            if base.is_number:
                raise InvalidInputError(
                    f"the update takes the square root of {base} at h = 0, which is irrational: "
                    "the engine works with rational and symbolic hyperparameters"
                )
            root0 = A.atom(sp.sqrt(base))
            inv_root = A.atom(1 / sp.sqrt(base))
            inv_sq = inv_root * inv_root
        elif p.is_constant():
            root0, inv_sq = p, A.ring.ctx.constant(1 / c0.leading_coefficient())
        else:
            root0 = A.sign_of(p) * p
            inv_p = A.atom(1 / A.ring.to_sympy(p))
            inv_sq = inv_p * inv_p
        u = A.cut(A.ring.reduce((q - c0) * inv_sq))
        return self._new(A.cut(A.ring.reduce(root0 * geometric(A, u, Fraction(1, 2)))))


class NeedAtoms(Exception):  # noqa: N818 - control flow: rebuild the ring, never seen by users
    """The ring lacks building blocks (reciprocals, signs) the update turned out to need."""

    def __init__(self, atoms: list[sp.Expr], signs: list[tuple[sp.Symbol, sp.Expr]]) -> None:
        super().__init__("rebuild the ring")
        self.atoms, self.signs = atoms, signs


def geometric(A: SeriesAlgebra, u: Any, a: Fraction) -> Any:
    """(1 + u)^a = sum_k binomial(a, k) u^k to h^K, for u = O(h) (a = -1: 1/(1 + u))."""
    out, term = A.ring.one, A.ring.one
    c = Fraction(1)
    for k in range(1, A.K + 1):
        term = A.cut(A.ring.reduce(term * u))
        if term.is_zero():
            break
        c = c * (a - (k - 1)) / k  # binomial(a, k)
        out = out + term * flint.fmpq(c.numerator, c.denominator)
    return out
