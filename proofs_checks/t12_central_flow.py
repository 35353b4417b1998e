r"""T12 part (g), full report: the central flow of RMSProp on the T9 network.

RMSProp(beta2 = 0.99, eps = 1e-8) at h = 0.002 on the T9 tanh network (224 parameters,
its JAX twin for the third derivatives), 1500 steps from the second moment nu0 = g(w0)^2
(the flow starts there; so does the run).  Compared with RMSProp's local averages (11
steps about every 100th): :func:`gdtheory.central_flow` with ``method=RMSProp`` (k = 2,
4 Heun substeps per step) and the stable flow dx/dt = -g/(sqrt(nu) + eps), dnu/dt =
(1 - beta2)/(beta2 h) (g^2 - nu) (S = 0), by scipy's DOP853.  Reported: the relative
distance of each to the run's average, the central flow's predicted loss against the
run's average loss, and the preconditioned sharpness on the flow / (2/h).
"""

from __future__ import annotations

import numpy as np

from gdtheory import central_flow
from gdtheory.optimizers import RMSProp
from gdtheory.report.claims import CheckContext, Part, Table

from .source import network_and_twin

H, BETA2, EPS, STEPS, EVERY, HALF = 0.002, 0.99, 1e-8, 1500, 100, 5


def central_flow_part(ctx: CheckContext) -> Part:
    """(g): the RMSProp central flow against the run and the stable flow."""
    if ctx.quick:
        return Part()
    from scipy.integrate import solve_ivp

    net, twin, why = network_and_twin()
    if twin is None:
        return Part({"(g) RMSProp central flow": f"not run: {why}"})
    w0 = net.init(seed=1)
    g0 = net.grad(w0)
    W, losses = np.empty((STEPS + 1, net.dim)), np.empty(STEPS + 1)
    rms = RMSProp("99/100", "1e-8")
    # the registry's one update formula, the parameter vector held as one array coordinate
    x, state = [w0.copy()], ([g0 * g0],)
    W[0], losses[0] = x[0], net.loss(x[0])
    for n in range(STEPS):
        x, state = rms.update(lambda y: [net.grad(y[0])], x, state, H)
        W[n + 1], losses[n + 1] = x[0], net.loss(x[0])
    marks = np.arange(EVERY, STEPS + 1, EVERY)
    cf = central_flow(twin, w0, marks * H, h=H, k=2, substeps=4, method=rms)
    c = (1 - BETA2) / (BETA2 * H)
    d = net.dim

    def stable(_t: float, z: np.ndarray) -> np.ndarray:
        gw = net.grad(z[:d])
        return np.concatenate([-gw / (np.sqrt(z[d:]) + EPS), c * (gw * gw - z[d:])])

    sf = solve_ivp(
        stable,
        (0, STEPS * H),
        np.concatenate([w0, g0 * g0]),
        method="DOP853",
        t_eval=marks * H,
        rtol=1e-10,
        atol=1e-12,
    ).y.T[:, :d]
    rows, d_cf, d_sf = [], [], []
    for j, n in enumerate(marks):
        lo, hi = max(0, n - HALF), min(STEPS + 1, n + HALF + 1)
        avg, avg_loss = W[lo:hi].mean(axis=0), float(losses[lo:hi].mean())
        scale = float(np.linalg.norm(avg))
        e_cf = float(np.linalg.norm(cf.states[j] - avg)) / scale
        e_sf = float(np.linalg.norm(sf[j] - avg)) / scale
        d_cf.append(e_cf)
        d_sf.append(e_sf)
        rows.append(
            (
                int(n),
                e_cf,
                e_sf,
                avg_loss,
                float(cf.predicted_loss[j]),
                net.loss(sf[j]),
                float(cf.sharpness[j] * H / 2),
                int(cf.active[j]),
            )
        )
    numbers = {
        "RMSProp central flow: largest relative distance to the run's average": max(d_cf),
        "stable flow: largest relative distance to the run's average": max(d_sf),
        "central flow: predicted / average loss at the end": rows[-1][4] / rows[-1][3],
        "stable flow: loss / average loss at the end": rows[-1][5] / rows[-1][3],
    }
    table = Table(
        f"(g) full run: RMSProp({BETA2}, {EPS}) at h = {H} on the T9 network, {STEPS} steps "
        "from nu0 = g(w0)^2; distances relative to the run's average over 11 steps",
        (
            "step",
            "central flow: distance",
            "stable flow: distance",
            "run: mean loss",
            "central flow: predicted loss",
            "stable flow: loss",
            "lambda_max(P^-1 H) / (2/h)",
            "rank of S",
        ),
        tuple(rows),
    )
    return Part(numbers, (table,), facts={"rms_flow": (max(d_cf), max(d_sf))})
