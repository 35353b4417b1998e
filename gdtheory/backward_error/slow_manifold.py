r"""The slow-manifold engine: the modified equation of any method with fast state.

A method of the registry with state s (heavy ball's velocity; Adam's moments) has the
update (x, s) -> (X(x, s, h), U(x, s, h)).  Its map is not near the identity, so
backward error analysis applies to the one-step method it induces on its *slow
manifold* s = S(x, h) = sum_j h^j S_j(x), the formal invariant manifold that attracts
the contracting fast variables (Hairer, Lubich and Wanner, *Geometric Numerical
Integration*, 2006, XV.2; Kovachki and Stuart, JMLR 22, 2021):

    S(X(x, S(x, h), h), h) = U(x, S(x, h), h).

Order 0 (h = 0): S_0 = U(x, S_0, 0), solved when U(x, ., 0) is affine,
S_0 = (I - A)^{-1} U(x, 0, 0) with A = D_s U(x, ., 0) constant, and the point must stand
still: X(x, S_0, 0) = x.  Order k >= 1: the h^k coefficient of the invariance equation is
affine in the unknown S_k,

    M S_k + r_k = 0,    M = I + D_x S_0 D_s X_0 - D_s U_0,

r_k the residual with S_k = 0 (computed from S_0..S_{k-1}), M constant (checked), so
S_k = -M^{-1} r_k.  The induced map Phi_h(x) = X(x, S(x, h), h) = x + sum_j h^j d_j(x) then
goes to backward error analysis (:func:`~.modified.modified_equation`).

Everything is exact: the method's own update formula (the one the runners use) is
evaluated on truncated power series in h whose coefficients live in the differential ring
of the objective (:mod:`.diffring`, FLINT); a gradient at a point x + delta(h) is the
Taylor expansion sum_m D^m g[delta, ..., delta]/m!, with D^m g[z, ..., z] = (z . grad)^m g
computed once for constant dummies z and composed with z = delta.  Symbolic
hyperparameters (beta) stay symbolic; 1/det(M) is a ring generator substituted at the
end.  Heavy ball and Nesterov on this engine give the fields of their classical
derivation (the momentum recursion of Kovachki-Stuart) exactly.

>>> from gdtheory.optimizers import HeavyBall
>>> sm = slow_manifold_equation(HeavyBall("beta"), "x**2/2", 1)
>>> [sp.factor(F[0]) for F in sm.fields]
[x/(beta - 1), x*(beta + 1)/(2*(beta - 1)**3)]
>>> sm.manifold[1]       # the velocity on the manifold: v = -h x/(1 - beta) + ...
(x/(beta - 1),)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sympy as sp

from ..core import budget
from ..core.compiled import compile_mp
from ..core.objective import Objective, as_objective, h
from ..core.scalars import exact_real, to_mpf
from ..errors import GDTheoryError, InvalidInputError
from ..methods.registry import Method, as_method
from .modified import ModifiedEquation, modified_equation
from .truncated_series import NeedAtoms, Series, SeriesAlgebra, method_parameters
from .work_estimate import refuse_extrapolated

__all__ = ["SlowManifoldEquation", "slow_manifold_equation", "manifold_state", "method_parameters"]

#: Largest number of rebuilds of the ring for building blocks found while expanding.
MAX_REBUILDS = 8

#: Largest number of manifold orders derived (the Taylor compositions grow like K^3 ring
#: products of growing polynomials: K = 16 takes seconds on the double well).
MAX_MANIFOLD_ORDER = 16


@dataclass(frozen=True)
class SlowManifoldEquation:
    r"""The modified equation of a method with fast state on its slow manifold.

    Attributes
    ----------
    method : str
        The registry key of the method ("heavy_ball"), or its class name.
    hyperparameters : tuple of (name, value)
    equation : ModifiedEquation
        Backward error analysis of the induced map; ``fields[k]`` in the time t = kh.
    increments : tuple of tuple of Expr
        d_1..d_K of the induced map Phi_h(x) = x + sum h^j d_j(x).

    signs : tuple of (Symbol, Expr)
        (sigma_k, p_k): the expansion took sqrt(p_k^2) = sigma_k p_k with sigma_k =
        sign(p_k(x)) (Adam's sqrt(v) -> |g_i|).  ``equation``, ``increments`` and
        ``manifold`` hold the sigma_k as symbols: one formula for every region where the
        p_k keep their signs (none vanishes); ``fields`` has sign(p_k) in their place.

    ``manifold`` (computed when first asked for) holds S_0..S_K of the slow manifold
    s = sum h^j S_j(x), the state variables concatenated in the order of
    ``Method.state``.
    """

    method: str
    hyperparameters: tuple[tuple[str, Any], ...]
    equation: ModifiedEquation = field(repr=False)
    increments: tuple[tuple[sp.Expr, ...], ...] = field(repr=False)
    exact_manifold: Any = field(default=None, repr=False, compare=False)
    signs: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()

    def _point(self, x: Any) -> list[sp.Expr]:
        """x as n exact numbers, or an error naming what is wrong."""
        n = len(self.symbols)
        if isinstance(x, str | bytes) or not hasattr(x, "__len__") or len(x) != n:
            raise InvalidInputError(f"x must give the {n} coordinates {self.symbols}, got {x!r}")
        return [exact_real(v, "x") for v in x]

    def signed(self, expr: Any) -> Any:
        """``expr`` with each sigma_k replaced by sign(p_k) (sigma_k^2 = 1 applied)."""
        if not isinstance(expr, sp.Basic | sp.MatrixBase):
            raise InvalidInputError(
                f"expr must be a SymPy expression or matrix (a field of this equation), got "
                f"{type(expr).__name__}"
            )
        if not self.signs:
            return expr
        sig = {sg for sg, _ in self.signs}
        e = expr.replace(
            lambda t: t.is_Pow and t.base in sig and t.exp.is_Integer,
            lambda t: t.base ** (int(t.exp) % 2),
        )
        return e.xreplace({sg: sp.sign(p) for sg, p in self.signs})

    def signs_at(self, x: Sequence[Any]) -> dict[sp.Symbol, int]:
        """The values sigma_k = sign(p_k(x)) at a point (an error where some p_k vanishes:
        the expansion does not hold there)."""
        at = dict(zip(self.symbols, self._point(x), strict=True))
        out = {}
        for sg, p in self.signs:
            v = sp.sign(p.xreplace(at))
            if v == 0:
                raise InvalidInputError(
                    f"{p} vanishes at {list(x)}: the expansion through sqrt({p}^2) = |{p}| "
                    "needs it nonzero (a region where every such p keeps its sign)"
                )
            out[sg] = int(v)
        return out

    @cached_property
    def manifold(self) -> tuple[tuple[sp.Expr, ...], ...]:
        """S_0..S_K (see the class docstring)."""
        if self.exact_manifold is None:
            return ()
        S, plain = self.exact_manifold
        return tuple(tuple(sp.factor(plain(e)) for e in Sj) for Sj in S)

    def state_at(self, x: Sequence[Any], *, h: Any) -> tuple[list[Any], ...]:
        """The fast state on the slow manifold at x, S(x, h) = sum_j h^j S_j(x) (the
        orders derived), one vector per state variable, as mpmath numbers at the working
        precision (the sign symbols take their values at x).  A run started from
        (x, S(x, h)) follows the modified equation from its first step; from a zero
        state it first relaxes onto the manifold, a transient of size about h.

        >>> from gdtheory.optimizers import HeavyBall
        >>> sm = slow_manifold_equation(HeavyBall("1/2"), "x**2/2", 1)
        >>> [round(float(v), 6) for v in sm.state_at([1], h="1/100")[0]]  # -2 h - 8 h^2
        [-0.0208]
        """
        if self.exact_manifold is None or not self.exact_manifold[0]:
            raise InvalidInputError("this equation holds no manifold (derive it again)")
        n = len(self.symbols)
        exact = self._point(x)
        sigma = self.signs_at(exact)
        args = [to_mpf(v) for v in exact] + [sigma[sg] for sg, _ in self.signs]
        values = self._manifold_series([*args, to_mpf(exact_real(h, "h"))])
        return tuple(list(values[k * n : (k + 1) * n]) for k in range(len(values) // n))

    @cached_property
    def _manifold_series(self) -> Any:
        """sum_j h^j S_j(x) compiled once, a function of (x, the sign symbols, h): the same
        rational functions as ``manifold``, converted without SymPy's ``factor`` (which
        ``manifold`` applies for reading, at several times the cost of the derivation)."""
        S, plain = self.exact_manifold
        terms = [tuple(plain(e) for e in Sj) for Sj in S]
        series = [
            sum((h**j * Sj[i] for j, Sj in enumerate(terms)), sp.Integer(0))
            for i in range(len(terms[0]))
        ]
        return compile_mp(series, [*self.symbols, *(sg for sg, _ in self.signs), h])

    @property
    def beta(self) -> Any:
        """The momentum hyperparameter of heavy ball / Nesterov."""
        return dict(self.hyperparameters)["beta"]

    @property
    def fields(self) -> tuple[sp.ImmutableMatrix, ...]:
        """F_0..F_order, with sign(p_k) for the sign symbols (see ``signs``)."""
        if not self.signs:
            return self.equation.fields
        return tuple(sp.ImmutableMatrix(self.signed(F)) for F in self.equation.fields)

    @property
    def potentials(self) -> tuple[sp.Expr | None, ...]:
        return self.equation.potentials

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return self.equation.symbols

    def latex(self, **kwargs: Any) -> str:
        return self.equation.latex(**kwargs)

    def _repr_latex_(self) -> str:
        """The display notebooks show (:meth:`latex`)."""
        return f"$${self.latex()}$$"

    def one_step_map(self) -> tuple[sp.Expr, ...]:
        """Phi_h(x) = x + sum_{j<=K} h^j d_j(x), the map on the slow manifold (truncated):
        a solution on the manifold has x_{k+1} = Phi_h(x_k) up to O(h^(K+1))."""
        return manifold_map(self.symbols, self.increments)

    def __str__(self) -> str:
        hp = ", ".join(f"{k} = {v}" for k, v in self.hyperparameters)
        return f"{self.method} ({hp}) on its slow manifold:\n{self.equation}"


def manifold_map(
    symbols: Sequence[sp.Symbol], increments: Sequence[Sequence[sp.Expr]]
) -> tuple[sp.Expr, ...]:
    """x + sum_j h^j d_j(x), component by component."""
    return tuple(
        x + sum((h**j * d[c] for j, d in enumerate(increments, 1)), sp.Integer(0))
        for c, x in enumerate(symbols)
    )


def _update(
    A: SeriesAlgebra, method: Method, x: list[Any], s: list[Any], hh: Any, order0: bool
) -> tuple[list[Any], list[Any]]:
    """The method's update on series: (X, U) as ring elements (U flattened)."""
    n = A.n
    wrap = [Series(A, p) for p in x]
    state = tuple([Series(A, p) for p in s[k * n : (k + 1) * n]] for k in range(len(method.state)))

    def grad(y: Sequence[Any]) -> list[Series]:
        return [Series(A, g) for g in A.gradient_at(y, order0)]

    A.order0 = order0
    try:
        X, U = method.check_output(method.update(grad, wrap, state, Series(A, hh)), n)
    finally:
        A.order0 = False
    return [A.lift(e) for e in X], [A.lift(e) for u in U for e in u]


def _inverse(A: SeriesAlgebra, M: sp.Matrix, which: int) -> tuple[list[list[Any]], Any]:
    """M^{-1} as ring elements (adj(M) times the generator c_which = 1/det M when M is
    symbolic), and the value of that generator."""
    det = sp.factor(M.det())
    if det == 0:
        raise InvalidInputError(
            "the fast variables do not contract at h = 0 (I - D_s U is singular): the "
            "method has no slow manifold"
        )
    R = A.ring
    if det.free_symbols:
        # M^{-1} = N / q with q the least common denominator of its entries (for heavy
        # ball (1 - beta) I: q = 1 - beta), the generator c = 1/q
        inv = M.inv().applyfunc(sp.cancel)
        q = sp.factor(sp.lcm([sp.fraction(e)[1] for e in inv]))
        c = A.gens[A.ci[which]]
        rows = [
            [R.reduce(R.convert(sp.expand(sp.cancel(inv[i, j] * q))) * c) for j in range(M.cols)]
            for i in range(M.rows)
        ]
        return rows, q
    inv = M.inv()
    return [[R.convert(inv[i, j]) for j in range(M.cols)] for i in range(M.rows)], None


def _matrix(A: SeriesAlgebra, rows: list[list[Any]], what: str) -> sp.Matrix:
    """A matrix of ring elements that must be constant in x: as SymPy."""
    R = A.ring
    out = sp.zeros(len(rows), len(rows[0]) if rows else 0)
    for i, row in enumerate(rows):
        for j, e in enumerate(row):
            if A.degree_in(e, range(R.n)) or A.degree_in(e, range(R.n + R.P, R.n + R.P + R.m)):
                raise InvalidInputError(
                    f"{what} depends on x; the engine needs it constant (the slow manifold "
                    "is then solved order by order in closed form)"
                )
            out[i, j] = R.to_sympy(e)
    return out


def slow_manifold_equation(
    method: Method | str,
    objective: Objective | str,
    order: int,
    *,
    manifold_order: int | None = None,
) -> SlowManifoldEquation:
    r"""The modified equation of ``method`` (a :class:`~gdtheory.methods.registry.Method`
    with fast state) on its slow manifold, to h^order (module docstring).

    ``manifold_order``: how many orders of the manifold and of the induced map to derive
    (default order + 1, the minimum).  Symbolic hyperparameters stay symbolic.
    """
    method = as_method(method)
    f = as_objective(objective)
    if not method.state:
        raise InvalidInputError(f"{method.name} has no fast state: it has no slow manifold")
    if not method.autonomous:
        raise InvalidInputError(
            f"{method!r} changes its update with the step count (bias correction), so it has "
            "no autonomous modified equation; its steady state, which it approaches as "
            "beta^t -> 0, is the method with bias_correction=False"
        )
    top = MAX_MANIFOLD_ORDER - 1
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= top:
        raise InvalidInputError(f"order must be an integer in 0..{top}, got {order!r}")
    K = order + 1 if manifold_order is None else manifold_order
    if isinstance(K, bool) or not isinstance(K, int) or not order + 1 <= K <= MAX_MANIFOLD_ORDER:
        raise InvalidInputError(
            f"manifold_order must be an integer in {order + 1}..{MAX_MANIFOLD_ORDER} "
            f"(at least order + 1), got {manifold_order!r}"
        )
    for name, value in method.hyperparameters().items():
        entries = value if isinstance(value, sp.MatrixBase) else [value]
        for v in entries:
            if isinstance(v, sp.Basic) and not v.free_symbols and not v.is_Rational:
                raise InvalidInputError(
                    f"{name} = {v} is irrational; the slow-manifold expansion works with "
                    f"rational or symbolic hyperparameters: derive it for a symbol "
                    f"({type(method).__name__}('{name}')) and substitute the value into the "
                    "fields, e.g. .fields[k].subs(symbol, value)"
                )
    mparams = method_parameters(method)
    clash = {p.name for p in mparams} & {s.name for s in f.symbols}
    if clash:
        raise InvalidInputError(
            f"the hyperparameter {sorted(clash)[0]} is a state symbol of the objective"
        )
    budget.check_expansion([f.expr], f.symbols + f.params, f.name)
    atoms: list[sp.Expr] = []
    signs: list[tuple[sp.Symbol, sp.Expr]] = []
    for _ in range(MAX_REBUILDS):
        try:
            return _derive(f, method, order, K, atoms, signs)
        except NeedAtoms as need:  # the update needs 1/(|g| + eps), sign(g), ...: rebuild
            atoms += [a for a in need.atoms if a not in atoms]
            signs += need.signs
    raise GDTheoryError(
        f"the update of {method.name} kept asking for new building blocks "
        f"({', '.join(map(str, atoms))}); the engine gave up after {MAX_REBUILDS} rebuilds"
    )


def manifold_state(
    method: Method | str, objective: Objective | str, x: Sequence[Any], *, h: Any, order: int = 2
) -> tuple[list[Any], ...]:
    """The fast state on the slow manifold at x, S(x, h) to h^(order + 1), one vector
    per state variable (mpmath numbers): the start from which a run follows its modified
    equation at once.  Most code starts heavy ball from v = 0, off the manifold: its first
    steps then carry a transient of size about h that the order-p flow does not describe.
    The series is in powers of h L/(1 - beta)^2 for heavy ball (L the curvature), so "small
    h" means small against (1 - beta)^2 / L.

    >>> from gdtheory.optimizers import HeavyBall
    >>> [round(float(v), 6) for v in manifold_state(HeavyBall("1/2"), "x**2/2", [1], h="1/100",
    ...                                             order=1)[0]]
    [-0.0208]
    """
    sm = slow_manifold_equation(method, objective, order)
    return sm.state_at(x, h=h)


def _derive(
    f: Objective,
    method: Method,
    order: int,
    K: int,
    atoms: Sequence[sp.Expr],
    signs: Sequence[tuple[sp.Symbol, sp.Expr]],
) -> SlowManifoldEquation:
    """The engine on a ring with the given building blocks (module docstring)."""
    A = SeriesAlgebra(f, method, K, atoms, signs)
    R, n, m = A.ring, A.n, A.m
    zero = R.zero
    # ---- order 0: h = 0 with symbolic state
    s_gens = [A.gens[A.si + i] for i in range(m)]
    X0, U0 = _update(A, method, list(A.x), s_gens, zero, order0=True)
    for e in X0 + U0:
        if A.degree_in(e, range(A.gi, A.gi + n)):
            raise InvalidInputError(
                f"{method.name}'s update at h = 0 depends on a gradient away from x"
            )
    s_idx = range(A.si, A.si + m)
    if any(A.degree_in(e, s_idx) > 1 for e in U0):
        raise InvalidInputError(f"{method.name}'s state update at h = 0 is not affine in the state")
    subs0 = list(A.gens)
    for i in range(m):
        subs0[A.si + i] = zero
    c0 = [e.compose(*subs0) for e in U0]
    Adiff = [[R.reduce(e.derivative(A.si + j)) for j in range(m)] for e in U0]
    Bdiff = [[R.reduce(e.derivative(A.si + j)) for j in range(m)] for e in X0]
    Amat = _matrix(A, Adiff, "D_s U at h = 0")
    I_A, c0val = _inverse(A, sp.eye(m) - Amat, 0)
    S0 = [R.reduce(sum((I_A[i][j] * c0[j] for j in range(m)), zero)) for i in range(m)]
    # the point stands still on the manifold at h = 0
    sub = list(A.gens)
    for i in range(m):
        sub[A.si + i] = S0[i]
    for i, e in enumerate(X0):
        if not R.reduce(e.compose(*sub) - A.x[i]).is_zero():
            raise InvalidInputError(
                f"{method.name} moves x at h = 0 on its manifold (X(x, S_0, 0) != x): it is "
                "not a consistent method"
            )
    DxS0 = [[R.diff(S0[i], j) for j in range(n)] for i in range(m)]
    Bval = [[e.compose(*sub) for e in row] for row in Bdiff]
    corr = [
        [R.reduce(sum((DxS0[i][k] * Bval[k][j] for k in range(n)), zero)) for j in range(m)]
        for i in range(m)
    ]
    Mmat = sp.eye(m) - Amat + _matrix(A, corr, "D_x S_0 D_s X at h = 0")
    if Mmat == sp.eye(m) - Amat:
        Minv, c1val = I_A, None
    else:
        Minv, c1val = _inverse(A, Mmat, 1)
    denominators = [(A.ci[i], R.convert(q)) for i, q in enumerate((c0val, c1val)) if q is not None]
    A.relations = [A.gens[ci] * q - R.one for ci, q in denominators]
    # ---- orders 1..K
    S: list[list[Any]] = [S0]
    caches: list[list[list[Any]]] = [[list(S0)]]
    t0 = time.perf_counter()
    H = A.gens[A.hi]
    for k in range(1, K + 1):
        refuse_extrapolated(
            f"the slow manifold to h^{K}",
            k - 1,
            K,
            time.perf_counter() - t0,
            done_text=f"orders 1..{k - 1}",
            law="K^4",
            min_done=3,
        )
        A.K = k
        Sk = [R.reduce(sum((S[j][i] * H**j for j in range(k)), zero)) for i in range(m)]
        X, U = _update(A, method, list(A.x), Sk, H, order0=False)
        delta = [X[i] - A.x[i] for i in range(n)]
        if any(not A.coeff(d, 0).is_zero() for d in delta):
            raise InvalidInputError(f"{method.name} moves x at h = 0 on its manifold")
        lhs = [zero] * m
        for j in range(k):
            shifted = A.taylor(S[j], delta, k - j, caches[j])
            lhs = [lhs[i] + A.cut(shifted[i] * H**j, k) for i in range(m)]
        res = [R.reduce(lhs[i] - U[i]) for i in range(m)]
        for e in res:  # orders below k hold by construction: a check of the engine
            low = A.cut(e, k - 1)
            if not low.is_zero() and not A.vanishes(low, denominators):
                raise GDTheoryError(
                    f"the slow manifold of {method.name} failed its invariance check below h^{k}"
                )
        r = [A.coeff(e, k) for e in res]
        S.append([R.reduce(-sum((Minv[i][j] * r[j] for j in range(m)), zero)) for i in range(m)])
        caches.append([list(S[-1])])
    # ---- the induced one-step map
    A.K = K
    full = [R.reduce(sum((S[j][i] * H**j for j in range(K + 1)), zero)) for i in range(m)]
    X, _ = _update(A, method, list(A.x), full, H, order0=False)
    values = {c: 1 / q for c, q in zip(A.C, (c0val, c1val), strict=True) if q is not None}

    def plain(e: Any) -> sp.Expr:
        return R.to_sympy(e).subs(values) if values else R.to_sympy(e)

    def out(e: Any) -> sp.Expr:
        return sp.factor(plain(e))

    d = [[out(A.coeff(X[i], j)) for i in range(n)] for j in range(1, K + 1)]
    phi = manifold_map(f.symbols, d)
    sigmas = [sg for sg, _ in A.signs]
    me = modified_equation(
        list(phi), order, symbols=list(f.symbols), params=[*f.params, *A.mparams, *sigmas]
    )
    hp = tuple((k, v) for k, v in method.hyperparameters().items())
    return SlowManifoldEquation(
        method.key or method.name,
        hp,
        me,
        tuple(tuple(dj) for dj in d),
        (S, plain),
        tuple(A.signs),
    )
