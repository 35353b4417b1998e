"""The Hessian on the minimiser set of a user objective: the deep scalar network's sharp
eigenvalue against a direct SymPy Hessian (exact, at rational points of x1 x2 x3 = 1)
and against finite differences; flat directions in the kernel; the matrix family's
Kronecker-sum identity recovered; residual input and refusals."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory.core.objective import Objective
from gdtheory.errors import GDTheoryError, InvalidInputError
from gdtheory.landscape.balance import balancing
from gdtheory.landscape.balance_laws import deep_scalar
from gdtheory.landscape.minimiser_set import objective_spectrum

LAM = sp.Symbol("lam")


def test_deep_scalar_n3_sharp_eigenvalue_in_closed_form() -> None:
    s = balancing("deep", n=3)
    x1, x2, x3 = s.variables
    assert s.sharp == sp.expand(x1**2 * x2**2 + x1**2 * x3**2 + x2**2 * x3**2)
    assert s.eigenvalues[0] == 2 and s.all_identities_hold
    assert len(s.conserved) == 2 and len(s.flat_directions) == 2


@settings(max_examples=25, deadline=None)
@given(
    p=st.fractions(Fraction(1, 5), Fraction(5), max_denominator=30),
    q=st.fractions(Fraction(1, 5), Fraction(5), max_denominator=30),
    signs=st.sampled_from([(1, 1), (1, -1), (-1, 1), (-1, -1)]),
)
def test_sharp_eigenvalue_matches_a_direct_hessian_on_the_minimiser_set(
    p: Fraction, q: Fraction, signs: tuple[int, int]
) -> None:
    """At (x1, x2, 1/(x1 x2)) the direct Hessian of (1 - x1 x2 x3)^2/2 has characteristic
    polynomial lam^2 (lam - sharp) exactly, and central differences of the gradient
    give the same top eigenvalue."""
    s = objective_spectrum(deep_scalar(3))
    xs = s.variables
    a, b = sp.Rational(p) * signs[0], sp.Rational(q) * signs[1]
    point = {xs[0]: a, xs[1]: b, xs[2]: 1 / (a * b)}
    Hd = sp.hessian(s.objective, xs).subs(point)
    lam = s.sharp.subs(point)
    assert sp.expand(Hd.charpoly(LAM).as_expr() - LAM**2 * (LAM - lam)) == 0
    # finite differences of the gradient (float64), an independent numerical oracle
    f = deep_scalar(3)
    x = np.array([float(point[v]) for v in xs])
    eps = 1e-6
    Hfd = np.array(
        [
            (f.grad_np((x + eps * e)[None, :])[0] - f.grad_np((x - eps * e)[None, :])[0])
            / (2 * eps)
            for e in np.eye(3)
        ]
    )
    top = np.linalg.eigvalsh(0.5 * (Hfd + Hfd.T))[-1]
    assert top == pytest.approx(float(lam), rel=1e-6)
    # flat directions S x and the sharp direction grad r at the point
    for v in s.flat_directions:
        assert all(e == 0 for e in sp.expand(Hd * v.subs(point)))
    w = s.sharp_direction.subs(point)
    assert all(e == 0 for e in sp.expand(Hd * w - lam * w))


def test_matrix_factorisation_recovers_the_kronecker_sum() -> None:
    fam = balancing("matrix", n=2, m=2, d=2)
    A = [v for v in fam.objective.free_symbols if v.name.startswith("A_")]
    s = objective_spectrum(Objective(fam.objective, fam.variables, params=A))
    X = sp.Matrix(2, 2, fam.variables[:4])
    Y = sp.Matrix(2, 2, fam.variables[4:])
    kron = sp.kronecker_product(X * X.T, sp.eye(2)) + sp.kronecker_product(sp.eye(2), Y * Y.T)
    assert all(sp.expand(e) == 0 for e in s.gram - kron)
    assert s.all_identities_hold and len(s.conserved) == 3
    # at random points of X Y^T = A: largest Gram eigenvalue = sigma_1(X)^2 + sigma_1(Y)^2,
    # so the stability conditions agree
    rng = np.random.default_rng(3)
    f = sp.lambdify(fam.variables, s.gram)
    for _ in range(5):
        Xv, Yv = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
        top = np.linalg.eigvalsh(np.array(f(*Xv.ravel(), *Yv.ravel()), dtype=float))[-1]
        s1 = (
            np.linalg.svd(Xv, compute_uv=False)[0] ** 2
            + np.linalg.svd(Yv, compute_uv=False)[0] ** 2
        )
        assert top == pytest.approx(s1, rel=1e-12)


def test_residuals_can_be_given_and_bad_input_is_refused() -> None:
    f = Objective.parse("x**2*y**2 - 2*x*y + 1")  # (1 - xy)^2 expanded: not read as squares
    with pytest.raises(InvalidInputError, match="residuals"):
        objective_spectrum(f)
    s = objective_spectrum(f, residuals=["sqrt(2)*(1 - x*y)"])
    x, y = s.variables
    assert s.sharp == sp.expand(2 * (x**2 + y**2))
    with pytest.raises(InvalidInputError, match=r"f = \|r\|\^2 / 2"):
        objective_spectrum(f, residuals=["1 - x*y"])
    with pytest.raises(GDTheoryError):
        objective_spectrum(f, residuals=["__import__('os').getcwd()"])
    with pytest.raises(InvalidInputError, match="residual"):
        objective_spectrum(f, residuals=[3.5])


def test_vector_factorisation_matches_the_vector_family() -> None:
    """(1 - x . y)^2/2, n = 2, through the engine: the sharp eigenvalue is the family's
    ||x||^2 + ||y||^2, and the family's invariant ||x||^2 - ||y||^2 lies in the detected
    span (four invariants: f depends on x . y only)."""
    fam = balancing("vector", n=2)
    mu = next(v for v in fam.objective.free_symbols if v.name == "mu")
    s = objective_spectrum(Objective(fam.objective.subs(mu, 1), fam.variables))
    assert sp.expand(s.sharp - fam.sharp) == 0
    xs = s.variables
    monos = [a * b for i, a in enumerate(xs) for b in xs[i:]]

    def rows(exprs):
        return sp.Matrix([[sp.Poly(e, *xs).coeff_monomial(m) for m in monos] for e in exprs])

    A = rows(s.conserved)
    assert A.rank() == 4 and A.col_join(rows(fam.conserved)).rank() == 4


def test_stability_condition_as_a_function_of_h() -> None:
    s = balancing("deep", n=3)
    x1, x2, x3 = s.variables
    cond = s.stability()  # sharp <= 2/h, h symbolic
    h = next(iter(cond.free_symbols - set(s.variables)))
    at_balance = {x1: 1, x2: 1, x3: 1}  # sharp = 3 there
    assert bool(cond.subs(at_balance).subs(h, sp.Rational(2, 3)))
    assert not bool(cond.subs(at_balance).subs(h, sp.Rational(7, 10)))
    assert bool(s.stability("1/2").subs(at_balance))
    fam = balancing("matrix", n=2, m=2, d=2)
    A = [v for v in fam.objective.free_symbols if v.name.startswith("A_")]
    multi = objective_spectrum(Objective(fam.objective, fam.variables, params=A))
    with pytest.raises(InvalidInputError, match="closed-form"):
        multi.stability()
