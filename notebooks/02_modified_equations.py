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
# # 2. Modified equations (backward error analysis)
#
# There is a formal series of vector fields $F_h = F_0 + h F_1 + h^2 F_2 + \dots$ whose
# time-$h$ flow equals the GD map $\Phi_h$ to all orders in $h$ (Hairer, Lubich, Wanner,
# *Geometric Numerical Integration*, ch. IX). Truncating at order $p$ gives the
# **modified flow** of order $p$; $p = 0$ is the gradient flow. This notebook
#
# * generates the fields and the modified potentials exactly, to any order;
# * shows the obstruction in 2-D (no potential at order $h^2$ on $(xy - 1)^2/2$);
# * checks the quadratic closed form and its radius of convergence $1/L$;
# * reproduces the blog's four-regime figure: modified flows are excellent for
#   $h < 1/L$, useless for $1/L < h < 2/L$ (and higher order is *worse* there).

# %%
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp

import gdtheory as gt

# %% [markdown]
# ## Fields and potentials, exactly
#
# In one dimension every field is a gradient, $F_k = -f_k'$, so the modified potential
# $f_h = f + h f_1 + h^2 f_2 + \dots$ exists to every order.

# %%
me = gt.modified_equation("x**4/4 - x**2/2", 4)
for k, (F, fk) in enumerate(zip(me.fields, me.potentials)):
    print(f"F_{k} = {F[0]}    f_{k} = {fk}")

# %% [markdown]
# The first correction is the **implicit gradient regulariser**:
# $f_1 = \tfrac14 |\nabla f|^2$, i.e. GD follows $f + \tfrac h4 |\nabla f|^2$ to $O(h^2)$.

# %%
(x,) = me.symbols  # the objective's symbol (declared real)
f = me.objective.expr
assert sp.simplify(me.potentials[1] - sp.diff(f, x) ** 2 / 4) == 0
print("f_1 = |f'|^2 / 4 exactly:", me.potentials[1])

# %% [markdown]
# In two dimensions the $h^2$ field need not be a gradient. On the scalar factorisation
# $(xy - 1)^2/2$ its curl (the antisymmetric part of its Jacobian) is not zero: there is
# no modified potential at second order, and the toolkit says so rather than inventing one.

# %%
me2 = gt.modified_equation("(x*y - 1)**2/2", 2)
print("gradient at each order:", me2.is_gradient)
print("obstruction at h^2 (antisymmetric Jacobian):")
sp.pprint(me2.obstructions[2])

# %% [markdown]
# ## The quadratic: a closed form, and radius of convergence $1/L$
#
# For $f = \tfrac12 x^T A x$ the modified field to all orders is
# $-\sum_i \frac{-\log(1 - h\lambda_i)}{h\lambda_i}\,\lambda_i (u_i \cdot x)\,u_i$,
# a series in $h$ that converges iff $h < 1/\max|\lambda_i|$.

# %%
q = gt.quadratic_modified_equation("3*x**2/2")  # L = 3
print(q)
series = gt.modified_potential("3*x**2/2", 6)
print("modified potential to order 6:", sp.expand(series))
diag = gt.series_diagnostics("3*x**2/2", ["1/2"], order=24)
print(f"estimated radius of convergence: {float(diag.radius):.5f}  (1/L = {1/3:.5f})")

# %% [markdown]
# ## The four regimes (the blog's figure)
#
# GD on $f = x^2/2$ ($L = 1$) from $x_0 = 1$, against the modified flows of order
# $p = 0, 1, 2, 4$ evaluated at the times $t = kh$. For $f = x^2/2$ the order-$p$ flow
# is $y_p(t) = e^{-c_p t}$ with $c_p = \sum_{j \le p} h^j/(j + 1)$ (the truncated
# $-\log(1 - h)/h$), so we can also check the toolkit's 30-digit integrator against it.

# %%
regimes = [("(1) h near 0", "1/20"), ("(2) h < 1/L", "1/2"),
           ("(3) 1/L < h < 2/L", "3/2"), ("(4) h > 2/L", "5/2")]
orders = [0, 1, 2, 4]
fig, axes = plt.subplots(1, 4, figsize=(17, 4))
for ax, (title, hs) in zip(axes, regimes):
    h = sp.Rational(hs)
    K = 8 if h > 1 else int(4 / h)
    gd_x = gt.gd(gt.Objective.parse("x**2/2"), [1], h=h, steps=K, dps=30).as_numpy()[:, 0]
    t = float(h) * np.arange(K + 1)
    ax.plot(t, gd_x, "ko:", ms=4, lw=0.6, label="GD")
    for p in orders:
        times = [k * h for k in range(K + 1)]
        y = gt.modified_flow("x**2/2", [1], times, order=p, h=h, dps=30)
        y = np.array([float(s[0]) for s in y.states])
        c_p = sum(float(h) ** j / (j + 1) for j in range(p + 1))
        assert np.allclose(y, np.exp(-c_p * t), rtol=1e-12)  # closed-form oracle
        fine = np.linspace(0, t[-1], 400)  # the flow between the steps, from the closed form
        ax.plot(fine, np.exp(-c_p * fine), "-",
                label=f"order {p}" + (" (gradient flow)" if p == 0 else ""))
    ax.set(title=f"{title}: h = {hs}", xlabel="t = k h")
    ax.axhline(0, color="grey", lw=0.5)
axes[0].set_ylabel("x")
axes[0].legend(fontsize=8)
axes[3].set_yscale("symlog", linthresh=1)
fig.tight_layout()

# %% [markdown]
# Reading the panels: in (1) all flows sit on GD; in (2) gradient flow is visibly off
# while the modified flows converge to GD as the order grows; in (3) GD flips sign at
# every step, which no real one-dimensional flow can do, and the higher orders decay
# *faster* than GD's magnitude $|1 - h|^k = 2^{-k}$, so they are worse; in (4) GD
# diverges while every modified flow decays.
#
# Inside the radius the errors are measured, not assumed: `modified_error_table` runs GD
# and the modified flows for a fixed number of steps on a sequence of $h$ and fits the
# order of the error, which should be $p + 2$ for the order-$p$ flow (local error).

# %%
table = gt.modified_error_table("x**2/2 + logcosh(x)", [1], hs=["1/10", "1/20", "1/40"], orders=[0, 1, 2], steps=1, dps=40)
print(table)

# %% [markdown]
# The full check (both objectives, signed and magnitude errors, decision rules) is
# `gdtheory verify --only T4,T5`.

# %% [markdown]
# ## Adam's implicit regulariser (claim T12)
#
# Methods with fast state (momentum, RMSProp, Adam) get their modified equation on the
# slow manifold, where the state is a function of x. Adam's steady state
# (`bias_correction=False`) with symbolic $\beta_1, \beta_2, \varepsilon$: the order-0
# field is the sign-like flow $-g/(|g| + \varepsilon)$ and the $h$-term is a multiple of
# $-\nabla(|g| + \varepsilon)$ whose sign depends on the hyperparameters: for small
# $\varepsilon$ it penalises the perturbed one-norm when $\beta_1 > \beta_2$ and hinders its
# decrease when $\beta_2 > \beta_1$, the usual (0.9, 0.999) (Cattaneo, Klusowski and
# Shigida, ICML 2024). The symbol `sigma_1` is $\mathrm{sign}(g)$, a region where the
# gradient keeps its sign.

# %%
import sympy as sp

from gdtheory.optimizers import Adam

b1, b2, eps = sp.symbols("beta1 beta2 eps", positive=True)
adam = gt.method_modified_equation(Adam(b1, b2, eps, bias_correction=False), "x**4/4 - x**2/2", 1)
x = adam.symbols[0]
F0, F1 = (adam.signed(F)[0] for F in adam.fields)
at = {x: sp.Rational(3, 2)}  # g = 15/8 > 0
print("F_0 at x = 3/2:", sp.simplify(F0.subs(at)))
bracket = sp.factor(sp.simplify(F1.subs(at)))
print("F_1 at x = 3/2:", bracket)
for v1, v2 in (("9/10", "999/1000"), ("99/100", "9/10")):
    value = bracket.subs({b1: sp.Rational(v1), b2: sp.Rational(v2), eps: sp.Rational(1, 10**8)})
    print(f"beta1 = {v1}, beta2 = {v2}: F_1 = {float(value):+.4g}",
          "(ascends |g|: hinders)" if value > 0 else "(descends |g|: penalises)")

# %% [markdown]
# At x = 3/2 the gradient is positive and $|g|$ grows with x (g' > 0), so a positive
# $F_1$ pushes x up the one-norm (hinders its decrease) and a negative one down it. The
# orders are measured like GD's: `gt.manifold_errors(Adam(...), f, x0, hs=..., time=...)`
# starts the method on its slow manifold and fits the global error against the order-p
# flows (slopes p + 1); the report's T12 does it at 50 digits.
