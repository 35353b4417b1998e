"""Safe parsing of user expressions into SymPy, and the smoothness whitelist.

Algorithm
---------
The text is parsed by Python's own parser in ``eval`` mode (:func:`ast.parse`), which
only *builds a tree* and runs nothing.  The tree is then walked and every node checked
against a whitelist:

* numbers (integers exactly; decimals such as ``0.1`` exactly as the rational 1/10),
* the operators ``+ - * / **`` (``^`` is accepted as power),
* names: state symbols, the constants ``pi`` and ``E``/``e``, and
* calls of whitelisted elementary functions with positional arguments only.

The SymPy expression is built from the checked tree by this module; the text is never
given to :func:`eval`, :func:`exec` or :func:`sympy.sympify`.  Attribute access,
subscripts, strings, lambdas, comprehensions, keyword arguments, dunder names, and any
function not on the whitelist are refused with a :class:`~gdtheory.errors.ParseError`
naming the offending token.  Non-smooth functions (``abs``, ``sign``, ``max``, ...)
get a :class:`~gdtheory.errors.NonSmoothError`: the theory needs f in C^2.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sympy as sp

from ..errors import NonSmoothError, ParseError, UnknownSymbolError

__all__ = [
    "parse_expression",
    "check_smooth",
    "SMOOTH_FUNCTIONS",
    "NONSMOOTH_NAMES",
    "RESERVED_NAMES",
]

#: Longest expression text accepted (characters).
MAX_LENGTH = 20_000
#: Largest |exponent| accepted in a literal power; ``x**10**9`` would hang SymPy.
MAX_EXPONENT = 1_000

#: The whitelist: name -> constructor of a smooth SymPy function (of one argument).
SMOOTH_FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "atan": sp.atan,
    "arctan": sp.atan,
    "asinh": sp.asinh,
    "arcsinh": sp.asinh,
    "erf": sp.erf,
    # conveniences common in ML objectives, expanded to elementary functions
    "logcosh": lambda u: sp.log(sp.cosh(u)),
    "softplus": lambda u: sp.log(1 + sp.exp(u)),
    "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
}

#: Names that are recognised but refused because the function is not smooth.
NONSMOOTH_NAMES = frozenset(
    {
        "abs",
        "Abs",
        "sign",
        "sgn",
        "max",
        "Max",
        "min",
        "Min",
        "floor",
        "ceiling",
        "ceil",
        "Heaviside",
        "heaviside",
        "relu",
        "Piecewise",
        "frac",
        "round",
        "mod",
    }
)

#: Names that cannot be state symbols.
RESERVED_NAMES = frozenset({"h", "pi", "E", "e", "I", "oo", "nan", "zoo"})

_CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E, "e": sp.E}

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

_BINOPS: dict[type, Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def _fail(message: str, source: str, token: str | None, cls: type = ParseError) -> ParseError:
    return cls(message, source=source, token=token)


def parse_expression(
    text: str,
    symbols: Sequence[str | sp.Symbol] | None = None,
    *,
    extra_names: Iterable[sp.Symbol] = (),
) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """Parse ``text`` into a SymPy expression without executing it.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"x**4/4 - x**2/2"``.
    symbols : sequence of str or Symbol, optional
        The state symbols in order.  When omitted, every free name is a symbol and they
        are taken in sorted order.  When given, any other name is an error.
    extra_names : iterable of Symbol
        Further symbols allowed in the text that are *not* state symbols (the
        learning rate ``h`` of a one-step map, say).

    Returns
    -------
    (expr, symbols)

    Examples
    --------
    >>> parse_expression("y*x^2 + 0.1")
    (x**2*y + 1/10, (x, y))
    >>> parse_expression("__import__('os')")
    Traceback (most recent call last):
    ...
    gdtheory.errors.ParseError: '__import__' is not allowed in an expression: ...
    >>> parse_expression("abs(x)")
    Traceback (most recent call last):
    ...
    gdtheory.errors.NonSmoothError: abs is not smooth: ...
    """
    tree = _syntax_tree(text)
    declared: dict[str, sp.Symbol] | None = None
    if symbols is not None:
        declared = {}
        for s in symbols:
            sym = s if isinstance(s, sp.Symbol) else _make_symbol(str(s), text)
            declared[sym.name] = sym
    builder = _Builder(text, declared, {s.name: s for s in extra_names})
    try:
        expr = builder.build(tree)
    except RecursionError:
        raise ParseError(f"expression {text[:40]!r}... is nested too deeply", source=text) from None
    if not isinstance(expr, sp.Expr) or expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise ParseError(f"{text!r} does not evaluate to a finite expression", source=text)
    syms = (
        tuple(declared.values())
        if declared is not None
        else tuple(sorted(builder.found.values(), key=lambda s: s.name))
    )
    return expr, syms


def _syntax_tree(text: object) -> ast.Expression:
    """Python's syntax tree of the text (never compiled), refusing non-strings, overlong or
    empty text, and any name or attribute starting with '_' wherever it hides."""
    if not isinstance(text, str):
        raise ParseError(f"expected the expression as a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"expression is {len(text)} characters long; at most {MAX_LENGTH} are accepted",
            source=text[:80],
        )
    if not text.strip():
        raise ParseError("the expression is empty", source=text)
    try:
        tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise ParseError(f"cannot parse {text!r}{where}: {exc.msg}", source=text) from None
    except (ValueError, RecursionError, MemoryError):
        raise ParseError(
            f"cannot parse {text!r}: expression too deeply nested", source=text
        ) from None
    for node in ast.walk(tree):  # name the dunder wherever it hides (x.__class__, ...)
        ident = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if isinstance(ident, str) and ident.startswith("_"):
            raise _underscore(ident, text)
    return tree


def _underscore(ident: str, text: str) -> ParseError:
    return _fail(
        f"{ident!r} is not allowed in an expression: names starting with '_' are refused",
        text,
        ident,
    )


class _Builder:
    """The SymPy expression of a whitelisted syntax tree, built node kind by node kind:
    numbers (decimals read exactly), names (declared symbols, constants, extras), unary
    and binary arithmetic, and calls of whitelisted smooth functions.  Anything else is a
    ParseError naming the offending token."""

    MAX_DEPTH = 200

    def __init__(
        self, text: str, declared: dict[str, sp.Symbol] | None, extras: dict[str, sp.Symbol]
    ) -> None:
        self.text = text
        self.declared = declared
        self.extras = extras
        self.found: dict[str, sp.Symbol] = {}

    def build(self, node: ast.AST, depth: int = 0) -> sp.Expr:
        if depth > self.MAX_DEPTH:
            raise _fail(f"expression {self.text[:40]!r}... is nested too deeply", self.text, None)
        method = self._KINDS.get(type(node))
        if method is None:
            kind = type(node).__name__
            snippet = ast.get_source_segment(self.text, node) if hasattr(node, "lineno") else None
            tok = snippet or kind
            raise _fail(
                f"{tok!r} ({kind}) is not allowed in an expression: only numbers, "
                "symbols, + - * / ** and whitelisted functions",
                self.text,
                tok,
            )
        return method(self, node, depth + 1)

    def _expression(self, node: ast.Expression, depth: int) -> sp.Expr:
        return self.build(node.body, depth)

    def _constant(self, node: ast.Constant, depth: int) -> sp.Expr:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _fail(
                f"{v!r} is not allowed in an expression: only numbers, symbols and arithmetic",
                self.text,
                repr(v),
            )
        if isinstance(v, int):
            return sp.Integer(v)
        seg = ast.get_source_segment(self.text.strip().replace("^", "**"), node) or repr(v)
        try:
            return sp.Rational(seg)  # the decimal as written, exactly
        except (TypeError, ValueError):
            return sp.Rational(v)

    def _name(self, node: ast.Name, depth: int) -> sp.Expr:
        ident, text = node.id, self.text
        if ident.startswith("_"):
            raise _underscore(ident, text)
        if ident in self.extras:
            return self.extras[ident]
        if ident in _CONSTANTS:
            return _CONSTANTS[ident]
        if ident in SMOOTH_FUNCTIONS or ident in NONSMOOTH_NAMES:
            raise _fail(
                f"{ident!r} is a function; call it with an argument, e.g. {ident}(x)", text, ident
            )
        if self.declared is not None:
            if ident not in self.declared:
                raise _fail(
                    f"unknown symbol {ident!r} in {text!r}; the declared symbols are "
                    f"{', '.join(self.declared) or '(none)'}",
                    text,
                    ident,
                    UnknownSymbolError,
                )
            return self.declared[ident]
        sym = _make_symbol(ident, text)
        self.found[ident] = sym
        return sym

    def _unary(self, node: ast.UnaryOp, depth: int) -> sp.Expr:
        operand = self.build(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        op = type(node.op).__name__
        raise _fail(f"operator {op} is not allowed", self.text, op)

    def _binop(self, node: ast.BinOp, depth: int) -> sp.Expr:
        left = self.build(node.left, depth)
        right = self.build(node.right, depth)
        if isinstance(node.op, ast.Pow):
            if right.is_number and (not right.is_finite or abs(right) > MAX_EXPONENT):
                raise _fail(
                    f"exponent {right} is too large (|exponent| <= {MAX_EXPONENT})",
                    self.text,
                    str(right),
                )
            if left.is_number and right.is_number and not right.is_Integer:
                return sp.Pow(left, right)
            return left**right
        op = _BINOPS.get(type(node.op))
        if op is None:
            tok = _op_symbol(node.op)
            raise _fail(f"operator {tok!r} is not allowed: only + - * / ** are", self.text, tok)
        if isinstance(node.op, ast.Div) and right == 0:
            raise _fail(f"division by zero in {self.text!r}", self.text, "/")
        return op(left, right)

    def _call(self, node: ast.Call, depth: int) -> sp.Expr:
        text = self.text
        if not isinstance(node.func, ast.Name):
            tok = ast.get_source_segment(text, node.func) or "call"
            raise _fail(
                f"{tok!r} is not allowed: only calls of whitelisted functions "
                f"({', '.join(sorted(SMOOTH_FUNCTIONS))})",
                text,
                tok,
            )
        fname = node.func.id
        if fname.startswith("_"):
            raise _underscore(fname, text)
        if fname in NONSMOOTH_NAMES:
            raise NonSmoothError(
                f"{fname} is not smooth: gradient-descent theory here (descent lemma, "
                "modified equations) needs a twice continuously differentiable f; "
                f"replace {fname} by a smooth surrogate (e.g. sqrt(x**2 + eps**2) for abs, "
                "softplus for relu)"
            )
        if fname not in SMOOTH_FUNCTIONS:
            raise _fail(
                f"unknown function {fname!r}; allowed functions are "
                f"{', '.join(sorted(SMOOTH_FUNCTIONS))}",
                text,
                fname,
            )
        if node.keywords or len(node.args) != 1:
            raise _fail(f"{fname} takes exactly one positional argument", text, fname)
        return SMOOTH_FUNCTIONS[fname](self.build(node.args[0], depth))

    _KINDS: dict[type, Any] = {
        ast.Expression: _expression,
        ast.Constant: _constant,
        ast.Name: _name,
        ast.UnaryOp: _unary,
        ast.BinOp: _binop,
        ast.Call: _call,
    }


def _make_symbol(ident: str, text: str) -> sp.Symbol:
    if not ident.isidentifier() or ident.startswith("_"):
        raise ParseError(f"{ident!r} is not a valid symbol name", source=text, token=ident)
    if ident in RESERVED_NAMES:
        what = "the learning rate" if ident == "h" else "a constant"
        raise ParseError(
            f"{ident!r} is reserved for {what} and cannot be a state symbol; rename it",
            source=text,
            token=ident,
        )
    return sp.Symbol(ident, real=True)


def _op_symbol(op: ast.operator) -> str:
    return {
        ast.Mod: "%",
        ast.FloorDiv: "//",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.MatMult: "@",
    }.get(type(op), type(op).__name__)


def check_smooth(expr: sp.Expr, *, where: str = "objective") -> None:
    """Raise :class:`NonSmoothError` if ``expr`` uses a non-smooth or unknown function.

    >>> x = sp.Symbol("x")
    >>> check_smooth(sp.log(sp.cosh(x)))
    >>> check_smooth(sp.Abs(x))
    Traceback (most recent call last):
    ...
    gdtheory.errors.NonSmoothError: the objective uses Abs, which is not smooth; ...
    """
    for node in sp.preorder_traversal(expr):
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
        if node.is_number and node.has(sp.nan, sp.zoo, sp.oo):
            raise NonSmoothError(f"the {where} contains the non-finite constant {node}")
