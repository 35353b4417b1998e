r"""One-step maps for backward error analysis: GD on an objective, or any map analytic in h.

A one-step map Phi_h(x) = x + h d_1(x) + h^2 d_2(x) + ... is given either by an objective
(its GD map x - h grad f(x), d_1 = -grad f and d_j = 0 for j >= 2) or by an expression
analytic in h (preconditioned GD, weight decay, ...), validated here: it must reduce to
the identity at h = 0.  :func:`increments` returns the Taylor coefficients d_j
(Hairer, Lubich and Wanner, *Geometric Numerical Integration*, 2006, IX.1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..core.admissible import check_smooth
from ..core.objective import Objective, h, param_symbols
from ..core.parsing import parse_expression
from ..errors import InvalidInputError, ParseError, ShapeError

__all__ = ["Target", "as_target", "increments", "vector_field"]


@dataclass(frozen=True)
class Target:
    symbols: tuple[sp.Symbol, ...]
    objective: Objective | None
    map_expr: sp.ImmutableMatrix  # Phi_h(x) as a column
    description: str
    params: tuple[sp.Symbol, ...] = ()


def as_target(
    target: Any,
    symbols: Sequence[sp.Symbol | str] | None,
    params: Sequence[sp.Symbol | str] | None = None,
) -> Target:
    """Validate ``target``: an Objective, an objective string, or a one-step map
    (``params``: its symbolic constants; an Objective carries its own)."""
    if isinstance(target, str):
        target = Objective.parse(target, symbols, params=params)
    if isinstance(target, Objective):
        if params is not None and {str(p) for p in params} != {p.name for p in target.params}:
            raise InvalidInputError(
                "params= does not match the objective's parameters "
                f"{[p.name for p in target.params]}; declare them on the Objective"
            )
        if symbols is not None and tuple(str(s) for s in symbols) != tuple(
            s.name for s in target.symbols
        ):
            raise InvalidInputError(
                "symbols= does not match the objective's symbols "
                f"{[s.name for s in target.symbols]}"
            )
        x = sp.Matrix(target.symbols)
        return Target(
            target.symbols,
            target,
            sp.ImmutableMatrix(x - h * target.grad),
            f"GD on f = {sp.sstr(target.expr)}",
            target.params,
        )
    return map_target(target, symbols, params)


def map_target(
    target: Any,
    symbols: Sequence[sp.Symbol | str] | None,
    params: Sequence[sp.Symbol | str] | None = None,
) -> Target:
    if isinstance(target, sp.MatrixBase):
        comps = list(target)
    elif isinstance(target, Sequence):
        comps = list(target)
    elif isinstance(target, sp.Expr):
        comps = [target]
    else:
        raise ParseError(
            "target must be an Objective, an objective string, or a one-step map given as "
            f"a SymPy expression or a sequence of them; got {type(target).__name__}"
        )
    names = [str(s) for s in symbols] if symbols is not None else None
    exprs = _components(comps, names, [h, *param_symbols(params)], "map")
    if not exprs:
        raise ShapeError("the one-step map has no components")
    # any symbol named 'h' is the learning rate
    hs = {s for e in exprs for s in e.free_symbols if s.name == "h" and s != h}
    exprs = [e.subs({s: h for s in hs}) for e in exprs]
    pars = param_symbols(params, set().union(*(e.free_symbols for e in exprs)))
    free = set().union(*(e.free_symbols for e in exprs)) - {h} - set(pars)
    if symbols is None:
        syms = tuple(sorted(free, key=lambda s: s.name))
    else:
        syms = _state_symbols(symbols, free)
    unknown = free - set(syms)
    if unknown:
        raise InvalidInputError(
            f"the map uses {', '.join(sorted(s.name for s in unknown))}, which is neither a "
            f"state symbol ({', '.join(s.name for s in syms)}), a parameter "
            f"({', '.join(p.name for p in pars) or 'none declared: use params=[...]'}) nor "
            "the learning rate h"
        )
    if len(syms) != len(exprs):
        raise ShapeError(
            f"the map has {len(exprs)} components but there are {len(syms)} state symbols "
            f"({', '.join(s.name for s in syms)}); pass symbols=[...] in state order"
        )
    for e in exprs:
        check_smooth(e, where="one-step map")
    at0 = [e.subs(h, 0) for e in exprs]
    for i, (v, s) in enumerate(zip(at0, syms, strict=True)):
        if v.has(sp.nan, sp.zoo, sp.oo):
            raise InvalidInputError(
                f"component {i} of the one-step map is not analytic in h at h = 0 "
                f"(it evaluates to {v} there)"
            )
        if sp.simplify(v - s) != 0:
            raise InvalidInputError(
                f"a one-step map must be the identity at h = 0, but component {i} gives "
                f"{v} instead of {s}"
            )
    return Target(
        syms,
        None,
        sp.ImmutableMatrix(exprs),
        "one-step map x -> " + sp.sstr(sp.Matrix(exprs).T if len(exprs) > 1 else exprs[0]),
        pars,
    )


def _powers_of_h(e: sp.Expr) -> dict[int, sp.Expr] | None:
    """{j: c_j} when ``e`` is written as a sum of terms c h^j with c free of h (a
    truncated series, such as the induced map of the slow-manifold engine), else None.
    Reading the terms as they stand avoids expanding large coefficients."""
    out: dict[int, sp.Expr] = {}
    for term in sp.Add.make_args(e):
        c, k = term.as_coeff_exponent(h)
        if c.has(h) or not (k.is_Integer and k >= 0):
            return None
        out[int(k)] = out.get(int(k), sp.Integer(0)) + c
    return out


def increments(target: Target, order: int) -> list[list[sp.Expr]]:
    """d_j(x) for j = 1..order+1, the h**j Taylor coefficients of Phi_h(x) - x."""
    n = len(target.symbols)
    if target.objective is not None:
        zero = [sp.Integer(0)] * n
        return [[-g for g in target.objective.grad]] + [zero] * order
    out: list[list[sp.Expr]] = [[] for _ in range(order + 1)]
    for i, e in enumerate(target.map_expr):
        by_power = _powers_of_h(e)
        if by_power is not None:  # a sum of c_j h^j as written: no expansion needed
            for j in range(1, order + 2):
                out[j - 1].append(by_power.get(j, sp.Integer(0)))
            continue
        if e.is_polynomial(h):
            poly = sp.Poly(sp.expand(e), h)
            for j in range(1, order + 2):
                out[j - 1].append(poly.coeff_monomial(h**j))
            continue
        deriv = e
        for j in range(1, order + 2):  # d_j = (1/j!) d^j Phi / dh^j at h = 0
            deriv = sp.diff(deriv, h)
            value = deriv.subs(h, 0)
            if value.has(sp.nan, sp.zoo, sp.oo):
                raise InvalidInputError(
                    f"component {i} of the one-step map is not analytic in h at h = 0 "
                    f"(its order-{j} h-derivative is {value} there)"
                )
            out[j - 1].append(value / math.factorial(j))
    return out


def vector_field(
    target: Any,
    symbols: Sequence[sp.Symbol | str] | None,
    params: Sequence[sp.Symbol | str] | None = None,
) -> tuple[list[sp.Expr], tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    """(components, state symbols, parameters) of a vector field F: an Objective or an
    objective string (F = -grad f), or a sequence of expressions (strings parsed
    safely) with ``symbols`` in state order."""
    if isinstance(target, str):
        target = Objective.parse(target, symbols, params=params)
    if isinstance(target, Objective):
        return [-g for g in target.grad], target.symbols, target.params
    if not isinstance(target, sp.MatrixBase | Sequence) or isinstance(target, bytes):
        raise InvalidInputError(
            "a vector field is an Objective, an objective string, or a sequence of "
            f"expressions with symbols=[...]; got {type(target).__name__}"
        )
    if symbols is None or isinstance(symbols, str | bytes) or not hasattr(symbols, "__iter__"):
        raise InvalidInputError("a vector field needs symbols=[...] (its state order)")
    names = [s.name if isinstance(s, sp.Symbol) else str(s) for s in symbols]
    comps = _components(list(target), names, param_symbols(params), "field")
    for e in comps:
        check_smooth(e, where="vector field")
    free = set().union(*(e.free_symbols for e in comps)) if comps else set()
    pars = param_symbols(params, free)
    syms = _state_symbols(symbols, free)
    if not comps or len(syms) != len(comps):
        raise ShapeError(f"the field has {len(comps)} components for {len(syms)} symbols")
    unknown = free - set(syms) - set(pars)
    if unknown:
        raise InvalidInputError(
            f"the field uses {', '.join(sorted(s.name for s in unknown))}, neither a state "
            "symbol nor a parameter (declare parameters with params=[...])"
        )
    return comps, syms, pars


def _components(
    comps: Sequence[Any], names: list[str] | None, extras: Sequence[sp.Symbol], noun: str
) -> list[sp.Expr]:
    """Each component of a map or field as a scalar SymPy expression; text is parsed
    safely with the state ``names`` and the ``extras`` (h, parameters) allowed."""
    out: list[sp.Expr] = []
    for i, c in enumerate(comps):
        if isinstance(c, str):
            if names is None:
                raise ParseError(
                    "a one-step map given as text needs symbols=[...] to fix the state order"
                )
            c, _ = parse_expression(c, names, extra_names=extras)
        try:
            e = sp.sympify(c, strict=True)
        except (sp.SympifyError, TypeError):
            raise ParseError(f"component {i} of the {noun} is not an expression: {c!r}") from None
        if not isinstance(e, sp.Expr):
            raise ParseError(f"component {i} of the {noun} is not a scalar expression: {c!r}")
        out.append(e)
    return out


def _state_symbols(symbols: Sequence[sp.Symbol | str], free: set[Any]) -> tuple[sp.Symbol, ...]:
    """The declared state symbols: a Symbol as given, a name as the free symbol of that
    name (whatever its assumptions), else a new real symbol."""
    return tuple(
        s
        if isinstance(s, sp.Symbol)
        else next((f for f in free if f.name == str(s)), None) or sp.Symbol(str(s), real=True)
        for s in symbols
    )
