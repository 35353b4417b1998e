"""gdtheory.testing: the oracle assertions, the strategies, the plugin, the docs example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import gd_batch
from gdtheory.core.regimes import Regime
from gdtheory.errors import InvalidInputError, ShapeError
from gdtheory.testing import (
    assert_gd_step,
    assert_modified_equation,
    assert_regime,
    learning_rates,
    quadratics,
    smooth_objectives,
)

ROOT = Path(__file__).resolve().parents[2]
points = st.lists(st.floats(-4, 4), min_size=2, max_size=2)


def _run(step, f, x0, h, steps):
    xs = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        xs.append(step(f, xs[-1], h))
    return np.array(xs)


def correct(f, x, h):
    return x - h * f.grad_np(x)


def sign_bug(f, x, h):
    return x + h * f.grad_np(x)


def half_bug(f, x, h):
    return x - 0.5 * h * f.grad_np(x)


@given(inst=smooth_objectives(dim=2), x=points, data=st.data())
@settings(max_examples=40, deadline=None)
def test_the_batch_engine_step_passes_the_oracle_and_planted_bugs_fail(inst, x, data):
    """Dog-fooding: gdtheory's own float64 engine is a correct GD step in ulps."""
    h = float(data.draw(learning_rates("oscillatory", inst.L)))
    f = inst.objective
    r = assert_gd_step(lambda z, hh: gd_batch(f, z, hs=hh, steps=1).x, f, x, h=h)
    assert r.passed and r.max_ulps_seen <= 8
    g = f.grad_np(np.array(x))
    if np.max(np.abs(h * g)) > 1e-6 * (1 + np.max(np.abs(x))):  # a step that moves
        for bug in (sign_bug, half_bug):
            with pytest.raises(AssertionError, match="ulps"):
                assert_gd_step(lambda z, hh, bug=bug: bug(f, z, hh), f, x, h=h)


def test_step_oracle_reports_the_numbers_and_rejects_bad_input():
    from gdtheory import Objective

    f = Objective.parse("x**4/4 + y**2")
    with pytest.raises(AssertionError) as info:
        assert_gd_step(lambda z, h: half_bug(f, z, h), f, [1.0, 2.0], h=0.1)
    msg = str(info.value)
    assert "ulps (allowed 32)" in msg and "x = [1.0, 2.0]" in msg and "0.9" in msg
    with pytest.raises(AssertionError, match="shape"):
        assert_gd_step(lambda z, h: np.zeros(3), f, [1.0, 2.0], h=0.1)
    with pytest.raises(AssertionError, match="not a point"):
        assert_gd_step(lambda z, h: "nope", f, [1.0, 2.0], h=0.1)
    with pytest.raises(AssertionError, match="inf"):
        assert_gd_step(lambda z, h: np.array([np.inf, 0.0]), f, [1.0, 2.0], h=0.1)
    with pytest.raises(InvalidInputError, match="callable"):
        assert_gd_step(42, f, [1.0, 2.0], h=0.1)
    with pytest.raises(ShapeError):
        assert_gd_step(lambda z, h: z, f, [1.0], h=0.1)
    with pytest.raises(InvalidInputError, match="NaN"):
        assert_gd_step(lambda z, h: z, f, [1.0, float("nan")], h=0.1)
    with pytest.raises(InvalidInputError, match="h must be"):
        assert_gd_step(lambda z, h: z, f, [1.0, 2.0], h=-0.1)


@pytest.mark.parametrize("order", [0, 1, 2])
def test_modified_equation_fingerprint_of_gd(order):
    from gdtheory import Objective

    f = Objective.parse("logcosh(x) + x**2/4")
    good = assert_modified_equation(_run(correct, f, [1.5], 0.1, 15), f, h=0.1, order=order)
    assert good.passed and good.reference_error > 0
    if order:
        assert good.error < good.gradient_flow_error / 5  # higher order is closer
    with pytest.raises(AssertionError, match="modified flow"):
        assert_modified_equation(_run(half_bug, f, [1.5], 0.1, 15), f, h=0.1, order=order)


def test_modified_equation_rejects_a_sampled_gradient_flow_and_bad_input():
    from gdtheory import Objective, gradient_flow

    f = Objective.parse("logcosh(x) + x**2/4")
    times = [sp.Rational(k, 10) for k in range(16)]
    flow = np.array([[float(c) for c in s] for s in gradient_flow(f, [1.5], times).states])
    with pytest.raises(AssertionError, match="order-1"):
        assert_modified_equation(flow, f, h=0.1, order=1)
    with pytest.raises(ShapeError):
        assert_modified_equation(np.zeros((1, 1)), f, h=0.1, order=1)
    with pytest.raises(InvalidInputError, match="order"):
        assert_modified_equation(flow, f, h=0.1, order=99)
    with pytest.raises(InvalidInputError, match="NaN"):
        assert_modified_equation(np.array([[1.0], [np.nan]]), f, h=0.1, order=1)


@given(inst=quadratics(dim=2, spectrum=(sp.Rational(1, 4), 4)), data=st.data())
@settings(max_examples=40, deadline=None)
def test_regime_oracle_on_random_quadratics(inst, data):
    lam = sorted(inst.eigenvalues)
    regime = data.draw(st.sampled_from([r for r in Regime]))
    h = data.draw(learning_rates(regime, inst.L))
    if lam[-1] == lam[-2] or lam[0] <= 0:
        return  # the top-component checks need a simple, positive top eigenvalue
    f = inst.objective
    x0 = np.array([1.0, -0.5])
    traj = _run(correct, f, x0, float(h), 8)
    r = assert_regime(traj, f, h=h, L=inst.L)
    assert r.regime is regime
    if regime is Regime.OSCILLATORY:
        with pytest.raises(AssertionError, match="regime oscillatory"):
            assert_regime(_run(half_bug, f, x0, float(h), 8), f, h=h, L=inst.L)


@pytest.mark.parametrize("variant", ["correct", "sign", "half"])
def test_the_documented_external_test_module(variant):
    """docs/examples/test_my_gd.py passes with a correct step and fails clearly with bugs.

    With a bug, the Hypothesis test is left out (its shrinking is slow and adds nothing
    here): each of the three deterministic tests must fail with the oracle's message.
    """
    example = ROOT / "docs" / "examples" / "test_my_gd.py"
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", str(example)]
    if variant != "correct":
        args += ["-k", "not random"]
    res = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "GDTHEORY_EXAMPLE_STEP": variant},
        cwd=example.parent,
    )
    out = res.stdout + res.stderr
    if variant == "correct":
        assert res.returncode == 0, out
        assert ("4 passed" in out and "1 skipped" in out) or "5 passed" in out, out
        return
    assert res.returncode == 1, out
    # the PyTorch-style test runs where PyTorch is installed (the test extra has it)
    import importlib.util

    failing = 4 if importlib.util.find_spec("torch") is not None else 3
    assert f"{failing} failed" in out, out
    assert "GD step off by" in out and "ulps (allowed 32)" in out  # assert_gd_step
    assert "from the order-2 modified flow" in out  # assert_modified_equation
    assert "regime oscillatory" in out  # assert_regime
