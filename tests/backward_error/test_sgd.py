"""SGD without replacement: the modified equation of the expected epoch.

Oracles: Smith, Dherin, Barrett and De (ICLR 2021), whose random-shuffling regulariser
is C + (eta/4m) sum_k |grad C_k|^2; the cyclic-order correction derived by hand; and
the measured local error of the order-p flow against the expected epoch computed
numerically at 40 digits by averaging actual SGD epochs over all m! orders (no series).
"""

from __future__ import annotations

import itertools

import pytest
import sympy as sp

import gdtheory as gt
from gdtheory import h, sgd_modified_equation
from gdtheory.studies.local_errors import epoch_local_errors

FAMILIES = {
    "m2-quadratic": ["(x - 1)**2/2 + y**2", "(x + y)**2/2"],
    "m4-quadratic": ["x**2/2", "(y - 1)**2", "(x - y)**2/4", "x*y + x**2"],
    "m2-quartic": ["x**4/4 - x*y", "(x*y - 1)**2/2"],
    "m4-mixed": ["x**4/4", "(y - x)**2/2", "x*y**2/3 + y**2", "(x + 1)**2/2"],
}


def _objs(texts: list[str]) -> list[gt.Objective]:
    return [gt.Objective.parse(t, ["x", "y"]) for t in texts]


@pytest.mark.parametrize("family", FAMILIES)
def test_reshuffling_first_order_is_smith_et_al(family: str) -> None:
    objs = _objs(FAMILIES[family])
    m = len(objs)
    me = sgd_modified_equation(objs, 1)
    xs = objs[0].symbols
    f = sum((o.expr for o in objs), sp.Integer(0)) / m
    # h is the step eta: Smith et al.'s C + (eta/4m) sum_k |grad C_k|^2 as printed
    reg = f + h * sum((sum(g**2 for g in o.grad) for o in objs), sp.Integer(0)) / (4 * m)
    for i, s in enumerate(xs):
        assert sp.expand(me.fields[0][i] + h * me.fields[1][i] + sp.diff(reg, s)) == 0
    assert me.is_gradient[:2] == (True, True)
    # the epoch form, in H = m eta: (H/(4 m^2)) sum |grad f_i|^2
    ep = me.per_epoch()
    for i in range(len(xs)):
        assert sp.expand(m * ep.fields[1][i] - me.fields[1][i]) == 0
    assert me.steps_per_epoch == m


@pytest.mark.parametrize("family", FAMILIES)
def test_cyclic_order_adds_the_commutator_term(family: str) -> None:
    objs = _objs(FAMILIES[family])
    m = len(objs)
    cyc = sgd_modified_equation(objs, 1, "cyclic")
    rr = sgd_modified_equation(objs, 1)
    extra = sp.zeros(2, 1)
    for i, j in itertools.combinations(range(m), 2):
        extra += objs[j].hessian * objs[i].grad - objs[i].hessian * objs[j].grad
    assert sp.expand(cyc.fields[1] - rr.fields[1] - extra / (2 * m)) == sp.zeros(2, 1)


@pytest.mark.parametrize("family", FAMILIES)
def test_local_error_of_the_expected_epoch(family: str) -> None:
    """The expected epoch (40 digits, exact average over all orders) against the order-p
    flow over one epoch: error O(H^(p+2)), p = 0..3, H = m * eta the epoch."""
    hs = [sp.Rational(1, d) for d in (20, 40, 80, 160)]
    r = epoch_local_errors(_objs(FAMILIES[family]), ["0.6", "-0.4"], hs)
    print("\n" + str(r))
    assert max(r.deviations) <= 0.15, (family, r.slopes)


def test_bad_input() -> None:
    with pytest.raises(gt.InvalidInputError, match="at least two"):
        sgd_modified_equation(["x**2"], 1)
    with pytest.raises(gt.InvalidInputError, match="polynomial"):
        sgd_modified_equation(["exp(x)", "x**2"], 1)
    with pytest.raises(gt.InvalidInputError, match="same state symbols"):
        sgd_modified_equation([gt.Objective.parse("x**2"), gt.Objective.parse("y**2")], 1)
    # texts are parsed over the union of their names: x**2 and y**2 are both f(x, y)
    assert sgd_modified_equation(["x**2", "y**2"], 1).symbols == (
        sp.Symbol("x", real=True),
        sp.Symbol("y", real=True),
    )
    with pytest.raises(gt.InvalidInputError, match="sampling"):
        sgd_modified_equation(["x**2", "x**4"], 1, "random")


def test_order_limits_are_the_documented_ones() -> None:
    from gdtheory.backward_error.sgd import epoch_map

    objs = ["(x - 1)**2/2", "(x + 1)**2/2"]
    for bad in (0, 31, True, 2.0):
        with pytest.raises(gt.InvalidInputError, match=r"order must be an integer in 1\.\.30"):
            epoch_map(objs, bad)
    assert len(epoch_map(objs, 1)) == 1
    for bad in (-1, 30, True):
        with pytest.raises(gt.InvalidInputError, match=r"order must be an integer in 0\.\.29"):
            sgd_modified_equation(objs, bad)
    assert sgd_modified_equation(["x**2/2", "(x - 1)**2/2"], 29).order == 29  # 0.07 s
    assert sgd_modified_equation(objs, 0).order == 0


def test_sgd_on_the_registry_dispatches_by_sampling_and_batch() -> None:
    from gdtheory.optimizers import SGD

    objs = ["(x - 1)**2/2", "(x + 1)**2/2"]
    sme = gt.method_modified_equation(SGD(batch=2), objs, 1)
    assert isinstance(sme, gt.StochasticModifiedEquation)
    cyc = gt.method_modified_equation(SGD(sampling="cyclic"), objs, 1)
    assert cyc.fields == sgd_modified_equation(objs, 1, sampling="cyclic").fields
    with pytest.raises(gt.InvalidInputError, match="batch 1"):
        gt.method_modified_equation(SGD(batch=2, sampling="reshuffle"), objs, 1)


def test_step_and_epoch_forms_share_potentials_and_bind() -> None:
    """The h^1 potential in the step h = eta is Smith et al.'s sum |grad f_i|^2/(4m) (made 0
    at the origin), m times the epoch form's; bind keeps h the step."""
    objs = [gt.Objective.parse("a*(x - 1)**2/2", params=["a"]), gt.Objective.parse("(x + 1)**2/2")]
    me = sgd_modified_equation(objs, 1)
    x, a = sp.Symbol("x", real=True), sp.Symbol("a", real=True)
    g2 = (a * (x - 1)) ** 2 + (x + 1) ** 2
    want = (g2 - g2.subs(x, 0)) / 8
    assert sp.expand(me.potentials[1] - want) == 0
    assert sp.expand(me.per_epoch().potentials[1] - want / 2) == 0
    bound = me.bind(a=3)
    assert isinstance(bound, gt.EpochModifiedEquation) and bound.steps_per_epoch == 2
    assert sp.expand(bound.fields[1][0] - me.fields[1][0].subs(a, 3)) == 0
