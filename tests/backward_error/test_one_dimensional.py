"""Generic 1-D potentials in f', f'', ...: the GD h^2 potential by hand."""

from __future__ import annotations

import sympy as sp

from gdtheory import generic_modified_equation
from gdtheory.backward_error.one_dimensional import _monomials


def test_gd_second_order_potential() -> None:
    """F_2 = -(1/3) f''^2 f' - (1/12) f''' f'^2 = -f_2' with
    f_2 = f'^2 f''/12 + (1/6) int f' f''^2 dx (no differential-polynomial potential:
    a f'^2 f'' has derivative 2a f' f''^2 + a f'^2 f''', and 2a = 1/3, a = 1/12 clash)."""
    pot = generic_modified_equation("gd", 2).potential_1d(2)
    x = next(iter(pot.free_symbols))
    f = sp.Function("f")(x)
    d1, d2 = f.diff(x), f.diff(x, 2)
    assert sp.simplify(pot - (d1**2 * d2 / 12 + sp.Integral(d1 * d2**2 / 6, x))) == 0


def test_monomial_enumeration_counts_partitions() -> None:
    # partitions of 2k into k+1 positive parts = partitions of k - 1 into at most k+1 parts
    assert [len(_monomials(k + 1, 2 * k)) for k in range(1, 8)] == [1, 1, 2, 3, 5, 7, 11]


def test_the_order_zero_potential_is_f_itself() -> None:
    """F_0 = -f' for GD (and any consistent method): the potential of order 0 is f."""
    for tab in ("gd", "heun"):
        pot = generic_modified_equation(tab, 1, gradient=True).potential_1d(0)
        x = next(iter(pot.free_symbols))
        assert pot == sp.Function("f")(x)
