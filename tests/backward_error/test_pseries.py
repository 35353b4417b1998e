"""P-series of partitioned Runge-Kutta methods (backward_error.pseries).

Oracles: the number of bicoloured rooted trees (OEIS A000151); the modified equation of
each built-in's one-step map computed directly (modified.modified_equation on the map on
(q, p)), on a non-quadratic separable Hamiltonian and, for heavy ball in the scaling
beta = 1 - gamma h, on a damped non-separable system; the modified Hamiltonians of HLW IX.1
(partitioned.modified_hamiltonian); the order conditions of the two tableaux."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from gdtheory import h
from gdtheory.backward_error.modified import modified_equation
from gdtheory.backward_error.partitioned import modified_hamiltonian, partitioned_map
from gdtheory.backward_error.pseries import (
    coloured_cuts,
    coloured_tree,
    coloured_trees_of_order,
    partitioned_tableau,
    pseries_modified_equation,
)
from gdtheory.errors import InvalidInputError

T, U = "p**2/2 + p**4/12", "q**4/4 + q**3/3"


def by_name(m: sp.MatrixBase) -> sp.Matrix:
    """The matrix with every symbol replaced by a plain symbol of the same name (the two
    engines attach different assumptions)."""
    m = sp.Matrix(m)
    return m.xreplace({s: sp.Symbol(s.name) for s in m.free_symbols})


def same(a: sp.MatrixBase, b: sp.MatrixBase) -> bool:
    return sp.expand(by_name(a) - by_name(b)) == sp.zeros(*sp.Matrix(a).shape)


def test_bicoloured_tree_counts() -> None:
    assert [len(coloured_trees_of_order(n)) for n in range(1, 6)] == [2, 4, 14, 52, 214]


def test_cuts_count_every_edge() -> None:
    t = coloured_tree(0, coloured_tree(1), coloured_tree(1), coloured_tree(0, coloured_tree(1)))
    assert len(coloured_cuts(t)) == 4  # 5 vertices, 4 edges
    assert coloured_cuts(t).count(((0, ((0, ((1, ()),)), (1, ()))), (1, ()))) == 2


@pytest.mark.parametrize("name", ["symplectic_euler", "stormer_verlet"])
def test_separable_methods_match_their_maps(name: str) -> None:
    step, syms = partitioned_map(name, T, U)
    direct = modified_equation(step, 4, symbols=syms)
    q, p = sp.symbols("q p")
    f, g = sp.diff(sp.sympify(T), p), -sp.diff(sp.sympify(U), q)
    tree_level = pseries_modified_equation(name, 4).fields([str(f), str(g)], ["q", "p"])
    assert all(same(a, b) for a, b in zip(tree_level, direct.fields, strict=True))


def test_symplectic_euler_reproduces_hlw_modified_hamiltonian() -> None:
    """F_k = (dH_k/dp, -dH_k/dq) with HLW IX.1's H_1 = -T_p U_q/2, H_2 =
    (T_pp U_q^2 + U_qq T_p^2)/12."""
    mh = modified_hamiltonian("symplectic_euler", T, U, 2)
    q, p = mh.q[0], mh.p[0]
    f, g = sp.diff(sp.sympify(T), sp.Symbol("p")), -sp.diff(sp.sympify(U), sp.Symbol("q"))
    F = pseries_modified_equation("symplectic_euler", 2).fields([str(f), str(g)], ["q", "p"])
    for k in (1, 2):
        Hk = mh.hamiltonians[k]
        assert same(F[k], sp.Matrix([sp.diff(Hk, p), -sp.diff(Hk, q)]))


def test_heavy_ball_is_a_partitioned_method() -> None:
    """m' = m - h (gamma m + U'(x)), x' = x + h m' (beta = 1 - gamma h, v = h m)."""
    q, p, gam = sp.symbols("q p gamma")
    Uq = q**2 + q
    m1 = p - h * (gam * p + Uq)
    direct = modified_equation(
        [sp.expand(q + h * m1), sp.expand(m1)], 3, symbols=[q, p], params=[gam]
    )
    tree_level = pseries_modified_equation("heavy_ball", 3).fields(
        ["p", "-gamma*p - q**2 - q"], ["q", "p"], params=["gamma"]
    )
    assert all(same(a, b) for a, b in zip(tree_level, direct.fields, strict=True))
    # first order by hand: the map is (x + h m + h^2 G, m + h G), G = -gamma m - U'(x), so
    # F_1 = a_2 - F'F/2 = (G/2, (U''(x) m + gamma G)/2)
    G = -gam * p - Uq
    assert same(tree_level[1], sp.Matrix([G / 2, (sp.diff(Uq, q) * p + gam * G) / 2]))


def test_stormer_verlet_has_no_odd_terms() -> None:
    """A symmetric method: the modified field has only even powers of h (HLW IX.2), so
    every tree with a nonzero coefficient has an odd number of vertices; symplectic Euler
    has h^1 terms."""

    def size(t: tuple) -> int:
        return 1 + sum(size(c) for c in t[1])

    assert {size(t) % 2 for t in pseries_modified_equation("stormer_verlet", 4).coefficients} == {1}
    assert {size(t) % 2 for t in pseries_modified_equation("symplectic_euler", 4).coefficients} == {
        0,
        1,
    }


def test_user_tableaux_equal_the_builtin() -> None:
    user = partitioned_tableau(([[0]], [1]), ([[1]], [1]), name="se")
    assert (
        pseries_modified_equation(user, 3).coefficients
        == pseries_modified_equation("symplectic_euler", 3).coefficients
    )


def test_first_order_weights_are_one() -> None:
    tab = partitioned_tableau("stormer_verlet")
    assert tab.weight(coloured_tree(0)) == tab.weight(coloured_tree(1)) == Fraction(1)
    assert tab.weight(coloured_tree(0, coloured_tree(1))) == Fraction(1, 2)  # order 2


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: partitioned_tableau("leapfrog"), "unknown partitioned method"),
        (lambda: partitioned_tableau(([[0]], [1])), "two tableaux"),
        (lambda: partitioned_tableau(([[0]], [1]), ([[0, 0], [1, 0]], [0, 1])), "same number"),
        (lambda: partitioned_tableau(([[0]], [1]), "x"), "must be \\(A, b\\)"),
        (lambda: pseries_modified_equation("heavy_ball", 7), "order"),
        (lambda: pseries_modified_equation("heavy_ball", True), "order"),
        (
            lambda: pseries_modified_equation(
                partitioned_tableau(([["sqrt(2)/2"]], [1]), ([[0]], [1])), 1
            ),
            "rational",
        ),
        (
            lambda: pseries_modified_equation("symplectic_euler", 1).fields(
                ["p", "-q", "r"], ["q", "p", "r"]
            ),
            "as many p as q",
        ),
    ],
)
def test_bad_input(call, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match=message):
        call()
