"""Modified equations of RMSProp and Adam on their slow manifold (the engine of
backward_error.slow_manifold with square roots and x-dependent quotients).

Oracles: the measured global order of the method's own float-free runs (mpmath) started
on the manifold against the order-p flows (a second, numerical computation); three exact
limits, each against something computed another way (Adam with beta1 = 0 is RMSProp;
RMSProp with beta2 = 0 is the memoryless map x - h g/(|g| + eps), whose modified equation
the map theory derives independently; eps -> oo with h/eps fixed is GD, whose fields are
known in closed form); and the order-0 field -g/(|g| + eps) by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sympy as sp

import gdtheory as gt
from gdtheory import h
from gdtheory.backward_error.slow_manifold import slow_manifold_equation
from gdtheory.errors import InvalidInputError
from gdtheory.optimizers import Adam, Method, RMSProp

QUARTIC = "x**4/4 - x**2/2"
RMS = RMSProp(beta2="beta2", eps="eps")
ADAM = Adam(beta1="beta1", beta2="beta2", eps="eps", bias_correction=False)
POINTS = [sp.Rational(3, 2), sp.Rational(-2, 3), sp.Rational(1, 5)]  # g != 0 at each


def values_at(sm, F, x0, **params):
    """F (with sign(g) for sigma) at x = x0 and the given hyperparameters."""
    x = sm.symbols[0]
    e = sm.signed(F).xreplace({x: x0})
    e = e.xreplace({s: params[s.name] for s in e.free_symbols if s.name in params})
    return sp.nsimplify(sp.simplify(e))


@pytest.mark.parametrize("method", [RMS, ADAM], ids=["rmsprop", "adam"])
def test_the_leading_field_is_the_sign_like_flow(method):
    """On the manifold v = g^2 and m = g at h = 0: F_0 = -g/(|g| + eps)."""
    sm = slow_manifold_equation(method, QUARTIC, 1)
    x = sm.symbols[0]
    g = x**3 - x
    eps = sp.Symbol("eps", positive=True)
    for x0 in POINTS:
        expected = (-g / (sp.Abs(g) + eps)).xreplace({x: x0})
        assert sp.simplify(values_at(sm, sm.equation.fields[0][0], x0) - expected) == 0
    assert [str(p) for _, p in sm.signs] == ["x**3 - x"]


def test_adam_with_beta1_zero_is_rmsprop():
    """beta1 = 0 makes m' = g: Adam's fields are RMSProp's, to order 2, symbolically in
    beta2 and eps (compared at points and parameter values: sign(g) differs by region)."""
    a = slow_manifold_equation(
        Adam(beta1=0, beta2="beta2", eps="eps", bias_correction=False), QUARTIC, 2
    )
    r = slow_manifold_equation(RMS, QUARTIC, 2)
    for Fa, Fr in zip(a.equation.fields, r.equation.fields, strict=True):
        for x0 in POINTS:
            for b2, e in ((sp.Rational(1, 2), sp.Rational(1, 10)), (sp.Rational(9, 10), 2)):
                va = values_at(a, Fa[0], x0, beta2=b2, eps=e)
                vr = values_at(r, Fr[0], x0, beta2=b2, eps=e)
                assert va == vr


def test_rmsprop_with_beta2_zero_is_the_memoryless_map():
    """beta2 = 0: v' = g^2 exactly, so RMSProp is x' = x - h g/(|g| + eps); the map
    theory (no slow manifold) derives its modified equation from the map itself."""
    sm = slow_manifold_equation(RMSProp(beta2=0, eps="eps"), QUARTIC, 2)
    sigma, g = sm.signs[0]
    x = sm.symbols[0]
    eps = sp.Symbol("eps", positive=True)
    me = gt.modified_equation([x - h * g / (sigma * g + eps)], 2, symbols=[x], params=[sigma, eps])
    for F_engine, F_map in zip(sm.equation.fields, me.fields, strict=True):
        diff = sp.simplify((F_engine[0] - F_map[0]).xreplace({sigma: 1}))
        diff_neg = sp.simplify((F_engine[0] - F_map[0]).xreplace({sigma: -1}))
        assert diff == 0 and diff_neg == 0
    # and the limit beta2 -> 0 of the fields derived with beta2 symbolic
    general = slow_manifold_equation(RMS, QUARTIC, 2)
    b2 = next(s for s in general.equation.params if s.name == "beta2")
    for F_sym, F_map in zip(general.equation.fields, me.fields, strict=True):
        for sg in (1, -1):
            limit = sp.limit(F_sym[0].xreplace({general.signs[0][0]: sg}), b2, 0)
            assert sp.simplify(limit - F_map[0].xreplace({sigma: sg})) == 0


def test_large_eps_with_h_over_eps_fixed_is_gd():
    """x' = x - h g/(sqrt(v') + eps) with h = eta eps: as eps -> oo it is GD at rate eta,
    so eps^(k+1) F_k -> GD's k-th field: -g, then -H g/2 (claim T4)."""
    sm = slow_manifold_equation(RMSProp(beta2="1/2", eps="eps"), QUARTIC, 1)
    eps = sp.Symbol("eps", positive=True)
    gd = gt.modified_equation(QUARTIC, 1)
    xg = gd.symbols[0]
    for x0 in POINTS:
        for k in range(2):
            e = values_at(sm, sm.equation.fields[k][0], x0)
            limit = sp.limit(e * eps ** (k + 1), eps, sp.oo)
            assert limit == gd.fields[k][0].xreplace({xg: x0}), (k, x0)


@pytest.mark.parametrize(
    "method",
    [
        RMSProp(beta2="3/4", eps="1/10"),
        Adam(beta1="1/2", beta2="3/4", eps="1/10", bias_correction=False),
    ],
    ids=["rmsprop", "adam"],
)
def test_global_order_from_the_manifold_is_p_plus_one(method):
    """Issue 32 acceptance: started on the manifold at x0 = 2, N = T/h steps (T = 1/2) at
    40 digits against the order-p flow: slopes within 0.2 of p + 1, p = 0, 1, 2."""
    r = gt.manifold_errors(
        method, "x**2/2 + x**4/4", ["2"], hs=["1/64", "1/128", "1/256"], time="1/2", dps=40
    )
    print("\n" + str(r))
    assert r.predicted == (1, 2, 3)
    assert max(r.deviations) <= 0.2, r.slopes


def test_the_bias_corrected_method_is_not_autonomous():
    with pytest.raises(InvalidInputError, match="bias_correction=False"):
        gt.method_modified_equation(Adam(beta1="9/10", beta2="999/1000", eps="1e-8"), "x**2/2", 1)


def test_a_point_where_the_gradient_vanishes_is_outside_the_expansion():
    sm = slow_manifold_equation(RMS, QUARTIC, 0)
    with pytest.raises(InvalidInputError, match="vanishes"):
        sm.state_at([1], h="1/10")  # g(1) = 0


def test_rmsprop_to_order_3_symbolically():
    """Symbolic beta2 and eps to h^3 (issue 32), the leading field as by hand."""
    sm = slow_manifold_equation(RMS, QUARTIC, 3)
    assert len(sm.fields) == 4
    free = set().union(*(F.free_symbols for F in sm.fields))
    assert {s.name for s in free} == {"x", "beta2", "eps"}


@pytest.mark.slow
def test_adam_to_order_3_symbolically():
    """Symbolic beta1, beta2 and eps to h^3 (about a minute and a half)."""
    sm = slow_manifold_equation(ADAM, QUARTIC, 3)
    free = set().union(*(F.free_symbols for F in sm.fields))
    assert {s.name for s in free} == {"x", "beta1", "beta2", "eps"}


@dataclass(frozen=True)
class AdamEpsInside(Method):
    """Adam's steady state with eps inside the root, Cattaneo-Klusowski-Shigida's form:
    x' = x - h m' / sqrt(v' + eps)."""

    beta1: object = sp.Rational(1, 2)
    beta2: object = sp.Rational(3, 4)
    eps: object = sp.Rational(1, 10)
    state = ("m", "v")

    def update(self, grad, x, state, h):
        m, v = state
        b1, b2, e = (self.num(p, x[0]) for p in (self.beta1, self.beta2, self.eps))
        g = grad(x)
        m1 = [b1 * a + (1 - b1) * b for a, b in zip(m, g, strict=True)]
        v1 = [b2 * a + (1 - b2) * b * b for a, b in zip(v, g, strict=True)]
        return [a - h * b / self.sqrt(c + e) for a, b, c in zip(x, m1, v1, strict=True)], (m1, v1)


def test_eps_inside_the_root_global_order():
    """sqrt(v + eps) -> sqrt(g^2 + eps) is a building block of its own (no sign)."""
    r = gt.manifold_errors(
        AdamEpsInside(), "x**2/2 + x**4/4", ["2"], hs=["1/64", "1/128", "1/256"], time="1/2"
    )
    assert max(r.deviations) <= 0.2, r.slopes


def test_the_first_order_term_penalises_or_hinders_the_perturbed_one_norm():
    """In one dimension, with N = sqrt(g^2 + eps) the perturbed one-norm of Cattaneo,
    Klusowski and Shigida (ICML 2024):

        F_1 = -(N' / N^3) [eps (1 + b1) / (2 (1 - b1)) + g^2 (b1/(1 - b1) - b2/(1 - b2))],

    so the h-term descends N (an implicit penalty) when the bracket is positive (eps
    large against g^2, or b1 >= b2) and ascends it, hindering its decrease, when it is
    negative (small eps and b2 > b1, the usual b1 = 0.9, b2 = 0.999): their conclusion.
    At b1 = b2 = 0 it is the memoryless map's -(h/2) eps N'/N^3."""
    b1, b2, e = sp.symbols("beta1 beta2 eps", positive=True)
    sm = slow_manifold_equation(AdamEpsInside(b1, b2, e), QUARTIC, 1)
    x = sm.symbols[0]
    g = x**3 - x
    N = sp.sqrt(g**2 + e)
    bracket = e * (1 + b1) / (2 * (1 - b1)) + g**2 * (b1 / (1 - b1) - b2 / (1 - b2))
    expected = -sp.diff(N, x) / N**3 * bracket
    assert sp.simplify(sm.fields[1][0] - expected) == 0
    table = {
        (sp.Rational(9, 10), sp.Rational(999, 1000), sp.Rational(1, 10**8)): "hinders",
        (sp.Rational(9, 10), sp.Rational(999, 1000), sp.Integer(10**4)): "penalises",
        (sp.Rational(99, 100), sp.Rational(9, 10), sp.Rational(1, 10**8)): "penalises",
        (sp.Integer(0), sp.Integer(0), sp.Rational(1, 10)): "penalises",
    }
    for (v1, v2, ve), verdict in table.items():
        value = bracket.xreplace({b1: v1, b2: v2, e: ve, x: sp.Rational(3, 2)})
        assert ("penalises" if value > 0 else "hinders") == verdict, (v1, v2, ve)


def test_eps_root_is_the_root_of_v_plus_eps():
    """Adam(eps=0, eps_root=e) has the fields of the hand-written form sqrt(v + e) above,
    and eps_root = 0 leaves PyTorch's sqrt(v) + eps unchanged."""
    b1, b2, e = sp.symbols("beta1 beta2 eps", positive=True)
    lib = slow_manifold_equation(
        Adam(beta1=b1, beta2=b2, eps=0, eps_root=e, bias_correction=False), QUARTIC, 1
    )
    hand = slow_manifold_equation(AdamEpsInside(b1, b2, e), QUARTIC, 1)
    for F, G in zip(lib.fields, hand.fields, strict=True):
        assert sp.simplify(lib.signed(F)[0] - hand.signed(G)[0]) == 0
    x1, _ = Adam(beta1="1/2", beta2="3/4", eps="1/10", eps_root=0).update(
        lambda y: [y[0]], [2.0], ([0.0], [0.0], [0.0]), 0.5
    )
    assert x1[0] == pytest.approx(2.0 - 0.5 * 2.0 / (2.0 + 0.1), rel=1e-15)
    y1, _ = RMSProp(beta2="3/4", eps=0, eps_root="1/10").update(
        lambda y: [y[0]], [2.0], ([0.0],), 0.5
    )
    assert y1[0] == pytest.approx(2.0 - 0.5 * 2.0 / (0.25 * 4.0 + 0.1) ** 0.5, rel=1e-15)
