r"""Backward error analysis: the modified equation of a one-step map, to any order.

Let Phi_h(x) = x + h d_1(x) + h^2 d_2(x) + ... be a one-step map (GD: d_1 = -grad f,
d_j = 0 for j >= 2).  The *modified vector field*

    F_h = F_0 + h F_1 + h^2 F_2 + ...          (F_0 = d_1 = -grad f for GD)

is the formal series whose exact time-h flow equals Phi_h to all orders in h (Hairer,
Lubich, Wanner, *Geometric Numerical Integration*, 2nd ed., 2006, Ch. IX, eqs. (1.1)-(1.4);
the statement of claim T4, whose F_{k+1} is F_k here).  Writing L_G for the Lie derivative
(L_G u)(x) = u'(x) G(x), the time-h flow of G is  sum_i h^i/i! L_G^{i-1} G, and matching
the coefficient of h^{k+1} with d_{k+1} gives the recursion

    F_k = d_{k+1} - sum_{i=2}^{k+1} (1/i!) W_{i, k+1-i},
    W_{1, m} = F_m,    W_{i+1, m} = sum_{a+b=m} W_{i,a}' F_b,

where W_{i,m} is the coefficient of h^m in L_G^{i-1} G.  Each W_{i,m} is computed once
and reused by every later order, so order p costs O(p^3) Jacobian-vector products, all
done exactly in a differential ring of rational polynomials in the state variables and
the transcendental building blocks of f
(:mod:`gdtheory.backward_error.diffring`).  This replaces the
obvious algorithm (expand exp(h L_G) with SymPy at every order), whose cost explodes with
expression swell; see ``tests/benchmarks``.

Gradient structure (claim T4).  F_0 + h F_1 = -grad(f + (h/4)|grad f|^2) for GD.  In one
dimension every F_k is a gradient.  In dimension n >= 2 the coefficient F_k is a
gradient on R^n iff its Jacobian is symmetric; the antisymmetric part
(F_k' - F_k'^T)/2 (the curl) is reported as the obstruction.  For GD, F_2 is a gradient
iff H and D^3 f[grad f] commute, which fails for f = (xy - 1)^2/2.

References
----------
E. Hairer, C. Lubich, G. Wanner, Geometric Numerical Integration, Springer (2006), IX.1.
Q. Li, C. Tai, W. E, Stochastic modified equations and dynamics of stochastic gradient
algorithms I, JMLR 20 (2019).
L. Kong, M. Tao, Stochasticity of deterministic gradient descent: large learning rate
for multiscale objective function, NeurIPS (2020).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..core import budget
from ..core.cache import picklable
from ..core.compiled import compile_mp, compile_np
from ..core.conversion import as_real_matrix
from ..core.objective import Objective, bind_values, h, point_mp
from ..errors import InvalidInputError, NotAGradientError
from .diffring import DifferentialRing
from .one_step_maps import as_target, increments
from .work_estimate import OrderCosts

__all__ = [
    "ModifiedEquation",
    "modified_equation",
    "modified_potential",
    "MAX_ORDER",
]

#: Highest order accepted (the cost grows like order**3 products of growing polynomials).
MAX_ORDER = 60


# ----------------------------------------------------------------------- the recursion
def _ring_fields(
    ring: DifferentialRing,
    d: list[list[Any]],
    order: int,
    what: str = "the map",
    progress: bool = False,
) -> list[list[Any]]:
    """F_0..F_order in the ring, by the recursion of the module docstring; before each
    order the work still to do is estimated from the sizes computed so far and refused
    above the budget (:class:`~gdtheory.backward_error.work_estimate.OrderCosts`)."""
    n = ring.n
    costs = OrderCosts(n, order, what)
    F: list[list[Any]] = []
    W: dict[tuple[int, int], list[Any]] = {}
    jac: dict[tuple[int, int], list[list[Any]]] = {}

    def jacobian(i: int, m: int) -> list[list[Any]]:
        if (i, m) not in jac:
            v = F[m] if i == 1 else W[(i, m)]
            jac[(i, m)] = [[ring.diff(v[c], j) for j in range(n)] for c in range(n)]
        return jac[(i, m)]

    def w(i: int, m: int) -> list[Any]:
        if i == 1:
            return F[m]
        if (i, m) not in W:
            acc = [ring.zero] * n
            for a in range(m + 1):  # W_{i,m} = sum_{a+b=m} W_{i-1,a}' F_b
                if i - 1 > 1:
                    w(i - 1, a)
                J, Fb = jacobian(i - 1, a), F[m - a]
                for c in range(n):
                    for j in range(n):
                        if not (J[c][j].is_zero() or Fb[j].is_zero()):
                            acc[c] = acc[c] + J[c][j] * Fb[j]
            W[(i, m)] = [ring.reduce(v) for v in acc]
        return W[(i, m)]

    def sample(entry: Any, terms: int) -> None:
        ring.to_sympy(ring.ctx.from_dict(dict(list(entry.to_dict().items())[:terms])))

    from ..core.progress import progress_bar

    with progress_bar(progress, total=order + 1, desc="modified equation", unit="order") as bar:
        for k in range(order + 1):
            costs.check(k)
            Fk = list(d[k])  # F_k = d_{k+1} - sum_{i=2}^{k+1} W_{i,k+1-i} / i!
            for i in range(2, k + 2):
                wi = w(i, k + 1 - i)
                inv = sp.Rational(1, math.factorial(i))
                for c in range(n):
                    if not wi[c].is_zero():
                        Fk[c] = Fk[c] - ring.scale(wi[c], inv)
            F.append(Fk)
            costs.record(k, Fk, sample)
            bar.update(1)
    return F


def _homotopy_potential(ring: DifferentialRing, G: list[Any]) -> Any:
    """For a polynomial gradient field G = grad g with g(0) = 0:
    g(x) = int_0^1 G(tx).x dt = sum_d Q_d(x)/d, Q_d the degree-d part of G(x).x."""
    Q = ring.zero
    for j in range(ring.n):
        Q = Q + G[j] * ring.gens[j]
    terms = {}
    for mono, c in Q.to_dict().items():
        deg = sum(mono[: ring.n])
        terms[mono] = c / deg
    return ring.ctx.from_dict(terms)


def _line_integral(symbols: Sequence[sp.Symbol], G: Sequence[sp.Expr]) -> sp.Expr:
    """The potential g(x) = int_0^1 G(t x).x dt of a gradient field G (g(0) = 0), kept as
    an unevaluated SymPy Integral (exact; evaluate with ``.doit()`` or numerically)."""
    t = sp.Dummy("t")
    integrand = sum(
        (
            g.subs({s: t * s for s in symbols}, simultaneous=True) * s
            for g, s in zip(G, symbols, strict=True)
        ),
        sp.Integer(0),
    )
    return sp.Integral(integrand, (t, 0, 1))


# ------------------------------------------------------------------------ the result
def _series_text(p: int) -> str:
    """F_0 + h F_1 + ... + h**p F_p, written out for p <= 2.

    >>> [_series_text(p) for p in (0, 1, 3)]
    ['F_0', 'F_0 + h F_1', 'F_0 + h F_1 + ... + h**3 F_3']
    """
    if p <= 2:
        return " + ".join(["F_0", "h F_1", "h**2 F_2"][: p + 1])
    return f"F_0 + h F_1 + ... + h**{p} F_{p}"


@dataclass(frozen=True)
class ModifiedEquation:
    r"""The modified equation dx/dt = F_0 + h F_1 + ... + h^p F_p of a one-step map.

    Attributes
    ----------
    description : str
        What was analysed (``"GD on f = ..."`` or the map).
    symbols : tuple of Symbol
    order : int
        p, the highest power of h kept.
    fields : tuple of ImmutableMatrix
        ``fields[k]`` is F_k, the coefficient of h**k (a column).
    is_gradient : tuple of bool
        ``is_gradient[k]``: the truncated field F_0 + ... + h^k F_k is a gradient.
    obstructions : tuple of (ImmutableMatrix or None)
        ``obstructions[k]`` is the antisymmetric part (F_k' - F_k'^T)/2 of the Jacobian of
        F_k when it is nonzero (then F_k is not a gradient), else None.
    objective : Objective or None
        The objective when the map is GD.
    params : tuple of Symbol
        Symbolic parameters kept in the formulas; :meth:`bind` gives them values.
    metric : ImmutableMatrix or None
        P when the gradient structure is in the metric P (F_k = -P grad f_k; the
        obstructions and potentials are those of P^{-1} F_k).

    Notes
    -----
    ``potentials`` (computed on first use) holds f_k with F_k = -grad f_k wherever
    ``is_gradient[k]``: f_0 = f and f_1 = |grad f|^2/4 for GD (claim T4), and for k >= 2
    (or any k of a general map) the potential normalised by f_k(0) = 0.

    Examples
    --------
    >>> me = modified_equation("x**4/4 - x**2/2", 2)
    >>> me.fields[1]
    Matrix([[-3*x**5/2 + 2*x**3 - x/2]])
    >>> me.potentials[1]
    x**2*(x**2 - 1)**2/4
    >>> me2 = modified_equation("(x*y - 1)**2/2", 2)
    >>> me2.is_gradient
    (True, True, False)
    """

    description: str
    symbols: tuple[sp.Symbol, ...]
    order: int
    fields: tuple[sp.ImmutableMatrix, ...] = field(repr=False)
    is_gradient: tuple[bool, ...]
    obstructions: tuple[sp.ImmutableMatrix | None, ...] = field(repr=False)
    objective: Objective | None = field(default=None, repr=False)
    params: tuple[sp.Symbol, ...] = ()
    metric: sp.ImmutableMatrix | None = field(default=None, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def __getstate__(self) -> dict[str, Any]:
        """Picklable for process pools: cached compiled fields stay behind (rebuilt where
        first used), the rest of the cache travels."""
        return {**self.__dict__, "_cache": {k: v for k, v in self._cache.items() if picklable(v)}}

    def bind(self, values: Any = None, /, **kwargs: Any) -> ModifiedEquation:
        """The modified equation with values for (some of) its parameters, recomputed
        exactly from the bound map (so gradient structure is decided afresh: a curl
        that vanishes only at mu = 1 is found to vanish there).

        >>> me = modified_equation(Objective.parse("lam*x**2/2", params=["lam"]), 2)
        >>> me.bind(lam=3).fields[2]
        Matrix([[-9*x]])
        """
        tgt = self._cache["target"]
        if tgt.objective is not None:
            return modified_equation(tgt.objective.bind(values, **kwargs), self.order)
        subs = bind_values(tgt.params, values, kwargs, tgt.description)
        return modified_equation(
            list(tgt.map_expr.subs(subs)),
            self.order,
            symbols=tgt.symbols,
            params=[p for p in tgt.params if p not in subs],
            metric=self.metric,
        )

    @property
    def dim(self) -> int:
        return len(self.symbols)

    def point_mp(self, x: Any, name: str = "x0") -> tuple[Any, ...]:
        """Validate a point of the state space (as :meth:`Objective.point_mp`)."""
        return point_mp(x, self.symbols, name)

    def field(self, order: int | None = None) -> sp.ImmutableMatrix:
        """The truncated modified field F_0 + h F_1 + ... + h^order F_order."""
        p = self._check_order(order)
        out = sp.zeros(self.dim, 1)
        for k in range(p + 1):
            out += h**k * self.fields[k]
        return sp.ImmutableMatrix(out)

    def _check_order(self, order: int | None) -> int:
        if order is None:
            return self.order
        if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= self.order:
            raise InvalidInputError(
                f"order must be an integer in 0..{self.order} (the order computed); got {order!r}"
            )
        return order

    @property
    def potentials(self) -> tuple[sp.Expr | None, ...]:
        """f_k with F_k = -grad f_k, for every k where the field up to h**k is a gradient.

        Normalisation (one rule for every order): f_0 = f, and every correction f_k,
        k >= 1, vanishes at the origin x = 0 (a potential is defined up to a constant;
        where f_k is not finite at 0 the constant is left as found).  For GD this makes
        f_1 = (|grad f|^2 - |grad f(0)|^2)/4: the implicit gradient regulariser of
        Barrett and Dherin (ICLR 2021) up to that constant.
        """
        if "potentials" not in self._cache:
            self._cache["potentials"] = tuple(
                self._potential(k) if self.is_gradient[k] else None for k in range(self.order + 1)
            )
        return self._cache["potentials"]

    def _potential(self, k: int) -> sp.Expr:
        obj = self.objective
        if obj is not None and k == 0:
            return obj.expr
        if obj is not None and k == 1:
            f1 = sp.factor_terms(sum(g**2 for g in obj.grad) / 4)  # f_1 = |grad f|^2/4
            return self._vanishing_at_origin(f1)
        ring: DifferentialRing = self._cache["ring"]
        G = [-c for c in self._cache["ring_fields"][k]]
        if not ring.m:
            return ring.to_sympy(_homotopy_potential(ring, G))  # 0 at the origin
        P = ring.antiderivative(G)
        if P is not None:
            return self._vanishing_at_origin(ring.to_sympy(P))
        Fk = self.fields[k] if self.metric is None else self.metric.inv() * self.fields[k]
        return _line_integral(self.symbols, [-c for c in Fk])  # 0 at the origin

    def _vanishing_at_origin(self, expr: sp.Expr) -> sp.Expr:
        """expr - expr(0) when expr(0) is finite (the normalisation of :attr:`potentials`)."""
        at0 = sp.simplify(expr.subs({s: 0 for s in self.symbols}))
        return expr - at0 if at0.is_finite and at0 != 0 else expr

    def potential(self, order: int | None = None) -> sp.Expr:
        """The modified potential f_0 + h f_1 + ... + h^order f_order.

        Raises
        ------
        NotAGradientError
            When the field up to h**order is not a gradient; carries the obstruction.
        """
        p = self._check_order(order)
        for k in range(p + 1):
            if not self.is_gradient[k]:
                bad = next(j for j in range(k + 1) if self.obstructions[j] is not None)
                raise NotAGradientError(
                    f"the modified field of {self.description} is not a gradient at order "
                    f"h**{bad}: its Jacobian has the nonzero antisymmetric part (curl) "
                    f"{sp.sstr(self.obstructions[bad])}; no modified potential exists beyond "
                    f"order {bad - 1}",
                    obstruction=self.obstructions[bad],
                    order=bad,
                )
        pots = self.potentials
        return sum((h**k * pots[k] for k in range(p + 1)), sp.Integer(0))

    # ------------------------------------------------------------------ output
    def __str__(self) -> str:
        names = ", ".join(s.name for s in self.symbols)
        lines = [
            f"Modified equation of {self.description}, to order h**{self.order}:",
            f"  d({names})/dt = {_series_text(self.order)}",
        ]
        for k, Fk in enumerate(self.fields):
            body = sp.sstr(Fk[0] if self.dim == 1 else list(Fk))
            lines.append(f"  F_{k} = {body}")
        if all(self.is_gradient):
            lines.append(f"  gradient to order h**{self.order}: F_k = -grad f_k")
        else:
            k = self.is_gradient.index(False)
            lines.append(
                f"  gradient through h**{k - 1}; not a gradient at h**{k} "
                f"(curl {sp.sstr(self.obstructions[k])})"
            )
        return "\n".join(lines)

    def latex(self, *, potential: bool = True, subexpressions: dict[str, Any] | None = None) -> str:
        r"""LaTeX in an ``aligned`` block: the equation, F_0..F_p one per line, the
        potentials (or the obstruction).  ``subexpressions={"sigma": "1/(1 + exp(-x))"}``
        writes the fields in a named subexpression (checked against the original; see
        :mod:`~gdtheory.backward_error.codegen`).

        >>> print(modified_equation("x**2/2", 1).latex(potential=False))
        \begin{aligned}
        \dot{x} &= \sum_{k=0}^{1} h^{k} F_{k} \\
        F_{0} &= - x \\
        F_{1} &= - \frac{x}{2}
        \end{aligned}
        """
        from .codegen import latex_source

        return latex_source(self, potential=potential, subexpressions=subexpressions)

    def _repr_latex_(self) -> str:
        """The display notebooks show (:meth:`latex`, with the potentials)."""
        return f"$${self.latex()}$$"

    def python(
        self,
        *,
        name: str = "modified_field",
        backend: str = "numpy",
        order: int | None = None,
        subexpressions: dict[str, Any] | None = None,
    ) -> str:
        """Self-contained Python source (imports included) of ``name(state, h)``
        evaluating the truncated field F_0 + ... + h^order F_order; unbound parameters
        become keyword arguments.  ``backend="numpy"``: vectorised over ``state`` of
        shape (..., n), points where float64 overflows recomputed in mpmath;
        ``"mpmath"``: exact rationals kept at the working precision.  See
        :mod:`~gdtheory.backward_error.codegen`.

        >>> ns = {}
        >>> exec(modified_equation("x**2/2", 2).python(), ns)
        >>> ns["modified_field"]([[1.0]], 0.5)    # -(1 + h/2 + h^2/3) x
        array([[-1.33333333]])
        """
        from .codegen import python_source

        p = self._check_order(order)
        return python_source(
            self, name=name, backend=backend, order=p, subexpressions=subexpressions
        )

    def lambdify(self, backend: str = "mpmath", order: int | None = None) -> Callable[..., Any]:
        """A fast callable ``F(x, h)`` for the truncated field F_0 + ... + h^order F_order.

        ``"mpmath"``: ``x`` a sequence of n numbers, ``h`` a number; returns a tuple of mpf
        at the working precision in force at the call.  ``"numpy"``: ``x`` of shape
        (..., n), ``h`` a float (or an array broadcasting against x[..., 0]); returns an
        array of shape (..., n).

        >>> import numpy as np
        >>> F = modified_equation("x**2/2", 3).lambdify("numpy")
        >>> F(np.array([[1.0]]), 0.5)     # -(1 + h/2 + h^2/3 + h^3/4) x
        array([[-1.36458333]])
        """
        p = self._check_order(order)
        syms = (*self.symbols, h)
        exprs = list(self.field(p))
        if backend == "mpmath":
            fn = compile_mp(exprs, syms)
            return lambda x, hh: fn([*x, hh])
        if backend == "numpy":
            import numpy as np

            fnp = compile_np(exprs, syms)

            def evaluate(X: Any, hh: Any) -> Any:
                X = np.asarray(X, dtype=float)
                H = np.broadcast_to(np.asarray(hh, dtype=float), X.shape[:-1])
                return fnp(np.concatenate([X, H[..., None]], axis=-1))

            return evaluate
        raise InvalidInputError(f"backend must be 'mpmath' or 'numpy', got {backend!r}")


# -------------------------------------------------------------------- public functions
def modified_equation(
    target: Objective | str | sp.Expr | Sequence[Any],
    order: int,
    *,
    symbols: Sequence[sp.Symbol | str] | None = None,
    params: Sequence[sp.Symbol | str] | None = None,
    metric: Any = None,
    progress: bool = False,
) -> ModifiedEquation:
    r"""The modified vector field of a one-step map to order h**order (backward error analysis).

    Formula (Hairer-Lubich-Wanner IX.1): with Phi_h(x) = x + sum_j h^j d_j(x),
    F_k = d_{k+1} - sum_{i=2}^{k+1} W_{i,k+1-i}/i!, W as in the module docstring.  For GD,
    F_0 = -grad f, F_1 = -(1/2) H grad f, F_2 = (1/12) F''(F,F) + (1/3) F'F'F.

    Parameters
    ----------
    target : Objective, str, SymPy expression or sequence of them
        An objective (its GD map x - h grad f), or any one-step map Phi_h(x) written in
        the state symbols and ``gdtheory.h``, analytic in h with Phi_0(x) = x
        (preconditioned GD, GD with weight decay, extragradient, ...).
    order : int
        p >= 0, the highest power of h kept.
    symbols : sequence, optional
        The state symbols in order (default: sorted by name).
    params : sequence, optional
        Symbolic constants of a one-step map (an Objective carries its own
        ``params``); they stay symbolic in every field, exactly (polynomial-ring
        generators of the differential ring, see :mod:`~gdtheory.backward_error.diffring`).
    metric : square matrix, optional
        A constant symmetric positive-definite P with exact rational entries: the
        gradient structure is then that of preconditioned GD, F_k = -P grad f_k
        (P^{-1} F_k is tested for symmetry of its Jacobian and integrated), so
        x - h P grad f has the modified loss f + (h/4) grad f^T P grad f + ...
    progress : bool
        Show a progress bar over the orders (long runs; the work still to do is also
        estimated before each order and refused above the budget).

    Examples
    --------
    >>> me = modified_equation("x**2/2", 4)
    >>> [F[0] for F in me.fields]       # -h^k x/(k+1): the series of log(1-h)/h
    [-x, -x/2, -x/3, -x/4, -x/5]
    >>> import sympy as sp
    >>> from gdtheory import h
    >>> x = sp.Symbol("x")
    >>> modified_equation(x - h * (x**3 + x / 10), 1).fields[1]   # weight decay 1/10
    Matrix([[-3*x**5/2 - x**3/5 - x/200]])
    """
    if isinstance(order, bool) or not isinstance(order, int):
        raise InvalidInputError(f"order must be a non-negative integer, got {order!r}")
    if not 0 <= order <= MAX_ORDER:
        raise InvalidInputError(f"order must be in 0..{MAX_ORDER}, got {order}")
    tgt = as_target(target, symbols, params)
    n = len(tgt.symbols)
    P = None if metric is None else as_real_matrix(metric, "metric", shape=(n, n))
    Pinv = _metric_inverse(P)
    inputs = [tgt.objective.expr] if tgt.objective is not None else list(tgt.map_expr)
    budget.check_expansion(inputs, tgt.symbols + tgt.params, tgt.description)
    d_sym = increments(tgt, order)
    ring = DifferentialRing(tgt.symbols, [e for dj in d_sym for e in dj], tgt.params)
    d = [[ring.convert(e) for e in dj] for dj in d_sym]
    F = _ring_fields(ring, d, order, tgt.description, bool(progress))
    fields = tuple(sp.ImmutableMatrix([ring.to_sympy(c) for c in Fk]) for Fk in F)
    G = F if Pinv is None else [_apply(ring, Pinv, Fk) for Fk in F]
    obstructions: list[sp.ImmutableMatrix | None] = []
    for Fk in G:
        if n == 1:
            obstructions.append(None)
            continue
        J = [[ring.diff(Fk[i], j) for j in range(n)] for i in range(n)]
        half = sp.Rational(1, 2)
        anti = [[ring.scale(J[i][j] - J[j][i], half) for j in range(n)] for i in range(n)]
        nonzero = any(not ring.is_zero(anti[i][j]) for i in range(n) for j in range(i + 1, n))
        if not nonzero:
            obstructions.append(None)
            continue
        upper = {(i, j): ring.to_sympy(anti[i][j]) for i in range(n) for j in range(i + 1, n)}
        rows = [
            [
                upper[(i, j)] if i < j else (-upper[(j, i)] if i > j else sp.Integer(0))
                for j in range(n)
            ]
            for i in range(n)
        ]
        obstructions.append(sp.ImmutableMatrix(rows))
    is_grad = []
    ok = True
    for ob in obstructions:
        ok = ok and ob is None
        is_grad.append(ok)
    me = ModifiedEquation(
        tgt.description,
        tgt.symbols,
        order,
        fields,
        tuple(is_grad),
        tuple(obstructions),
        tgt.objective if Pinv is None else None,
        tgt.params,
        P,
    )
    me._cache["target"] = tgt
    me._cache["ring"] = ring
    me._cache["ring_fields"] = G  # the fields whose potentials are sought (P^-1 F_k)
    return me


def _metric_inverse(P: sp.ImmutableMatrix | None) -> list[list[sp.Rational]] | None:
    """P^{-1} for a constant symmetric positive-definite metric with rational entries."""
    if P is None:
        return None
    if not all(v.is_Rational for v in P):
        raise InvalidInputError("metric entries must be exact rational numbers")
    if P != P.T or not P.is_positive_definite:
        raise InvalidInputError(f"metric must be symmetric positive definite, got {P.tolist()}")
    return P.inv().tolist()


def _apply(ring: DifferentialRing, M: list[list[sp.Rational]], v: list[Any]) -> list[Any]:
    """M v for a constant rational matrix M and a vector of ring elements."""
    n = len(v)
    out = []
    for i in range(n):
        acc = ring.zero
        for j in range(n):
            if M[i][j] != 0:
                acc = acc + ring.scale(v[j], sp.Rational(M[i][j]))
        out.append(acc)
    return out


def modified_potential(
    objective: Objective | str | sp.Expr | Sequence[Any],
    order: int,
    *,
    symbols: Sequence[sp.Symbol | str] | None = None,
) -> sp.Expr:
    r"""The modified potential f_h = f_0 + h f_1 + ... + h^order f_order (a polynomial in h).

    F_k = -grad f_k with f_0 = f, f_1 = |grad f|^2/4 (implicit gradient regularisation;
    claim T4) and f_k(0) = 0 for k >= 2.  Always exists in one dimension.

    Raises
    ------
    NotAGradientError
        In dimension >= 2 when some F_k, k <= order, is not a gradient; the error carries
        the obstruction (the antisymmetric part of its Jacobian) and the order.

    Examples
    --------
    >>> modified_potential("x**2/2", 2)
    h**2*x**2/6 + h*x**2/4 + x**2/2
    >>> modified_potential("(x*y - 1)**2/2", 2)
    Traceback (most recent call last):
    ...
    gdtheory.errors.NotAGradientError: the modified field of GD on f = (x*y - 1)**2/2 is not ...
    """
    return modified_equation(objective, order, symbols=symbols).potential()
