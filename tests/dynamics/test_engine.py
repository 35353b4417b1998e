"""Float64 sweeps: agreement with the reference engine, periods, orbit diagrams, basins,
executors and chunking (results must not depend on them)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from gdtheory import (
    InvalidInputError,
    Objective,
    ShapeError,
    basins,
    gd_batch,
    iterate_map,
)
from gdtheory.dynamics import engine as sweeps
from gdtheory.objectives import (
    scalar_factorization,
)


def test_iterate_map_agrees_with_gd_batch_bit_for_bit_on_bounded_runs():
    f = scalar_factorization()
    x0 = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    a = iterate_map(f, x0, hs=0.4, steps=300)
    b = gd_batch(f, x0, hs=0.4, steps=300)
    assert np.array_equal(a.x, b.x)


def test_executor_and_chunking_do_not_change_the_result():
    f = scalar_factorization()
    x0 = np.random.default_rng(1).uniform(-2, 2, (1000, 2))
    ref = iterate_map(f, x0, hs=1.3, steps=200, keep=4)
    with ThreadPoolExecutor(2) as ex:
        par = iterate_map(f, x0, hs=1.3, steps=200, keep=4, executor=ex, chunk=97)
    assert np.array_equal(ref.tail, par.tail, equal_nan=True)
    assert np.array_equal(ref.diverged, par.diverged)


def test_divergence_is_flagged_and_nan_not_inf():
    r = iterate_map(scalar_factorization(), [[5.0, 5.0], [0.5, 0.5]], hs=1.0, steps=100, keep=2)
    assert r.diverged.tolist() == [True, False]
    assert np.isnan(r.x[0]).all() and np.isfinite(r.x[1]).all()


def test_auto_backend_uses_numpy_for_small_sweeps_and_numba_once_compiled_or_large():
    f = Objective("x**4/4 - x**2/2 + x/7")  # a gradient no other test compiles
    assert iterate_map(f, [[0.1]], hs=0.5, steps=10).backend == "numpy"
    assert sweeps.resolve_backend(f, "auto", sweeps.AUTO_NUMBA_WORK) == "numba"
    assert iterate_map(f, [[0.1]], hs=0.5, steps=10).backend == "numba"  # compiled now: reused


def test_numba_backend_reports_a_missing_numba_and_auto_falls_back(monkeypatch):
    # Every smooth function the parser admits has a math twin, so simulate the one
    # failure a user can meet: numba missing (or failing to compile) on their machine.
    from gdtheory.dynamics import numba_kernel as _numba

    def no_numba(*args):
        raise ImportError("No module named 'numba'")

    monkeypatch.setattr(_numba, "map_kernel", no_numba)
    f = Objective("x**2/2 + x**3/11")  # a gradient no other test compiles
    with pytest.raises(InvalidInputError, match="numba backend cannot compile.*numba"):
        iterate_map(f, [[0.1]], hs=0.5, steps=10, backend="numba")
    r = iterate_map(f, [[0.1]], hs=0.5, steps=10, backend="auto")
    assert r.backend == "numpy" and np.isfinite(r.x).all()
    with pytest.raises(InvalidInputError, match="backend must be one of"):
        iterate_map(f, [[0.1]], hs=0.5, steps=10, backend="cuda")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: iterate_map(scalar_factorization(), [[0, 0]], hs=0, steps=10), InvalidInputError),
        (lambda: iterate_map(scalar_factorization(), [[0, 0, 0]], hs=1, steps=10), ShapeError),
        (
            lambda: iterate_map(scalar_factorization(), [[0, 0]], hs=1, steps=10, keep=12),
            InvalidInputError,
        ),
        (
            lambda: iterate_map(scalar_factorization(), [[np.nan, 0]], hs=1, steps=10),
            InvalidInputError,
        ),
        (lambda: iterate_map(42, [[0]], hs=1, steps=10), InvalidInputError),
        (lambda: basins(scalar_factorization(), [(0, 1)], h=1, resolution=5), ShapeError),
        (
            lambda: basins(
                scalar_factorization(), [(0, 1), (0, 1)], h=1, resolution=5, dims=(0, 5)
            ),
            InvalidInputError,
        ),
    ],
)
def test_bad_input(call, error):
    with pytest.raises(error):
        call()


def test_an_expression_string_is_the_objective_it_denotes():
    """Strings are accepted wherever an objective is taken (parsed, never executed)."""
    a = iterate_map("(1 - x*y)**2/2", [[0.3, 1.2]], hs=0.5, steps=50, keep=3)
    b = iterate_map(scalar_factorization(), [[0.3, 1.2]], hs=0.5, steps=50, keep=3)
    assert np.array_equal(a.tail, b.tail)
