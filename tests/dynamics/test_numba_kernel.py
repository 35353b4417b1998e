"""Float64 sweeps: agreement with the reference engine, periods, orbit diagrams, basins,
executors and chunking (results must not depend on them)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from gdtheory import (
    Objective,
    iterate_map,
)
from gdtheory.dynamics.numba_kernel import kernel_source
from gdtheory.objectives import (
    matrix_factorization,
    multiscale_1d,
    scalar_factorization,
)


@pytest.mark.parametrize("h", [0.5, 1.1, 1.9])
def test_numba_kernel_equals_the_numpy_engine_bit_for_bit_on_the_factorisation(h):
    # +, -, * only: both engines round the same IEEE operations in the same order, so
    # even the chaotic and the diverging runs (h = 1.9) agree exactly.
    x0 = np.random.default_rng(2).uniform(-1.5, 1.5, (3000, 2))
    a = iterate_map(scalar_factorization(), x0, hs=h, steps=300, keep=8, backend="numpy")
    b = iterate_map(scalar_factorization(), x0, hs=h, steps=300, keep=8, backend="numba")
    assert (a.backend, b.backend) == ("numpy", "numba")
    assert np.array_equal(a.diverged, b.diverged)
    assert np.array_equal(a.tail, b.tail, equal_nan=True)
    assert 0 < a.diverged.sum() < a.diverged.size if h == 1.9 else True


@pytest.mark.parametrize(
    ("objective", "h", "x0"),
    [
        (multiscale_1d(eps="1/10"), 0.05, [[0.3], [-1.2], [2.0]]),  # sin, cos: math twins
        (Objective("log(1 + exp(x)) + x**2/4 + tanh(y)**2 + y**4/8"), 0.3, [[1.0, -0.5]]),
        (matrix_factorization([[1, 2], [3, 4]], 2), 0.05, np.full((1, 8), 0.5)),
    ],
)
def test_numba_kernel_agrees_with_numpy_on_transcendental_and_larger_objectives(objective, h, x0):
    a = iterate_map(objective, x0, hs=h, steps=400, keep=3, backend="numpy")
    b = iterate_map(objective, x0, hs=h, steps=400, keep=3, backend="numba")
    assert not a.diverged.any() and not b.diverged.any()
    np.testing.assert_allclose(b.tail, a.tail, rtol=1e-12, atol=1e-14)


def test_numba_kernel_flags_divergence_with_the_numpy_rule_and_nan_tails():
    x0 = [[5.0, 5.0], [0.5, 0.5], [1.2, -1.3]]
    a = iterate_map(scalar_factorization(), x0, hs=1.0, steps=100, keep=5, backend="numpy")
    b = iterate_map(scalar_factorization(), x0, hs=1.0, steps=100, keep=5, backend="numba")
    assert b.diverged.tolist() == a.diverged.tolist() == [True, False, True]
    assert np.isnan(b.tail[:, 0]).all() and np.isfinite(b.tail[:, 1]).all()
    # A bounded gradient never overflows: only the bound can stop the run.
    tanh = Objective("-x - tanh(x)")  # f' = -1 - sech^2: x grows by >= h a step
    r = iterate_map(tanh, [[0.0]], hs=1.0, steps=100, bound=50.0, backend="numba")
    assert r.diverged.tolist() == [True]


def test_numba_kernel_with_a_thread_pool_and_chunks_gives_the_serial_result():
    x0 = np.random.default_rng(3).uniform(-2, 2, (1000, 2))
    ref = iterate_map(scalar_factorization(), x0, hs=1.3, steps=200, keep=4, backend="numba")
    with ThreadPoolExecutor(2) as ex:
        par = iterate_map(
            scalar_factorization(),
            x0,
            hs=1.3,
            steps=200,
            keep=4,
            backend="numba",
            executor=ex,
            chunk=97,
        )
    assert np.array_equal(ref.tail, par.tail, equal_nan=True)


def test_kernel_source_is_printed_from_the_expression_tree_not_user_text():
    f = Objective("x**2/2 + y**2", symbols=["x", "y"])
    src = kernel_source(tuple(f.grad), f.symbols)
    assert "_x0 = _x0 - h * _g0" in src and "_g1 = 2*_x1" in src
    assert re.findall(r"\b[xy]\b", src) == []  # the user's names never reach the source
