r"""``assert_step``: one step of *your* optimiser against gdtheory's reference, any method.

The reference is :meth:`gdtheory.optimizers.Method.step` (or ``SGD.update``) evaluated
at ``dps`` digits from exactly the float inputs you were given; the error is counted in
units in the last place (ulps) of the natural scale of each coordinate,

    max(|x_i|, |x'_i|, |v_i|, h kappa_i [, h sum_j |H_ij(y)| |y_j|]),

kappa_i the running-error bound of a float evaluation of the gradient (Higham 3.3), the
bracket for Nesterov's look-ahead point y = x + beta v (rounding y moves the gradient by
H times an ulp of y).  A correct float64 step is a few ulps off; a wrong one (a velocity
update one step late, a minibatch gradient summed instead of averaged, a flipped sign)
is off by ~2^52 ulps.

Call conventions of ``step_fn``:

* GD, Preconditioned: ``step_fn(x, h) -> x'``;
* HeavyBall, Nesterov: ``step_fn(x, v, h) -> (x', v')`` with v = x_k - x_{k-1};
* SGD: ``step_fn(x, h, batch) -> x'``, ``batch`` the list of example indices, the
  objective the list of f_i.

>>> import numpy as np
>>> from gdtheory import Objective
>>> from gdtheory.optimizers import HeavyBall
>>> f = Objective.parse("x**2/2 + x*y + y**4/4")
>>> def hb(x, v, h):
...     v = 0.9 * v - h * f.grad_np(x)
...     return x + v, v
>>> assert_step(HeavyBall("9/10"), hb, f, [0.3, -1.2], v=[0.1, 0.05], h=0.1).passed
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..core.finite_sums import finite_sum
from ..core.objective import Objective, as_objective
from ..core.scalars import RealLike, check_dps, exact_real
from ..errors import InvalidInputError, ShapeError
from ..methods.optimizers import SGD, Method, Nesterov, Preconditioned, as_method

__all__ = ["StepCheck", "assert_step"]


def _point(x: Any, n: int, name: str = "x") -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ShapeError(f"{name} must be a point of {n} numbers") from None
    if arr.shape != (n,):
        raise ShapeError(f"{name} must have {n} coordinates, got shape {np.shape(x)}")
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError(f"{name} has NaN or infinite coordinates")
    return arr


def _running_error(expr: sp.Expr, env: dict[sp.Symbol, Any]) -> tuple[Any, Any]:
    """(value, kappa) of ``expr`` at the point ``env``, with kappa a first-order bound on
    the rounding error of a straightforward float evaluation in units of the unit
    roundoff: inputs exact; every operation adds |result|; errors propagate through sums
    (kappa_a + kappa_b), products (kappa_a |b| + |a| kappa_b), integer powers and
    functions (|f'(u)| kappa_u).  It is the scale on which a correct implementation's
    error is measured (Higham, *Accuracy and Stability of Numerical Algorithms*, 3.3)."""
    prec = mpmath.mp.dps
    if expr.is_Symbol:
        return env[expr], mpmath.mpf(0)
    if expr.is_Number or expr.is_NumberSymbol:
        v = mpmath.mpf(sp.N(expr, prec + 5))
        return v, (mpmath.mpf(0) if expr.is_Integer else abs(v))
    if expr.is_Add or expr.is_Mul:
        parts = [_running_error(a, env) for a in expr.args]
        if expr.is_Add:
            v = mpmath.fsum(p[0] for p in parts)
            k = mpmath.fsum(p[1] for p in parts)
        else:
            v, k = parts[0]
            for pv, pk in parts[1:]:
                v, k = v * pv, k * abs(pv) + abs(v) * pk
        return v, k + abs(v)
    if expr.is_Pow and expr.exp.is_Integer:
        b, kb = _running_error(expr.base, env)
        n = int(expr.exp)
        v = b**n
        return v, abs(n) * abs(b) ** (n - 1) * kb + abs(n) * abs(v)
    if len(expr.args) == 1 or expr.is_Pow:
        arg = expr.base if expr.is_Pow else expr.args[0]
        u, ku = _running_error(arg, env)
        t = sp.Dummy("t")
        fn = t**expr.exp if expr.is_Pow else expr.func(t)
        at = {t: sp.Float(u, prec)}
        v = mpmath.mpf(sp.N(fn.subs(at), prec))
        d = mpmath.mpf(sp.N(sp.diff(fn, t).subs(at), prec))
        return v, abs(d) * ku + abs(v)
    v = mpmath.mpf(sp.N(expr.subs({s: sp.Float(x, prec) for s, x in env.items()}), prec))
    return v, abs(v)


@dataclass(frozen=True)
class StepCheck:
    """One step compared with the 50-digit reference.

    ``ulps`` per coordinate: |got - reference| / spacing(max(|x_i|, |ref_i|, h kappa_i)),
    kappa_i the running-error bound of a float evaluation of the i-th partial derivative.
    """

    x: tuple[float, ...]
    h: float
    expected: tuple[float, ...]
    got: tuple[float, ...]
    ulps: tuple[float, ...]
    max_ulps: float
    passed: bool

    @property
    def max_ulps_seen(self) -> float:
        return max(self.ulps)


def _floats(out: Any, n: int, what: str) -> np.ndarray:
    try:
        got = np.asarray(out, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise AssertionError(
            f"step_fn returned {type(out).__name__} for {what}, not a point"
        ) from None
    if got.shape != (n,):
        raise AssertionError(f"step_fn returned shape {np.shape(out)} for {what}, expected ({n},)")
    return got


def _check_ulps(max_ulps: Any) -> float:
    if (
        isinstance(max_ulps, bool)
        or not isinstance(max_ulps, int | float)
        or not 0 <= max_ulps <= 2**64
    ):
        raise InvalidInputError(f"max_ulps must be a number in [0, 2^64], got {max_ulps!r}")
    return float(max_ulps)


def assert_step(
    method: Method | str,
    step_fn: Callable[..., Any],
    objective: Objective | str | Sequence[Objective | str],
    x: Any,
    *,
    h: RealLike,
    v: Any = None,
    batch: Sequence[int] | None = None,
    max_ulps: float = 32,
    dps: int = 50,
) -> StepCheck:
    """Assert that ``step_fn`` makes one step of ``method`` (see the module docstring for
    the call conventions); returns the :class:`~gdtheory.testing.oracles.StepCheck` of
    x' (and, for momentum methods, of v' too: ``ulps`` lists x' then v').

    Raises ``AssertionError`` naming the method, the worst coordinate's error in ulps,
    the inputs, the reference and the returned values.
    """
    meth = as_method(method)
    if not callable(step_fn):
        raise InvalidInputError("step_fn must be callable")
    limit = _check_ulps(max_ulps)
    dps = check_dps(dps)
    hf = float(exact_real(h, "h"))
    if not (np.isfinite(hf) and hf > 0):
        raise InvalidInputError(f"h must be finite and > 0, got {h!r}")
    if isinstance(meth, SGD):
        objs = finite_sum(objective)
        f = objs[0]
    else:
        objs, f = [], as_objective(objective)
    n = f.dim
    xs = _point(x, n)
    vs = _point(v, n, "v") if meth.momentum and v is not None else np.zeros(n)
    if meth.momentum and v is None:
        raise InvalidInputError(f"{meth.name} needs the velocity v = x_k - x_(k-1)")
    idx = _batch(meth, objs, batch)
    with mpmath.workdps(dps):
        xm = [mpmath.mpf(float(a)) for a in xs]
        vm = [mpmath.mpf(float(a)) for a in vs]
        hm = mpmath.mpf(hf)
        if isinstance(meth, SGD):
            ref_x, ref_v = meth.minibatch(xm, [objs[i].grad_mp(xm) for i in idx], hm), None
            out = step_fn(xs.copy(), hf, list(idx))
            got_x, got_v = _floats(out, n, "x'"), None
        elif meth.momentum:
            ref_x, ref_v = meth.step(f.grad_mp, xm, vm, hm)
            out = step_fn(xs.copy(), vs.copy(), hf)
            if not (isinstance(out, tuple | list) and len(out) == 2):
                raise AssertionError("step_fn(x, v, h) must return the pair (x', v')")
            got_x, got_v = _floats(out[0], n, "x'"), _floats(out[1], n, "v'")
        else:
            ref_x, ref_v = meth.step(f.grad_mp, xm, vm, hm)[0], None
            got_x, got_v = _floats(step_fn(xs.copy(), hf), n, "x'"), None
        scale = _scale(meth, f, objs, idx, xs, vs, hf, ref_x)
        errs = [abs(mpmath.mpf(float(a)) - b) for a, b in zip(got_x, ref_x, strict=True)]
        if ref_v is not None and got_v is not None:
            errs += [abs(mpmath.mpf(float(a)) - b) for a, b in zip(got_v, ref_v, strict=True)]
            scale = scale + scale
        # in ulps of the scale, counted in mpmath: near 1e308 the scale itself (|x| plus
        # the rounding bound of the gradient) may exceed the float range
        ulps = np.array(
            [
                float(e / _ulp(sc)) if np.isfinite(g) else np.inf
                for e, sc, g in zip(
                    errs,
                    scale,
                    np.concatenate([got_x, got_v]) if got_v is not None else got_x,
                    strict=True,
                )
            ]
        )
    got = got_x if got_v is None else np.concatenate([got_x, got_v])
    expected = np.array([float(b) for b in ref_x] + ([float(b) for b in ref_v] if ref_v else []))
    check = StepCheck(
        tuple(xs.tolist()),
        hf,
        tuple(expected.tolist()),
        tuple(got.tolist()),
        tuple(ulps.tolist()),
        limit,
        bool(np.all(ulps <= limit)),
    )
    if not check.passed:
        i = int(np.argmax(ulps))
        what = f"x'[{i}]" if i < n else f"v'[{i - n}]"
        extra = (
            f", v = {vs.tolist()}" if meth.momentum else (f", batch = {list(idx)}" if idx else "")
        )
        raise AssertionError(
            f"{meth.name} step off by {ulps[i]:.3g} ulps (allowed {limit:g}) at x = {xs.tolist()}"
            f"{extra}, h = {hf!r}: {what} is {float(got[i])!r}, the {dps}-digit reference is "
            f"{float(expected[i])!r} (expected {expected.tolist()}, got {got.tolist()})"
        )
    return check


def _batch(meth: Method, objs: list[Objective], batch: Sequence[int] | None) -> tuple[int, ...]:
    if not isinstance(meth, SGD):
        if batch is not None:
            raise InvalidInputError(f"{meth.name} takes no minibatch")
        return ()
    m = len(objs)
    if batch is None:
        return tuple(i % m for i in range(max(meth.batch, 2)))
    if isinstance(batch, str | bytes) or not isinstance(batch, Sequence) or len(batch) == 0:
        raise InvalidInputError(f"batch must be a non-empty list of indices in 0..{m - 1}")
    for i in batch:
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < m:
            raise InvalidInputError(f"batch must hold indices in 0..{m - 1}, got {i!r}")
    return tuple(int(i) for i in batch)


def _scale(
    meth: Method,
    f: Objective,
    objs: list[Objective],
    idx: tuple[int, ...],
    xs: np.ndarray,
    vs: np.ndarray,
    hf: float,
    ref: Sequence[Any],
) -> list[Any]:
    """The per-coordinate scale of the module docstring, as mpf numbers at the current
    precision (never overflowing: near the top of the float range the bound exceeds it)."""
    beta = float(meth.beta) if meth.momentum else 0.0  # type: ignore[attr-defined]
    y = xs + beta * vs if isinstance(meth, Nesterov) else xs
    ym = [mpmath.mpf(float(a)) for a in xs]
    if isinstance(meth, Nesterov):  # the look-ahead point, as the float code forms it
        ym = [mpmath.mpf(float(a)) for a in y]
    env = dict(zip(f.symbols, ym, strict=True))
    terms = objs if objs else [f]
    n = f.dim
    kappa = [mpmath.mpf(0)] * n
    for o in [terms[i] for i in idx] if idx else terms:
        kappa = [k + _running_error(g, env)[1] for k, g in zip(kappa, o.grad, strict=True)]
    kappa = [k * abs(mpmath.mpf(hf)) / max(len(idx), 1) for k in kappa]
    if isinstance(meth, Preconditioned):
        P = [[abs(mpmath.mpf(sp.N(meth.P[i, j], 30))) for j in range(n)] for i in range(n)]
        kappa = [mpmath.fsum(P[i][j] * kappa[j] for j in range(n)) for i in range(n)]
    out = [
        max(abs(mpmath.mpf(float(xs[i]))), abs(mpmath.mpf(float(vs[i]))), kappa[i], abs(ref[i]))
        for i in range(n)
    ]
    if isinstance(meth, Nesterov):
        H = f.hess_mp(ym)
        look = [
            abs(mpmath.mpf(hf)) * mpmath.fsum(abs(H[i, j]) * abs(ym[j]) for j in range(n))
            for i in range(n)
        ]
        out = [max(a, b) for a, b in zip(out, look, strict=True)]
    return out


def _ulp(scale: mpmath.mpf) -> mpmath.mpf:
    """The spacing of float64 numbers at ``scale`` (2^(e - 52) for 2^e <= scale < 2^(e+1),
    the subnormal spacing 2^-1074 below 2^-1022), extended above the float range."""
    if scale < mpmath.mpf(2) ** -1022:
        return mpmath.mpf(2) ** -1074
    _, e = mpmath.frexp(scale)  # scale = m 2^e, 1/2 <= m < 1
    return mpmath.mpf(2) ** (e - 53)
