"""Benchmarks of issue 17: generic modified equations and symbolic parameters.

Run with ``pytest tests/benchmarks -m benchmark -s``.  Each compares with a baseline in
the same run and prints the ratio:

* the generic modified equation of explicit Euler (all trees with up to order+1
  vertices: 719 trees at h^9, 1842 at h^10, 20067 terms through h^12) against the same
  edge-cut recursion written with Python ``Fraction`` (the first implementation);
  issue target: order 10 under 1 s;
* concrete fields of the double well with one symbolic parameter (a x^4/4 - x^2/2,
  order 14) against the parameter-free x^4/4 - x^2/2; issue target: within 5x.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest

from gdtheory import Objective, generic_modified_equation, modified_equation
from gdtheory.backward_error.butcher import tableau, weight
from gdtheory.backward_error.trees import cuts, trees_of_order

pytestmark = pytest.mark.benchmark


def _fraction_recursion(max_vertices: int) -> dict:
    """Baseline: the cut recursion in Python Fractions."""
    tab = tableau("euler")
    memo: dict = {}
    b: dict = {}
    W: list[dict] = [{}, b]
    for n in range(1, max_vertices + 1):
        while len(W) <= n:
            W.append({})
        for t in trees_of_order(n):
            value = Fraction(weight(tab, t, memo))
            for i in range(2, n + 1):
                acc = Fraction(0)
                for theta, s in cuts(t):
                    if theta in W[i - 1] and s in b:
                        acc += W[i - 1][theta] * b[s]
                if acc:
                    W[i][t] = acc
                    value -= acc / math.factorial(i)
            if value:
                b[t] = value
    return b


@pytest.mark.parametrize("order", [10, 12])
def test_generic_euler(benchmark, order: int) -> None:
    trees_of_order(order + 1)  # enumeration cached for both
    t0 = time.perf_counter()
    base = _fraction_recursion(order + 1)
    t_base = time.perf_counter() - t0
    gme = benchmark.pedantic(
        generic_modified_equation, args=("euler", order), kwargs={"gradient": False}, rounds=3
    )
    t = benchmark.stats.stats.min
    assert gme.coefficients == {k: v for k, v in base.items()}
    terms = sum(len(r) for r in gme.terms)
    print(
        f"\ngeneric modified equation of explicit Euler to h^{order} ({terms} terms): "
        f"{t:.3f} s; Fraction baseline {t_base:.3f} s; ratio {t_base / t:.1f}x; "
        "issue target (order 10) < 1 s"
    )


def _cold(text: str, params: list[str]) -> float:
    """Seconds for modified_equation(text, 14) with SymPy's cache cleared first (so
    neither run reuses the other's derivatives); best of three."""
    from sympy.core.cache import clear_cache

    best = math.inf
    for _ in range(3):
        clear_cache()
        obj = Objective.parse(text, params=params)
        t0 = time.perf_counter()
        modified_equation(obj, 14)
        best = min(best, time.perf_counter() - t0)
    return best


def test_one_symbolic_parameter(benchmark) -> None:
    t_plain = _cold("x**4/4 - x**2/2", [])
    t = benchmark.pedantic(_cold, args=("a*x**4/4 - x**2/2", ["a"]), rounds=1)
    with_a = Objective.parse("a*x**4/4 - x**2/2", params=["a"])
    me = modified_equation(with_a, 14)
    assert me.bind(a=1).fields == modified_equation(Objective.parse("x**4/4 - x**2/2"), 14).fields
    print(
        f"\ndouble well to h^14 (cold SymPy cache): symbolic a {t:.3f} s, parameter-free "
        f"{t_plain:.3f} s; ratio {t / t_plain:.2f}x (issue target <= 5x)"
    )
