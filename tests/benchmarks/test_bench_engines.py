"""Benchmarks of issue 35: each engine replaced to shorten the report, against the old one
in the same run (same inputs, results checked equal before the ratio is printed).

Run with ``pytest tests/benchmarks/test_bench_engines.py -m benchmark -s -n 0``.

* the slow manifold's state: compiled from SymPy's factored S_j (``.manifold``, the old
  path) or from the unfactored rational functions (``state_at`` now);
* the principal flow's phi(hH) in 2-D: ``mpmath.eig`` and V phi V^-1 (first), the quadratic
  formula and Sylvester's formula in mpmath (second), the same in gmpy2 (now);
* conserved-quadratic detection: the whole grad f . S x expanded and ``Matrix.nullspace``
  (old) or one polynomial per entry of S and DomainMatrix's null space (now);
* compiled high-precision code (modified fields, gradients): SymPy's mpmath code with
  ``mpf(p)/mpf(q)`` at every call (old) or constants once per precision and gmpy2.mpfr
  arithmetic (now), the same bits;
* T8's matrix study: GD start by start with ``FactorizationModel.grad`` (old) or all
  starts at once with ``grad_batch`` (now), the same bits;
* T4's SymPy-series oracle of the quadratic closed form: one ``series`` per power of h
  (old) or one per component for all powers (now).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp

from gdtheory.backward_error.slow_manifold import slow_manifold_equation
from gdtheory.continuous.principal_flow import _eigenvalues_2x2, _sylvester_2x2, principal_phi
from gdtheory.core.compiled import compile_mp
from gdtheory.core.objective import Objective
from gdtheory.landscape.invariants import _nullspace
from gdtheory.optimizers import Adam

pytestmark = pytest.mark.benchmark


def _clock(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def test_slow_manifold_state_unfactored_against_factored():
    method = Adam(beta1="1/2", beta2="3/4", eps="1/10", bias_correction=False)
    h = sp.Symbol("h")

    def old() -> Any:
        sm = slow_manifold_equation(method, "x**4/4 - x**2/2", 1, manifold_order=3)
        series = [
            sum((h**j * Sj[i] for j, Sj in enumerate(sm.manifold)), sp.Integer(0))
            for i in range(len(sm.manifold[0]))
        ]
        fn = compile_mp(series, [*sm.symbols, *(sg for sg, _ in sm.signs), h])
        with mpmath.workdps(40):
            return fn([mpmath.mpf(2), *(1 for _ in sm.signs), mpmath.mpf(1) / 64])

    def new() -> Any:
        sm = slow_manifold_equation(method, "x**4/4 - x**2/2", 1, manifold_order=3)
        with mpmath.workdps(40):
            return [v for block in sm.state_at(["2"], h="1/64") for v in block]

    a, t_old = _clock(old)
    b, t_new = _clock(new)
    with mpmath.workdps(40):
        assert max(abs(u - v) for u, v in zip(a, b, strict=True)) < mpmath.mpf(10) ** -35
    print(
        f"\nslow manifold state: factored {t_old:.2f} s, unfactored {t_new:.2f} s, "
        f"ratio {t_old / t_new:.1f}"
    )


def test_principal_phi_closed_form_gmpy2_against_mpmath():
    """phi(hH) of a 2 x 2 complex symmetric matrix: mpmath.eig and V phi V^-1 (the first
    engine), the quadratic and Sylvester formulas in mpmath (the second), the same in
    gmpy2 (now)."""
    import gmpy2

    from gdtheory.core.compiled import from_gmpy2, to_gmpy2

    with mpmath.workdps(30), gmpy2.context(precision=mpmath.mp.prec):
        a, b, d = mpmath.mpc(3, 0.2), mpmath.mpf("0.7"), mpmath.mpf(1)
        H = mpmath.matrix([[a, b], [b, d]])
        hm = mpmath.mpf(1) / 4

        def eig() -> Any:
            for _ in range(2000):
                lam, V = mpmath.eig(H)
                out = V * mpmath.diag([principal_phi(hm * v) for v in lam]) * mpmath.inverse(V)
            return [out[i, j] for i in range(2) for j in range(2)]

        def closed_mpmath() -> Any:
            for _ in range(2000):
                root = mpmath.sqrt((a - d) ** 2 / 4 + b * b)
                l1, l2 = (a + d) / 2 + root, (a + d) / 2 - root
                p1, p2 = principal_phi(hm * l1), principal_phi(hm * l2)
                s1, s2 = p1 / (l1 - l2), p2 / (l2 - l1)
                s, t = s1 + s2, s1 * l2 + s2 * l1
                out = mpmath.matrix([[s * a - t, s * b], [s * b, s * d - t]])
            return [out[i, j] for i in range(2) for j in range(2)]

        def closed_gmpy2() -> Any:
            entries = [to_gmpy2(v) for v in (a, b, b, d)]
            h_g = to_gmpy2(hm)
            for _ in range(2000):
                two = _eigenvalues_2x2(*entries)
                out = _sylvester_2x2(entries, two, [principal_phi(h_g * v) for v in two])
            return [from_gmpy2(v) for v in out]

        ref, t_eig = _clock(eig)
        mid, t_mid = _clock(closed_mpmath)
        new, t_new = _clock(closed_gmpy2)
        assert max(abs(u - v) for u, v in zip(ref, new, strict=True)) < 1e-25
        assert max(abs(u - v) for u, v in zip(mid, new, strict=True)) < 1e-28
    print(
        f"\nphi(hH), 2 x 2, 2000 times: eig {t_eig:.2f} s, closed form in mpmath "
        f"{t_mid:.2f} s, in gmpy2 {t_new:.2f} s; ratios {t_eig / t_new:.1f} and "
        f"{t_mid / t_new:.1f}"
    )


def test_conserved_quadratics_detection_against_the_old_system():
    from gdtheory.landscape.invariants import conserved_quadratics

    X = sp.Matrix(3, 2, sp.symbols("x0:6"))
    Y = sp.Matrix(3, 2, sp.symbols("y0:6"))
    A = sp.Matrix(3, 3, lambda i, j: sp.Rational(i + 2 * j + 1, 3))
    f = sum(e**2 for e in (A - X * Y.T)) / 2
    xs = (*X, *Y)

    def old() -> list[sp.Matrix]:
        n = len(xs)
        pairs = [(i, j) for i in range(n) for j in range(i, n)]
        unknowns = sp.symbols(f"s0:{len(pairs)}")
        S = sp.zeros(n, n)
        for s, (i, j) in zip(unknowns, pairs, strict=True):
            S[i, j] = S[j, i] = s
        grad = sp.Matrix([sp.diff(f, v) for v in xs])
        poly = sp.Poly(sp.expand((grad.T * S * sp.Matrix(xs))[0, 0]), *xs)
        rows = [[sp.expand(c).coeff(s) for s in unknowns] for c in poly.coeffs()]
        return sp.Matrix(rows).nullspace(simplify=True)

    def new() -> Any:
        return conserved_quadratics(Objective(f, list(xs)))

    basis, t_old = _clock(old)
    found, t_new = _clock(new)
    assert len(basis) == len(found.quantities) == 3  # the entries of X^T X - Y^T Y
    assert _nullspace(sp.Matrix([[1, 2], [2, 4]])) == sp.Matrix([[1, 2], [2, 4]]).nullspace()
    print(
        f"\nconserved quadratics, 12 variables: old system {t_old:.2f} s, now {t_new:.2f} s "
        f"(the new time includes the identity checks), ratio {t_old / t_new:.1f}"
    )


def test_compiled_modified_field_mpfr_against_sympy_mpmath_code():
    from gdtheory.backward_error.modified import modified_equation
    from gdtheory.core.compiled import _chunked_cse
    from gdtheory.core.objective import h

    me = modified_equation("(1 - x*y)**2/2", 4)
    syms, exprs = (*me.symbols, h), list(me.field(4))
    old_fn = sp.lambdify(syms, exprs, modules="mpmath", cse=_chunked_cse, dummify=True)
    new_fn = compile_mp(exprs, syms)
    with mpmath.workdps(40):
        point = [mpmath.mpf("1.7"), mpmath.mpf("0.3"), mpmath.mpf(1) / 7]
        a, t_old = _clock(lambda: [old_fn(*point) for _ in range(3000)][-1])
        b, t_new = _clock(lambda: [new_fn(point) for _ in range(3000)][-1])
        assert [mpmath.mpf(v) for v in a] == list(b)
    print(
        f"\norder-4 modified field of (1 - xy)^2/2 at 40 digits, 3000 evaluations: SymPy's "
        f"mpmath code {t_old:.2f} s, MPFR {t_new:.2f} s, ratio {t_old / t_new:.1f}"
    )


def test_matrix_study_batched_against_start_by_start():
    from gdtheory.models.numpy_models import FactorizationModel

    rng = np.random.default_rng(0)
    fm = FactorizationModel(rng.standard_normal((4, 2)) @ rng.standard_normal((2, 4)) / 2, 2)
    W0 = np.concatenate([rng.standard_normal((24, 8)) * 1.5, rng.standard_normal((24, 8))], 1)
    hs = 0.02 + 0.01 * rng.random(24)

    def old() -> np.ndarray:
        out = []
        for w, h in zip(W0, hs, strict=True):
            for _ in range(2000):
                w = w - h * fm.grad(w)
            out.append(w)
        return np.array(out)

    def new() -> np.ndarray:
        W = W0
        for _ in range(2000):
            W = W - hs[:, None] * fm.grad_batch(W)
        return W

    a, t_old = _clock(old)
    b, t_new = _clock(new)
    assert np.array_equal(a, b)
    print(
        f"\n24 starts x 2000 GD steps on a 4 x 4 rank-2 factorisation: start by start "
        f"{t_old:.2f} s, batched {t_new:.2f} s, ratio {t_old / t_new:.1f}"
    )


def test_series_oracle_one_expansion_against_one_per_power():
    from gdtheory.backward_error.closed_forms import quadratic_modified_equation

    ks = (0, 4, 8, 12)

    def old() -> list[Any]:
        q = quadratic_modified_equation("x**2 + 3*x*y + y**2/3")
        return [q.series_coefficient(k) for k in ks]

    def new() -> tuple[Any, ...]:
        q = quadratic_modified_equation("x**2 + 3*x*y + y**2/3")
        return q.series_coefficients(ks)

    a, t_old = _clock(old)
    b, t_new = _clock(new)
    assert all(sp.simplify(u - v) == sp.zeros(2, 1) for u, v in zip(a, b, strict=True))
    print(
        f"\nSymPy-series oracle, 2-D quadratic, h^0..h^12: one series per power {t_old:.2f} s, "
        f"one per component {t_new:.2f} s, ratio {t_old / t_new:.1f}"
    )
