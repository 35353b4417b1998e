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
