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
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sympy as sp

from ..errors import (
    ComplexityError,
    NonSmoothError,
    ParseError,
    UnknownSymbolError,
)

__all__ = [
    "parse_expression",
    "check_size",
    "check_name",
    "SMOOTH_FUNCTIONS",
    "NONSMOOTH_NAMES",
    "RESERVED_NAMES",
]

#: Longest expression text accepted (characters).
MAX_LENGTH = 20_000
#: Largest |exponent| accepted in a literal power; ``x**10**9`` would hang SymPy.
MAX_EXPONENT = 1_000
#: Deepest nesting of function calls, powers and signs (sums and products of many
#: terms are flat and do not count); deeper expressions exhaust the recursion of SymPy
#: and of Python's compiler downstream.
MAX_DEPTH = 60
#: Most syntax-tree nodes accepted in one expression.
MAX_NODES = 12_000
#: Largest exact number accepted, in bits (about 4000 decimal digits: every number
#: stays printable under Python's 4300-digit limit of int-to-string conversion).
MAX_BITS = 13_000
#: Largest |decimal exponent| of a literal such as ``1e-300`` (``1e99999999`` would
#: build a 10^8-digit integer before anything else could look at it).
MAX_DECIMAL_EXPONENT = 4_000

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
        raise ComplexityError(f"expression {text[:40]!r}... is nested too deeply") from None
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
    if not text.isascii():  # Python reads identifiers in NFKC form: "ｍｕ" would be "mu"
        for word in re.findall(r"\w+", text):
            check_name(word, text)
    try:
        tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise ParseError(f"cannot parse {text!r}{where}: {exc.msg}", source=text) from None
    except ValueError as exc:  # e.g. an integer literal beyond 4300 digits
        raise ParseError(f"cannot parse {text[:60]!r}...: {exc}", source=text[:80]) from None
    except (RecursionError, MemoryError):
        raise ComplexityError(
            f"cannot parse {text[:60]!r}...: expression too deeply nested"
        ) from None
    count = 0
    for node in ast.walk(tree):  # name the dunder wherever it hides (x.__class__, ...)
        count += 1
        if count > MAX_NODES:
            raise ComplexityError(
                f"the expression has more than {MAX_NODES} syntax nodes; simplify it or "
                "build it as a SymPy expression"
            )
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

    def __init__(
        self, text: str, declared: dict[str, sp.Symbol] | None, extras: dict[str, sp.Symbol]
    ) -> None:
        self.text = text
        self.declared = declared
        self.extras = extras
        self.found: dict[str, sp.Symbol] = {}

    def build(self, node: ast.AST, depth: int = 0) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise ComplexityError(
                f"expression {self.text[:40]!r}... nests functions, powers or signs more "
                f"than {MAX_DEPTH} deep; at most {MAX_DEPTH} levels are accepted"
            )
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
            if v.bit_length() > MAX_BITS:
                raise ComplexityError(f"an integer literal has more than {MAX_BITS} bits")
            return sp.Integer(v)
        seg = ast.get_source_segment(self.text.strip().replace("^", "**"), node) or repr(v)
        check_decimal_exponent(seg, "a number in the expression")
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
        if isinstance(node.op, ast.Pow):
            return self._power(node, depth)
        kind = _CHAIN.get(type(node.op))
        if kind is None:
            tok = _op_symbol(node.op)
            raise _fail(f"operator {tok!r} is not allowed: only + - * / ** are", self.text, tok)
        # a chain a + b - c + ... (or a * b / c ...) is flat: walk it without recursion,
        # so that a sum of thousands of terms is not "nested too deeply"
        ops: list[tuple[type, ast.AST]] = []
        left: ast.AST = node
        while isinstance(left, ast.BinOp) and _CHAIN.get(type(left.op)) == kind:
            ops.append((type(left.op), left.right))
            left = left.left
        parts = [self.build(left, depth)]
        for op, operand in reversed(ops):
            value = self.build(operand, depth)
            if op is ast.Sub:
                value = -value
            elif op is ast.Div:
                if value == 0:
                    raise _fail(f"division by zero in {self.text!r}", self.text, "/")
                value = 1 / value
            parts.append(value)
        result = sp.Add(*parts) if kind == "+" else sp.Mul(*parts)
        if result.is_Number:
            check_size(result, self.text)
        return result

    def _power(self, node: ast.BinOp, depth: int) -> sp.Expr:
        left = self.build(node.left, depth)
        right = self.build(node.right, depth)
        if right.is_number and (not right.is_finite or abs(right) > MAX_EXPONENT):
            raise _fail(
                f"exponent {right} is too large (|exponent| <= {MAX_EXPONENT})",
                self.text,
                str(right),
            )
        if left.is_Rational and right.is_Integer and left != 0:
            bits = rational_bits(left)
            if bits * abs(int(right)) > MAX_BITS:  # the size of the result, base included
                raise ComplexityError(
                    f"{left}**{right} would have about {bits * abs(int(right))} bits; at "
                    f"most {MAX_BITS} are accepted in an exact number"
                )
        if left.is_number and right.is_number and not right.is_Integer:
            return sp.Pow(left, right)
        return left**right

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


#: The two flat chains: + and - (a sum), * and / (a product).
_CHAIN: dict[type, str] = {ast.Add: "+", ast.Sub: "+", ast.Mult: "*", ast.Div: "*"}


def rational_bits(value: sp.Rational) -> int:
    """Bits of the larger of numerator and denominator: the size compared with
    :data:`MAX_BITS`.

    >>> rational_bits(sp.Rational(3, 1024))
    11
    """
    return max(int(value.p).bit_length(), int(value.q).bit_length())


def check_size(value: sp.Expr, text: str) -> None:
    """Refuse an exact rational with more than :data:`MAX_BITS` bits."""
    if value.is_Rational and rational_bits(value) > MAX_BITS:
        raise ComplexityError(
            f"a number in {text[:40]!r}... has more than {MAX_BITS} bits (about 4000 digits)"
        )


def check_decimal_exponent(text: str, name: str) -> None:
    """Refuse a decimal literal whose exponent exceeds :data:`MAX_DECIMAL_EXPONENT` (read
    from the text, before any number is built).

    >>> check_decimal_exponent("1e-300", "h")
    >>> check_decimal_exponent("1e-999999999", "h")
    Traceback (most recent call last):
    ...
    gdtheory.errors.ComplexityError: h has the decimal exponent -999999999; ...
    """
    t = text.strip().lower().replace("_", "")
    if "e" not in t:
        return
    mantissa, _, exponent = t.rpartition("e")
    try:
        sign, body = (exponent[0], exponent[1:]) if exponent[:1] in ("+", "-") else ("", exponent)
        digits = body.lstrip("0")  # 1e-0005 is 1e-5
        e = int(sign + (digits or "0")) if len(digits) <= 10 else None
    except ValueError:
        return  # not a decimal literal; the number parser will say so
    if e is None or abs(e) > MAX_DECIMAL_EXPONENT:
        shown = exponent if len(exponent) <= 20 else exponent[:20] + "..."
        raise ComplexityError(
            f"{name} has the decimal exponent {shown}; at most |{MAX_DECIMAL_EXPONENT}| is "
            "accepted (write a fraction, or rescale the problem)"
        )


def check_name(name: str, text: str = "") -> None:
    """Refuse a name that Python's parser would silently rewrite: identifiers are read in
    Unicode NFKC form, so the full-width "ｍｕ" is "mu" and the Kelvin sign "\u212a" is "K",
    and a declared name spelt so would never match its use.

    >>> check_name("mu")
    >>> check_name("ｍｕ")
    Traceback (most recent call last):
    ...
    gdtheory.errors.ParseError: the name 'ｍｕ' '\uff4d\uff55' would be read as 'mu' ...
    """
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:
        raise ParseError(
            f"the name {name!r} {ascii(name)} would be read as {normal!r} (Python reads "
            "identifiers in "
            f"Unicode NFKC form); write {normal!r}",
            source=text or name,
            token=name,
        )


def _make_symbol(ident: str, text: str) -> sp.Symbol:
    check_name(ident, text)
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
