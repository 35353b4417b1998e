r"""Paper-ready output of concrete modified equations: LaTeX and runnable Python.

* Named subexpressions: ``{"sigma": "1/(1 + exp(-x))"}`` rewrites every field in the
  new symbol (logistic fields become polynomials in sigma, log cosh fields polynomials
  in t = tanh x).  The rewrite eliminates the exponential exp(q x) the definition is
  made of (q rational), so it applies to definitions built from one exponential of one
  state variable; every rewritten field is checked against the original (substituting
  the definition back, decided by the random zero test of
  :func:`~gdtheory.backward_error.diffring.vanishes_identically`), and a rewrite that
  does not reproduce the field, or still contains the exponential, is refused.
* Python: a self-contained function with its imports.  ``backend="mpmath"`` keeps exact
  rationals as mpf(p)/mpf(q), so they are exact to the working precision at the call;
  ``backend="numpy"`` is vectorised, and any point where an intermediate overflows
  (exp(5x) at x = 200, say, inf/inf) is recomputed in mpmath, whose exponent range is
  unbounded, so the result is the correctly rounded finite value wherever the field is
  finite.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import MpmathPrinter

from ..core.parsing import parse_expression
from ..errors import InvalidInputError
from .diffring import vanishes_identically

__all__ = ["rewrite_in", "python_source", "latex_source"]

#: Names the generated code uses itself; a state symbol of that name is renamed.
_TAKEN = {"numpy", "mpmath", "state", "h", "out", "bad", "idx", "values", "point"}


def rewrite_in(
    exprs: Sequence[sp.Expr],
    symbols: Sequence[sp.Symbol],
    subexpressions: Mapping[str, Any] | None,
    params: Sequence[sp.Symbol] = (),
) -> tuple[list[sp.Expr], list[tuple[sp.Symbol, sp.Expr]]]:
    """(rewritten exprs, [(name symbol, definition)]) for the named subexpressions."""
    if not subexpressions:
        return list(exprs), []
    if not isinstance(subexpressions, Mapping):
        raise InvalidInputError("subexpressions must be a dict {name: definition}")
    names = [s.name for s in symbols]
    out = list(exprs)
    defs: list[tuple[sp.Symbol, sp.Expr]] = []
    for name, text in subexpressions.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise InvalidInputError(f"{name!r} is not a valid name for a subexpression")
        if name in names or name in {p.name for p in params} or name in _TAKEN:
            raise InvalidInputError(f"the subexpression name {name!r} is already in use")
        d = (
            text
            if isinstance(text, sp.Expr)
            else parse_expression(str(text), names, extra_names=params)[0]
        )
        s = sp.Symbol(name, real=True)
        variables = [
            *symbols,
            *params,
            *sorted(
                set().union(*(e.free_symbols for e in out)) - set(symbols) - set(params), key=str
            ),
        ]
        out = [_eliminate(e, symbols, d, s, variables) for e in out]
        defs.append((s, d))
    return out, defs


def _eliminate(
    e: sp.Expr, symbols: Sequence[sp.Symbol], d: sp.Expr, s: sp.Symbol, variables: list[sp.Symbol]
) -> sp.Expr:
    """e written in s = d(x) (module docstring); refused when it cannot be checked."""
    E = sp.Dummy("E", positive=True)
    var = [x for x in symbols if d.has(x)]
    if len(var) != 1:
        raise InvalidInputError(f"the subexpression {d} must depend on exactly one state variable")
    x = var[0]

    def to_E(expr: sp.Expr) -> sp.Expr:
        return expr.rewrite(sp.exp).replace(
            lambda a: isinstance(a, sp.exp) and (a.args[0] / x).is_Rational,
            lambda a: E ** (a.args[0] / x),
        )

    dE = sp.together(to_E(d))
    if dE.has(x):
        raise InvalidInputError(f"the subexpression {d} is not built from one exponential of {x}")
    candidates = []
    for root in sp.solve(sp.numer(dE) - s * sp.denom(dE), E):
        r = sp.factor(sp.simplify(to_E(e).subs(E, root)))
        if not r.has(E) and vanishes_identically(r.subs(s, d) - e, variables):
            candidates.append(r)
    if not candidates:
        raise InvalidInputError(f"the field {sp.sstr(e)[:80]} could not be written in {s} = {d}")
    return min(candidates, key=sp.count_ops)


def _safe_names(
    symbols: Sequence[sp.Symbol], extra: Sequence[sp.Symbol]
) -> dict[sp.Symbol, sp.Symbol]:
    used = set(_TAKEN)
    out = {}
    for s in (*symbols, *extra):
        name = s.name
        while name in used or keyword.iskeyword(name):
            name += "_"
        used.add(name)
        out[s] = sp.Symbol(name, real=True)
    return out


def python_source(
    me: Any,
    *,
    name: str,
    backend: str,
    order: int,
    subexpressions: Mapping[str, Any] | None,
) -> str:
    """The source of ``name(state, h, **params)`` for a ModifiedEquation ``me``
    (module docstring)."""
    if backend not in ("numpy", "mpmath"):
        raise InvalidInputError(f"backend must be 'numpy' or 'mpmath', got {backend!r}")
    if (
        not isinstance(name, str)
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or name in _TAKEN
    ):
        raise InvalidInputError(f"{name!r} cannot name the generated function")
    field = list(me.field(order))
    field, defs = rewrite_in(field, me.symbols, subexpressions, me.params)
    ren = _safe_names(me.symbols, [*me.params, *(s for s, _ in defs)])
    field = [e.subs(ren, simultaneous=True) for e in field]
    defs = [(ren[s], d.subs(ren, simultaneous=True)) for s, d in defs]
    pars = ", ".join(ren[p].name for p in me.params)
    sig = f"state, h{', *, ' + pars if pars else ''}"
    n = me.dim
    unpack = ", ".join(ren[s].name for s in me.symbols) + ("," if n == 1 else "")
    doc = f'    """Order-{order} modified field of {me.description}."""\n'
    mp = MpmathPrinter()
    lines_mp = [f"    {s.name} = {mp.doprint(d)}\n" for s, d in defs]
    body_mp = ", ".join(mp.doprint(e) for e in field)
    mp_fn = (
        f"def {name if backend == 'mpmath' else '_' + name + '_mpmath'}({sig}):\n"
        + (doc if backend == "mpmath" else "")
        + f"    {unpack} = [mpmath.mpf(v) for v in state]\n"
        + "    h = mpmath.mpf(h)\n"
        + "".join(f"    {ren[p].name} = mpmath.mpf({ren[p].name})\n" for p in me.params)
        + "".join(lines_mp)
        + f"    return [{body_mp}]\n"
    )
    if backend == "mpmath":
        return "import mpmath\n\n\n" + mp_fn
    npp = NumPyPrinter()
    lines_np = [f"        {s.name} = {npp.doprint(d)}\n" for s, d in defs]
    comps = ", ".join(f"numpy.broadcast_to({npp.doprint(e)}, shape)" for e in field)
    call_pars = ", ".join(f"{ren[p].name}={ren[p].name}" for p in me.params)
    extra_args = ", " + call_pars if call_pars else ""
    return (
        "import mpmath\nimport numpy\n\n\n"
        + mp_fn
        + "\n\n"
        + f"def {name}({sig}):\n"
        + doc.replace(
            '."""',
            ".\n\n    state: array of shape (..., "
            + f"{n}); returns shape (..., {n}).  Points where float64 overflows\n    are "
            + 'recomputed in mpmath (53 bits)."""',
        )
        + "    state = numpy.asarray(state, dtype=float)\n"
        + "    shape = numpy.broadcast_shapes(state.shape[:-1], numpy.shape(h))\n"
        + f"    {unpack} = [state[..., i] for i in range({n})]\n"
        + "    with numpy.errstate(all='ignore'):\n"
        + "".join(lines_np)
        + f"        out = numpy.stack([{comps}], axis=-1).astype(float)\n"
        + "    bad = ~numpy.isfinite(out).all(axis=-1)\n"
        + "    if bad.any():  # an intermediate overflowed: recompute there in mpmath\n"
        + "        hs = numpy.broadcast_to(numpy.asarray(h, dtype=float), shape)\n"
        + "        states = numpy.broadcast_to(state, shape + state.shape[-1:])\n"
        + "        for idx in zip(*numpy.nonzero(bad)):\n"
        + f"            values = _{name}_mpmath(states[idx], hs[idx]{extra_args})\n"
        + "            out[idx] = [float(v) for v in values]\n"
        + "    return out\n"
    )


#: Parameter names typeset as Greek letters (SymPy already does so for its own spellings,
#: but not for the short names users write: lam, eps).
GREEK = {
    "lam": r"\lambda",
    "lamda": r"\lambda",
    "lambda_": r"\lambda",
    "eps": r"\varepsilon",
    "epsilon": r"\varepsilon",
    "alpha": r"\alpha",
    "beta": r"\beta",
    "gamma": r"\gamma",
    "delta": r"\delta",
    "eta": r"\eta",
    "theta": r"\theta",
    "kappa": r"\kappa",
    "mu": r"\mu",
    "nu": r"\nu",
    "rho": r"\rho",
    "sigma": r"\sigma",
    "tau": r"\tau",
    "omega": r"\omega",
}


def tex(expr: Any) -> str:
    """``sp.latex(expr)`` with parameter names typeset: lam -> \\lambda, eps ->
    \\varepsilon, beta1 and beta_1 -> \\beta_{1} (:data:`GREEK`).

    >>> import sympy as sp
    >>> lam, eps, b1 = sp.symbols("lam eps beta1")
    >>> print(tex(lam * eps / (1 - b1)))
    \\frac{\\varepsilon \\lambda}{1 - \\beta_{1}}
    """
    names = {}
    for sym in getattr(expr, "free_symbols", ()):
        m = re.fullmatch(r"([A-Za-z]+_?)_?(\d*)", sym.name)
        base = m.group(1).rstrip("_") if m else ""
        key = m.group(1) if m and m.group(1) in GREEK else base
        if m and key in GREEK:
            names[sym] = GREEK[key] + (f"_{{{m.group(2)}}}" if m.group(2) else "")
    return sp.latex(expr, symbol_names=names)


def latex_source(me: Any, *, potential: bool, subexpressions: Mapping[str, Any] | None) -> str:
    """An ``aligned`` block: the equation, one line per F_k, potentials or obstruction."""
    fields, defs = rewrite_in(
        [c for F in me.fields for c in F], me.symbols, subexpressions, me.params
    )
    n = me.dim
    if n == 1:
        lhs, vec = rf"\dot{{{tex(me.symbols[0])}}}", ""
    else:
        taken = {s.name for s in me.symbols} | {p.name for p in me.params}
        v = next(c for c in ("z", "u", "w", "q", "X") if c not in taken)
        lhs = rf"\dot{{{v}}}"
        vec = rf", \qquad {v} = ({', '.join(tex(s) for s in me.symbols)})"
    rows = [rf"{lhs} &= \sum_{{k=0}}^{{{me.order}}} h^{{k}} F_{{k}}{vec}"]
    for s, d in defs:
        rows.append(rf"{tex(s)} &= {tex(d)}")
    for k in range(me.order + 1):
        comps = fields[k * n : (k + 1) * n]
        body = tex(comps[0]) if n == 1 else tex(sp.Matrix(comps))
        rows.append(rf"F_{{{k}}} &= {body}")
    if potential:
        for k, fk in enumerate(me.potentials):
            if fk is not None:
                rows.append(rf"f_{{{k}}} &= {tex(fk)}")
        if not all(me.is_gradient):
            k = me.is_gradient.index(False)
            rows.append(
                rf"\tfrac{{1}}{{2}}\left(F_{{{k}}}' - F_{{{k}}}'^{{T}}\right) &= "
                rf"{tex(me.obstructions[k])} \quad (\text{{no potential at }} h^{{{k}}})"
            )
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
