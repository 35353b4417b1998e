r"""Modifying integrators: the field a method must be applied to so that it follows the
exact flow to order p (Chartier, Hairer and Vilmart, "Numerical integrators based on
modified differential equations", Math. Comp. 76, 2007; Hairer, Lubich and Wanner, IX.4).

For a Runge-Kutta method Phi and a field F, find F~_h = F + h F~_1 + ... + h^p F~_p such
that the modified equation of Phi applied to F~_h is F itself up to O(h^(p+1)): the method
then follows the flow of F to order p.  For optimisation, with F = -grad f, this is an
optimiser that tracks gradient flow to order p; for GD (explicit Euler) it is

    x' = x + h F~_h(x),   F~_h = (phi^F_h(x) - x)/h = F + (h/2) F'F + (h^2/6)(F''(F, F)
                                                     + F'F'F) + ...,

the Taylor series of the exact flow: F~_1 = -(1/2) H grad f, so GD on f - (h/4)|grad f|^2
follows gradient flow of f to second order (the regulariser GD adds, subtracted).

Computation (any tableau, explicit or implicit, any smooth objective or field): order by
order, F~ <- F~ - h^k E_k, where E_k is the h^k term of the modified equation of Phi
applied to the current F~ (:func:`~.butcher.runge_kutta_map` and
:func:`~.modified.modified_equation`); the h^k term depends on the h^k correction with
coefficient one, so each pass removes it without disturbing the lower ones.

>>> mi = modifying_integrator("gd", "x**2/2", 2)
>>> [F[0] for F in mi.fields]        # F = -x: F~ = (e^(-h) - 1)/h x = -x + h x/2 - h^2 x/6
[-x, x/2, -x/6]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..core.objective import h
from ..errors import InvalidInputError
from .butcher import ButcherTableau, butcher_tableau, runge_kutta_map
from .modified import modified_equation
from .one_step_maps import vector_field

__all__ = ["ModifyingIntegrator", "modifying_integrator", "MAX_MODIFYING_ORDER"]

#: Largest order p derived (each pass expands the method's map to h^(p+1)).
MAX_MODIFYING_ORDER = 6


@dataclass(frozen=True)
class ModifyingIntegrator:
    r"""F~_h = sum_k h^k F~_k: ``tableau`` applied to it follows the flow of F = F~_0 to
    order ``order``.

    Attributes
    ----------
    tableau : ButcherTableau
    symbols : tuple of Symbol
    order : int
    fields : tuple of tuple of Expr
        ``fields[k]`` is F~_k (the coefficient of h^k).
    residual : tuple of tuple of Expr
        The h^1..h^order terms of the modified equation of the method applied to the
        truncated F~_h, recomputed at the end (all zero: the check of the construction).
    """

    tableau: ButcherTableau
    symbols: tuple[sp.Symbol, ...]
    order: int
    fields: tuple[tuple[sp.Expr, ...], ...] = field(repr=False)
    residual: tuple[tuple[sp.Expr, ...], ...] = field(repr=False)

    def field(self) -> tuple[sp.Expr, ...]:
        """F~_h = F~_0 + h F~_1 + ... + h^p F~_p, with ``gdtheory.h``."""
        return tuple(
            sum((h**k * F[i] for k, F in enumerate(self.fields)), sp.Integer(0))
            for i in range(len(self.symbols))
        )

    def step(self) -> list[sp.Expr]:
        """The one-step map of the method applied to F~_h, to h^(order + 1)."""
        pars = sorted(
            set().union(*(e.free_symbols for e in self.field())) - set(self.symbols) - {h},
            key=lambda s: s.name,
        )
        return _map(self.tableau, list(self.field()), self.symbols, pars, self.order + 1)


def _map(tab: ButcherTableau, F: list[sp.Expr], syms: Any, pars: Any, order: int) -> list[sp.Expr]:
    """The method's map for a field that depends on h: h in the field is a constant s while
    the stages are built (the map's own h is the step), then s -> h, cut at h^order."""
    s = sp.Dummy("s")
    frozen = [e.xreplace({h: s}) for e in F]
    m = runge_kutta_map(tab, frozen, list(syms), params=[*pars, s], order=order)
    out = []
    for e in m:
        p = sp.Poly(sp.expand(e.xreplace({s: h})), h)
        out.append(sum((c * h**k for (k,), c in p.terms() if k <= order), sp.Integer(0)))
    return out


def modifying_integrator(
    tableau: Any, field: Any, order: int, *, symbols: Any = None
) -> ModifyingIntegrator:
    """The modifying integrator of ``tableau`` (a name such as ``"gd"``, ``"heun"``,
    ``"proximal"``, or (A, b)) for ``field`` (an objective: F = -grad f, or the
    components of a field with ``symbols``), to order ``order`` (module docstring)."""
    tab = butcher_tableau(*tableau) if isinstance(tableau, tuple) else butcher_tableau(tableau)
    if (
        isinstance(order, bool)
        or not isinstance(order, int)
        or not 0 <= order <= MAX_MODIFYING_ORDER
    ):
        raise InvalidInputError(
            f"order must be an integer in 0..{MAX_MODIFYING_ORDER}, got {order!r}"
        )
    F, syms, pars = vector_field(field, symbols)
    if h in pars or any(e.has(h) for e in F):
        raise InvalidInputError("the field must not depend on h (it is the step)")
    Ft = [sp.expand(e) for e in F]
    corrections: list[list[sp.Expr]] = [list(Ft)]

    def terms(field_: list[sp.Expr]) -> list[list[sp.Expr]]:
        m = _map(tab, field_, syms, pars, order + 1)
        me = modified_equation(m, order, symbols=list(syms), params=list(pars))
        return [[sp.expand(v) for v in me.fields[k]] for k in range(order + 1)]

    for k in range(1, order + 1):
        E = terms(Ft)[k]
        corrections.append([-e for e in E])
        Ft = [sp.expand(a - h**k * e) for a, e in zip(Ft, E, strict=True)]
    final = terms(Ft)
    return ModifyingIntegrator(
        tab,
        tuple(syms),
        order,
        tuple(tuple(c) for c in corrections),
        tuple(tuple(final[k]) for k in range(1, order + 1)),
    )
