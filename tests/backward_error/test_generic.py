"""Generic modified equations (B-series over trees) against the concrete engine and
closed forms.

Oracles: ``modified_equation`` on concrete objectives and on the Runge-Kutta one-step
maps (a second algorithm: the Lie-series recursion in the differential ring), the
series log(R(z))/h of the stability polynomial for linear fields, the hand derivation
-(1/12)[H, D^3f[g]] of the GD obstruction at h^2, and exact differentiation of the 1-D
potentials.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdtheory as gt
from gdtheory import generic_modified_equation, modified_equation, runge_kutta_map
from gdtheory.backward_error.butcher import tableau

GD4 = generic_modified_equation("gd", 4)


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(
        sp.expand(u - v) == sp.zeros(*u.shape) for u, v in zip(a, b, strict=True)
    )


def test_printed_second_order_term() -> None:
    assert str(GD4).splitlines()[3] == "  h^2: -1/3 H^2 g - 1/12 D^3f[g, g]"
    assert [(t.coefficient, t.text) for t in GD4.terms[2]] == [
        (sp.Rational(-1, 3), "H^2 g"),
        (sp.Rational(-1, 12), "D^3f[g, g]"),
    ]
    tex = GD4.latex()
    assert tex.startswith("\\begin{aligned}") and tex.count("\\\\") == 4
    assert "-\\tfrac{1}{3}\\,H^{2} g - \\tfrac{1}{12}\\,D^{3}f[g, g]" in tex


@st.composite
def polynomial_objectives(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 3))
    names = ["x", "y", "z"][:n]
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        c = draw(st.integers(-3, 3).filter(bool))
        powers = [draw(st.integers(0, 2 if n > 1 else 4)) for _ in names]
        if sum(powers) == 0 or sum(powers) > 4:
            continue
        mono = "*".join(f"{v}**{p}" for v, p in zip(names, powers, strict=True) if p)
        terms.append(f"({c})*{mono}")
    terms.append("*".join(names))  # every variable appears
    return " + ".join(terms)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polynomial_objectives())
def test_gd_instantiation_equals_the_concrete_engine(text: str) -> None:
    """200 random polynomial objectives in 1-3 dimensions: the tree formula to order 4,
    made concrete, equals modified_equation(f, 4) exactly."""
    f = gt.Objective.parse(text)
    assert _same(GD4.instantiate(f), modified_equation(f, 4).fields)


FIELDS = {
    "2d": (["-x + y**2", "-x*y"], ["x", "y"]),
    "3d": (["x*y - y", "x - y**3/3", "z*x"], ["x", "y", "z"]),
    "1d-sin": (["sin(x) - x**2"], ["x"]),
}
CASES = [(m, f) for m in ["midpoint", "heun", "ralston", "rk3", "rk4"] for f in FIELDS]


@pytest.mark.parametrize(("method", "which"), CASES)
def test_runge_kutta_instantiation_equals_the_concrete_engine(method: str, which: str) -> None:
    comps, names = FIELDS[which]
    order = 4 if method == "rk4" and which == "2d" else 3  # RK4's first term is h^4
    gme = generic_modified_equation(method, order, gradient=False)
    step = runge_kutta_map(method, comps, names, order=order + 1)  # Taylor-truncated map
    concrete = modified_equation(step, order, symbols=names)
    assert _same(gme.instantiate(comps, symbols=names), concrete.fields)


@pytest.mark.parametrize("method", ["euler", "midpoint", "heun", "rk3", "rk4"])
def test_linear_fields_give_log_of_the_stability_polynomial(method: str) -> None:
    """For F = lam x every tree but the chain vanishes, and the chain coefficients are
    those of log(R(z))/z, R the stability polynomial (computed by SymPy's series)."""
    z = sp.Symbol("z")
    x, lam = sp.symbols("x lam", real=True)
    (phi,) = runge_kutta_map(method, [lam * x], [x], params=[lam])
    R = sp.expand(phi / x).subs(gt.h * lam, z).subs(gt.h, z / lam)
    series = sp.series(sp.log(R) / z, z, 0, 8).removeO()
    gme = generic_modified_equation(method, 7, gradient=False)
    for k, F in enumerate(gme.instantiate([lam * x], symbols=[x], params=[lam])):
        assert sp.expand(F[0] - series.coeff(z, k) * lam ** (k + 1) * x) == 0


def test_gd_obstruction_is_the_commutator() -> None:
    """Generic: -(1/12)[H, D^3f[g]] at h^2, none at h^0, h^1; checked against the
    concrete curl of (xy - 1)^2/2 computed from H and D^3f[g] directly."""
    assert GD4.obstruction(0) == [] and GD4.obstruction(1) == []
    assert GD4.obstruction(2) == [(sp.Rational(-1, 12), "H D^3f[g] - D^3f[g] H")]
    f = gt.Objective.parse("(x*y - 1)**2/2")
    xs = sp.Matrix(f.symbols)
    g, H = f.grad, f.hessian
    M = sp.Matrix(
        2, 2, lambda i, j: sum(sp.diff(H[i, j], s) * gi for s, gi in zip(xs, g, strict=True))
    )
    expected = -(H * M - M * H) / 12
    assert sp.expand(modified_equation(f, 2).obstructions[2] - expected) == sp.zeros(2, 2)


def test_generic_potentials_in_any_dimension() -> None:
    assert GD4.potential(0) == [(1, "f")]
    assert GD4.potential(1) == [(sp.Rational(1, 4), "|g|^2")]
    assert all(GD4.potential(k) is None for k in (2, 3, 4))
    # a gradient exists exactly when the generic obstruction vanishes
    for method in ("gd", "midpoint", "heun", "rk4"):
        gme = generic_modified_equation(method, 5, gradient=True)
        for k in range(6):
            assert (gme.potential(k) is None) == bool(gme.obstruction(k))


@pytest.mark.parametrize("text", ["x**4/4 - x**2/2", "log(cosh(x))", "x**3 + exp(x)"])
def test_one_dimensional_potentials_differentiate_to_the_fields(text: str) -> None:
    """f_k = P + int R dx: d/dx P + R = -F_k for the concrete f, exactly, k <= 4."""
    obj = gt.Objective.parse(text)
    x = obj.symbols[0]
    concrete = modified_equation(obj, 4).fields
    for k in range(5):
        pot = GD4.potential_1d(k)
        X = next(iter(pot.free_symbols))
        fsub = pot.subs(sp.Function("f")(X), obj.expr.subs(x, X)).doit()
        integrals = list(fsub.atoms(sp.Integral))
        deriv = sp.diff(fsub.subs({i: 0 for i in integrals}), X) + sum(
            i.function for i in integrals
        )
        assert sp.simplify(deriv.subs(X, x) + concrete[k][0]) == 0


def test_tree_counts_and_rational_coefficients_at_order_ten() -> None:
    gme = generic_modified_equation("euler", 10, gradient=False)
    from fractions import Fraction

    from gdtheory.backward_error.trees import trees_of_order

    # the h^k terms are indexed by the trees with k+1 vertices (719 at k = 9, 1842 at
    # k = 10); a few trees have coefficient zero for explicit Euler and are left out
    assert [len(trees_of_order(k + 1)) for k in (9, 10)] == [719, 1842]
    for k, row in enumerate(gme.terms):
        assert 0 < len(row) <= len(trees_of_order(k + 1))
        assert all(isinstance(t.coefficient, Fraction) for t in row)
    # the chain [[...[•]...]] carries the series of log(1 - z)/z: -1/(k+1) for GD
    chain = generic_modified_equation("gd", 10)
    assert [row[0].coefficient for row in chain.terms] == [Fraction(-1, k + 1) for k in range(11)]


def test_bad_input() -> None:
    with pytest.raises(gt.InvalidInputError, match="order"):
        generic_modified_equation("gd", -1)
    with pytest.raises(gt.InvalidInputError, match="gradient"):
        generic_modified_equation("rk4", 2).obstruction(1)
    with pytest.raises(gt.InvalidInputError, match="grad f"):
        GD4.instantiate(["x"], symbols=["x"])
    rk4 = tableau("rk4")
    assert tableau(rk4) is rk4


R2 = sp.sqrt(2)
#: a 2-stage and a 3-stage tableau with entries in Q(sqrt(2))
IRRATIONAL = {
    "2-stage": ([[0, 0], [R2 / 2, 0]], [1 - 1 / R2, 1 / R2]),
    "3-stage": (
        [[0, 0, 0], [R2 / 3, 0, 0], [0, 1 - R2 / 3, 0]],
        [sp.Rational(1, 4), R2 / 4, sp.Rational(3, 4) - R2 / 4],
    ),
}


def _sympy_coefficients(tab, max_vertices):
    """b(t) by the same recursion in plain SymPy arithmetic (expanded and rationalised,
    radsimp, at every step): a second computation of the number-field arithmetic."""
    from fractions import Fraction

    from gdtheory.backward_error.butcher import weight
    from gdtheory.backward_error.trees import cuts, trees_of_order

    b, W, memo = {}, [{}, {}], {}
    for n in range(1, max_vertices + 1):
        while len(W) <= n:
            W.append({})
        for t in trees_of_order(n):
            w = weight(tab, t, memo)
            value = sp.Rational(w.numerator, w.denominator) if isinstance(w, Fraction) else w
            for i in range(2, n + 1):
                acc = sp.Integer(0)
                for theta, s in cuts(t):
                    acc += W[i - 1].get(theta, 0) * (b.get(s, 0) if i > 2 else b.get(s, 0))
                acc = sp.radsimp(sp.expand(acc))
                if acc != 0:
                    W[i][t] = acc
                    value -= acc / sp.factorial(i)
            value = sp.radsimp(sp.expand(value))
            W[1][t] = value
            if value != 0:
                b[t] = value
    return b


@pytest.mark.parametrize("name", sorted(IRRATIONAL))
def test_irrational_tableaux_are_exact_in_their_number_field(name: str) -> None:
    """Coefficients of a tableau over Q(sqrt 2) equal plain simplified SymPy arithmetic;
    no coefficient that is zero survives; order 9 of the 3-stage method (a runaway of
    the hostile round) takes seconds."""
    from gdtheory.backward_error.generic import modified_coefficients

    tab = tableau(*IRRATIONAL[name])
    vertices = 4 if name == "2-stage" else 3  # plain SymPy slows down fast with the stages
    fast = modified_coefficients(tab, vertices)
    slow = _sympy_coefficients(tab, vertices)
    assert set(fast) == set(slow)
    for t, v in fast.items():
        assert sp.simplify(sp.sympify(v) - slow[t]) == 0, t
    gme = generic_modified_equation(tab, 9 if name == "3-stage" else 5)
    values = [sp.N(sp.sympify(t.coefficient), 60) for row in gme.terms for t in row]
    assert all(abs(v) > sp.Float(10) ** -40 for v in values)  # no zero term kept


def test_irrational_coefficients_print_in_parentheses_and_read_back() -> None:
    """'+ -1/6 + sqrt(2)/8 F''(F, F)' was printed; now each printed coefficient, read
    back with its sign, is the term's coefficient, and LaTeX prints without error."""
    tab = tableau(*IRRATIONAL["2-stage"])
    gme = generic_modified_equation(tab, 3, gradient=True)

    def split(line: str) -> list[str]:  # at " + " / " - " outside parentheses
        out, depth, start = [], 0, 0
        for i, ch in enumerate(line):
            depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(ch, 0)
            if depth == 0 and line[i : i + 3] in (" + ", " - "):
                out.append(line[start:i])
                start = i + 1
        return [*out, line[start:]]

    for j, row in enumerate(gme.terms):
        line = str(gme).splitlines()[1 + j].split(": ", 1)[1]
        if not row:
            assert line == "0"
            continue
        pieces = split(line)
        assert len(pieces) == len(row)
        for piece, term in zip(pieces, row, strict=True):
            sign = -1 if piece.startswith("-") else 1
            body = piece.lstrip("+- ")
            shown = body[: -len(term.text)].strip() or "1"
            value = sign * gt.Objective.parse(f"({shown})*u").expr.coeff(sp.Symbol("u", real=True))
            assert sp.simplify(value - sp.sympify(term.coefficient)) == 0, piece
    tex = gme.latex()
    assert r"\left(" in tex and "h(0)" not in tex and r"h\left(0\right)" not in tex
    assert gme.potential(2) is None  # the obstruction is nonzero
    assert gme.obstruction(2)[0][0] == sp.sqrt(2) / 8 - sp.Rational(1, 12)


def test_a_transcendental_tableau_entry_is_refused() -> None:
    with pytest.raises(gt.InvalidInputError, match="not an algebraic number"):
        tableau([[0, 0], [sp.pi / 4, 0]], [0, 1])


@pytest.mark.parametrize(("tableau", "gradient"), [("rk4", False), ("gd", True), ("heun", False)])
def test_the_coefficients_property_is_the_b_series(tableau: str, gradient: bool) -> None:
    """GenericModifiedEquation.coefficients gives back b(t) of every printed tree: the
    printed coefficient is b(t)/sigma(t), times (-1)^|t| in the gradient form; trees
    with symmetry 2 and 6 (the bushy ones) tell * from /."""
    from gdtheory.backward_error.butcher import butcher_tableau
    from gdtheory.backward_error.generic import modified_coefficients
    from gdtheory.backward_error.trees import symmetry

    gme = generic_modified_equation(tableau, 4, gradient=gradient)
    b = modified_coefficients(butcher_tableau(tableau), 5)
    got = gme.coefficients
    assert got == {t: v for t, v in b.items() if v != 0}
    assert any(symmetry(t) > 1 for t in got)


def test_latex_writes_fractions_and_integers() -> None:
    tex = generic_modified_equation("gd", 2).latex()
    assert r"-\tfrac{1}{2}\,H g" in tex and r"\tfrac{1}{12}\,D^{3}f[g, g]" in tex
    assert r"\dot{x} &= -g" in tex  # coefficient -1 written as a sign


def test_the_order_limit_is_thirteen() -> None:
    from gdtheory.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match=r"order must be an integer in 0\.\.13, got 14"):
        generic_modified_equation("gd", 14)
