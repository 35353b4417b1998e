r"""The first-order modified equation of a method with moment state from its zero start,
the step-count-dependent terms (Adam's bias correction) included.

The slow-manifold engine (:mod:`.slow_manifold`) treats the steady state: a method whose
update does not change with the step count, its moments on their invariant manifold.  Real
runs start from zero moments, and Adam corrects that start by dividing by 1 - beta^t, so its
update depends on the step count t.  This module derives the modified equation that holds
at every step n = 0, 1, 2, ... of the run from the zero state,

    x_{n+1} = phi_h^(n)(x_n) + O(h^3),   dx/dt = F_0(x, n) + h F_1(x, n)  on [n h, (n + 1) h),

for a method whose update (x, s, t) -> (X, U, t + 1) has

* a position update that at h = 0 is the identity for every state (X(x, s, 0) = x: the
  adaptive methods; not heavy ball, whose velocity is O(h): see :mod:`.slow_manifold`);
* a state update that at h = 0 is affine, U(x, s, 0) = A s + c(x), A a constant matrix
  (exponential moving averages: A = diag(beta)); a state variable updated as t + 1 is the
  step counter, t = n before step n.

Derivation (expanding every quantity at the current point x_n).  The state before step n
is sigma_n(x_n) = sigma^0_n + h sigma^1_n + O(h^2) with sigma_0 = 0 and

    sigma^0_{n+1} = A sigma^0_n + c,
    sigma^1_{n+1} = A sigma^1_n + U_1(x, sigma^0_n, n) - D_x sigma^0_{n+1} F_0(x, n),

(U_1 = dU/dh at h = 0; x_{n+1} = x_n + h F_0 + O(h^2) moves the point under sigma^0_{n+1});
writing X = x + h X_1 + h^2 X_2 + ..., the step is h X_1(x, sigma^0_n, n) + h^2 [X_2 + D_s
X_1 sigma^1_n] + O(h^3), and matching it with the flow, x + h F + h^2 (F' F)/2 + O(h^3),

    F_0(x, n) = X_1(x, sigma^0_n, n),
    F_1(x, n) = X_2(x, sigma^0_n, n) + D_s X_1(x, sigma^0_n, n) sigma^1_n - (D_x F_0 F_0)/2.

With A = diag(a) the sums are geometric: sigma^0_n = (1 - a^n)/(1 - a) c, and a forcing
term q^k in sigma^1 sums to (a^n - q^n)/(a - q) (n a^(n-1) when q = a), so F_0 and F_1 come
in closed form in n whenever the forcing is a polynomial in the beta^k (Adam with bias
correction: there F_0 = -g/(|g| + eps) at every step).  For Adam (eps outside the root,
one coordinate, bias correction), with a_i(n) = beta_i/(1 - beta_i) - (n + 1)
beta_i^(n+1)/(1 - beta_i^(n+1)), the mean age of the bias-corrected moment's memory,

    F_1(x, n) = -(D'/D^3) |g| [eps (1/2 + a_1(n)) + |g| (a_1(n) - a_2(n))],   D = |g| + eps,

which tends to the steady state's F_1 as n -> oo (a_i -> beta_i/(1 - beta_i)), and at n = 0
(a_i = 0) is GD's first correction in the metric 1/D.  This is the setting of Cattaneo,
Klusowski and Shigida ("On the implicit bias of Adam", ICML 2024), who carry the bias
correction's beta^n terms the same way; their displayed equations are not reproduced here.

The expansion holds where no gradient component vanishes when eps = 0 (sqrt(g^2) = |g|),
and it is one order: the bias correction's terms change every step, so the higher orders of
the usual backward error analysis do not apply as they stand.

>>> from gdtheory.optimizers import Adam
>>> b1, b2, eps = sp.symbols("beta1 beta2 eps", positive=True)
>>> eq = transient_modified_equation(Adam(b1, b2, eps), "x**2/2")
>>> eq.fields[0][0]                  # the drift of every step: sign descent, softened
-x/(eps + Abs(x))
>>> # step 0 carries no memory: the steady F_1 with beta1 = beta2 = 0
>>> sp.simplify(eq.at(0)[1][0] - eq.steady[1][0].subs({b1: 0, b2: 0}))
0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..core.objective import Objective, as_objective, h
from ..core.scalars import exact_real
from ..errors import InvalidInputError
from ..methods.registry import Method, as_method

__all__ = ["TransientEquation", "transient_modified_equation"]

#: The step index n of the fields: the field on [n h, (n + 1) h) is that of step n.
n = sp.Symbol("n", integer=True, nonnegative=True)

#: Largest step at which :meth:`TransientEquation.at` runs the recursion (its expressions
#: grow with the step where the sums have no closed form: RMSProp's 40th step takes 12 s).
MAX_RECURSION_STEP = 60


@dataclass(frozen=True)
class TransientEquation:
    r"""dx/dt = F_0(x, n) + h F_1(x, n) on [n h, (n + 1) h): a method's first-order
    modified equation at step n of its run from the zero state (module docstring).

    Attributes
    ----------
    method, hyperparameters : the method's name and hyperparameters
    symbols : the coordinates x
    fields : (F_0, F_1) in closed form in the step symbol ``n`` (beta**n), or None when
        the sums of the recursion have no closed form (then use :meth:`at`)
    steady : (F_0, F_1) as n -> oo (None with ``fields``): the steady state's, the
        slow-manifold engine's order-1 equation
    state : per state variable (counters left out), (sigma^0_n, sigma^1_n) in closed form,
        or None
    """

    method: str
    hyperparameters: tuple[tuple[str, Any], ...]
    symbols: tuple[sp.Symbol, ...]
    fields: tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]] | None
    steady: tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]] | None
    state: tuple[tuple[sp.Expr, sp.Expr], ...] | None = field(repr=False)
    parts: Any = field(repr=False, compare=False)

    def at(self, step: int) -> tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]]:
        """(F_0, F_1) at step ``step`` = 0, 1, ..., by running the recursion for sigma^0,
        sigma^1 step by step (exact; any constant A; a second derivation of ``fields``)."""
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step:
            raise InvalidInputError(f"step must be an integer >= 0, got {step!r}")
        if step > MAX_RECURSION_STEP:
            raise InvalidInputError(
                f"step {step} is beyond the recursion's {MAX_RECURSION_STEP} steps; use "
                "fields (closed form in n) or steady (n -> oo)"
            )
        return self.parts.recursion(step)

    @property
    def drift_moves(self) -> bool:
        """True when F_0 itself changes with n (moments from zero without a bias
        correction, RMSProp as PyTorch runs it): the steady field then misses an O(h)
        part of the early steps, not only an O(h^2) one."""
        if self.fields is not None:
            return any(e.has(n) for e in self.fields[0])
        a, b = self.at(0)[0], self.at(1)[0]
        return any(sp.simplify(p - q) != 0 for p, q in zip(a, b, strict=True))

    def field(self, *, h: Any, step: int | None = None) -> tuple[sp.Expr, ...]:
        """F_0 + h F_1 at the rate ``h``: at a given step (by :meth:`at`), or with
        ``step=None`` in closed form in n; ``h`` a number or a SymPy expression."""
        if step is not None:
            F0, F1 = self.at(step)
        elif self.fields is None:
            raise InvalidInputError("this equation has no closed form in n: give a step")
        else:
            F0, F1 = self.fields
        rate = h if isinstance(h, sp.Basic) else exact_real(h, "h")
        return tuple(a + rate * b for a, b in zip(F0, F1, strict=True))

    def _repr_latex_(self) -> str:
        if self.fields is None:
            return f"$\\text{{{self.method}: fields at concrete steps only (at(n))}}$"
        rows = [
            f"\\dot {sp.latex(x)} = {sp.latex(a)} + h\\left({sp.latex(b)}\\right)"
            for x, a, b in zip(self.symbols, *self.fields, strict=True)
        ]
        return "$\\begin{aligned}" + r"\\ ".join(rows) + "\\end{aligned}$"


class _Parts:
    """The method's update expanded in h with symbolic state (one derivation, shared by
    the closed form and the recursion)."""

    def __init__(self, method: Method, f: Objective) -> None:
        self.x = list(f.symbols)
        xs = self.x
        S = [[sp.Dummy(f"{name}{i}", real=True) for i in range(f.dim)] for name in method.state]
        gradient = list(f.grad)

        def grad(y: Sequence[Any]) -> list[Any]:
            return [g.xreplace(dict(zip(xs, y, strict=True))) for g in gradient]

        try:
            X, U = method.update(grad, xs, S, h)
        except (TypeError, ValueError, AttributeError) as exc:
            raise InvalidInputError(
                f"{method.name}'s update does not run on SymPy expressions: {exc}"
            ) from None
        flat_s = [s for row in S for s in row]
        flat_u = [u for row in U for u in row]
        self.counters = [
            j for j, (s, u) in enumerate(zip(flat_s, flat_u, strict=True)) if u - s == 1
        ]
        self.fast = [j for j in range(len(flat_s)) if j not in self.counters]
        self.s = flat_s
        for i, e in enumerate(X):
            if sp.simplify(e.subs(h, 0) - xs[i]) != 0:
                raise InvalidInputError(
                    f"{method.name}'s position update at h = 0 depends on its state (as heavy "
                    "ball's velocity, which is O(h)); its transient is not of this kind: use "
                    "slow_manifold_equation and manifold_state"
                )
        u0 = [flat_u[j].subs(h, 0) for j in self.fast]
        A = sp.Matrix([[sp.diff(u, flat_s[j]) for j in self.fast] for u in u0])
        if A.free_symbols & (set(xs) | set(flat_s)):
            raise InvalidInputError(
                f"{method.name}'s state update at h = 0 is not affine with a constant matrix "
                "(U(x, s, 0) = A s + c(x)): no transient expansion of this kind"
            )
        self.A = A
        zero = {flat_s[j]: 0 for j in self.fast}
        self.c = [u.xreplace(zero) for u in u0]
        self.U1 = [sp.diff(flat_u[j], h).subs(h, 0) for j in self.fast]
        self.X1 = [sp.diff(e, h).subs(h, 0) for e in X]
        self.X2 = [sp.diff(e, h, 2).subs(h, 0) / 2 for e in X]
        self.dX1 = [[sp.diff(e, flat_s[j]) for j in self.fast] for e in self.X1]
        self.steps: list[tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]]] = []
        self.sigma: tuple[list[sp.Expr], list[sp.Expr]] = ([], [])

    def _at(self, e: sp.Expr, step: Any, sigma0: Sequence[sp.Expr], powers: Any) -> sp.Expr:
        """e with the counters at ``step`` and the state sigma^0; with ``powers`` (a
        :class:`_Powers`, ``step`` a symbol) every b^(step + j) becomes b^j P_b."""
        sub = {self.s[j]: step for j in self.counters}
        sub.update({self.s[j]: s for j, s in zip(self.fast, sigma0, strict=True)})
        e = e.xreplace(sub)
        if powers is not None:
            e = powers.absorb(e)
        return sp.cancel(_roots_cancelled(e))

    def _jac_times(self, exprs: Sequence[sp.Expr], v: Sequence[sp.Expr]) -> list[sp.Expr]:
        return [
            sum((sp.diff(e, xi) * vi for xi, vi in zip(self.x, v, strict=True)), 0) for e in exprs
        ]

    def _fields(
        self, sigma0: Sequence[sp.Expr], sigma1: Sequence[sp.Expr], step: Any, powers: Any
    ) -> tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]]:
        F0 = [self._at(e, step, sigma0, powers) for e in self.X1]
        drift = self._jac_times(F0, F0)
        F1 = [
            sp.together(
                self._at(self.X2[i], step, sigma0, powers)
                + sum(
                    (
                        self._at(d, step, sigma0, powers) * s
                        for d, s in zip(self.dX1[i], sigma1, strict=True)
                    ),
                    sp.Integer(0),
                )
                - drift[i] / 2
            )
            for i in range(len(self.x))
        ]
        return tuple(F0), tuple(F1)

    def recursion(self, step: int) -> tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]]:
        """(F_0, F_1) at ``step`` by the recursion for sigma^0, sigma^1 (the steps run so
        far are kept)."""
        m = len(self.fast)
        done = self.steps
        if not done:
            self.sigma = ([sp.Integer(0)] * m, [sp.Integer(0)] * m)
        sig0, sig1 = self.sigma
        for k in range(len(done), step + 1):
            F = self._fields(sig0, sig1, sp.Integer(k), None)
            done.append(F)
            nxt0 = [
                sp.expand(sum((self.A[i, j] * sig0[j] for j in range(m)), 0) + self.c[i])
                for i in range(m)
            ]
            U1 = [self._at(u, sp.Integer(k), sig0, None) for u in self.U1]
            moved = self._jac_times(nxt0, F[0])
            sig1 = [
                sp.together(sum((self.A[i, j] * sig1[j] for j in range(m)), 0) + U1[i] - moved[i])
                for i in range(m)
            ]
            sig0 = nxt0
            self.sigma = (sig0, sig1)
        return done[step]


class _Powers:
    """The powers b^step of a symbolic step as symbols P_b, made when first met."""

    def __init__(self, step: sp.Symbol, bases: Sequence[sp.Expr]) -> None:
        self.step = step
        self.symbols: dict[sp.Expr, sp.Dummy] = {}
        for b in bases:
            self[b]

    def __getitem__(self, base: sp.Expr) -> sp.Dummy:
        if base not in self.symbols:
            self.symbols[base] = sp.Dummy("P")
        return self.symbols[base]

    def absorb(self, e: sp.Expr) -> sp.Expr:
        """b^(+-step + j) -> b^j P_(b^+-1) (j an integer; SymPy writes (1/2)^(k+1) as
        2^(-k-1)); an exponent of another form stays (the closed form then fails)."""

        def split(z: sp.Pow) -> sp.Expr:
            s = z.exp.coeff(self.step)  # b^(s step + j) = (b^s)^step b^j, s = +-1
            j = sp.expand(z.exp - s * self.step)
            if s not in (1, -1) or j.has(self.step) or not j.is_Integer:
                return z
            return z.base**j * self[z.base**s]

        return e.replace(lambda z: z.is_Pow and z.exp.has(self.step), split)


def _roots_cancelled(e: sp.Expr) -> sp.Expr:
    """The bases under roots cancelled and factored (so that sqrt((1 - beta2^(k+1)) g^2 /
    (1 - beta2^(k+1))) is |g|)."""
    return e.replace(
        lambda z: z.is_Pow and not z.exp.is_Integer,
        lambda z: sp.Pow(sp.factor(sp.cancel(z.base)), z.exp),
    )


def _closed_form(parts: _Parts) -> tuple[Any, Any, Any] | None:
    """(fields, steady, state) in closed form in n, or None when A is not diagonal or the
    forcing of sigma^1 is not a polynomial in the beta^k (module docstring)."""
    A, m = parts.A, len(parts.fast)
    if not A.is_diagonal():
        return None
    a = [A[i, i] for i in range(m)]
    k = sp.Dummy("k", integer=True, nonnegative=True)
    Pk = _Powers(k, a)  # b^k
    sig0_k = [(1 - Pk[a[i]]) / (1 - a[i]) * parts.c[i] for i in range(m)]
    F0_k = [parts._at(e, k, sig0_k, Pk) for e in parts.X1]
    nxt = [(1 - a[i] * Pk[a[i]]) / (1 - a[i]) * parts.c[i] for i in range(m)]
    moved = parts._jac_times(nxt, F0_k)
    forcing = [sp.expand(parts._at(parts.U1[i], k, sig0_k, Pk) - moved[i]) for i in range(m)]
    bases = list(Pk.symbols)
    gens = [Pk.symbols[b] for b in bases]
    Pn = _Powers(n, bases)  # b^n
    sig1_n = []
    for i, r in enumerate(forcing):
        try:
            poly = sp.Poly(r, *gens)
        except sp.PolynomialError:
            return None
        total = sp.Integer(0)
        for mono, coef in poly.terms():
            if coef.has(k) or any(coef.has(p) for p in gens):
                return None
            q = sp.Mul(*[b**e for b, e in zip(bases, mono, strict=True)])
            qn = sp.Mul(*[Pn[b] ** e for b, e in zip(bases, mono, strict=True)])
            if sp.simplify(a[i] - q) == 0:  # sum_k a^(n-1-k) a^k = n a^(n-1)
                total += coef * n * Pn[a[i]] / a[i]
            else:
                total += coef * (Pn[a[i]] - qn) / (a[i] - q)
        sig1_n.append(total)
    sig0_n = [(1 - Pn[a[i]]) / (1 - a[i]) * parts.c[i] for i in range(m)]
    F0, F1 = parts._fields(sig0_n, sig1_n, n, Pn)
    back = {P: b**n for b, P in Pn.symbols.items()}
    limit = {P: 0 for P in Pn.symbols.values()}

    def tidy(es: Sequence[sp.Expr], sub: dict) -> tuple[sp.Expr, ...]:
        return tuple(sp.factor_terms(sp.together(e.xreplace(sub))) for e in es)

    fields = (tidy(F0, back), tidy(F1, back))
    steady = (tidy(F0, limit), tidy(F1, limit))
    state = tuple(
        (sp.factor(s0.xreplace(back)), sp.factor_terms(sp.together(s1.xreplace(back))))
        for s0, s1 in zip(sig0_n, sig1_n, strict=True)
    )
    return fields, steady, state


def transient_modified_equation(
    method: Method | str, objective: Objective | str
) -> TransientEquation:
    r"""The first-order modified equation of ``method`` at every step n of its run from
    the zero state, step-count terms (Adam's bias correction) included (module docstring).

    ``fields`` holds F_0(x, n) and F_1(x, n) in closed form when the sums have one (Adam
    and AdamW with bias correction: the forcing is polynomial in beta^k once the bias
    correction cancels; RMSProp, and Adam without bias correction, from zero moments have
    a root of 1 - beta2^(k+1) in F_0 and none), ``at(step)`` the fields at a given step by
    the recursion, always.
    """
    meth = as_method(method)
    f = as_objective(objective)
    if not meth.state:
        raise InvalidInputError(
            f"{meth.name} has no state: it has no transient (its modified equation is "
            "modified_equation's)"
        )
    if meth.stochastic:
        raise InvalidInputError(f"{meth.name} is stochastic: see sgd_modified_equation")
    parts = _Parts(meth, f)
    closed = _closed_form(parts)
    fields, steady, state = closed if closed is not None else (None, None, None)
    return TransientEquation(
        type(meth).__name__,
        tuple(meth.hyperparameters().items()),
        tuple(f.symbols),
        fields,
        steady,
        state,
        parts,
    )
