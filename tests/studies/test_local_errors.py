"""Local errors against modified flows (backward_error.local_errors): the measurement
against a closed form, and the expected epoch against brute force."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from gdtheory import Objective, modified_equation
from gdtheory.errors import InvalidInputError
from gdtheory.studies.local_errors import expected_epoch, flow_local_errors


def test_gd_on_a_quadratic_against_the_closed_form() -> None:
    """lam x^2/2: the order-p flow is x exp(-h sum_{k<=p} h^k lam^(k+1)/(k+1)), GD is
    (1 - h lam) x: the measured error equals |x| |exp(.) - (1 - h lam)| to 30 digits."""
    lam, x0 = sp.Rational(3, 2), sp.Rational(2, 3)
    f = Objective(lam * sp.Symbol("x", real=True) ** 2 / 2, [sp.Symbol("x", real=True)])
    me = modified_equation(f, 3)
    hs = [sp.Rational(1, 8), sp.Rational(1, 16)]
    r = flow_local_errors(
        lambda x, hm: [x[0] - hm * f.grad_mp(x)[0]], me, [x0], hs, [0, 1, 2, 3], dps=50
    )
    with mpmath.workdps(50):
        for i, p in enumerate(r.orders):
            for j, hh in enumerate(hs):
                hm, lm = mpmath.mpf(hh), mpmath.mpf(lam)
                s = sum(hm**k * lm ** (k + 1) / (k + 1) for k in range(p + 1))
                want = abs(mpmath.mpf(x0)) * abs(mpmath.exp(-hm * s) - (1 - hm * lm))
                assert abs(r.errors[i][j] - want) <= 1e-12 * want
    assert [round(s) for s in r.slopes] == [2, 3, 4, 5]
    assert "slope" in str(r)
    with pytest.raises(InvalidInputError, match="exceeds"):
        flow_local_errors(lambda x, hm: x, me, [x0], hs, [4])


def test_expected_epoch_is_the_mean_over_orders() -> None:
    objs = [Objective.parse(t) for t in ("(x - 1)**2/2", "3*(x + 1)**2/2")]
    with mpmath.workdps(30):
        x, hm = [mpmath.mpf("0.5")], mpmath.mpf("0.2")
        a = x[0] - hm / 2 * (x[0] - 1)
        ab = a - hm / 2 * 3 * (a + 1)
        b = x[0] - hm / 2 * 3 * (x[0] + 1)
        ba = b - hm / 2 * (b - 1)
        assert abs(expected_epoch(objs, x, hm)[0] - (ab + ba) / 2) < mpmath.mpf(10) ** -25
        assert abs(expected_epoch(objs, x, hm, "cyclic")[0] - ab) < mpmath.mpf(10) ** -25
