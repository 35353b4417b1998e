"""Benchmark of issue 19: a 2000 x 2000 basin map of (1 - xy)^2/2 on a two-process dask
LocalCluster against the same call locally (same process, one core), same run.

Run with ``pytest tests/benchmarks -m benchmark -s -n 0``.  The labels are compared
byte for byte before the times are printed; the ratio local / cluster is printed, not
asserted (it depends on the cores the machine gives the two workers).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import gdtheory as gt
from gdtheory.objectives import scalar_factorization

pytestmark = pytest.mark.benchmark

KW = {"h": 1.9, "resolution": 2000, "transient": 300, "backend": "numpy"}
BOX = [(0.2, 2.0), (0.2, 2.0)]


def test_basin_map_on_a_local_cluster_against_the_local_call() -> None:
    distributed = pytest.importorskip("distributed")
    f = scalar_factorization()
    gt.basins(f, BOX, h=1.9, resolution=50, transient=300, backend="numpy")  # warm-up
    t0 = time.perf_counter()
    local = gt.basins(f, BOX, **KW)
    t_local = time.perf_counter() - t0
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as client:
        gt.basins(f, BOX, h=1.9, resolution=50, transient=300, backend="numpy", executor=client)
        t0 = time.perf_counter()
        remote = gt.basins(f, BOX, executor=client, **KW)
        t_cluster = time.perf_counter() - t0
    cluster.close()
    assert local.labels.tobytes() == remote.labels.tobytes()
    print(
        f"\n2000 x 2000 basin map, {KW['transient']} + 32 steps per start, NumPy engine: "
        f"local {t_local:.2f} s, LocalCluster (2 worker processes) {t_cluster:.2f} s; "
        f"ratio local / cluster = {t_local / t_cluster:.2f}; "
        f"{len(np.unique(local.labels))} classes"
    )
