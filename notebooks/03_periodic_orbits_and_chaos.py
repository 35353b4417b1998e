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
# # 3. Periodic orbits and chaos of the GD map
#
# Beyond $2/L$ GD on a non-quadratic objective need not diverge: the map
# $\Phi_h(z) = z - h\nabla f(z)$ can settle on fixed points, periodic orbits or chaotic
# attractors (SPEC T6). The source's example is the scalar factorisation
# $f(x, y) = (1 - xy)^2/2$, neither $L$-smooth nor convex, at $h = 1.9$, where it says
# GD converges to orbits of periods 2, 3 and 4 depending on the start. Here we find
# *every* orbit of period $\le 4$, check one family against a closed form, and measure
# what GD actually does.

# %%
import matplotlib.pyplot as plt
import mpmath
import numpy as np
import sympy as sp

import gdtheory as gt
from gdtheory.objectives import logistic_conjugate, scalar_factorization

f = scalar_factorization()  # (1 - x y)^2 / 2
box = [(-3, 3), (-3, 3)]

# %% [markdown]
# ## Every orbit of period $\le 4$ at $h = 19/10$
#
# `periodic_orbits` runs Newton on $\Phi_h^p(z) - z$ from many seeds, with the
# Davidchack–Lai stabilising transformations so that unstable orbits are found too,
# refines each orbit at 50 digits, and reports its multipliers (eigenvalues of the
# Jacobian of $\Phi_h^p$). Curves of fixed points (the minimisers $xy = 1$) are reported
# as continua, not as thousands of orbits.

# %%
searches = {p: gt.periodic_orbits(f, box, h="19/10", period=p) for p in (1, 2, 3, 4)}
for p, s in searches.items():
    stable = sum(bool(o.stable) for o in s.orbits)
    print(f"period {p}: {len(s.orbits)} orbits ({stable} stable), continua: {len(s.continua)}")

# %% [markdown]
# **A closed form as an oracle.** On the diagonal $x = y$ the symmetric 2-cycle $\pm(a, a)$
# solves $h(a^2 - 1) = 2$, so $a^2 = 1 + 2/h$. The Hessian at $(a, a)$ has eigenvalues
# $3a^2 - 1$ (along $(1, 1)$) and $1 - a^2$ (along $(1, -1)$), hence the multipliers of
# the 2-cycle are $(1 - h(3a^2 - 1))^2 = (5 + 2h)^2$ and $(1 + 2)^2 = 9$.

# %%
h = sp.Rational(19, 10)
a = sp.sqrt(1 + 2 / h)
mpmath.mp.dps = 50
found = [o for o in searches[2].orbits
         if all(abs(abs(c) - float(a)) < 1e-6 for pt in o.points for c in pt)]
(orbit,) = found
mults = sorted(abs(m) for m in orbit.multipliers)
exact = sorted([sp.Integer(9), (5 + 2 * h) ** 2])
errors = [abs(m - mpmath.mpf(sp.N(e, 60))) for m, e in zip(mults, exact)]
print("multipliers:", [mpmath.nstr(m, 20) for m in mults], " exact:", exact)
print("max error:", mpmath.nstr(max(errors), 3))
assert max(errors) < mpmath.mpf(10) ** -30
mpmath.mp.dps = 15

# %% [markdown]
# Every orbit of period $\le 4$ at $h = 1.9$ is **unstable**, so GD cannot converge to
# any of them. The blog's figure: the orbits over the minimiser curve $xy = 1$.

# %%
fig, ax = plt.subplots(figsize=(6.5, 6))
xs = np.linspace(0.3, 3, 200)
ax.plot(xs, 1 / xs, "r-", lw=2, label="minimisers xy = 1")
ax.plot(-xs, -1 / xs, "r-", lw=2)
colours = {2: "tab:blue", 3: "tab:green", 4: "tab:purple"}
for p in (2, 3, 4):
    for i, o in enumerate(searches[p].orbits[:6]):
        pts = np.array([[float(c) for c in pt] for pt in o.points] + [[float(c) for c in o.points[0]]])
        ax.plot(pts[:, 0], pts[:, 1], "o-", color=colours[p], ms=4, lw=0.8, alpha=0.8,
                label=f"period {p} (unstable)" if i == 0 else None)
ax.set(xlim=(-3, 3), ylim=(-3, 3), xlabel="x", ylabel="y",
       title="GD on (1 - xy)^2/2, h = 1.9: periodic orbits (all unstable)")
ax.legend(loc="lower right")
ax.set_aspect("equal")

# %% [markdown]
# ## What GD does at $h = 1.9$: chaos
#
# A bounded GD run wanders on a chaotic attractor: its largest Lyapunov exponent
# (with a block-based standard error and a drift diagnostic) is clearly positive.

# %%
lyap = gt.lyapunov_exponent(f, [0.3, 0.5], h=1.9, steps=20000)
print(f"lambda = {lyap.exponents[0]:.4f} +- {lyap.stderr[0]:.4f}  ({lyap.status.value})")

# %% [markdown]
# The exponent estimator is checked on a map whose answer is known: a cubic objective
# whose GD map at $h = 1$ is conjugate to the logistic map at $r = 4$, with exponent
# $\ln 2$ and invariant density the arcsine law.

# %%
conj = logistic_conjugate()
lc = gt.lyapunov_exponent(conj, 0.3, h=1, steps=50000)
print(f"logistic-conjugate cubic: lambda = {lc.exponents[0]:.5f}, ln 2 = {np.log(2):.5f}")
starts = np.linspace(-0.9, 0.9, 200)[:, None]
dens = gt.invariant_density(conj, starts, h=1.0, steps=50000, range=(-1, 1))  # 10^7 samples
cmp = gt.compare_density(dens, gt.arcsine_law())
print(f"total variation to the arcsine law: {cmp.tv:.4f} (split-half noise {cmp.tv_split:.4f})")

# %% [markdown]
# ## Where stable orbits do exist: the orbit diagram
#
# Along the diagonal, the long-run iterates against $h$ show the period-doubling route
# to chaos: fixed points up to $h = 1$, a stable 2-cycle for $1 < h < \sqrt5 - 1$, windows
# of period 3 and 4 later, and divergence near $h = 2$.

# %%
d = gt.orbit_diagram(f, [[0.3, 0.5]], hs=np.linspace(0.8, 2.0, 800), keep=64)
ax = d.plot(s=0.3)
ax.axvline(np.sqrt(5) - 1, color="grey", ls="--", lw=0.8)
ax.set_title("orbit diagram of GD on (1 - xy)^2/2 from (0.3, 0.5); dashed: h = sqrt(5) - 1")

# %% [markdown]
# At $h = 1.1$ no minimiser is stable (on $xy = 1$, $x^2 + y^2 \ge 2 > 2/h$), but the
# search finds two stable 2-cycles, and the basins of attraction show which starts go
# where (legend: attractors and divergence). The few starts labelled "fixed point" lie
# exactly on the anti-diagonal $x = -y$, a line GD maps into itself and on which the
# saddle at the origin attracts: a measure-zero basin that the symmetric grid hits.

# %%
s11 = gt.periodic_orbits(f, box, h="11/10", period=2)
print(s11, [o.stable for o in s11.orbits])
b = gt.basins(f, [(-2, 2), (-2, 2)], h=1.1, resolution=200)
print(b)
fixed = b.labels == next(a.label for a in b.attractors if a.kind == "fixed point")
assert np.allclose(b.xs[np.nonzero(fixed)[1]], -b.ys[np.nonzero(fixed)[0]])  # on x = -y
ax = b.plot()
ax.set_title("basins of attraction of GD, h = 1.1")

# %% [markdown]
# The complete study (h scan for stable periods 2, 3, 4, GD fates from a grid of
# starts, and the verdict on the source's claim) is `gdtheory verify --only T6`.
