"""Partitioned methods on separable Hamiltonians (backward_error.partitioned).

Oracles: the modified Hamiltonians in closed form (symplectic Euler: HLW IX.1; Stormer-
Verlet in its p-half-step form), and, independently of backward error analysis, their
conservation along the method's own map: H~ to h^2 changes by O(h^4) per step for
symplectic Euler and O(h^5) for Stormer-Verlet, while the Stormer-Verlet form with T and U
exchanged changes by O(h^3)."""

from __future__ import annotations

import pytest
import sympy as sp

from gdtheory import h
from gdtheory.backward_error.partitioned import modified_hamiltonian, partitioned_map
from gdtheory.errors import InvalidInputError

T, U = "p**2/2", "q**4/4 - q**2/2"
q, p = sp.symbols("q p", real=True)
Te, Ue = p**2 / 2, q**4 / 4 - q**2 / 2
Tp, Tpp, Uq, Uqq = sp.diff(Te, p), sp.diff(Te, p, 2), sp.diff(Ue, q), sp.diff(Ue, q, 2)


def leading_change(method: str, H2: sp.Expr, H1: sp.Expr | int = 0) -> int:
    """The lowest power of h in H~(Phi(x)) - H~(x), H~ = H + h H1 + h^2 H2."""
    (q1, p1), _ = partitioned_map(method, T, U)
    Ht = Te + Ue + h * H1 + h**2 * H2
    d = sp.expand(Ht.xreplace({q: q1, p: p1}) - Ht)
    return min(k for (k,), c in sp.Poly(d, h).terms() if sp.expand(c) != 0)


def test_symplectic_euler_modified_hamiltonian() -> None:
    mh = modified_hamiltonian("symplectic_euler", T, U, 2)
    H1, H2 = -Tp * Uq / 2, (Tpp * Uq**2 + Uqq * Tp**2) / 12
    assert sp.expand(mh.hamiltonians[1] - H1) == 0
    assert sp.expand(mh.hamiltonians[2] - H2) == 0
    assert leading_change("symplectic_euler", H2, H1) == 4


def test_stormer_verlet_modified_hamiltonian() -> None:
    mh = modified_hamiltonian("stormer_verlet", T, U, 3)
    H2 = Uqq * Tp**2 / 12 - Tpp * Uq**2 / 24
    assert mh.hamiltonians[1] == 0 and mh.hamiltonians[3] == 0  # symmetric: even powers
    assert sp.expand(mh.hamiltonians[2] - H2) == 0
    assert leading_change("stormer_verlet", H2) == 5
    assert leading_change("stormer_verlet", Tpp * Uq**2 / 12 - Uqq * Tp**2 / 24) == 3


def test_two_degrees_of_freedom() -> None:
    mh = modified_hamiltonian(
        "symplectic_euler", "(a**2 + b**2)/2", "x**2*y/2 + y**2/2", 1, q=["x", "y"], p=["a", "b"]
    )
    a, b, x, y = sp.symbols("a b x y", real=True)
    want = -(a * x * y + b * (x**2 / 2 + y)) / 2  # -(1/2) T_p . U_q
    assert sp.expand(mh.hamiltonians[1] - want) == 0


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="integrator must be one of"):
        modified_hamiltonian("leapfrog", T, U, 1)
    with pytest.raises(InvalidInputError, match="same number"):
        modified_hamiltonian("stormer_verlet", T, U, 1, q=["q"], p=["p", "r"])
    with pytest.raises(InvalidInputError, match="order"):
        modified_hamiltonian("stormer_verlet", T, U, 99)


def test_truncated_hamiltonian_and_order_bounds() -> None:
    mh = modified_hamiltonian("symplectic_euler", T, U, 2)
    want = Te + Ue + h * mh.hamiltonians[1] + h**2 * mh.hamiltonians[2]
    assert sp.expand(mh.hamiltonian() - want) == 0
    assert modified_hamiltonian("stormer_verlet", T, U, 0).hamiltonians == (Te + Ue,)
    with pytest.raises(InvalidInputError, match="order"):
        modified_hamiltonian("stormer_verlet", T, U, True)
