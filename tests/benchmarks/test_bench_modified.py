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


def test_slow_manifold_map_read_term_by_term_vs_expanded(benchmark, monkeypatch):
    """The induced map of the slow-manifold engine is a truncated series in h: reading its
    h^j coefficients as written (one_step_maps._powers_of_h) against SymPy's expansion of
    the whole map (the path before), RMSProp on a 2-D quartic at order 1."""
    import gdtheory.backward_error.one_step_maps as osm
    from gdtheory.backward_error.slow_manifold import slow_manifold_equation
    from gdtheory.optimizers import RMSProp

    args = (RMSProp(beta2="3/4", eps="1/10"), "x**2/2 + x**4/4 + y**2 + x*y/2", 1)
    fast = benchmark.pedantic(
        slow_manifold_equation, args, {"manifold_order": 3}, rounds=1, iterations=1
    )
    t_fast = benchmark.stats.stats.mean
    with monkeypatch.context() as m:
        m.setattr(osm, "_powers_of_h", lambda e: None)
        slow, t_slow = _clock(lambda: slow_manifold_equation(*args, manifold_order=3))
    at = {s: sp.Rational(7, 5) if s.name == "x" else sp.Rational(3, 4) for s in fast.symbols}
    for F, G in zip(fast.fields, slow.fields, strict=True):  # signed: sign(g_i) at the point
        assert all(abs(sp.N((a - b).xreplace(at), 40)) < 1e-30 for a, b in zip(F, G, strict=True))
    print(
        f"\nslow manifold, 2-D: expanded {t_slow:.1f} s, term by term {t_fast:.1f} s, "
        f"ratio {t_slow / t_fast:.0f}x"
    )
