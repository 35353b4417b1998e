"""Optimal truncation measured (dynamics.optimal_truncation): the one-step error of the
order-p modified flow against GD falls, reaches a minimum near N*(h), and rises."""

from __future__ import annotations

import mpmath
import pytest

from gdtheory import InvalidInputError, gd, modified_flow
from gdtheory.studies.optimal_truncation import truncation_scan


@pytest.fixture(scope="module")
def logistic_scan():
    return truncation_scan("log(1+exp(-x))", ["1/2"], hs=[3], orders=range(0, 21, 2))


def test_error_falls_then_rises_near_the_predicted_order(logistic_scan):
    s = logistic_scan
    es = s.errors[0]
    best = es.index(min(es))
    assert s.best_errors[0] == min(es) and s.best_orders[0] == s.orders[0][best]
    assert min(es) < es[0] / 100  # higher order helps at first ...
    assert max(es[best:]) > 3 * min(es)  # ... and then hurts
    assert 1 / 3 <= s.best_orders[0] / s.predicted_orders[0] <= 3
    assert s.diagnostics.kind == "divergent"


def test_scan_errors_agree_with_an_independent_flow_at_higher_precision(logistic_scan):
    """Second oracle: the public modified_flow and gd at 40 digits (another code path,
    another precision) give the same one-step error."""
    s = logistic_scan
    for p in (2, 8):
        flow = modified_flow("log(1+exp(-x))", ["1/2"], ["3"], order=p, h=3, dps=40)
        step = gd("log(1+exp(-x))", ["1/2"], h=3, steps=1, dps=40)
        with mpmath.workdps(40):
            e = float(abs(flow.states[-1][0] - step.iterates[1][0]))
        j = s.orders[0].index(p)
        assert abs(s.errors[0][j] - e) <= 1e-9 * e, (p, s.errors[0][j], e)


def test_scan_refuses_a_convergent_series_and_bad_orders():
    with pytest.raises(InvalidInputError, match="not divergent"):
        truncation_scan("3*x**2/2", ["1/2"], hs=[0.1], orders=[0, 1, 2])
    with pytest.raises(InvalidInputError, match="increasing"):
        truncation_scan("log(1+exp(-x))", ["1/2"], hs=[3], orders=[3, 1])
    with pytest.raises(InvalidInputError):
        truncation_scan("log(1+exp(-x))", ["1/2"], hs=[], orders=[0, 1])
