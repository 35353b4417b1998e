r"""T4 part (g): the modified equation of GD for a *generic* f, to order h^4, in g = grad f,
H and D^m f, and its instantiation checked against the concrete engine.

Checks.  The tree recursion (B-series of explicit Euler; Hairer, Lubich and Wanner,
*Geometric Numerical Integration*, 2006, IX.9) printed to h^4; its h^2 term against the
statement -(1/3) H^2 g - (1/12) D^3f[g, g]; ``instantiate(f)`` against
``modified_equation(f, 4)`` exactly on the claim's objectives (a second algorithm: the
Lie-series recursion in the differential ring); the generic obstruction
-(1/12) [H, D^3f[g]] against the concrete curl of (xy - 1)^2/2; midpoint, Heun and RK4
(tree form) against the concrete engine on their one-step maps; and symbolic
parameters: F_k = -lam^(k+1) x/(k+1) for lam x^2/2 to h^12, and (mu - xy)^2/2 against
the numeric engine at mu = 1, 2, 7/3.
"""

from __future__ import annotations

import sympy as sp

from gdtheory import Objective, generic_modified_equation, modified_equation, runge_kutta_map
from gdtheory.backward_error.diffring import vanishes_identically
from gdtheory.report.claims import Table

#: The claim's objectives (parts (a), (b), (d)).
OBJECTIVES = (
    "x**4/4 - x**2/2",
    "(x*y - 1)**2/2",
    "logcosh(x + 2*y) + x**2/2",
    "x**2*y + y**2*z/2 + z**4/4",
    "exp(x)",
    "logcosh(x)",
    "sin(x)",
)


def _equal(a: sp.Expr, b: sp.Expr, symbols: list[sp.Symbol]) -> bool:
    d = sp.expand(a - b)
    return d == 0 or vanishes_identically(d, symbols)


def _fields_equal(got: tuple, want: tuple, symbols: list[sp.Symbol]) -> bool:
    return all(
        _equal(u, v, symbols)
        for F, G in zip(got, want, strict=True)
        for u, v in zip(F, G, strict=True)
    )


def generic_part(rows: list[tuple[object, ...]], numbers: dict[str, object]) -> tuple[bool, Table]:
    gme = generic_modified_equation("gd", 4)
    printed = [(f"h^{k}", str(gme).splitlines()[k + 1].split(": ", 1)[1]) for k in range(5)]
    second = [(t.coefficient, t.text) for t in gme.terms[2]]
    ok = second == [(sp.Rational(-1, 3), "H^2 g"), (sp.Rational(-1, 12), "D^3f[g, g]")]
    rows.append(
        ("(g) generic h^2 term", "any f", "-(1/3) H^2 g - (1/12) D^3f[g, g]" if ok else "FAILS")
    )
    numbers["(g) generic terms per order h^0..h^4"] = str([len(r) for r in gme.terms])
    for text in OBJECTIVES:
        obj = Objective.parse(text)
        good = _fields_equal(
            gme.instantiate(obj), modified_equation(obj, 4).fields, list(obj.symbols)
        )
        ok &= good
        rows.append(
            ("(g) generic instantiated = concrete, h^0..h^4", text, "exact" if good else "FAILS")
        )
    # generic obstruction against the concrete curl
    obs = gme.obstruction(2)
    f = Objective.parse("(x*y - 1)**2/2")
    H, g = f.hessian, f.grad
    M = sp.Matrix(
        2, 2, lambda i, j: sum(sp.diff(H[i, j], s) * gi for s, gi in zip(f.symbols, g, strict=True))
    )
    curl = modified_equation(f, 2).obstructions[2]
    good = obs == [(sp.Rational(-1, 12), "H D^3f[g] - D^3f[g] H")] and sp.expand(
        curl + (H * M - M * H) / 12
    ) == sp.zeros(2, 2)
    ok &= good
    rows.append(
        (
            "(g) generic obstruction -(1/12)[H, D^3f[g]] = concrete curl",
            "(x*y - 1)**2/2",
            "exact" if good else "FAILS",
        )
    )
    # Runge-Kutta methods in tree form against their one-step maps
    x, y = sp.symbols("x y", real=True)
    field = [-(x * y - 1) * y, -(x * y - 1) * x]
    for method in ("midpoint", "heun", "rk4"):
        order = 3 if method != "rk4" else 4  # RK4: h^1..h^3 vanish, h^4 is the first term
        tree_form = generic_modified_equation(method, order, gradient=False)
        step = runge_kutta_map(method, field, [x, y], order=order + 1)
        concrete = modified_equation(step, order, symbols=[x, y]).fields
        good = _fields_equal(tree_form.instantiate(field, symbols=[x, y]), concrete, [x, y])
        ok &= good
        rows.append(
            (
                f"(g) {method} B-series = concrete, to h^{order}",
                "(x*y - 1)**2/2",
                "exact" if good else "FAILS",
            )
        )
    # symbolic parameters
    lam_obj = Objective.parse("lam*x**2/2", params=["lam"])
    lam, xs = lam_obj.params[0], lam_obj.symbols[0]
    me = modified_equation(lam_obj, 12)
    good = all(
        sp.expand(F[0] + lam ** (k + 1) * xs / (k + 1)) == 0 for k, F in enumerate(me.fields)
    )
    mu_obj = Objective.parse("(mu - x*y)**2/2", params=["mu"])
    sym = modified_equation(mu_obj, 3)
    for value in ("1", "2", "7/3"):
        num = modified_equation(mu_obj.bind(mu=value), 3)
        good &= all(
            sp.expand(u.subs(mu_obj.params[0], sp.Rational(value)) - v) == 0
            for F, G in zip(sym.fields, num.fields, strict=True)
            for u, v in zip(F, G, strict=True)
        )
    ok &= good
    rows.append(
        (
            "(g) symbolic parameters exact",
            "lam*x**2/2 (h^12), (mu - x*y)**2/2 (mu = 1, 2, 7/3)",
            "exact" if good else "FAILS",
        )
    )
    return ok, Table(
        "T4 (g): modified equation of GD for a generic f", ("power", "terms"), tuple(printed)
    )
