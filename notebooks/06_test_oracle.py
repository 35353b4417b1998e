# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 6. gdtheory as a test oracle
#
# You wrote an optimiser; how do you know it is right? gdtheory gives three kinds of
# independent reference:
#
# 1. **reference trajectories** at any precision (`gt.gd` at 50 digits, with the
#    learning rate kept exact), to compare your float64 iterates with;
# 2. **objectives with known constants** as Hypothesis strategies
#    (`gdtheory.testing`): quadratics with an exact spectrum, smooth objectives with a
#    smoothness constant $L$ proved by construction, learning rates inside a named regime;
# 3. **theorems as properties**: the descent lemma, the regimes on a quadratic, the
#    modified equation, each a statement your implementation must satisfy.
#
# Below, a correct GD step passes and two classic bugs (a flipped sign, a step of $h/2$)
# are caught, each with a failing example.

# %%
import mpmath
import numpy as np
import sympy as sp
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import gdtheory as gt
from gdtheory.testing import learning_rates, quadratics, smooth_objectives

# %% [markdown]
# ## The implementations under test

# %%
def step_correct(grad, x, h):
    return x - h * grad(x)


def step_sign_bug(grad, x, h):
    return x + h * grad(x)


def step_half_bug(grad, x, h):
    return x - 0.5 * h * grad(x)


# Shrinking is switched off in this notebook to keep it fast; in a test suite, leave it on
# and Hypothesis reports the simplest failing objective.
FAST = (Phase.explicit, Phase.generate)


def run(step, objective, x0, h, steps):
    x = np.asarray(x0, dtype=float)
    for _ in range(steps):
        x = step(objective.grad_np, x, float(h))
    return x

# %% [markdown]
# ## Oracle 1: agreement with a 50-digit reference trajectory
#
# For an $L$-smooth objective and $h = 1/L$, GD contracts, so float64 rounding cannot
# grow: a correct implementation agrees with the reference to ~1e-12.

# %%
def make_reference_test(step):
    @given(inst=smooth_objectives(dim=2), x0=st.tuples(st.integers(-3, 3), st.integers(-3, 3)))
    @settings(max_examples=15, deadline=None, database=None, phases=FAST, derandomize=True)
    def test_matches_reference(inst, x0):
        h = 1 / inst.L
        ref = gt.gd(inst.objective, list(x0), h=h, steps=20, dps=50).as_numpy()[-1]
        mine = run(step, inst.objective, x0, h, 20)
        err = np.max(np.abs(mine - ref))
        assert err <= 1e-10 * (1 + np.max(np.abs(ref))), f"max error {err:.3e} after 20 steps"

    return test_matches_reference


def verdicts(make_test):
    """Run the property against each implementation: {name: passed?}."""
    out = {}
    for step in (step_correct, step_sign_bug, step_half_bug):
        try:
            make_test(step)()
            out[step.__name__] = True
            print(f"{step.__name__}: passes")
        except AssertionError as exc:
            out[step.__name__] = False
            print(f"{step.__name__}: FAILS -> {str(exc).splitlines()[0]}")
    return out


expected = {"step_correct": True, "step_sign_bug": False, "step_half_bug": False}
assert verdicts(make_reference_test) == expected

# %% [markdown]
# The same oracle ships as `gdtheory.testing.assert_gd_step`: it reports the error in
# ulps of the step's natural scale, so one step on one point already separates a correct
# implementation (a few ulps) from a buggy one (~1e15 ulps). With gdtheory installed,
# pytest also provides it as the `gd_oracle` fixture (see `docs/testing.md`).

# %%
from gdtheory.testing import assert_gd_step  # noqa: E402

f = gt.Objective.parse("logcosh(x - 2*y) + x**2/4 + y**4/8")
for step in (step_correct, step_sign_bug, step_half_bug):
    try:
        r = assert_gd_step(lambda x, h, step=step: step(f.grad_np, x, h), f, [0.7, -1.3], h=0.05)
        print(f"{step.__name__}: passes, worst error {r.max_ulps_seen:.1f} ulps")
    except AssertionError as exc:
        print(f"{step.__name__}: FAILS -> {str(exc)[:90]}...")

# %% [markdown]
# ## Oracle 2: a theorem as a property (the descent lemma)
#
# For $h$ drawn in the oscillatory regime $1/L < h < 2/L$, the descent lemma promises
# $f(x_{k+1}) \le f(x_k) - h(1 - Lh/2)|\nabla f(x_k)|^2$. The $h/2$ bug does not break
# convergence; it breaks the promised rate, and the property catches it.

# %%
def make_descent_test(step):
    @given(inst=smooth_objectives(dim=2, L_max=4), data=st.data())
    @settings(max_examples=15, deadline=None, database=None, phases=FAST, derandomize=True)
    def test_descent_lemma(inst, data):
        L = inst.L
        h = data.draw(learning_rates("oscillatory", L))
        f, g = inst.objective.f_np, inst.objective.grad_np
        x = np.array([2.0, -1.0])
        for _ in range(10):
            nxt = step(g, x, float(h))
            gx = g(x)
            promised = float(h) * (1 - float(L * h) / 2) * float(gx @ gx)
            assert f(x) - f(nxt) >= promised - 1e-12, (
                f"decrease {f(x) - f(nxt):.3e} < promised {promised:.3e} at h = {h}, L = {L}"
            )
            x = nxt

    return test_descent_lemma


assert verdicts(make_descent_test) == expected

# %% [markdown]
# ## Oracle 3: exact closed forms on quadratics
#
# `quadratics()` draws $A = Q\,\mathrm{diag}(\lambda)\,Q$ with a rational Householder $Q$,
# so the exact answer $x_k = (I - hA)^k x_0$ is computable in rational arithmetic; the
# reference GD itself is checked against it here, as it should be before trusting it.

# %%
@given(inst=quadratics(dim=3), data=st.data())
@settings(max_examples=20, deadline=None, database=None, derandomize=True)
def test_reference_equals_closed_form(inst, data):
    h = data.draw(learning_rates("gradient_flow_like", inst.L))
    x0 = sp.Matrix([1, -2, 3])
    exact = (sp.eye(3) - h * inst.A) ** 8 * x0
    ref = gt.gd(inst.objective, list(x0), h=h, steps=8, dps=60)
    with mpmath.workdps(60):  # compare at 60 digits (exact rationals to mpf)
        err = max(abs(a - mpmath.mpf(b.p) / b.q) for a, b in zip(ref.x, exact))
    assert err < mpmath.mpf(10) ** -50, f"reference vs closed form: {mpmath.nstr(err, 3)}"


test_reference_equals_closed_form()
print("the 60-digit reference equals the exact rational closed form on 20 random quadratics")

# %% [markdown]
# ## Oracle 4: the modified equation
#
# An implementation of GD should follow the first-order modified flow
# $\dot x = -\nabla(f + \tfrac h4|\nabla f|^2)$ with error $O(h^3)$ per step, against
# $O(h^2)$ for the gradient flow. Measured on a sequence of $h$, the orders are a
# fingerprint of a correct step.

# %%
table = gt.modified_error_table("logcosh(x) + x**2/4", [1], hs=["1/10", "1/20", "1/40"], orders=[0, 1], steps=1, dps=40)
print(table)

# %%
import matplotlib.pyplot as plt  # noqa: E402

hs = np.array([0.1, 0.05, 0.025, 0.0125])
f = gt.Objective.parse("logcosh(x) + x**2/4")
fig, ax = plt.subplots(figsize=(6, 4))
slopes = {}
for step, marker in [(step_correct, "o"), (step_half_bug, "s")]:
    errs = []
    for h in hs:
        hr = sp.Rational(h).limit_denominator(10**6)  # exactly 1/10, 1/20, ...
        y = gt.modified_flow(f, [1], [0, hr], order=1, h=hr, dps=30)
        errs.append(abs(run(step, f, [1.0], h, 1)[0] - float(y.states[-1][0])))
    slope = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    slopes[step.__name__] = slope
    ax.loglog(hs, errs, marker + "-", label=f"{step.__name__}: slope {slope:.2f}")
ax.set(xlabel="h", ylabel="|one step - first-order modified flow at t = h|",
       title="a correct step matches the modified flow to O(h^3)")
ax.legend()
assert abs(slopes["step_correct"] - 3) < 0.2 and abs(slopes["step_half_bug"] - 1) < 0.2

# %% [markdown]
# The correct step has slope 3, the buggy one slope 1: one line of output tells them apart.
