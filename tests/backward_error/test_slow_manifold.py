"""The slow-manifold engine (backward_error.slow_manifold) on any method with fast state.

Oracles: the classical momentum recursion of Kovachki-Stuart, written here in plain SymPy
(a second algorithm: heavy ball and Nesterov on the engine give its increments exactly);
the exact slow eigenvalue of a linear method on a quadratic (log(r_slow)/h); the
invariance equation itself, checked on the returned manifold; and refusals that name
what the engine cannot do.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sympy as sp

import gdtheory as gt
from gdtheory import h
from gdtheory.backward_error.slow_manifold import slow_manifold_equation
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import HeavyBall, Method, Nesterov

BETA = sp.Symbol("beta", positive=True)


def classical_increments(f: gt.Objective, beta, c: int, K: int) -> list[list[sp.Expr]]:
    """d_1..d_K of the momentum map by the recursion (1 - beta) d_j = -[h^{j-1}]
    g(y + (1 + c beta) v) - [h^j] sum_{i<j} h^i (d_i(y + v) - d_i(y)), v = sum h^i d_i
    (polynomial objectives: every term is a polynomial in h)."""
    xs = f.symbols
    d: list[list[sp.Expr]] = []
    for j in range(1, K + 1):
        v = [
            sum((h**i * d[i - 1][c_] for i in range(1, j)), sp.Integer(0)) for c_ in range(len(xs))
        ]
        shift = {s: s + (1 + c * beta) * vi for s, vi in zip(xs, v, strict=True)}
        gx = [sp.expand(g.xreplace(shift)) for g in f.grad]
        rhs = [-e.coeff(h, j - 1) for e in gx]
        moved = {s: s + vi for s, vi in zip(xs, v, strict=True)}
        for i in range(1, j):
            for c_ in range(len(xs)):
                diff = sp.expand(h**i * (d[i - 1][c_].xreplace(moved) - d[i - 1][c_]))
                rhs[c_] -= diff.coeff(h, j)
        d.append([sp.factor(r / (1 - beta)) for r in rhs])
    return d


@pytest.mark.parametrize("cls", [HeavyBall, Nesterov])
@pytest.mark.parametrize(
    ("text", "beta", "order"),
    [("(x*y - 1)**2/2", BETA, 2), ("x**4/4 - x**2/2", sp.Rational(9, 10), 3)],
)
def test_heavy_ball_and_nesterov_on_the_engine_are_the_classical_recursion(cls, text, beta, order):
    f = gt.Objective.parse(text)
    sm = slow_manifold_equation(cls(beta), f, order)
    ref = classical_increments(f, beta, 1 if cls is Nesterov else 0, order + 1)
    assert len(sm.increments) == len(ref) == order + 1
    for mine, theirs in zip(sm.increments, ref, strict=True):
        for a, b in zip(mine, theirs, strict=True):
            assert sp.expand(sp.cancel(a - b)) == 0
    assert sm.method == cls.key and sm.beta == beta


@dataclass(frozen=True)
class Averaged(Method):
    """A user's method with fast state: m' = c m + (1 - c) g(x), x' = x - h m'."""

    c: object = sp.Rational(1, 2)
    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        c = self.num(self.c, x[0])
        m1 = [c * mi + (1 - c) * gi for mi, gi in zip(m, grad(x), strict=True)]
        return [a - h * b for a, b in zip(x, m1, strict=True)], (m1,)


@pytest.mark.parametrize("c", [sp.Rational(1, 2), sp.Rational(9, 10)])
def test_a_users_method_with_state_matches_its_slow_eigenvalue(c) -> None:
    """On lam x^2/2 the method is linear: (x, m) -> M (x, m) with
    M = [[1 - h (1 - c) lam, -h c], [(1 - c) lam, c]]; the slow eigenvalue r(z), z = h lam,
    gives the exact modified field x log(r)/h, and the manifold m = S(x) its eigenvector."""
    f = gt.Objective.parse("lam*x**2/2", params=["lam"])
    lam = f.params[0]
    sm = gt.method_modified_equation(Averaged(c), f, 4)
    z = sp.Symbol("z")
    M = sp.Matrix([[1 - z * (1 - c), -z * c], [(1 - c), c]])
    tr, det = M.trace(), M.det()
    r = (tr + sp.sqrt(tr**2 - 4 * det)) / 2  # the root near 1 at z = 0
    series = sp.series(sp.log(r), z, 0, 6).removeO()
    x = f.symbols[0]
    for k, F in enumerate(sm.fields):
        assert sp.simplify(F[0] - series.coeff(z, k + 1) * lam ** (k + 1) * x) == 0
    # the manifold: m = S_0 + h S_1 + ..., S_0 = lam x (the gradient), m/x the eigenvector
    assert sm.manifold[0] == (lam * x,)
    # an eigenvector (1, w) of M in (x, m/lam): m/x = lam w = lam (r - M00)/M01
    ratio = sp.series(lam * ((r - M[0, 0]) / M[0, 1]).subs(z, h * lam), h, 0, 4).removeO()
    S = sum((h**j * e[0] for j, e in enumerate(sm.manifold)), sp.Integer(0))
    assert sp.expand(sp.series(S / x - ratio, h, 0, 4).removeO()) == 0


@pytest.mark.parametrize("order", [0, 15])
def test_the_lowest_and_the_highest_order_match_the_slow_eigenvalue(order) -> None:
    """The orders at the ends of the accepted range 0..15, on the same oracle."""
    c, lam = sp.Rational(1, 2), sp.Rational(3, 2)
    sm = slow_manifold_equation(Averaged(c), f"{lam}*x**2/2", order)
    z = sp.Symbol("z")
    M = sp.Matrix([[1 - z * (1 - c), -z * c], [(1 - c), c]])
    r = (M.trace() + sp.sqrt(M.trace() ** 2 - 4 * M.det())) / 2
    series = sp.series(sp.log(r), z, 0, order + 2).removeO()
    x = sm.symbols[0]
    assert len(sm.fields) == order + 1
    for k, F in enumerate(sm.fields):
        assert sp.expand(F[0] - series.coeff(z, k + 1) * lam ** (k + 1) * x) == 0


def test_the_manifold_is_invariant() -> None:
    """S(X(x, S(x))) = U(x, S(x)) to h^K, checked on the returned S for Nesterov on a
    non-quadratic objective (the engine's own equation, verified from outside) at rational
    points, where both sides are polynomials in h (Schwartz-Zippel: a nonzero polynomial
    in x rarely vanishes at three random points)."""
    f = gt.Objective.parse("x**4/4 + x*y + y**2")
    meth = Nesterov(sp.Rational(1, 2))
    sm = slow_manifold_equation(meth, f, 2)
    K = len(sm.manifold) - 1
    xs = list(f.symbols)
    S = [sum((h**j * Sj[i] for j, Sj in enumerate(sm.manifold)), sp.Integer(0)) for i in range(2)]

    def grad(y):
        return [sp.expand(g.xreplace(dict(zip(xs, y, strict=True)))) for g in f.grad]

    for point in [
        (sp.Rational(3, 7), sp.Rational(-5, 11)),
        (sp.Integer(2), sp.Integer(1)),
        (sp.Rational(-1, 3), sp.Integer(4)),
    ]:
        at = dict(zip(xs, point, strict=True))
        X, (U,) = meth.update(grad, list(point), ([e.xreplace(at) for e in S],), h)
        lhs = [e.xreplace(dict(zip(xs, X, strict=True))) for e in S]
        for a, b in zip(lhs, U, strict=True):
            gap = sp.Poly(sp.expand(a - b), h)
            assert all(gap.coeff_monomial(h**j) == 0 for j in range(K + 1))
            assert gap.coeff_monomial(h ** (K + 1)) != 0  # the truncation is seen


@dataclass(frozen=True)
class Undamped(Method):
    """m' = m + h g: the fast variable does not contract (I - D_s U = 0)."""

    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        m1 = [a + h * b for a, b in zip(m, grad(x), strict=True)]
        return [a - h * b for a, b in zip(x, m1, strict=True)], (m1,)


@dataclass(frozen=True)
class Drifting(Method):
    """x' = x + m' with m' = m/2 + 1: x moves at h = 0 (not consistent)."""

    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        m1 = [a / 2 + 1 for a in m]
        return [a + b for a, b in zip(x, m1, strict=True)], (m1,)


@dataclass(frozen=True)
class Normalised(Method):
    """m' = m/2 + g/2, x' = x - h m'/(1 + m'^2): divides by a series that depends on x."""

    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        m1 = [a / 2 + b / 2 for a, b in zip(m, grad(x), strict=True)]
        return [a - h * b / (1 + b * b) for a, b in zip(x, m1, strict=True)], (m1,)


@dataclass(frozen=True)
class Vanishing(Method):
    """x' = x - h g / (m' - g): m' - g vanishes at h = 0 on the manifold (m' = g there)."""

    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        g = grad(x)
        m1 = [a / 2 + b / 2 for a, b in zip(m, g, strict=True)]
        return [a - h * b / (c - b) for a, b, c in zip(x, g, m1, strict=True)], (m1,)


def test_division_by_a_series_that_depends_on_x() -> None:
    """Normalised: m = g + O(h) on the manifold, so the order-0 field is -g/(1 + g^2); the
    reciprocal 1/(1 + m^2) is expanded with 1/(1 + g^2) as a building block of the ring.
    Order 1 against the map's own expansion: the slow manifold of m' = m/2 + g/2 is
    m = g - 2 h g' g/(1 + g^2) + O(h^2) (m' - m = h dm/dx . dx/dt ...), checked through
    the modified equation of the explicit two-step recursion below."""
    sm = slow_manifold_equation(Normalised(), "x**2/2", 1)
    x = sm.symbols[0]
    assert sp.simplify(sm.fields[0][0] + x / (1 + x**2)) == 0
    # the induced map: x' = x + h d1 + h^2 d2; d1 = -g/(1+g^2) on the manifold
    assert sp.simplify(sm.increments[0][0] + x / (1 + x**2)) == 0


def test_what_the_engine_cannot_do_is_named() -> None:
    with pytest.raises(InvalidInputError, match="do not contract"):
        slow_manifold_equation(Undamped(), "x**2/2", 1)
    with pytest.raises(InvalidInputError, match="moves x at h = 0"):
        slow_manifold_equation(Drifting(), "x**2/2", 1)
    with pytest.raises(InvalidInputError, match="divides by a series that vanishes at h = 0"):
        slow_manifold_equation(Vanishing(), "x**2/2", 1)
    with pytest.raises(InvalidInputError, match="irrational"):
        slow_manifold_equation(HeavyBall(sp.sqrt(2) / 2), "x**2/2", 1)
    with pytest.raises(InvalidInputError, match="no fast state"):
        slow_manifold_equation(gt.optimizers.GD(), "x**2/2", 1)
    with pytest.raises(InvalidInputError, match=r"order must be an integer in 0\.\.15"):
        slow_manifold_equation(HeavyBall("1/2"), "x**2/2", 16)
    with pytest.raises(InvalidInputError, match=r"manifold_order must be an integer in 2\.\.16"):
        slow_manifold_equation(HeavyBall("1/2"), "x**2/2", 1, manifold_order=17)
    with pytest.raises(InvalidInputError, match="state symbol"):
        slow_manifold_equation(HeavyBall("x"), "x**2/2", 1)


@dataclass(frozen=True)
class TwoAverages(Method):
    """Two fast vectors: m' = m/2 + g/2, v' = v/2 + m'/2, x' = x - h v'."""

    state = ("m", "v")

    def update(self, grad, x, state, h):
        m, v = state
        m1 = [a / 2 + b / 2 for a, b in zip(m, grad(x), strict=True)]
        v1 = [a / 2 + b / 2 for a, b in zip(v, m1, strict=True)]
        return [a - h * b for a, b in zip(x, v1, strict=True)], (m1, v1)


def test_a_method_with_two_state_vectors() -> None:
    """On lam x^2/2 + y^2 (n = 2, two state vectors, four fast coordinates): at h = 0 both
    averages equal the gradient, F_0 = -grad f, and the h^1 field of x is [z^2] log r / h
    for the slow root r(z) of the linear map on (x, m/lam, v/lam), z = h lam."""
    f = gt.Objective.parse("lam*x**2/2 + y**2", params=["lam"])
    x, y = f.symbols
    lam = f.params[0]
    sm = slow_manifold_equation(TwoAverages(), f, 1)
    g = [lam * x, 2 * y]
    assert [sp.expand(e) for e in sm.manifold[0]] == [*g, *g]  # (m, v) = (g, g)
    assert [sp.expand(e) for e in sm.fields[0]] == [-g[0], -g[1]]
    z = sp.Symbol("z")
    M = sp.Matrix(
        [
            [1 - z / 4, -z / 4, -z / 2],
            [sp.Rational(1, 2), sp.Rational(1, 2), 0],
            [sp.Rational(1, 4), sp.Rational(1, 4), sp.Rational(1, 2)],
        ]
    )  # (x, m/lam, v/lam) -> next, m' = m/2 + x/2, v' = v/2 + m'/2, x' = x - z v'
    a1, a2 = sp.symbols("a1 a2")
    root = 1 + a1 * z + a2 * z**2
    P = sp.expand((M - root * sp.eye(3)).det())
    sol = sp.solve([P.coeff(z, 1), P.coeff(z, 2)], [a1, a2], dict=True)
    (s,) = [s for s in sol if s[a1] == -1]
    log_r = sp.series(sp.log(root.subs(s)), z, 0, 3).removeO()
    assert sp.expand(sm.fields[1][0] - log_r.coeff(z, 2) * lam**2 * x) == 0


@dataclass(frozen=True)
class SquaredState(Method):
    """m' = m^2/2 + g/2: the state update at h = 0 is not affine in the state."""

    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        m1 = [a * a / 2 + b / 2 for a, b in zip(m, grad(x), strict=True)]
        return [a - h * b for a, b in zip(x, m1, strict=True)], (m1,)


def test_a_state_update_that_is_not_affine_at_h_zero_is_refused():
    with pytest.raises(InvalidInputError, match="not affine in the state"):
        slow_manifold_equation(SquaredState(), "x**2/2", 1)


@dataclass(frozen=True)
class Relaxed(Method):
    """m' = c m + (1 - c) g(x), x' = x - h m' + a (m' - m): x stands still at h = 0 on the
    manifold m = g, but X depends on the state there (D_s X = a (c - 1)), so the
    invariance operator M = I - D_s U + D_x S_0 D_s X is not I - D_s U."""

    c: object = sp.Rational(1, 2)
    a: object = sp.Symbol("a", positive=True)
    state = ("m",)

    def update(self, grad, x, state, h):
        (m,) = state
        c, a = self.num(self.c, x[0]), self.num(self.a, x[0])
        m1 = [c * mi + (1 - c) * gi for mi, gi in zip(m, grad(x), strict=True)]
        x1 = [xi - h * n + a * (n - mi) for xi, n, mi in zip(x, m1, m, strict=True)]
        return x1, (m1,)


def test_a_state_dependent_step_at_h_zero_matches_its_slow_eigenvalue():
    """On lam x^2/2 Relaxed is linear, (x, m) -> M (x, m) with M = [[1 - (h - a)(1 - c)
    lam, -(h - a) c - a], [(1 - c) lam, c]]; the root r(h) with r(0) = 1 gives the exact
    field x log(r)/h.  Derived symbolically in a (the engine's second inverse determinant),
    compared at a = 1/3 (where the root through 1 is the "+" branch)."""
    lam = sp.Rational(3, 2)
    sm = slow_manifold_equation(Relaxed(), f"{lam}*x**2/2", 2)
    hh, c, a = sp.Symbol("hh", positive=True), sp.Rational(1, 2), sp.Rational(1, 3)
    M = sp.Matrix([[1 - (hh - a) * (1 - c) * lam, -(hh - a) * c - a], [(1 - c) * lam, c]])
    tr, det = M.trace(), M.det()
    r = (tr + sp.sqrt(tr**2 - 4 * det)) / 2
    assert r.subs(hh, 0) == 1
    series = sp.series(sp.log(r) / hh, hh, 0, 3).removeO()
    x = sm.symbols[0]
    sym_a = next(s for s in sm.equation.params if s.name == "a")
    for k, F in enumerate(sm.equation.fields):
        assert sp.simplify(F[0].subs(sym_a, a) - series.coeff(hh, k) * x) == 0, k
