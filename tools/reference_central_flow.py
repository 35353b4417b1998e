"""Time the authors' central-flow code on the benchmark network of
``tests/benchmarks/test_bench_central_flow.py`` (issue 34), measured the same way: the
central flow (4 substeps a step) against their own GD run with the top-2 eigenvalues at
every step (``Flow.discrete``, compiled LOBPCG), 600 steps at h = 2, best of two runs.

The reference (https://github.com/alex-damian/central_flows_jax) is not a dependency of
gdtheory; run it in a separate virtual environment:

    python -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install "jax==<gdtheory's>" jaxtyping cvxpy cvxopt
    /tmp/refvenv/bin/pip install --no-deps -e <a checkout of central_flows_jax>
    .venv/bin/python tools/reference_central_flow.py --write net.npz     # gdtheory's data
    /tmp/refvenv/bin/python tools/reference_central_flow.py --run net.npz

The network is gdtheory's ``TwoLayerTanh`` (32 points in 9 dimensions, width 11, 121
parameters, start ``init(seed=1)``), its loss written out below in JAX.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

H, STEPS, WIDTH = 2.0, 600, 11


def write(path: str) -> None:
    from gdtheory import TwoLayerTanh, synthetic_regression

    X, y = synthetic_regression(32, 9, seed=0)
    net = TwoLayerTanh(X, y, width=WIDTH)
    np.savez(path, X=net.X, y=net.y, w0=net.init(seed=1))


def run(path: str) -> None:
    import jax
    import jax.numpy as jnp
    from central_flows_jax import Flow, GradientDescent  # the reference

    jax.config.update("jax_enable_x64", True)
    data = np.load(path)
    X, y, w0 = (jnp.asarray(data[key]) for key in ("X", "y", "w0"))
    m, d = WIDTH, X.shape[1]

    def loss(w: Any) -> Any:
        W, b, a = w[: m * d].reshape(m, d), w[m * d : m * d + m], w[m * d + m :]
        r = jnp.tanh(X @ W.T + b) @ a / jnp.sqrt(m) - y
        return 0.5 * jnp.mean(r**2)

    opt = GradientDescent(lr=H)
    state0 = opt.init(w0)
    flow = Flow(loss, opt)
    U0 = jnp.asarray(np.random.default_rng(0).standard_normal((w0.size, 2)))

    def trajectory(central: bool) -> tuple[np.ndarray, Any]:
        state, eigs = (w0, state0, U0), []
        for _ in range(STEPS):
            state, aux = flow.central(*state, substeps=4) if central else flow.discrete(*state)
            eigs.append(np.asarray(aux["eigs"]))
        jax.block_until_ready(state)
        return np.array(eigs), state

    def best(central: bool) -> tuple[float, Any]:
        times, out = [], None
        for _ in range(2):
            t0 = time.perf_counter()
            out = trajectory(central)
            times.append(time.perf_counter() - t0)
        return min(times), out

    trajectory(False), trajectory(True)  # compile
    t_gd, _ = best(False)
    t_cf, (eigs, state) = best(True)
    print(
        f"reference central flow {t_cf:.2f} s; its GD + top-2 (LOBPCG) {t_gd:.2f} s; ratio "
        f"{t_cf / t_gd:.1f}; end: top-2 eigenvalues {eigs[-1] / H}, "
        f"loss {float(loss(state[0])):.3g}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="NPZ", help="write the network's data (gdtheory's venv)")
    group.add_argument("--run", metavar="NPZ", help="time the reference (its own venv)")
    args = parser.parse_args()
    write(args.write) if args.write else run(args.run)
