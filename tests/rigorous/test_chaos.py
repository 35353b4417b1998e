"""Period three implies chaos, certified (rigorous.chaos)."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from gdtheory.certify import (
    certify_period_three_chaos,
)
from gdtheory.errors import ShapeError
from gdtheory.objectives import logistic_conjugate, scalar_factorization

F = scalar_factorization()


def test_period_three_chaos_on_the_logistic_conjugate_cubic():
    pts = [math.cos(2 * math.pi * k / 7) for k in (1, 2, 4)]  # T_2 maps 2 pi k/7 to 4 pi k/7
    c = certify_period_three_chaos(logistic_conjugate(), pts, h=1, radius=1e-9)
    assert c.proved and "Sharkovskii" in c.conclusion and "Li and Yorke" in c.conclusion
    assert c.orbit.stable is False and c.orbit.contains_multiplier(8)  # 4^3 prod cos = 8
    for (lo, hi), k in zip((b[0] for b in c.orbit.enclosure), (1, 2, 4), strict=True):
        assert sp.Rational(lo) <= sp.cos(2 * sp.pi * k / 7) <= sp.Rational(hi)
    with pytest.raises(ShapeError):
        certify_period_three_chaos(F, [[0, 0]] * 3, h=1, radius=0.1)
    with pytest.raises(ShapeError):
        certify_period_three_chaos(logistic_conjugate(), pts[:2], h=1, radius=0.1)
    wrong = certify_period_three_chaos(logistic_conjugate(), [0.1, 0.5, 0.9], h=1, radius=1e-3)
    assert not wrong.proved and wrong.conclusion.startswith("NOT PROVED")
    assert wrong.orbit.reason and wrong.conclusion == f"NOT PROVED: {wrong.orbit.reason}"
