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
# # 1. Learning-rate regimes and the descent lemma
#
# Gradient descent (GD) with learning rate $h$ is the map
# $x_{k+1} = \Phi_h(x_k) = x_k - h\,\nabla f(x_k)$.
# This notebook shows the classical picture (SPEC T1–T3):
#
# * on $f = \tfrac{L}{2}x^2$, GD is $x_{k+1} = (1 - hL)\,x_k$: monotone for $h < 1/L$,
#   sign-flipping for $1/L < h < 2/L$, period 2 at $h = 2/L$, divergent beyond;
# * the **descent lemma**: if $f$ is $L$-smooth and $0 < h < 2/L$, then
#   $f(x_{k+1}) \le f(x_k) - h(1 - Lh/2)\,|\nabla f(x_k)|^2$;
# * GD is the explicit Euler method of the gradient flow $\dot x = -\nabla f(x)$,
#   so it stays $O(h)$ close to the flow on bounded time.
#
# Everything below is computed exactly (rational $h$) or at high precision (mpmath).

# %%
import matplotlib.pyplot as plt
import numpy as np
from sympy import Rational

import gdtheory as gt
from gdtheory.objectives import double_well, quadratic
from gdtheory.report.claims import fit_order

# %% [markdown]
# ## Regimes, decided exactly
#
# `lr_regime` classifies a learning rate against $L$ with exact arithmetic, so the
# boundary cases $h = 1/L$ and $h = 2/L$ are recognised as such, not rounded away.

# %%
L = 1
for h in ["1/2", "1", "3/2", "2", "21/10"]:
    print(f"h = {h:>5}:", gt.lr_regime(h=h, L=L).regime.value)

# %% [markdown]
# ## The four behaviours on $f = x^2/2$
#
# GD at 50 digits from $x_0 = 1$; the exact solution is $(1 - h)^k$ (checked below).
# $h = 1/2$ and $h = 3/2$ give the same $|x_k| = 2^{-k}$, one monotone and one
# sign-flipping, so their values of $f$ coincide.

# %%
f = quadratic([1])
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for h, colour in [("1/2", "tab:blue"), ("3/2", "tab:orange"), ("2", "tab:green"),
                  ("21/10", "tab:red")]:
    t = gt.gd(f, [1], h=h, steps=12, dps=50)
    x = t.as_numpy()[:, 0]
    axes[0].plot(x, "o-", color=colour, label=f"h = {h}")
    style = "x--" if h == "1/2" else "o-"  # h = 1/2 and 3/2 share |x_k| = 2^-k: f coincides
    axes[1].semilogy([float(v) for v in t.f_values], style, color=colour, label=f"h = {h}",
                     zorder=3 if h == "1/2" else 2)
    exact = (1 - float(Rational(h))) ** np.arange(13)
    assert np.allclose(x, exact, rtol=1e-12, atol=1e-15)  # the closed form, as an oracle
axes[0].set(xlabel="step k", ylabel="x_k", title="GD on x^2/2: the iterates")
axes[1].set(xlabel="step k", ylabel="f(x_k) (log scale)", title="f decreases iff h < 2/L")
for ax in axes:
    ax.legend()
fig.tight_layout()

# %% [markdown]
# ## The descent lemma, measured
#
# For an $L$-smooth objective and $h < 2/L$, the slack
# $s_k = f(x_k) - h(1 - Lh/2)|\nabla f(x_k)|^2 - f(x_{k+1})$ must be $\ge 0$ at every step.
# Here $f = \log\cosh(x + 2y) + x^2/2$, whose Hessian is bounded by $L = 6$ (a bound
# proved by hand, used below); the toolkit also gives a *certified* bound on a box by
# interval arithmetic, here tighter: the exact supremum is $3 + \sqrt 5 \approx 5.236$,
# the top eigenvalue of $[[2, 2], [2, 4]]$ at $x + 2y = 0$.

# %%
g = gt.Objective.parse("logcosh(x + 2*y) + x**2/2")
certified = gt.smoothness_constant(g, box=[(-3, 3), (-3, 3)])
print("certified bound on L over [-3, 3]^2:", float(certified.value))
L = 6  # proved by hand: H = sech^2(u) a a^T + diag(1, 0) <= |a|^2 + 1 with a = (1, 2)
for c in ["1/2", "1", "3/2", "19/10"]:
    h = Rational(c) / L
    t = gt.gd(g, [2, -1], h=h, steps=200, dps=40)
    fv = np.array([float(v) for v in t.f_values])
    gn = np.array([float(v) for v in t.grad_norms])
    slack = fv[:-1] - float(h) * (1 - L * float(h) / 2) * gn[:-1] ** 2 - fv[1:]
    print(f"h = ({c})/L: min slack {slack.min():.2e}, f increases: {(np.diff(fv) > 1e-30).sum()}")

# %% [markdown]
# The slack is never negative (up to float rounding of the printed values): the lemma
# holds at every step, and $f$ never increases. Beyond $2/L$ the hypothesis fails and so
# does monotonicity:

# %%
t = gt.gd(quadratic([1, 4]), [1, 1], h="21/40", steps=10, dps=40)  # h = 2.1/L with L = 4
print("f along GD at h = 2.1/L:", [round(float(v), 3) for v in t.f_values])

# %% [markdown]
# ## GD is explicit Euler: $O(h)$ from the gradient flow
#
# On the double well $f = x^4/4 - x^2/2$ the flow has a closed form; the toolkit's
# 50-digit extrapolation integrator is checked against it, then the global error
# $E(h) = \max_{kh \le 1}|x_k - x(kh)|$ is measured on a sequence of $h$.

# %%
dw = double_well()
hs = ["1/10", "1/20", "1/40", "1/80"]
errors = []
for h in hs:
    hr = Rational(h)
    steps = int(1 / hr)
    t = gt.gd(dw, ["1/2"], h=hr, steps=steps, dps=50)
    times = [k * hr for k in range(steps + 1)]
    flow = gt.gradient_flow(dw, ["1/2"], times, dps=50)
    errors.append(max(abs(float(a[0] - b[0])) for a, b in zip(t.iterates, flow.states)))
order = fit_order([float(Rational(h)) for h in hs], errors)
print("E(h):", [f"{e:.3e}" for e in errors], " measured order:", round(order, 3))

# %% [markdown]
# The measured order is 1: GD is a first-order method for the flow. The full check of
# T1–T3 (four objectives, closed forms, more $h$) is `gdtheory verify --only T1,T2,T3`.
