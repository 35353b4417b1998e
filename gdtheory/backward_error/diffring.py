r"""A differential ring for exact, fast derivative algebra on modified equations.

Expressions in the state variables x_1..x_n are represented as polynomials with
rational coefficients in the variables and a finite set of *atoms* a_1..a_m:

    Q[x_1, ..., x_n, p_1, ..., p_P, a_1, ..., a_m],

where the p_j are symbolic parameters (constants: zero derivatives; ``mu`` in
``(mu - x*y)**2/2``) and each atom is a non-polynomial subexpression (``exp(x)``, ``sinh(x)``,
``1/cosh(x)``, ``(1 + x**2)**(-1/2)``, a constant such as ``sqrt(2)``) whose partial
derivatives are again polynomials in the variables and atoms.  The atoms are found by
closing the input under differentiation (``exp`` needs only itself, ``log(cosh x)``
needs ``sinh``, ``cosh`` and ``1/cosh``, ...).  The partial derivative is then the
derivation

    D_j P = dP/dx_j + sum_i dP/da_i * (da_i/dx_j),

computed in FLINT's sparse multivariate polynomials over Q (``fmpq_mpoly``), which is
orders of magnitude faster than SymPy expression arithmetic and exact.

Atoms are treated as independent generators, so a ring element that is zero modulo an
algebraic relation between atoms (``sin**2 + cos**2 = 1``) may look nonzero here.
Reciprocal pairs (``cosh`` and ``1/cosh``, ``b**(1/q)`` and ``b**(-1/q)``) are
cancelled monomial by monomial; other zero tests fall back on SymPy (see
:meth:`DifferentialRing.is_zero`).

This is the approach of differential algebra (Ritt, *Differential Algebra*, 1950) in
its simplest computational form; it is an internal module of gdtheory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flint
import sympy as sp

from ..errors import GDTheoryError

__all__ = ["DifferentialRing", "MAX_ATOMS", "vanishes_identically"]

#: Largest number of atoms accepted before giving up on closing under differentiation.
MAX_ATOMS = 40


class _Atoms:
    """Discovery of the atoms of a family of expressions, closed under d/dx_j."""

    def __init__(self, symbols: Sequence[sp.Symbol], params: Sequence[sp.Symbol] = ()) -> None:
        self.symbols = tuple(symbols)
        self.params = tuple(params)
        self.atoms: list[sp.Expr] = []
        self.index: dict[sp.Expr, int] = {}
        self.constant: list[bool] = []

    def add(self, atom: sp.Expr) -> int:
        if atom not in self.index:
            if len(self.atoms) >= MAX_ATOMS:
                raise GDTheoryError(
                    f"the expression needs more than {MAX_ATOMS} non-polynomial building "
                    "blocks closed under differentiation; simplify the objective"
                )
            self.index[atom] = len(self.atoms)
            self.atoms.append(atom)
            self.constant.append(not (atom.free_symbols & set(self.symbols)))
        return self.index[atom]

    def scan(self, expr: sp.Expr) -> None:
        """Register every atom of ``expr`` (same walk as the conversion)."""
        _walk(expr, self, None)

    def close(self) -> None:
        """Add atoms until the set is closed under every d/dx_j."""
        done = 0
        while done < len(self.atoms):
            atom = self.atoms[done]
            if not self.constant[done]:
                for s in self.symbols:
                    self.scan(sp.diff(atom, s))
            done += 1


def _split_power(expr: sp.Pow) -> tuple[sp.Expr, int] | None:
    """Write b**e (e rational, not a non-negative integer) as atom**k with k > 0."""
    b, e = expr.args
    if not e.is_Rational:
        return None
    p, q = int(e.p), int(e.q)
    if q == 1:  # negative integer power: (1/b)**(-p)
        return sp.Pow(b, -1), -p
    if p > 0:
        return sp.Pow(b, sp.Rational(1, q)), p
    return sp.Pow(b, sp.Rational(-1, q)), -p


def _walk(expr: sp.Expr, atoms: _Atoms, ring: DifferentialRing | None) -> Any:
    """Scan (ring is None) or convert ``expr`` into the ring."""
    symbols, params = atoms.symbols, atoms.params
    if expr.is_Rational:
        return None if ring is None else ring.constant(expr)
    if expr.is_Float:
        return _walk(sp.Rational(expr), atoms, ring)  # exact binary value
    if expr in symbols:
        return None if ring is None else ring.gens[symbols.index(expr)]
    if expr in params:
        return None if ring is None else ring.gens[len(symbols) + params.index(expr)]
    free = expr.free_symbols
    if not (free & set(symbols)) and not (free & set(params)):
        i = atoms.add(expr)  # a constant such as sqrt(2) or pi: an atom with zero derivative
        return None if ring is None else ring.atom_gen(i)
    if expr.is_Add or expr.is_Mul:
        parts = [_walk(a, atoms, ring) for a in expr.args]
        if ring is None:
            return None
        out = parts[0]
        for p in parts[1:]:
            out = out + p if expr.is_Add else out * p
        return out
    if expr.is_Pow:
        b, e = expr.args
        if e.is_Integer and e >= 0:
            base = _walk(b, atoms, ring)
            return None if ring is None else base ** int(e)
        split = _split_power(expr)
        if split is not None:
            atom, k = split
            i = atoms.add(atom)
            return None if ring is None else ring.atom_gen(i) ** k
    # any other non-polynomial piece (a function application, b**x, ...) is an atom
    i = atoms.add(expr)
    return None if ring is None else ring.atom_gen(i)


class DifferentialRing:
    """Q[x, atoms] with the partial derivatives d/dx_j as derivations.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> R = DifferentialRing([x], [sp.log(sp.cosh(x))])
    >>> p = R.convert(sp.log(sp.cosh(x)))
    >>> R.to_sympy(R.diff(p, 0))
    sinh(x)/cosh(x)
    >>> E = DifferentialRing([x], [x**3 * sp.exp(x)])
    >>> E.to_sympy(E.diff(E.convert(x**3 * sp.exp(x)), 0))
    x**3*exp(x) + 3*x**2*exp(x)
    """

    def __init__(
        self,
        symbols: Sequence[sp.Symbol],
        exprs: Sequence[sp.Expr],
        params: Sequence[sp.Symbol] = (),
    ) -> None:
        self.symbols = tuple(symbols)
        self.params = tuple(params)
        self.n = len(self.symbols)
        self.P = len(self.params)
        self._a0 = self.n + self.P  # index of the first atom among the generators
        found = _Atoms(self.symbols, self.params)
        for e in exprs:
            found.scan(sp.sympify(e, strict=True))
        found.close()
        self._found = found
        self.atoms = tuple(found.atoms)
        self.m = len(self.atoms)
        names = (
            [f"x{i}" for i in range(self.n)]
            + [f"p{i}" for i in range(self.P)]
            + [f"a{i}" for i in range(self.m)]
        )
        self.ctx = flint.fmpq_mpoly_ctx.get(tuple(names), "lex")
        self.gens = self.ctx.gens()
        self.zero = self.ctx.from_dict({})
        self.one = self.constant(sp.Integer(1))
        # derivative of each non-constant atom with respect to each variable
        self._datom: list[list[Any] | None] = []
        for i, atom in enumerate(self.atoms):
            if found.constant[i]:
                self._datom.append(None)
            else:
                self._datom.append([self._convert(sp.diff(atom, s)) for s in self.symbols])
        # reciprocal pairs (u, v) with u*v = 1, cancelled monomial by monomial: atoms
        # (cosh(x) and 1/cosh(x), b**(1/q) and b**(-1/q)) and parameters (mu and 1/mu)
        pairs = []
        consts = list(self.params) + list(self.atoms)
        for i, a in enumerate(consts):
            for j, b in enumerate(consts):
                if i < j and a * b == 1:  # SymPy's automatic evaluation decides
                    pairs.append((self.n + i, self.n + j))
        self._pairs = tuple(pairs)
        self._sym_gens = list(self.symbols) + list(self.params) + list(self.atoms)

    def atom_gen(self, i: int) -> Any:
        """The generator of atom i; an atom found after construction is an error."""
        if i >= self.m:
            raise GDTheoryError(
                f"{self._found.atoms[i]} is not a building block of this differential ring "
                f"(its atoms are {', '.join(map(str, self.atoms)) or 'none'})"
            )
        return self.gens[self._a0 + i]

    def constant(self, value: sp.Rational) -> Any:
        return self.ctx.constant(flint.fmpq(int(value.p), int(value.q)))

    def _convert(self, expr: sp.Expr) -> Any:
        return _walk(sp.sympify(expr, strict=True), self._found, self)

    def convert(self, expr: sp.Expr) -> Any:
        """The ring element of ``expr`` (whose atoms must have been declared)."""
        return self.reduce(self._convert(expr))

    def reduce(self, p: Any) -> Any:
        """Cancel reciprocal pairs u*v = 1 in every monomial."""
        if not self._pairs:
            return p
        terms: dict[tuple[int, ...], Any] = {}
        changed = False
        for mono, c in p.to_dict().items():
            e = list(mono)
            for u, v in self._pairs:
                k = min(e[u], e[v])
                if k:
                    e[u] -= k
                    e[v] -= k
                    changed = True
            key = tuple(e)
            terms[key] = terms[key] + c if key in terms else c
        return self.ctx.from_dict(terms) if changed else p

    def diff(self, p: Any, j: int) -> Any:
        """The total derivative d/dx_j of a ring element (chain rule through the atoms)."""
        out = p.derivative(j)
        for i, d in enumerate(self._datom):
            if d is not None:
                pa = p.derivative(self._a0 + i)
                if not pa.is_zero():
                    out = out + pa * d[j]
        return self.reduce(out)

    def scale(self, p: Any, value: sp.Rational) -> Any:
        return p * flint.fmpq(int(value.p), int(value.q))

    def to_sympy(self, p: Any) -> sp.Expr:
        """The SymPy expression of a ring element."""
        gens = self._sym_gens
        terms = []
        for mono, c in p.to_dict().items():
            factors = [sp.Rational(int(c.p), int(c.q))]
            factors += [g**e for g, e in zip(gens, mono, strict=True) if e]
            terms.append(sp.Mul(*factors))
        return sp.Add(*terms)

    def antiderivative(self, G: Sequence[Any], max_candidates: int = 800) -> Any | None:
        """A ring element P with D_j P = G_j for every j, or None if none is found.

        Ansatz: P is a rational combination of the monomials whose exponents are at most
        one more than the largest exponent of the same generator in G (reciprocal pairs
        excluded, no constant term); the linear system D_j P = G_j is solved exactly
        (FLINT ``fmpq_mat.rref``).  A returned P is an exact antiderivative by
        construction; None means the ansatz was too small (or too large to try).

        >>> x = sp.Symbol("x")
        >>> R = DifferentialRing([x], [sp.log(sp.cosh(x))])
        >>> G = R.convert(1 / sp.cosh(x) ** 4 * sp.sinh(x))   # sech^4 tanh * cosh
        >>> R.to_sympy(R.antiderivative([G]))
        -1/(3*cosh(x)**3)
        """
        bounds = [0] * (self._a0 + self.m)
        for g in G:
            for mono in g.to_dict():
                bounds = [max(b, e) for b, e in zip(bounds, mono, strict=True)]
        for i, d in enumerate(self._datom):
            if d is None:  # constants never need a higher power
                continue
            bounds[self._a0 + i] += 1
        for j in range(self.n):
            bounds[j] += 1
        varying = [j for j in range(self.n)] + [
            self._a0 + i for i, d in enumerate(self._datom) if d is not None
        ]
        total = 1
        for b in bounds:
            total *= b + 1
            if total > 50 * max_candidates:
                return None
        candidates = []
        for mono in _box(bounds):
            if not any(mono[j] for j in varying) or any(
                mono[u] and mono[v] for u, v in self._pairs
            ):
                continue
            candidates.append(mono)
            if len(candidates) > max_candidates:
                return None
        images = [
            [self.diff(self.ctx.from_dict({mono: flint.fmpq(1)}), j) for j in range(self.n)]
            for mono in candidates
        ]
        rows: dict[tuple[int, tuple[int, ...]], int] = {}
        for j in range(self.n):
            for g in [G[j], *(img[j] for img in images)]:
                for mono in g.to_dict():
                    rows.setdefault((j, mono), len(rows))
        ncol = len(candidates)
        M = flint.fmpq_mat(len(rows), ncol + 1)
        for c, img in enumerate(images):
            for j in range(self.n):
                for mono, v in img[j].to_dict().items():
                    M[rows[(j, mono)], c] = v
        for j in range(self.n):
            for mono, v in G[j].to_dict().items():
                M[rows[(j, mono)], ncol] = v
        R, rank = M.rref()
        coeffs: dict[tuple[int, ...], Any] = {}
        for r in range(rank):
            lead = next(c for c in range(ncol + 1) if R[r, c] != 0)
            if lead == ncol:
                return None  # inconsistent: no antiderivative in the ansatz
            coeffs[candidates[lead]] = R[r, ncol]  # free unknowns set to zero
        P = self.ctx.from_dict(coeffs)
        ok = all((self.diff(P, j) - G[j]).is_zero() for j in range(self.n))
        return P if ok else None

    def is_zero(self, p: Any) -> bool:
        """Zero test of a ring element as a function of x.

        Exact when the element is zero in the ring, and when there are no atoms (a nonzero
        polynomial is a nonzero function).  With atoms, a nonzero ring element may still
        vanish through an algebraic relation between atoms (sin^2 + cos^2 = 1), so it is
        decided at fresh random points (never at points an input can target), evaluated
        straight from the ring element; see :func:`vanishes_identically` for the rule and
        its error bound.
        """
        if p.is_zero():
            return True
        if not self.m:
            return False
        verdict = random_zero_test(lambda x: self.value_and_scale(p, x), self._a0)
        return bool(sp.simplify(self.to_sympy(p)) == 0) if verdict is None else verdict

    def value_and_scale(self, p: Any, x: Sequence[Any]) -> tuple[Any, Any]:
        """(p(x), sum of |terms| of p at x) at the mpmath working precision; ``x`` gives
        the state variables, then the parameters."""
        import mpmath

        if "atoms_mp" not in self.__dict__:
            from ..core.compiled import compile_mp

            self.__dict__["atoms_mp"] = compile_mp(self.atoms, self.symbols + self.params)
        values = [mpmath.mpf(v) for v in x] + list(self.__dict__["atoms_mp"](x))
        total = scale = mpmath.mpf(0)
        for mono, c in p.to_dict().items():
            term = mpmath.mpf(int(c.p)) / int(c.q)
            for v, e in zip(values, mono, strict=True):
                if e:
                    term *= v ** int(e)
            total += term
            scale += abs(term)
        return total, scale


#: Random points at which a zero test must find a negligible value to say "zero".
ZERO_TEST_POINTS = 4
#: Random digits per coordinate of a zero-test point.
ZERO_TEST_DIGITS = 30


def random_zero_test(evaluate: Any, dim: int) -> bool | None:
    """True (zero), False (nonzero) or None (undecided) for the function whose
    (value, scale) at a point is ``evaluate(point)``; the rule of
    :func:`vanishes_identically`."""
    import random

    import mpmath

    rng = random.SystemRandom()
    grid = 10**ZERO_TEST_DIGITS
    valid = 0
    for _ in range(10 * ZERO_TEST_POINTS):
        point = [(rng.randrange(-2 * grid, 2 * grid + 1), grid) for _ in range(dim)]
        try:
            with mpmath.workdps(60):
                v60, scale = evaluate([mpmath.mpf(a) / b for a, b in point])
            with mpmath.workdps(90):
                v90, _ = evaluate([mpmath.mpf(a) / b for a, b in point])
        except (ValueError, ZeroDivisionError, TypeError, OverflowError):
            continue  # outside the domain (complex or undefined value): draw again
        if not (mpmath.isfinite(v60) and mpmath.isfinite(v90) and mpmath.isfinite(scale)):
            continue
        if abs(v90) > mpmath.mpf(10) ** -30 * scale and abs(v60 - v90) < abs(v90) / 1000:
            return False
        if abs(v90) > mpmath.mpf(10) ** -45 * (1 + scale):
            return None  # neither clearly zero nor clearly nonzero
        valid += 1
        if valid == ZERO_TEST_POINTS:
            return True
    return None


def vanishes_identically(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> bool:
    """Whether ``expr`` is identically zero, decided at fresh random points.

    Each call draws new points from the operating system's random source
    (:class:`random.SystemRandom`; not seeded, not reproducible, so no input can be
    built to vanish exactly there), each coordinate a rational with
    :data:`ZERO_TEST_DIGITS` random digits in [-2, 2].  ``expr`` is evaluated at 60
    and at 90 digits at :data:`ZERO_TEST_POINTS` points where it is finite and real:

    * nonzero as soon as one value is clearly nonzero (|v| > 1e-30 * scale, with the
      60- and 90-digit values agreeing to three digits);
    * zero when every value is below 1e-45 * (1 + scale), scale = sum of |terms|;
    * otherwise, or when too few points lie in the domain, SymPy's ``simplify`` decides.

    Error bound: a nonzero analytic function vanishes on a set of measure zero, so a
    false "zero" needs every one of the independent points to land where |v| is below
    1e-45 of the size of its terms.  When ``expr`` is a polynomial of degree d in the
    coordinates (atoms that are constants), the Schwartz-Zippel lemma bounds the chance
    that it vanishes at one grid point by d / (4 * 10**30), and at all points by
    (d / (4 * 10**30)) ** ZERO_TEST_POINTS.

    >>> x = sp.Symbol("x")
    >>> vanishes_identically(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1, [x])
    True
    >>> vanishes_identically(sp.exp(x) * (x - sp.Rational(3, 7)), [x])
    False
    """
    from ..core.compiled import compile_mp

    expr = sp.sympify(expr, strict=True)
    fn = compile_mp([expr, sp.Add(*[abs(t) for t in sp.Add.make_args(expr)])], symbols)
    verdict = random_zero_test(fn, len(symbols))
    return bool(sp.simplify(expr) == 0) if verdict is None else verdict


def _box(bounds: Sequence[int]) -> Any:
    """Every exponent vector e with 0 <= e_i <= bounds[i]."""
    import itertools

    return itertools.product(*(range(b + 1) for b in bounds))
