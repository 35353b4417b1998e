"""Conserved quadratics from linear symmetries: detection against the known invariants
(x_i^2 - x_j^2 of deep scalar networks, X^T X - Y^T Y of matrix factorisation),
conservation along a numerically integrated gradient flow, and refusals."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from gdtheory.core.objective import Objective
from gdtheory.errors import InvalidInputError
from gdtheory.landscape.balance import balancing
from gdtheory.landscape.balance_laws import deep_scalar
from gdtheory.landscape.invariants import conserved_quadratics


def _span(exprs, variables) -> sp.Matrix:
    """Coefficient rows of quadratic forms over the monomials x_i x_j."""
    monos = [a * b for i, a in enumerate(variables) for b in variables[i:]]
    return sp.Matrix([[sp.Poly(e, *variables).coeff_monomial(m) for m in monos] for e in exprs])


@pytest.mark.parametrize("N", [2, 3, 4, 5])
def test_deep_scalar_invariants_are_the_layer_differences(N: int) -> None:
    f = deep_scalar(N)
    xs = f.symbols
    c = conserved_quadratics(f)
    assert c.detected and all(c.identities.values())
    expected = [xs[0] ** 2 - v**2 for v in xs[1:]]
    A, B = _span(c.quantities, xs), _span(expected, xs)
    assert A.rank() == B.rank() == N - 1 == A.col_join(B).rank()


@pytest.mark.parametrize(("n", "m", "d"), [(1, 1, 1), (2, 2, 1), (2, 2, 2), (2, 3, 2)])
def test_matrix_invariants_match_the_matrix_family(n: int, m: int, d: int) -> None:
    fam = balancing("matrix", n=n, m=m, d=d)
    A = [s for s in fam.objective.free_symbols if s.name.startswith("A_")]
    obj = Objective(fam.objective, fam.variables, params=A)
    c = conserved_quadratics(obj)
    xs = fam.variables
    S1, S2 = _span(c.quantities, xs), _span(fam.conserved, xs)
    assert S1.rank() == S2.rank() == d * (d + 1) // 2 == S1.col_join(S2).rank()


def test_a_given_symmetry_is_checked() -> None:
    f = Objective.parse("(1 - x*y)**2/2")
    x, y = f.symbols
    assert conserved_quadratics(f, symmetry=[[1, -1]]).quantities == (x**2 - y**2,)
    with pytest.raises(InvalidInputError, match="not a symmetry"):
        conserved_quadratics(f, symmetry=[[1, 1]])
    with pytest.raises(InvalidInputError, match="symmetric"):
        conserved_quadratics(f, symmetry=[[[0, 1], [0, 0]]])
    with pytest.raises(InvalidInputError, match="weights"):
        conserved_quadratics(f, symmetry=[[1, -1, 0]])
    g = Objective.parse("exp(x*y) + (1 - x*y)**2")  # not a polynomial: give the symmetry
    with pytest.raises(InvalidInputError, match="polynomial"):
        conserved_quadratics(g)
    assert conserved_quadratics(g, symmetry=[[1, -1]]).identities


@settings(max_examples=15, deadline=None)
@given(N=st.integers(2, 4), seed=st.integers(0, 10_000))
def test_detected_quantities_are_conserved_by_gradient_flow(N: int, seed: int) -> None:
    f = deep_scalar(N)
    c = conserved_quadratics(f)
    Q = [sp.lambdify(f.symbols, q) for q in c.quantities]
    x0 = np.random.default_rng(seed).uniform(0.4, 1.4, N)
    sol = solve_ivp(lambda _t, x: -f.grad_np(x[None, :])[0], (0, 3), x0, rtol=1e-11, atol=1e-12)
    assert sol.success
    for q in Q:
        assert abs(q(*sol.y[:, -1]) - q(*x0)) < 1e-8 * (1 + abs(q(*x0)))


@pytest.mark.parametrize("widths", [[1, 2, 1], [2, 2, 2], [1, 2, 2, 1], [2, 1, 2]])
def test_deep_linear_layer_invariants_are_detected(widths: list[int]) -> None:
    """W_{k+1}^T W_{k+1} - W_k W_k^T (every entry, every hidden layer) lies in the
    detected span (Du, Hu, Lee 2018).  On [1, 2, 1] the span is larger by one: f depends
    on W_2 W_1 = w . v only, a vector factorisation with the extra invariant
    w_1 v_2 - w_2 v_1 (checked conserved by the same identities)."""
    from gdtheory.landscape.balance_laws import deep_linear

    f = deep_linear(widths)
    xs = f.symbols
    mats, k = [], 0
    for i in range(1, len(widths)):
        rows, cols = widths[i], widths[i - 1]
        mats.append(sp.Matrix(rows, cols, xs[k : k + rows * cols]))
        k += rows * cols
    expected = []
    for W1, W2 in zip(mats, mats[1:], strict=False):
        D = W2.T * W2 - W1 * W1.T
        expected += [sp.expand(D[i, j]) for i in range(D.rows) for j in range(i, D.cols)]
    c = conserved_quadratics(f)
    assert all(c.identities.values())
    A, B = _span(c.quantities, xs), _span(expected, xs)
    assert A.col_join(B).rank() == A.rank()  # expected within the detected span
    extra = A.rank() - B.rank()
    assert extra == (1 if widths == [1, 2, 1] else 0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda r: st.integers(1, 5).flatmap(
            lambda c: st.lists(
                st.lists(st.fractions(-3, 3, max_denominator=4), min_size=c, max_size=c),
                min_size=r,
                max_size=r,
            )
        )
    )
)
def test_the_fast_null_space_is_sympys(entries):
    """The DomainMatrix null space is the one Matrix.nullspace gives (same vectors, same
    order), on rational matrices with repeated and zero rows."""
    from gdtheory.landscape.invariants import _nullspace

    A = sp.Matrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in entries])
    A = A.col_join(A[:1, :])  # a repeated row
    assert _nullspace(A) == A.nullspace()


def test_the_fast_null_space_with_a_parameter():
    from gdtheory.landscape.invariants import _nullspace

    a = sp.Symbol("a")
    A = sp.Matrix([[1, a, 0], [a, a**2, 0]])
    assert [sp.simplify(u - v) for u, v in zip(_nullspace(A), A.nullspace(), strict=True)] == [
        sp.zeros(3, 1),
        sp.zeros(3, 1),
    ]
