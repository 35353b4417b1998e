"""Which SymPy expressions are admissible objectives: smooth (C^2) and real.

The theory implemented here (descent lemma, modified equations, Hessians) needs a twice
continuously differentiable, real-valued f.  :func:`check_smooth` walks an expression
(iteratively: no recursion limit) and refuses a non-smooth function (``Abs``, ``sign``,
``Max``, ``floor``, ...) with a :class:`~gdtheory.errors.NonSmoothError`, a function not
known to be smooth, and a non-real constant (``sqrt(-1)``, ``log(-2)``) or symbol with a
:class:`~gdtheory.errors.NotRealError`.  Parsed text is checked by the same function as
expressions built in SymPy.
"""

from __future__ import annotations

import sympy as sp

from ..errors import ComplexityError, NonSmoothError, NotRealError
from .parsing import MAX_DEPTH, MAX_NODES, check_size

__all__ = ["check_smooth"]

# SymPy function classes allowed in an Objective built directly from a SymPy expression.
_SMOOTH_CLASSES: tuple[type, ...] = (
    sp.exp,
    sp.log,
    sp.sin,
    sp.cos,
    sp.tan,
    sp.sinh,
    sp.cosh,
    sp.tanh,
    sp.atan,
    sp.asinh,
    sp.erf,
    sp.cot,
    sp.sec,
    sp.csc,
    sp.sech,
    sp.csch,
    sp.coth,
    sp.asin,
    sp.acos,
    sp.acosh,
    sp.atanh,
)
_NONSMOOTH_CLASSES: tuple[type, ...] = (
    sp.Abs,
    sp.sign,
    sp.Max,
    sp.Min,
    sp.floor,
    sp.ceiling,
    sp.Heaviside,
    sp.Piecewise,
    sp.frac,
    sp.Mod,
    sp.DiracDelta,
)


def check_smooth(expr: sp.Expr, *, where: str = "objective") -> None:
    """Raise :class:`NonSmoothError` if ``expr`` uses a non-smooth or unknown function,
    and :class:`NotRealError` if it has a non-real constant (``sqrt(-1)``, ``log(-2)``,
    ``(-1)**(1/3)``) or a symbol declared non-real.

    >>> x = sp.Symbol("x")
    >>> check_smooth(sp.log(sp.cosh(x)))
    >>> check_smooth(sp.Abs(x))
    Traceback (most recent call last):
    ...
    gdtheory.errors.NonSmoothError: the objective uses Abs, which is not smooth; ...
    >>> check_smooth(sp.log(-2) * x**2)
    Traceback (most recent call last):
    ...
    gdtheory.errors.NotRealError: the objective has the non-real constant log(2) + I*pi ...
    """
    expr = sp.sympify(expr, strict=True)
    stack: list[tuple[sp.Basic, int]] = [(expr, 0)]  # iterative: no recursion limit
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > 50 * MAX_NODES:
            raise ComplexityError(
                f"the {where} has more than {50 * MAX_NODES} subexpressions; simplify it"
            )
        if depth > 4 * MAX_DEPTH:
            raise ComplexityError(
                f"the {where} is nested more than {4 * MAX_DEPTH} levels deep; SymPy and the "
                "code generators downstream would exhaust their recursion"
            )
        if node.is_Rational:
            check_size(node, str(where))
            continue
        if node.is_Symbol and node.is_real is False:
            raise NotRealError(
                f"the {where} uses the symbol {node.name}, declared non-real; the state "
                "and parameters of gradient descent are real"
            )
        if node.is_number:
            _check_real_constant(node, where)
            continue
        if isinstance(node, _NONSMOOTH_CLASSES):
            name = type(node).__name__
            raise NonSmoothError(
                f"the {where} uses {name}, which is not smooth; the theory needs a twice "
                "continuously differentiable f: replace it by a smooth surrogate"
            )
        if isinstance(node, sp.Function) and not isinstance(node, _SMOOTH_CLASSES):
            raise NonSmoothError(
                f"the {where} uses {type(node).__name__}, which is not on the list of "
                "functions known to be smooth (exp, log, sin, cos, tanh, ...)"
            )
        stack.extend((arg, depth + 1) for arg in node.args)


def _check_real_constant(node: sp.Expr, where: str) -> None:
    """Refuse a constant subexpression with a nonzero imaginary part (decided at 30
    digits after SymPy's own assumption system; I, sqrt(-2), log(-2), (-1)**(1/3))."""
    if node.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise NonSmoothError(f"the {where} contains the non-finite constant {node}")
    nonreal = node.is_extended_real is False
    if node.is_extended_real is None:
        try:
            value = sp.N(node, 30)
            nonreal = bool(value.is_number and sp.im(value) != 0)
        except (ValueError, TypeError, ArithmeticError, RecursionError):
            nonreal = False  # cannot be evaluated; SymPy found nothing non-real either
    if nonreal:
        shown = sp.sstr(node)
        raise NotRealError(
            f"the {where} has the non-real constant {shown[:60]} (it is complex); "
            "objectives, parameters and inputs of gradient descent are real"
        )
