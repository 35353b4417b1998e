r"""``assert_step``: one step of *your* optimiser against gdtheory's reference, any method.

The reference is the method's own update formula
(:meth:`gdtheory.optimizers.Method.update`, a user's subclass included) evaluated at
``dps`` digits from exactly the float inputs you were given.  The error of each output
coordinate is counted in units in the last place (ulps) of its natural scale

    max(|input_i|, |reference_i|, kappa_i),

kappa_i the first-order running-error bound of a float evaluation of the method's
formula (Higham 3.3), computed by running the same update in the rounding-bound
arithmetic of :mod:`gdtheory.testing.rounding`: every operation adds the magnitude of its
result, an inexact constant (beta = 9/10) its own, and a gradient the running error of its
expression plus the error of the point where it is taken, through the Hessian (Nesterov's
look-ahead point).  A correct float64 step is a few ulps off; a wrong one (a velocity
update one step late, a minibatch gradient summed instead of averaged, a flipped sign)
is off by ~2^52 ulps.

Call conventions of ``step_fn``:

* a method with fast state (``state`` given): ``step_fn(x, state, h) -> (x', state')``,
  ``state`` a tuple of arrays, one per state variable (heavy ball: the velocity);
* the shorthand of a method with one state variable (``v`` given):
  ``step_fn(x, v, h) -> (x', v')`` (heavy ball, Nesterov: v = x_k - x_{k-1});
* a memoryless method: ``step_fn(x, h) -> x'``;
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

from ..core.finite_sums import finite_sum
from ..core.objective import Objective, as_objective
from ..core.scalars import RealLike, check_dps, exact_real
from ..errors import InvalidInputError, ShapeError
from ..methods.optimizers import Method, as_method
from .rounding import Rounded, rounded_gradient

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
    state: Any = None,
    v: Any = None,
    batch: Sequence[int] | None = None,
    max_ulps: float = 32,
    dps: int = 50,
) -> StepCheck:
    """Assert that ``step_fn`` makes one step of ``method`` (see the module docstring for
    the call conventions); returns the :class:`StepCheck` of x' and then of every state
    variable's new value (``ulps`` lists x' then the state).

    ``state`` is the fast state before the step: a tuple with one vector per state
    variable (a single vector for a method with one); ``v`` is the shorthand for a
    method with one state variable whose ``step_fn`` takes and returns it alone.

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
    objs = finite_sum(objective) if meth.stochastic else [as_objective(objective)]
    n = objs[0].dim
    xs = _point(x, n)
    ss, shorthand = _state(meth, state, v, n)
    idx = _batch(meth, objs, batch)
    with mpmath.workdps(dps):
        xm = [mpmath.mpf(float(a)) for a in xs]
        hm = mpmath.mpf(hf)
        ref_x, ref_s = _update(
            meth, objs, idx, xm, [[mpmath.mpf(float(a)) for a in s] for s in ss], hm, n
        )
        got_x, got_s = _call(meth, step_fn, xs, ss, hf, idx, shorthand, n)
        rx, rs = _update(
            meth,
            objs,
            idx,
            [Rounded(a) for a in xm],
            [[Rounded(mpmath.mpf(float(a))) for a in s] for s in ss],
            hm,
            n,
        )
        inputs = [xs] + list(ss)
        refs = [ref_x] + list(ref_s)
        gots = [got_x] + list(got_s)
        bounds = [rx] + list(rs)
        ulps_l: list[float] = []
        for j, (inp, ref, got, rb) in enumerate(
            zip(
                inputs if len(inputs) == len(refs) else [xs] * len(refs),
                refs,
                gots,
                bounds,
                strict=True,
            )
        ):
            del j
            for i in range(n):
                sc = max(abs(mpmath.mpf(float(inp[i]))), abs(ref[i]), rb[i].kappa)
                err = abs(mpmath.mpf(float(got[i])) - ref[i])
                # in ulps of the scale, counted in mpmath: near 1e308 the scale itself may
                # exceed the float range
                ulps_l.append(float(err / _ulp(sc)) if np.isfinite(got[i]) else np.inf)
    ulps = np.array(ulps_l)
    got = np.concatenate(gots)
    expected = np.array([float(b) for r in refs for b in r])
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
        names = ["x"] + list(meth.state)
        what = f"{names[i // n]}'[{i % n}]"
        extra = "".join(f", {nm} = {s.tolist()}" for nm, s in zip(meth.state, ss, strict=True))
        if idx:
            extra += f", batch = {list(idx)}"
        hp = meth.hyperparameters()
        hyper = " with " + ", ".join(f"{k}={v}" for k, v in hp.items()) + "," if hp else ""
        raise AssertionError(
            f"{meth.name} step off by {ulps[i]:.3g} ulps (allowed {limit:g}){hyper} at x = "
            f"{xs.tolist()}"
            f"{extra}, h = {hf!r}: {what} is {float(got[i])!r}, the {dps}-digit reference is "
            f"{float(expected[i])!r} (expected {expected.tolist()}, got {got.tolist()})"
        )
    return check


def _batch(meth: Method, objs: list[Objective], batch: Sequence[int] | None) -> tuple[int, ...]:
    if not meth.stochastic:
        if batch is not None:
            raise InvalidInputError(f"{meth.name} takes no minibatch")
        return ()
    m = len(objs)
    if batch is None:
        size = getattr(meth, "batch", 1)
        return tuple(i % m for i in range(max(size, 2)))
    if isinstance(batch, str | bytes) or not isinstance(batch, Sequence) or len(batch) == 0:
        raise InvalidInputError(f"batch must be a non-empty list of indices in 0..{m - 1}")
    for i in batch:
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < m:
            raise InvalidInputError(f"batch must hold indices in 0..{m - 1}, got {i!r}")
    return tuple(int(i) for i in batch)


def _ndim(value: Any) -> int:
    """np.ndim, -1 for a ragged nesting."""
    try:
        return int(np.ndim(value))
    except ValueError:
        return -1


def _state(meth: Method, state: Any, v: Any, n: int) -> tuple[list[np.ndarray], bool]:
    """The state vectors before the step, and whether ``step_fn`` uses the v shorthand."""
    if not meth.state:
        if state is not None or v is not None:
            raise InvalidInputError(f"{meth.name} has no state: pass neither state nor v")
        return [], False
    if v is not None:
        if state is not None:
            raise InvalidInputError("pass the state as state= or as v=, not both")
        if len(meth.state) != 1:
            raise InvalidInputError(
                f"{meth.name} has the state {meth.state}: pass state=(...), one vector each"
            )
        return [_point(v, n, meth.state[0])], True
    if state is None:
        hint = " or, for its one variable, v=..." if len(meth.state) == 1 else ""
        raise InvalidInputError(
            f"{meth.name} needs its state {meth.state} before the step: state=(...){hint}"
        )
    if len(meth.state) == 1 and _ndim(state) == 1:
        state = (state,)
    if isinstance(state, str | bytes) or not isinstance(state, Sequence | np.ndarray):
        raise InvalidInputError(f"state must be a tuple of vectors {meth.state}")
    if len(state) != len(meth.state):
        raise ShapeError(f"state must hold {len(meth.state)} vectors {meth.state}")
    return [_point(s, n, nm) for nm, s in zip(meth.state, state, strict=True)], False


def _update(
    meth: Method,
    objs: list[Objective],
    idx: tuple[int, ...],
    x: list[Any],
    state: list[list[Any]],
    h: Any,
    n: int,
) -> tuple[list[Any], tuple[list[Any], ...]]:
    """The method's step in the arithmetic of x (mpmath: the reference; Rounded: the
    rounding bounds), with the minibatch ``idx`` for SGD."""
    rounded = bool(x) and isinstance(x[0], Rounded)

    def grad_of(o: Objective) -> Callable[[Sequence[Any]], Any]:
        return (lambda y: rounded_gradient(o, y)) if rounded else o.grad_mp

    if meth.stochastic:
        return meth.minibatch(x, [grad_of(objs[i])(x) for i in idx], h), ()  # type: ignore[attr-defined]
    return meth.check_output(meth.update(grad_of(objs[0]), x, tuple(state), h), n)


def _call(
    meth: Method,
    step_fn: Callable[..., Any],
    xs: np.ndarray,
    ss: list[np.ndarray],
    hf: float,
    idx: tuple[int, ...],
    shorthand: bool,
    n: int,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The user's step under the convention of the module docstring."""
    if meth.stochastic:
        return _floats(step_fn(xs.copy(), hf, list(idx)), n, "x'"), []
    if not meth.state:
        return _floats(step_fn(xs.copy(), hf), n, "x'"), []
    if shorthand:
        out = step_fn(xs.copy(), ss[0].copy(), hf)
        if not (isinstance(out, tuple | list) and len(out) == 2):
            raise AssertionError("step_fn(x, v, h) must return the pair (x', v')")
        return _floats(out[0], n, "x'"), [_floats(out[1], n, f"{meth.state[0]}'")]
    out = step_fn(xs.copy(), tuple(s.copy() for s in ss), hf)
    if not (isinstance(out, tuple | list) and len(out) == 2):
        raise AssertionError("step_fn(x, state, h) must return the pair (x', state')")
    new = out[1]
    if len(meth.state) == 1 and _ndim(new) == 1:
        new = (new,)
    if (
        isinstance(new, str | bytes)
        or not isinstance(new, Sequence | np.ndarray)
        or len(new) != len(meth.state)
    ):
        raise AssertionError(
            f"step_fn must return state' as {len(meth.state)} vectors {meth.state}"
        )
    return _floats(out[0], n, "x'"), [
        _floats(s, n, f"{nm}'") for nm, s in zip(meth.state, new, strict=True)
    ]


def _ulp(scale: mpmath.mpf) -> mpmath.mpf:
    """The spacing of float64 numbers at ``scale`` (2^(e - 52) for 2^e <= scale < 2^(e+1),
    the subnormal spacing 2^-1074 below 2^-1022), extended above the float range."""
    if scale < mpmath.mpf(2) ** -1022:
        return mpmath.mpf(2) ** -1074
    _, e = mpmath.frexp(scale)  # scale = m 2^e, 1/2 <= m < 1
    return mpmath.mpf(2) ** (e - 53)
