r"""The principal flow of gradient descent (Rosca, Wu, Qin and Dherin, TMLR 2023).

For x_{k+1} = x_k - h grad f(x_k) the principal flow is the ODE

    dx/dt = sum_i phi(h l_i) (grad f(x) . u_i) u_i = phi(h H(x)) grad f(x),
    phi(z) = log(1 - z) / z,   phi(0) = -1,

over the eigenpairs (l_i, u_i) of the Hessian H(x): gradient flow (phi = -1) to first
order in h, and on a quadratic f = x^T A x / 2 + b^T x it is *exact*: along each
eigendirection dx_i/dt = (log(1 - h l_i) / h)(x_i - x_i*), so

    x_i(t) - x_i* = (1 - h l_i)^(t/h) (x_i(0) - x_i*),

which at t = kh is GD's (1 - h l_i)^k for every h: the sign flips of 1 < h l_i < 2 and
the divergence of h l_i > 2 included.  Where h l_i > 1 the logarithm is complex
(principal branch: log|1 - h l_i| + i pi) and so is the flow between the grid times t =
kh; on a quadratic the imaginary part vanishes on the grid.

Computation.  Symbolic objectives: the gradient and Hessian are compiled once for
complex mpmath arguments; at each field evaluation phi(hH) comes from the eigenvalues
of the Hessian: in 2-D by the quadratic formula and Sylvester's formula
phi(hH) = sum_i phi(h l_i) prod_{j != i} (H - l_j) / (l_i - l_j), otherwise (and for
nearly equal eigenvalues) by diagonalising (``mpmath.eigsy`` while H is real symmetric,
``mpmath.eig`` once the state is complex and H complex symmetric, with
phi(hH) = V phi(hL) V^{-1}); once per precision for a quadratic, whose Hessian is
constant; and the flow is integrated by
the Gragg-Bulirsch-Stoer extrapolation of :mod:`gdtheory.continuous.flows` at the
requested precision.  h l_i = 1 exactly is refused: GD maps that direction to the
minimiser in one step and log 0 is singular.  Models (float64): the Hessian is assembled
from HVPs and the flow integrated by SciPy's DOP853 while it is real (all h l_i < 1);
where it would turn complex the run stops with status "complex", since a model's
gradient is defined for real parameters only.

Reference: M. Rosca, Y. Wu, C. Qin, B. Dherin, "On a continuous time model of gradient
descent dynamics and instability in deep learning", TMLR 2023 (the principal flow,
their Definition 3.1 and Remark on quadratics).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import gmpy2
import mpmath
import numpy as np

from ..core.budget import PaceMeter, check_cost
from ..core.compiled import compile_gmpy2, compile_mpc, from_gmpy2, to_gmpy2
from ..core.objective import Objective, as_objective, numeric_objective
from ..core.outcomes import FlowStatus
from ..core.scalars import RealLike, check_count, check_dps, positive_real, sorted_times, to_mpf
from ..errors import InvalidInputError, NonFiniteError
from ..models.numpy_models import as_model, flat_point
from .flows import FlowSolution, integrate_flow

__all__ = ["principal_phi", "principal_field", "principal_flow", "ModelFlow", "BRANCHES"]

#: The readings of the principal flow past h l = 1 (:func:`principal_flow`).
BRANCHES = ("principal", "continued")


_GMPY2 = (type(gmpy2.mpfr()), type(gmpy2.mpc()))
_ZERO = gmpy2.mpc(0, 0)
#: Division by zero and NaN raise (ZeroDivisionError and ValueError, as in mpmath).
_TRAPS = {"trap_divzero": True, "trap_invalid": True}


def _unsigned(w: Any) -> Any:
    """``w`` with an imaginary part -0 made +0.  mpmath has no signed zeros and puts a
    negative real number on the +0 side of the cuts of sqrt and log; MPC follows the
    sign of the zero."""
    return w + _ZERO


def _log_one_minus(z: Any) -> Any:
    """log(1 - z), principal branch, in gmpy2 for a gmpy2 ``z`` (the cut on mpmath's
    side) and in mpmath otherwise."""
    return gmpy2.log(_unsigned(1 - z)) if isinstance(z, _GMPY2) else mpmath.log(1 - z)


def principal_phi(z: Any) -> Any:
    """phi(z) = log(1 - z) / z with phi(0) = -1 (a series near 0), principal branch; in
    mpmath, or in gmpy2 for a gmpy2 ``z`` (the 2-D fields), at the working precision.

    >>> with mpmath.workdps(20):
    ...     print(principal_phi(mpmath.mpf("0.5")), principal_phi(0))
    -1.3862943611198906188 -1.0
    """
    native = isinstance(z, _GMPY2)
    ten = gmpy2.mpfr(10) if native else mpmath.mpf(10)
    if not native:
        z = mpmath.mpmathify(z)
    if abs(z) < ten ** (-mpmath.mp.dps // 3):
        return -1 - z / 2 - z * z / 3 - z**3 / 4
    if z == 1:
        raise InvalidInputError(
            "h l = 1 for a Hessian eigenvalue l: GD sends that direction to the minimiser "
            "in one step and the principal flow's log(1 - h l) is singular"
        )
    return _log_one_minus(z) / z


def _is_real(values: Sequence[Any]) -> bool:
    return all(not isinstance(v, mpmath.mpc) or v.imag == 0 for v in values)


def _eigenvalues_2x2(a: Any, b: Any, c: Any, d: Any) -> tuple[Any, Any] | None:
    """The eigenvalues of [[a, b], [c, d]] (gmpy2 mpc) by the quadratic formula, or None
    when they are too close for Sylvester's formula (:func:`_sylvester_2x2`) to be
    accurate (then the caller diagonalises).  A closed form instead of ``mpmath.eig``'s
    QR iterations, which were most of the principal flow's cost on 2-D objectives."""
    root = gmpy2.sqrt(_unsigned((a - d) ** 2 / 4 + b * c))
    mid = (a + d) / 2
    l1, l2 = mid + root, mid - root
    scale = max(abs(l1), abs(l2), 1)
    if abs(l1 - l2) <= gmpy2.mpfr(10) ** (-(mpmath.mp.dps // 4)) * scale:
        return None
    return l1, l2


def _sylvester_2x2(
    H: tuple[Any, Any, Any, Any], lam: Sequence[Any], phi: Sequence[Any]
) -> tuple[Any, Any, Any, Any]:
    """phi(H) (row-major entries) for a 2 x 2 matrix H with distinct eigenvalues lam and
    phi_i = phi(lam_i): sum_i phi_i prod_{j != i} (H - lam_j I) / (lam_i - lam_j)
    (Sylvester's formula), i.e. s H - t I with s = s_1 + s_2, t = s_1 lam_2 + s_2 lam_1,
    s_i = phi_i / (lam_i - lam_j)."""
    (a, b, c, d), (l1, l2), (p1, p2) = H, lam, phi
    s1, s2 = p1 / (l1 - l2), p2 / (l2 - l1)
    s, t = s1 + s2, s1 * l2 + s2 * l1
    return (s * a - t, s * b, s * c, s * d - t)


def _times(M: Sequence[Any], g: Sequence[Any]) -> list[Any]:
    """The 2 x 2 matrix M (row-major) times the vector g."""
    return [M[0] * g[0] + M[1] * g[1], M[2] * g[0] + M[3] * g[1]]


def _as_mp(v: Any) -> Any:
    """A gmpy2 number as mpmath's: an mpf where the imaginary part is 0."""
    v = from_gmpy2(v)
    return v.real if isinstance(v, mpmath.mpc) and v.imag == 0 else v


def principal_field(objective: Objective, h: RealLike) -> Any:
    """The field x -> phi(h H(x)) grad f(x) at the working mpmath precision (complex
    states allowed); in 2-D computed in gmpy2 (MPFR and MPC) at that precision.

    >>> from gdtheory.objectives import quadratic
    >>> F = principal_field(quadratic([3]), "1/2")          # h l = 3/2: log(-1/2) / (3/2)
    >>> with mpmath.workdps(15):
    ...     print(mpmath.nstr(F([1])[0], 10))                # (2/3)(log(1/2) + i pi) * 3
    (-1.386294361 + 6.283185307j)
    """
    obj = numeric_objective(objective)
    hh = positive_real(h, "h")
    n = obj.dim
    grad = compile_mpc(list(obj.grad), obj.symbols)
    hess = compile_mpc(list(obj.hessian), obj.symbols)

    def phi_h_hessian(hv: Sequence[Any]) -> Any:
        """phi(h H) for the Hessian entries hv (row-major) by diagonalising."""
        hm = to_mpf(hh)
        H = mpmath.matrix([[hv[i * n + j] for j in range(n)] for i in range(n)])
        if _is_real(hv):
            H = mpmath.matrix([[mpmath.re(H[i, j]) for j in range(n)] for i in range(n)])
            lam, V = mpmath.eigsy(H)
            Vinv = V.T
        else:
            lam, V = mpmath.eig(H)
            Vinv = mpmath.inverse(V)
        return V * mpmath.diag([principal_phi(hm * lam[i]) for i in range(n)]) * Vinv

    constant: dict[int, Any] = {}  # a quadratic's phi(h H), per working precision
    if n == 2:
        return _field_2d(obj, hh, phi_h_hessian)

    def F(x: Sequence[Any]) -> tuple[Any, ...]:
        g = grad(x)
        if n == 1:
            return (principal_phi(to_mpf(hh) * hess(x)[0]) * g[0],)
        if obj.is_quadratic:
            prec = mpmath.mp.prec
            if prec not in constant:
                constant[prec] = phi_h_hessian(hess(x))
            M = constant[prec]
        else:
            M = phi_h_hessian(hess(x))
        out = M * mpmath.matrix(list(g))
        return tuple(out[i] for i in range(n))

    return F


def _field_2d(obj: Objective, hh: Any, diagonalised: Any) -> Any:
    """:func:`principal_field` in 2-D: grad f and H by :func:`compile_gmpy2`, phi(h H) by
    the quadratic formula and Sylvester's formula in MPC arithmetic at the working
    precision (``diagonalised(hessian entries)``, mpmath, where the eigenvalues nearly
    coincide); once per precision for a quadratic."""
    grad = compile_gmpy2(list(obj.grad), obj.symbols)
    hess = compile_gmpy2(list(obj.hessian), obj.symbols)
    at: dict[int, tuple[Any, Any]] = {}  # per precision: (context, h)
    constant: dict[int, Any] = {}

    def phi_matrix(z: Sequence[Any], hm: Any) -> Any:
        H = hess(z)
        two = _eigenvalues_2x2(*H)
        if two is None:
            M = diagonalised([_as_mp(v) for v in H])
            return [to_gmpy2(mpmath.mpmathify(M[i, j])) for i in range(2) for j in range(2)]
        return _sylvester_2x2(H, two, [principal_phi(hm * v) for v in two])

    def F(x: Sequence[Any]) -> tuple[Any, ...]:
        prec = mpmath.mp.prec
        if prec not in at:
            context = gmpy2.context(precision=prec, **_TRAPS)
            with context:
                at[prec] = (context, to_gmpy2(to_mpf(hh)))
        context, hm = at[prec]
        with context:
            z = [gmpy2.mpc(to_gmpy2(mpmath.mpmathify(v))) for v in x]
            if obj.is_quadratic:
                if prec not in constant:
                    constant[prec] = phi_matrix(z, hm)
                M = constant[prec]
            else:
                M = phi_matrix(z, hm)
            out = _times(M, grad(z))
        return tuple(_as_mp(v) for v in out)

    return F


@dataclass(frozen=True)
class ModelFlow:
    """A float64 flow of a model: ``states[i]`` at ``times[i]`` (NaN after a stop);
    ``status`` a :class:`~gdtheory.core.outcomes.FlowStatus`: ``finished``, ``complex``
    (the principal flow would leave the reals: some h l_i > 1, at ``stopped_at``) or
    ``failed`` (the integrator's message in ``message``)."""

    times: np.ndarray = field(repr=False)
    states: np.ndarray = field(repr=False)
    status: FlowStatus
    stopped_at: float | None
    evaluations: int
    message: str = ""


def principal_flow(
    target: Any,
    x0: Any,
    times: Sequence[RealLike],
    *,
    h: RealLike,
    dps: int = 50,
    rtol: float = 1e-10,
    branch: str = "principal",
    substeps: int | None = None,
) -> Any:
    r"""The principal flow from ``x0`` at the requested ``times`` (module docstring).

    ``branch`` (symbolic objectives): "principal", the definition read literally, the
    principal logarithm at every point, by Gragg-Bulirsch-Stoer (or, with ``substeps``,
    by fixed-step RK4, which steps over the cut: first order where the path slides along
    it); "continued", the analytic continuation along the path, by fixed-step RK4 with
    ``substeps`` per h (default 64) and each eigenvalue's logarithm kept on the branch
    nearest its value at the start of the step (the two agree on quadratics, where no
    eigenvalue moves).  An RK4 result's ``error_estimate`` is its largest difference to
    the run with half the substeps.

    A symbolic objective (or an expression string) gives a
    :class:`~gdtheory.continuous.flows.FlowSolution` at ``dps`` digits, its states
    complex where the flow is; a model gives a :class:`ModelFlow` in float64.

    On x^2 with h = 3/4 (h l = 3/2) GD flips sign each step, x_k = (-1/2)^k, and the flow
    passes through every iterate:

    >>> s = principal_flow("x**2", [1], [0, "3/4", "3/2", "9/4"], h="3/4", dps=30)
    >>> with mpmath.workdps(30):
    ...     print([mpmath.nstr(mpmath.chop(x[0], 1e-25), 6) for x in s.states])
    ['1.0', '-0.5', '0.25', '-0.125']
    """
    if branch not in BRANCHES:
        raise InvalidInputError(f"branch must be one of {BRANCHES}, got {branch!r}")
    if substeps is not None:
        substeps = check_count(substeps, "substeps", 2)
    if isinstance(target, Objective | str):
        obj = numeric_objective(as_objective(target))
        dps = check_dps(dps)
        if branch == "principal" and substeps is None:
            F = principal_field(obj, h)
            with mpmath.workdps(dps):
                x = obj.point_mp(x0)
            return integrate_flow(F, x, times, dps=dps)
        return _stepped_flow(obj, x0, times, h, dps, substeps or 64, branch == "continued")
    if branch != "principal" or substeps is not None:
        raise InvalidInputError(
            "a model's principal flow is real (float64, stopped where it turns complex): "
            "branch and substeps are for symbolic objectives"
        )
    return _model_flow(target, x0, times, h, rtol)


def _stepped_flow(
    obj: Objective,
    x0: Any,
    times: Sequence[RealLike],
    h: RealLike,
    dps: int,
    M: int,
    continued: bool,
) -> FlowSolution:
    """Fixed-step complex RK4, dt = h / M, at ``dps`` digits (in 2-D in gmpy2 at that
    precision); the run with M // 2 steps gives the error estimate.  Continued: phi(h H)
    from the eigenvalues matched to those at the start of the step and their logarithms
    on the nearest branch."""
    hh = positive_real(h, "h")
    ts = sorted_times(times)
    n = obj.dim
    check_cost(
        "the stepped principal flow",
        1.5 * float(ts[-1] / hh) * M * 4 * n**3,
        2e4,
        "field evaluations",
    )
    with mpmath.workdps(dps):
        hm = to_mpf(hh)
        x0m = [mpmath.mpc(v) for v in obj.point_mp(x0)]
        field = _diagonalised_field(obj, hm, dps, continued)
        lift: Any = lambda v: v  # noqa: E731 - numbers of the field's arithmetic
        context: Any = contextlib.nullcontext()
        if n == 2:
            context = gmpy2.context(precision=mpmath.mp.prec, **_TRAPS)
            with context:
                field = _closed_form_field(obj, to_gmpy2(hm), dps, continued, field)
                x0m = [to_gmpy2(v) for v in x0m]
            lift = to_gmpy2
        with context:
            fine = _rk4(field, lift, x0m, ts, hm, M)
            coarse = _rk4(field, lift, x0m, ts, hm, max(1, M // 2))
            est = max(
                abs(a - b)
                for s, c in zip(fine, coarse, strict=True)
                for a, b in zip(s, c, strict=True)
            )
        states = tuple(tuple(_as_mp(u) for u in s) for s in fine)
    return FlowSolution(tuple(to_mpf(t) for t in ts), states, dps, from_gmpy2(est), 0)


def _rk4(
    field: Any, lift: Any, x0: list[Any], ts: Sequence[Any], hm: Any, m: int
) -> list[list[Any]]:
    """The states at ``ts`` of classical RK4 with m steps per h (the last step of each
    interval shortened to end on its time); ``lift`` turns an mpf into the field's
    arithmetic."""
    dt0 = hm / m
    x, t, ref, states = list(x0), mpmath.mpf(0), None, []
    for target in ts:
        tt = to_mpf(target)
        while t < tt - dt0 * mpmath.mpf(10) ** -6:
            dt = min(dt0, tt - t)
            full, half, sixth = lift(dt), lift(dt / 2), lift(dt / 6)
            k1, r1 = field(x, ref)
            k2, _ = field([a + half * b for a, b in zip(x, k1, strict=True)], r1)
            k3, _ = field([a + half * b for a, b in zip(x, k2, strict=True)], r1)
            k4, _ = field([a + full * b for a, b in zip(x, k3, strict=True)], r1)
            x = [
                a + sixth * (b + 2 * c + 2 * d + e)
                for a, b, c, d, e in zip(x, k1, k2, k3, k4, strict=True)
            ]
            _, ref = field(x, r1)
            t += dt
        states.append(list(x))
    return states


def _logs_and_phi(
    lam: Sequence[Any], ref: Any, hm: Any, dps: int, continued: bool
) -> tuple[list[Any], list[Any]]:
    """log(1 - h l) for each eigenvalue l (continued: on the branch nearest the logarithm
    in ``ref``) and phi(h l) = log(1 - h l) / (h l), in mpmath or in gmpy2 as the
    eigenvalues are."""
    logs, phi = [], []
    for i, l in enumerate(lam):
        z = hm * l
        if z == 1:
            raise InvalidInputError(
                "h l = 1 on the path: the principal flow's log(1 - h l) is singular"
            )
        native = isinstance(z, _GMPY2)
        L = _log_one_minus(z)
        if continued and ref is not None:
            pi = gmpy2.const_pi() if native else mpmath.pi
            turns = (gmpy2.rint if native else mpmath.nint)((ref[1][i].imag - L.imag) / (2 * pi))
            L += 2j * pi * turns
        logs.append(L)
        small = (gmpy2.mpfr(10) if native else mpmath.mpf(10)) ** (-dps // 3)
        phi.append(principal_phi(z) if abs(z) < small else L / z)
    return logs, phi


def _diagonalised_field(obj: Objective, hm: Any, dps: int, continued: bool) -> Any:
    """The stepped flow's field x, ref -> (phi(h H) grad f, (eigenvalues, logarithms)) by
    ``mpmath.eig`` (any dimension), at the working mpmath precision."""
    n = obj.dim
    grad = compile_mpc(list(obj.grad), obj.symbols)
    hess = compile_mpc(list(obj.hessian), obj.symbols)

    def field(x: Sequence[Any], ref: Any) -> tuple[list[Any], Any]:
        H = mpmath.matrix([[v for v in hess(x)[i * n : (i + 1) * n]] for i in range(n)])
        lam, V = mpmath.eig(H)
        lam = list(lam)
        if continued and ref is not None:
            lam, V = _matched(lam, V, ref[0])
        logs, phi = _logs_and_phi(lam, ref, hm, dps, continued)
        g = mpmath.matrix(list(grad(x)))
        out = V * mpmath.diag(phi) * (mpmath.lu_solve(V, g))
        return [out[i] for i in range(n)], (lam, logs)

    return field


def _closed_form_field(obj: Objective, hm: Any, dps: int, continued: bool, slow: Any) -> Any:
    """The stepped flow's field in 2-D, in gmpy2: the eigenvalues by the quadratic
    formula, phi(h H) by Sylvester's formula; ``slow`` (the diagonalised field, mpmath)
    where the eigenvalues nearly coincide."""
    grad = compile_gmpy2(list(obj.grad), obj.symbols)
    hess = compile_gmpy2(list(obj.hessian), obj.symbols)

    def field(x: Sequence[Any], ref: Any) -> tuple[list[Any], Any]:
        H = hess(x)
        two = _eigenvalues_2x2(*H)
        if two is None:
            mp_ref = None if ref is None else [[from_gmpy2(v) for v in r] for r in ref]
            out, (lam, logs) = slow([from_gmpy2(v) for v in x], mp_ref)
            back = [[to_gmpy2(mpmath.mpmathify(v)) for v in vs] for vs in (out, lam, logs)]
            return back[0], (back[1], back[2])
        lam = list(two)
        if continued and ref is not None:
            lam = _matched(lam, None, ref[0])[0]
        logs, phi = _logs_and_phi(lam, ref, hm, dps, continued)
        return _times(_sylvester_2x2(H, lam, phi), grad(x)), (lam, logs)

    return field


def _matched(lam: list[Any], V: Any, previous: Sequence[Any]) -> tuple[list[Any], Any]:
    """The eigenpairs reordered to follow ``previous`` (nearest in total distance; the
    first such order on ties); ``V`` None for eigenvalues alone."""
    n = len(lam)
    best = min(
        itertools.permutations(range(n)),
        key=lambda p: sum(abs(lam[p[i]] - previous[i]) for i in range(n)),
    )
    if V is None:
        return [lam[p] for p in best], None
    W = mpmath.matrix(n, n)
    for j, p in enumerate(best):
        for i in range(n):
            W[i, j] = V[i, p]
    return [lam[p] for p in best], W


def _model_flow(
    target: Any, x0: Any, times: Sequence[RealLike], h: RealLike, rtol: float
) -> ModelFlow:
    from scipy.integrate import solve_ivp

    model = as_model(target)
    hh = float(positive_real(h, "h"))
    ts = np.array([float(t) for t in sorted_times(times)])
    w0 = flat_point(x0, model.dim)
    evals = [0]
    eye = np.eye(model.dim)
    meter = PaceMeter("the principal flow", float(ts[-1]), "time units")
    reached = [0.0]

    def rhs(_t: float, w: np.ndarray) -> np.ndarray:
        evals[0] += 1
        reached[0] = max(reached[0], _t)
        meter.tick(reached[0])
        try:
            H = np.column_stack([model.hvp(w, e) for e in eye])
            g = model.grad(w)
        except NonFiniteError as exc:
            raise NonFiniteError(f"{exc}, at t = {_t:.6g} of the principal flow") from None
        lam, Q = np.linalg.eigh((H + H.T) / 2)
        z = hh * lam
        with np.errstate(all="ignore"):
            phi = np.where(np.abs(z) < 1e-8, -1 - z / 2, np.log1p(-np.minimum(z, 1 - 1e-300)) / z)
        return Q @ (phi * (Q.T @ g))

    def leaves_reals(_t: float, w: np.ndarray) -> float:
        H = np.column_stack([model.hvp(w, e) for e in eye])
        return 1.0 - hh * float(np.linalg.eigvalsh((H + H.T) / 2)[-1])

    leaves_reals.terminal = True  # type: ignore[attr-defined]
    leaves_reals.direction = -1  # type: ignore[attr-defined]
    if leaves_reals(0.0, w0) <= 0:
        return ModelFlow(ts, np.full((ts.size, model.dim), np.nan), FlowStatus.COMPLEX, 0.0, 0)
    sol = solve_ivp(
        rhs,
        (0.0, float(ts[-1])),
        w0,
        method="DOP853",
        t_eval=ts,
        rtol=rtol,
        atol=rtol * max(1.0, float(np.max(np.abs(w0)))),
        events=leaves_reals,
    )
    states = np.full((ts.size, model.dim), np.nan)
    states[: sol.y.shape[1]] = sol.y.T
    if sol.status == 1:
        return ModelFlow(ts, states, FlowStatus.COMPLEX, float(sol.t_events[0][0]), evals[0])
    if sol.status != 0:
        return ModelFlow(ts, states, FlowStatus.FAILED, float(sol.t[-1]), evals[0], sol.message)
    return ModelFlow(ts, states, FlowStatus.FINISHED, None, evals[0])
