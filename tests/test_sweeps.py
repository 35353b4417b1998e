"""Float64 sweeps: agreement with the reference engine, periods, orbit diagrams, basins,
executors and chunking (results must not depend on them)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory import (
    InvalidInputError,
    Objective,
    ShapeError,
    basins,
    detect_periods,
    gd_batch,
    iterate_map,
    orbit_diagram,
)
from gdtheory.dynamics import engine as sweeps
from gdtheory.dynamics.numba_kernel import kernel_source
from gdtheory.objectives import (
    double_well,
    matrix_factorization,
    multiscale_1d,
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


def test_kernel_source_is_printed_from_the_expression_tree_not_user_text():
    f = Objective("x**2/2 + y**2", symbols=["x", "y"])
    src = kernel_source(tuple(f.grad), f.symbols)
    assert "_x0 = _x0 - h * _g0" in src and "_g1 = 2*_x1" in src
    assert re.findall(r"\b[xy]\b", src) == []  # the user's names never reach the source


@given(p=st.integers(1, 8), reps=st.integers(2, 4), n=st.integers(1, 3), seed=st.integers(0, 99))
@settings(max_examples=30, deadline=None)
def test_detect_periods_finds_the_minimal_period_of_a_synthetic_cycle(p, reps, n, seed):
    cycle = np.random.default_rng(seed).normal(size=(p, n))
    tail = np.tile(cycle, (2 * 8 // p + 2, 1))[: 2 * 8][:, None, :]
    assert detect_periods(tail, 8).tolist() == [p]


def test_orbit_diagram_period_doubling_of_the_double_well():
    # x -> x - h (x^3 - x): the fixed point 1 has multiplier 1 - 2h, doubling at h = 1
    d = orbit_diagram(double_well(), [[0.5]], hs=[0.5, 0.95, 1.05, 1.2], transient=3000, keep=64)
    assert d.periods[:, 0].tolist() == [1, 1, 2, 2]


def test_basins_classify_the_mirror_pair_of_two_cycles():
    b = basins(
        scalar_factorization(), [(-1.5, 1.5), (-1.5, 1.5)], h=1.1, resolution=21, transient=800
    )
    per = [a for a in b.attractors if a.kind == "periodic"]
    assert [a.period for a in per] == [2, 2]
    # closed form (T6): s^2 = ((h + 1) +- sqrt((h + 1)^2 - 4))/(2h); cycle keys are the
    # lexicographically smallest points (-s+, -s+) and (s-, s-)
    h = 1.1
    r = np.sqrt((h + 1) ** 2 - 4)
    s_plus, s_minus = np.sqrt((h + 1 + r) / (2 * h)), np.sqrt((h + 1 - r) / (2 * h))
    keys = sorted(a.point for a in per)
    assert np.allclose(keys, [(-s_plus, -s_plus), (s_minus, s_minus)], atol=2e-5)
    assert 0 < b.fraction("diverged") < 1


def test_basins_merge_a_continuum_of_fixed_points():
    b = basins(
        scalar_factorization(),
        [(0.5, 2), (0.5, 2)],
        h=0.3,
        resolution=20,
        transient=3000,
        max_fixed_points=5,
    )
    assert [a.kind for a in b.attractors][0] == "fixed points (continuum)"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: iterate_map(scalar_factorization(), [[0, 0]], hs=0, steps=10), InvalidInputError),
        (lambda: iterate_map(scalar_factorization(), [[0, 0, 0]], hs=1, steps=10), ShapeError),
        (
            lambda: iterate_map(scalar_factorization(), [[0, 0]], hs=1, steps=10, keep=11),
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
