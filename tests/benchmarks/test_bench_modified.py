"""Benchmark: modified equations by the differential-ring recursion vs the naive expansion.

Run with ``pytest tests/benchmarks -m benchmark -s``.  Each test times the naive baseline
(:func:`gdtheory.testing.reference.naive_modified_fields`: SymPy ``expand`` of exp(h L_G)
at every order) and the toolkit in the same run, checks they agree, and prints the ratio.
"""

from __future__ import annotations

import time

import pytest
import sympy as sp

from gdtheory import Objective, modified_equation
from gdtheory.testing.reference import naive_modified_fields

pytestmark = pytest.mark.benchmark


def _clock(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


@pytest.mark.parametrize(("text", "order"), [("x**4/4 - x**2/2", 5), ("(x*y - 1)**2/2", 3)])
def test_ratio_against_naive_expansion(benchmark, text, order):
    obj = Objective.parse(text)
    naive, t_naive = _clock(naive_modified_fields, obj, order)
    me = benchmark(modified_equation, obj, order)
    t_fast = benchmark.stats.stats.mean
    assert all(
        sp.expand(a - b) == sp.zeros(obj.dim, 1) for a, b in zip(naive, me.fields, strict=True)
    )
    print(
        f"\n{text} order {order}: naive {t_naive:.2f} s, gdtheory {t_fast * 1e3:.2f} ms, "
        f"ratio {t_naive / t_fast:.0f}x"
    )


@pytest.mark.parametrize(
    ("text", "order", "target_s"),
    [("x**4/4 - x**2/2", 14, 1.0), ("x**4/4 - x**2/2", 24, 30.0), ("(x*y - 1)**2/2", 6, 10.0)],
)
def test_issue_targets(benchmark, text, order, target_s):
    obj = Objective.parse(text)
    benchmark(modified_equation, obj, order)
    mean = benchmark.stats.stats.mean
    print(
        f"\n{text} order {order}: {mean * 1e3:.1f} ms (issue target {target_s} s, "
        f"ratio to target {target_s / mean:.0f}x)"
    )
