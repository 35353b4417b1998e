"""Sweeps on a real dask.distributed LocalCluster (two worker processes, localhost only)
give the same bytes as the local run (issue 19)."""

from __future__ import annotations

import distributed
import numpy as np
import pytest

import gdtheory as gt
from gdtheory.errors import InvalidInputError
from gdtheory.objectives import double_well, scalar_factorization


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_sweeps_on_the_cluster_equal_the_local_ones_bit_for_bit(client):
    f = scalar_factorization()
    starts = np.random.default_rng(0).uniform(0.2, 2.0, (600, 2))
    kw = {"hs": 1.9, "steps": 300, "keep": 4, "chunk": 100, "backend": "numpy"}
    local = gt.iterate_map(f, starts, **kw)
    remote = gt.iterate_map(f, starts, executor=client, **kw)
    assert local.x.tobytes() == remote.x.tobytes()
    assert local.tail.tobytes() == remote.tail.tobytes()
    assert np.array_equal(local.diverged, remote.diverged)
    box = [(0.2, 2.0), (0.2, 2.0)]
    b_local = gt.basins(f, box, h=1.9, resolution=40, transient=300)
    b_remote = gt.basins(f, box, h=1.9, resolution=40, transient=300, executor=client)
    assert b_local.labels.tobytes() == b_remote.labels.tobytes()
    d_local = gt.invariant_density(double_well(), [[0.5]], h=0.9, steps=2000, transient=10)
    d_remote = gt.invariant_density(
        double_well(), [[0.5]], h=0.9, steps=2000, transient=10, executor=client
    )
    assert d_local.counts.tobytes() == d_remote.counts.tobytes()


def test_a_non_executor_is_refused():
    with pytest.raises(InvalidInputError, match="executor must be"):
        gt.iterate_map(scalar_factorization(), [[1.0, 1.0]], hs=1.0, steps=2, executor=object())


def test_orbit_diagram_and_lyapunov_batches_on_the_cluster_equal_the_local_ones(client):
    f = double_well()
    kw = {"x0s": [[0.5], [-1.3]], "transient": 400, "keep": 64}
    hs = np.linspace(0.5, 1.2, 40)
    o_local = gt.orbit_diagram(f, hs=hs, **kw)
    o_remote = gt.orbit_diagram(f, hs=hs, executor=client, **kw)
    assert o_local.points.tobytes() == o_remote.points.tobytes()
    assert np.array_equal(o_local.periods, o_remote.periods)
    starts = np.random.default_rng(1).uniform(0.2, 2.0, (30, 2))
    lk = {"hs": 1.9, "steps": 400, "transient": 50, "spectrum": True, "blocks": 4}
    l_local = gt.lyapunov_batch(scalar_factorization(), starts, **lk)
    l_remote = gt.lyapunov_batch(scalar_factorization(), starts, executor=client, chunk=7, **lk)
    assert l_local.block_means.tobytes() == l_remote.block_means.tobytes()
    assert l_local.exponents.tobytes() == l_remote.exponents.tobytes()


def test_monte_carlo_on_the_cluster_equals_the_local_run(client):
    from gdtheory.dynamics.stochastic import PATH_BLOCK

    fs = ["(x-1)**2/2 + y**2", "(x+1)**2/2 + x*y"]
    paths = 2 * PATH_BLOCK + 100  # three blocks, three seed streams
    kw = {"h": 0.1, "steps": 5, "paths": paths, "seed": 7}
    local = gt.sgd_samples(fs, [0.3, -0.2], **kw)
    remote = gt.sgd_samples(fs, [0.3, -0.2], executor=client, **kw)
    assert local.tobytes() == remote.tobytes()
    assert len({tuple(r) for r in local[:50].round(12)}) > 1  # genuinely random
    sme = gt.stochastic_modified_equation(fs, order=2)
    sk = {"h": 0.25, "time": 0.5, "paths": paths, "seed": 3}
    s_local = gt.sme_samples(sme, [0.3, -0.2], **sk)
    s_remote = gt.sme_samples(sme, [0.3, -0.2], executor=client, **sk)
    assert s_local.tobytes() == s_remote.tobytes()
    # the blocks draw distinct streams: block 0 and block 1 are not copies
    assert not np.array_equal(local[:100], local[PATH_BLOCK : PATH_BLOCK + 100])
    wk = {"hs": ["1/4", "1/8"], "paths": 5000, "seed": 2}
    w_local = gt.weak_error_study(["x**4/4 + x", "x**2"], ["1/2"], "x**2", **wk)
    w_remote = gt.weak_error_study(["x**4/4 + x", "x**2"], ["1/2"], "x**2", executor=client, **wk)
    assert w_local.errors == w_remote.errors and w_local.stderrs == w_remote.stderrs


def test_a_sharpness_sweep_on_the_cluster_equals_the_local_one(client):
    """Issue 34: track_sharpness at several h, one task each, on the cluster's worker
    processes: the same traces as the local run."""
    from gdtheory.models import eos_network

    net = eos_network()
    kw = {"hs": [0.5, 1.0, 2.0], "steps": 200, "every": 20, "k": 2}
    local = gt.sharpness_sweep(net, net.init(seed=1), **kw)
    remote = gt.sharpness_sweep(net, net.init(seed=1), executor=client, **kw)
    for a, b in zip(local, remote, strict=True):
        assert a.h == b.h
        assert a.eigenvalues.tobytes() == b.eigenvalues.tobytes()
        assert a.loss.tobytes() == b.loss.tobytes()
    assert [t.h for t in local] == [0.5, 1.0, 2.0]
    with pytest.raises(InvalidInputError, match="hs="):
        gt.sharpness_sweep(net, net.init(seed=1), hs=[0.5], steps=2, h=0.5)
