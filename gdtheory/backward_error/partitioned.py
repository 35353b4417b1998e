r"""Partitioned methods for separable Hamiltonians H(q, p) = T(p) + U(q): symplectic Euler
and Stormer-Verlet, their modified equations and modified Hamiltonians.

* symplectic Euler:  p' = p - h U'(q),  q' = q + h T'(p');
* Stormer-Verlet:    p+ = p - (h/2) U'(q),  q' = q + h T'(p+),  p' = p+ - (h/2) U'(q').

Both are symplectic, so their modified equation is Hamiltonian at every order: F_k =
J grad H_k with q' = dH/dp, p' = -dH/dq (Hairer, Lubich and Wanner, *Geometric Numerical
Integration*, IX.3, Theorem 3.1).  The modified equation is computed from the method's
one-step map by :func:`~.modified.modified_equation` (the map on (q, p), exact), and H_k by
integrating (-F_k^p, F_k^q) from the origin (H_k(0) = 0 for k >= 1).  With subscripts
for derivatives,

    symplectic Euler:  H~ = H - (h/2) T_p U_q + (h^2/12)(T_pp U_q^2 + U_qq T_p^2) + O(h^3)

(HLW IX.1, for H_pq = 0), and for Stormer-Verlet in the form above (half steps in p)

    Stormer-Verlet:    H~ = H + h^2 (U_qq T_p^2/12 - T_pp U_q^2/24) + O(h^4);

the variant with half steps in q exchanges the roles of T and U.  Both are checked in
the tests by conservation along the method's own map (H~ to h^2 changes by O(h^4) per
step for symplectic Euler, O(h^5) for Stormer-Verlet; the forms with T and U exchanged
change by O(h^3)).

In optimisation, p is a velocity or momentum and U the loss: symplectic Euler is the
undamped heavy ball in the scaling q' = q + h p', p' = p - h grad f(q).

>>> mh = modified_hamiltonian("stormer_verlet", "p**2/2", "q**2/2", 2)
>>> mh.hamiltonians[2]
p**2/12 - q**2/24
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..core.objective import Objective, h
from ..core.scalars import check_count
from ..errors import InvalidInputError
from .modified import ModifiedEquation, _line_integral, modified_equation

__all__ = ["PARTITIONED", "ModifiedHamiltonian", "partitioned_map", "modified_hamiltonian"]

#: The partitioned methods.
PARTITIONED = ("symplectic_euler", "stormer_verlet")


@dataclass(frozen=True)
class ModifiedHamiltonian:
    """H~ = sum_k h^k H_k of a partitioned method on H = T(p) + U(q).

    Attributes
    ----------
    integrator : str
    q, p : tuple of Symbol
    hamiltonians : tuple of Expr
        ``hamiltonians[k]`` is H_k (H_0 = T + U; H_k(0) = 0 for k >= 1).
    equation : ModifiedEquation
        The modified equation of the map on (q, p) from which they come.
    """

    integrator: str
    q: tuple[sp.Symbol, ...]
    p: tuple[sp.Symbol, ...]
    hamiltonians: tuple[sp.Expr, ...]
    equation: ModifiedEquation = field(repr=False)

    def hamiltonian(self) -> sp.Expr:
        """H~ truncated: sum_k h^k H_k, with ``gdtheory.h``."""
        return sum((h**k * Hk for k, Hk in enumerate(self.hamiltonians)), sp.Integer(0))


def _names(value: Any, what: str) -> list[str]:
    """Symbol names: one name, or a list of names."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise InvalidInputError(f"{what} must be a name or a list of names, got {value!r}")


def _parts(T: Any, U: Any, q: Any, p: Any) -> tuple[sp.Expr, sp.Expr, list[Any], list[Any]]:
    """T(p) and U(q) parsed safely, with their symbols (default q and p, one each)."""
    qs, ps = _names(q, "q"), _names(p, "p")
    if set(qs) & set(ps):
        raise InvalidInputError(f"q and p must be different symbols, got {qs} and {ps}")
    if len(qs) != len(ps) or not qs:
        raise InvalidInputError(f"q and p need the same number of symbols, got {qs} and {ps}")
    kin = Objective.parse(T, ps) if not isinstance(T, Objective) else T
    pot = Objective.parse(U, qs) if not isinstance(U, Objective) else U
    if kin.params or pot.params:
        raise InvalidInputError("T and U must be functions of p and q alone (no parameters)")
    return kin.expr, pot.expr, list(kin.symbols), list(pot.symbols)


def partitioned_map(
    integrator: str,
    kinetic: Any,
    potential: Any,
    *,
    q: Sequence[str] | str = "q",
    p: Sequence[str] | str = "p",
) -> tuple[list[sp.Expr], list[sp.Symbol]]:
    """The one-step map (q', p') of ``integrator`` on H = T(p) + U(q) (``kinetic`` T,
    ``potential`` U), as expressions in the symbols and ``gdtheory.h``, and the state
    symbols (q..., p...)."""
    if integrator not in PARTITIONED:
        raise InvalidInputError(f"integrator must be one of {PARTITIONED}, got {integrator!r}")
    Te, Ue, ps, qs = _parts(kinetic, potential, q, p)
    Tp = [sp.diff(Te, s) for s in ps]
    Uq = [sp.diff(Ue, s) for s in qs]

    def at(exprs: list[sp.Expr], syms: list[Any], values: list[sp.Expr]) -> list[sp.Expr]:
        sub = dict(zip(syms, values, strict=True))
        return [e.xreplace(sub) for e in exprs]

    if integrator == "symplectic_euler":
        p1 = [pi - h * u for pi, u in zip(ps, Uq, strict=True)]
        q1 = [qi + h * t for qi, t in zip(qs, at(Tp, ps, p1), strict=True)]
    else:
        half = [pi - h / 2 * u for pi, u in zip(ps, Uq, strict=True)]
        q1 = [qi + h * t for qi, t in zip(qs, at(Tp, ps, half), strict=True)]
        p1 = [pi - h / 2 * u for pi, u in zip(half, at(Uq, qs, q1), strict=True)]
    return [sp.expand(e) for e in (*q1, *p1)], [*qs, *ps]


def modified_hamiltonian(
    integrator: str,
    kinetic: Any,
    potential: Any,
    order: int,
    *,
    q: Sequence[str] | str = "q",
    p: Sequence[str] | str = "p",
) -> ModifiedHamiltonian:
    """H_0..H_order of ``integrator`` on H = T(p) + U(q) (``kinetic`` T, ``potential`` U;
    module docstring); refuses a field that is not Hamiltonian, naming the order."""
    order = check_count(order, "order", 0, 8)
    step, syms = partitioned_map(integrator, kinetic, potential, q=q, p=p)
    n = len(syms) // 2
    me = modified_equation(step, order, symbols=syms)
    qs, ps = syms[:n], syms[n:]
    out = []
    for k, F in enumerate(me.fields):
        grad = [-F[n + i] for i in range(n)] + [F[i] for i in range(n)]  # (H_q, H_p)
        J = sp.Matrix([[sp.diff(g, s) for s in syms] for g in grad])
        if sp.simplify(J - J.T) != sp.zeros(2 * n, 2 * n):
            raise InvalidInputError(
                f"the h^{k} term of {integrator}'s modified field is not Hamiltonian"
            )
        out.append(sp.expand(_line_integral(syms, grad).doit()))
    return ModifiedHamiltonian(integrator, tuple(qs), tuple(ps), tuple(out), me)
