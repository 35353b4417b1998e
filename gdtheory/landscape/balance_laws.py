r"""Balance laws: the sharp eigenvalue on the minimiser set against the conserved
quantities, and the imbalance bounds that linear stability imposes on GD's limits.

On the minimiser set M of a homogeneous objective, a point is labelled by the conserved
quantities q = (Q_1, ..., Q_m) of gradient flow (:mod:`~gdtheory.landscape.invariants`),
and the sharp Hessian eigenvalue lambda is a function of them.  :func:`balance_law`
derives the polynomial relation P(lam, q) = 0 exactly, by eliminating the variables
from {r(x) = 0, Q_k(x) = q_k, lam = sharp(x)} (successive resultants in FLINT,
:mod:`~gdtheory.landscape.elimination`; the tests compare with a lex Groebner basis).  E.g.

    (1 - xy)^2/2:       lam^2 - q^2 - 4 = 0                 (q = x^2 - y^2),

so lam = sqrt(q^2 + 4), and h lam <= 2 at a point limit of GD reads |q| <= sqrt(4/h^2 - 4).

A point limit of GD with step h is not linearly unstable, h lambda_max <= 2, so its
imbalance is at most

    B(h) = sup { I(x) : x in M, lambda_max(x) <= 2/h },

which is non-increasing in h for any objective and any imbalance measure I (the stable
set shrinks as h grows: that is the proof).  :func:`one_quantity_bound` gives B in closed
form when there is one conserved quantity, with dB/dh; :func:`deep_scalar_bound` gives
it for the deep scalar network (1 - x_1 ... x_N)^2/2 with I = max_ij |x_i^2 - x_j^2|,
where with u_i = x_i^2 (prod u = 1) the sharp eigenvalue is sum_i 1/u_i and Lagrange's
conditions leave finitely many candidates (below), and strict decrease follows from the
envelope theorem: dB/d(2/h) is the positive multiplier of the constraint.

Reference: Wang, Chen, Zhao, Tao, ICLR 2022 (balancing for matrix factorisation); Du, Hu,
Lee, NeurIPS 2018 (layer-wise conserved quantities of homogeneous networks).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from ..core.budget import Meter
from ..core.conversion import as_expression, as_real_matrix
from ..core.objective import Objective
from ..core.scalars import RealLike, check_count, check_dps, exact_real, positive_real
from ..errors import InvalidInputError
from .elimination import DIGITS, eliminate_within_budget, sample_point
from .spectrum import H, MinimiserSpectrum, fresh_symbol

__all__ = [
    "leaky_gd",
    "BalanceLaw",
    "DeepScalarBound",
    "OneQuantityBound",
    "balance_law",
    "deep_linear",
    "deep_scalar",
    "deep_scalar_bound",
    "leaky_factorization",
    "leaky_factorisation",
    "one_quantity_bound",
]

#: Largest number of variables eliminated by a Groebner basis.
MAX_ELIMINATION = 6
#: Largest depth of the deep scalar network, and largest number of parameters of the
#: deep linear and leaky-ReLU builders (symmetry detection handles 24 variables).
MAX_DEPTH = 12
MAX_PARAMETERS = 24


def _depth(N: Any) -> int:
    N = check_count(N, "N", 2)
    if N > MAX_DEPTH:
        raise InvalidInputError(f"depth N is limited to {MAX_DEPTH}, got {N}")
    return N


def deep_scalar(N: int, mu: RealLike = 1) -> Objective:
    """(mu - x_1 x_2 ... x_N)^2 / 2, the deep scalar network of depth N.

    >>> deep_scalar(3).expr
    (-x1*x2*x3 + 1)**2/2
    """
    N = _depth(N)
    xs = sp.symbols(f"x1:{N + 1}")
    return Objective((exact_real(mu, "mu") - sp.Mul(*xs)) ** 2 / 2, xs, name=f"deep scalar N={N}")


def deep_linear(widths: Sequence[int], A: Any = None) -> Objective:
    """||A - W_N ... W_1||_F^2 / 2 with W_k of shape widths[k] x widths[k-1] (A defaults
    to the identity-like matrix with ones on the diagonal).

    >>> deep_linear([1, 2, 1]).symbols
    (w1_0_0, w1_1_0, w2_0_0, w2_0_1)
    """
    if isinstance(widths, str | bytes) or not hasattr(widths, "__iter__"):
        raise InvalidInputError(f"widths must be a list of layer widths, got {widths!r}")
    ws = [check_count(w, "width", 1) for w in widths]
    if len(ws) < 3:
        raise InvalidInputError("deep_linear needs at least two layers: widths [d0, d1, d2, ...]")
    size = sum(ws[k] * ws[k - 1] for k in range(1, len(ws)))
    if size > MAX_PARAMETERS:
        raise InvalidInputError(f"at most {MAX_PARAMETERS} parameters, widths {ws} give {size}")
    Ws = [
        sp.Matrix(ws[k], ws[k - 1], lambda i, j, k=k: sp.Symbol(f"w{k}_{i}_{j}"))
        for k in range(1, len(ws))
    ]
    P = Ws[-1]
    for W in reversed(Ws[:-1]):
        P = P * W
    T = sp.eye(ws[-1], ws[0]) if A is None else as_real_matrix(A, "A")
    if T.shape != P.shape:
        raise InvalidInputError(f"A must be {P.shape[0]} x {P.shape[1]}, got {T.shape}")
    E = T - P
    variables = [s for W in Ws for s in W]
    return Objective(sum(e**2 for e in E) / 2, variables, name=f"deep linear {ws}")


def leaky_factorization(A: Any, signs: Any, alpha: RealLike = "1/10") -> Objective:
    """(1/2)||A - X sigma(Y^T)||^2 with leaky ReLU sigma(y) = y (y > 0), alpha y (y < 0),
    on the smooth region where the entries of Y have the given ``signs`` (+1 / -1, shape
    of Y): there sigma(Y^T) = D o Y^T with D the region's slopes, a polynomial.

    >>> leaky_factorization([[1]], [[-1]]).expr
    (-x_0_0*y_0_0/10 + 1)**2/2
    """
    T = as_real_matrix(A, "A")
    n, m = T.shape
    try:
        S = np.asarray(signs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"signs must be an {m} x d array of +1 / -1") from exc
    if S.ndim != 2 or S.shape[0] != m or S.shape[1] < 1 or not np.all(np.isin(S, (1, -1))):
        raise InvalidInputError(f"signs must be an {m} x d array of +1 / -1, got {signs!r}")
    d = S.shape[1]
    if (n + m) * d > MAX_PARAMETERS:
        raise InvalidInputError(
            f"at most {MAX_PARAMETERS} parameters, got (n + m) d = {(n + m) * d}"
        )
    a = exact_real(alpha, "alpha")
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x_{i}_{j}"))
    Y = sp.Matrix(m, d, lambda i, j: sp.Symbol(f"y_{i}_{j}"))
    sig = sp.Matrix(d, m, lambda j, k: (1 if S[k, j] > 0 else a) * Y[k, j])
    E = T - X * sig
    return Objective(
        sum(e**2 for e in E) / 2, list(X) + list(Y), name=f"leaky factorisation {S.tolist()}"
    )


#: The British spelling, kept as an alias (the package spells it "factorization" in names).
leaky_factorisation = leaky_factorization


@dataclass(frozen=True)
class BalanceLaw:
    """P(lam, q_1, ..., q_m) = 0 on the minimiser set: lam the sharp eigenvalue, q_k the
    conserved quantities ``conserved[k]``.

    Attributes
    ----------
    polynomial : Expr
    lam : Symbol
    q : tuple of Symbol
    conserved : tuple of Expr
    seconds : float
        Time of the elimination.
    """

    polynomial: sp.Expr
    lam: sp.Symbol = field(repr=False)
    q: tuple[sp.Symbol, ...] = field(repr=False)
    conserved: tuple[sp.Expr, ...] = field(repr=False)
    seconds: float = field(repr=False)

    def residual(self, lam: Any, q: Sequence[Any]) -> Any:
        """P evaluated at (lam, q) (exactly for exact input; strings are parsed safely)."""
        if isinstance(q, str | bytes) or not isinstance(q, Sequence) or len(q) != len(self.q):
            raise InvalidInputError(f"q must have {len(self.q)} values")
        values = [as_expression(v, f"q[{i}]") for i, v in enumerate(q)]
        sub = {self.lam: as_expression(lam, "lam"), **dict(zip(self.q, values, strict=True))}
        return self.polynomial.subs(sub)


def balance_law(spectrum: MinimiserSpectrum) -> BalanceLaw:
    """Eliminate the variables from {r = 0, Q_k = q_k, lam = sharp} (module docstring).

    >>> from gdtheory.landscape.minimiser_set import objective_spectrum
    >>> balance_law(objective_spectrum("(1 - x*y)**2/2")).polynomial
    lam**2 - q1**2 - 4
    """
    if not isinstance(spectrum, MinimiserSpectrum):
        raise InvalidInputError(
            f"balance_law takes a MinimiserSpectrum (from balancing), got {type(spectrum).__name__}"
        )
    if spectrum.sharp is None or not spectrum.residuals:
        raise InvalidInputError(
            "a balance law needs a closed-form sharp eigenvalue and the residuals "
            "(objective_spectrum of a one-residual objective)"
        )
    xs = tuple(spectrum.variables)
    if len(xs) > MAX_ELIMINATION:
        raise InvalidInputError(
            f"the Groebner elimination is limited to {MAX_ELIMINATION} variables, got {len(xs)}"
        )
    exprs = [*spectrum.residuals, *spectrum.conserved, spectrum.sharp]
    taken = {s.name for s in xs} | {
        s.name for e in exprs for s in sp.sympify(e, strict=True).free_symbols
    }
    lam = fresh_symbol("lam", taken)  # named apart from the variables (a variable may be "lam")
    qs = tuple(
        fresh_symbol(f"q{k + 1}", taken | {lam.name}) for k in range(len(spectrum.conserved))
    )
    eqs = [sp.expand(r) for r in spectrum.residuals]
    eqs += [sp.expand(Q - q) for Q, q in zip(spectrum.conserved, qs, strict=True)]
    eqs.append(sp.expand(spectrum.sharp - lam))
    params = sorted(
        set().union(*(e.free_symbols for e in eqs)) - set(xs) - set(qs) - {lam}, key=str
    )
    t0 = time.perf_counter()
    residual = sp.expand(sp.sympify(spectrum.residuals[0], strict=True))
    samples = []
    for seed in (1, 2):  # two independent points of the minimiser set, at 60 digits
        pt = sample_point(residual, xs, params, seed=seed)
        with mp.workdps(DIGITS):
            for Q, q in zip(spectrum.conserved, qs, strict=True):
                pt[q] = _evaluate(Q, pt)
            pt[lam] = _evaluate(spectrum.sharp, pt)
        samples.append(pt)
    free = eliminate_within_budget(eqs, xs, [lam, *qs], samples, "the balance law's elimination")
    with_lam = [g for g in free if g.has(lam)]
    if not with_lam:
        raise InvalidInputError(
            "no relation between the sharp eigenvalue and the conserved "
            "quantities was found (are the conserved quantities complete?)"
        )
    P = min(with_lam, key=lambda g: sp.Poly(g, lam).degree())
    lead = sp.Poly(P, lam).LC()
    P = sp.expand(P / lead) if lead.is_number else P
    return BalanceLaw(P, lam, qs, tuple(spectrum.conserved), time.perf_counter() - t0)


def _evaluate(expr: sp.Expr, point: dict[sp.Symbol, Any]) -> Any:
    """A polynomial's value at an mpmath point (at the working precision)."""
    poly = sp.Poly(sp.expand(expr), *point)
    return mp.fsum(
        mp.mpf(c.p) / c.q * mp.fprod(point[s] ** e for s, e in zip(point, m, strict=True))
        for m, c in poly.as_dict().items()
    )


@dataclass(frozen=True)
class OneQuantityBound:
    """|q| <= B(h) at a point limit of GD, q the single conserved quantity.

    Attributes
    ----------
    bound : Expr
        B(h), in the symbol ``h``.
    derivative : Expr
        dB/dh.
    decreasing : bool
        dB/dh < 0 wherever B is real and positive, proved by SymPy's sign assumptions or,
        failing that, by its squared form (see :func:`one_quantity_bound`).
    quantity : Expr
    law : BalanceLaw
    """

    bound: sp.Expr
    derivative: sp.Expr = field(repr=False)
    decreasing: bool
    quantity: sp.Expr
    law: BalanceLaw = field(repr=False)

    def __call__(self, h: RealLike) -> float:
        """B(h) as a float; refused where no minimiser is stable (B not real)."""
        value = sp.N(self.bound.subs(H, exact_real(positive_real(h, "h"), "h")), 20)
        if not value.is_real:
            raise InvalidInputError(f"no minimiser is stable at h = {h}: B(h) = {value}")
        return float(value)


def one_quantity_bound(law: BalanceLaw) -> OneQuantityBound:
    """B(h) from P(2/h, q) = 0 when there is one conserved quantity and P is even in q
    and increasing in lam on the branch (module docstring).

    >>> from gdtheory.landscape.minimiser_set import objective_spectrum
    >>> b = one_quantity_bound(balance_law(objective_spectrum("(1 - x*y)**2/2")))
    >>> b.bound, b.decreasing
    (2*sqrt(1 - h**2)/h, True)
    """
    if not isinstance(law, BalanceLaw):
        raise InvalidInputError(f"one_quantity_bound takes a BalanceLaw, got {type(law).__name__}")
    if len(law.q) != 1:
        raise InvalidInputError(f"one conserved quantity needed, the law has {len(law.q)}")
    (q,) = law.q
    Q2 = sp.Symbol("Q2", nonnegative=True)
    P = sp.expand(law.polynomial)
    if sp.expand(P.subs(q, -q) - P) != 0:
        raise InvalidInputError("the law is not even in the conserved quantity")
    P2 = sp.expand(P.subs(q, sp.sqrt(Q2)))
    sols = sp.solve(sp.Eq(P2.subs(law.lam, 2 / H), 0), Q2)
    if len(sols) != 1:
        raise InvalidInputError(f"expected one solution for q^2 at lam = 2/h, got {sols}")
    B = sp.simplify(sp.sqrt(sols[0]))
    dB = sp.simplify(sp.diff(B, H))
    # B^2 = q^2(2/h): decreasing iff d(B^2)/dh < 0 (B > 0); SymPy decides the sign under
    # h > 0 when it can
    d2 = sp.simplify(sp.diff(sols[0], H))
    decreasing = bool(d2.is_negative) or bool(sp.simplify(-d2).is_positive)
    return OneQuantityBound(B, dB, decreasing, law.conserved[0], law)


@dataclass(frozen=True)
class DeepScalarBound:
    """B(h) = max of max_ij |x_i^2 - x_j^2| over the minimisers of (1 - x_1...x_N)^2/2
    with sharp eigenvalue <= 2/h.

    Attributes
    ----------
    N : int
    h : float
    bound : float
        B(h) (30-digit computation, rounded to float).
    maximiser : tuple of float
        u = x^2 (sorted) at the maximum.
    groups : tuple of int
        (p, q, r): p entries at the smallest value, q in the middle, r at the largest.
    multiplier : float
        dB/d(2/h) at the maximum (the constraint's Lagrange multiplier): > 0 proves B is
        strictly decreasing in h there, dB/dh = -2 multiplier / h^2.
    candidates : int
        Lagrange points examined.
    """

    N: int
    h: float
    bound: float
    maximiser: tuple[float, ...]
    groups: tuple[int, int, int]
    multiplier: float
    candidates: int

    @property
    def derivative(self) -> float:
        """dB/dh."""
        return -2.0 * self.multiplier / self.h**2


def _gamma(rho: Any, p: int, r: int) -> Any:
    """c / a at a Lagrange point: from a^2 / (p (c - a)) = b^2 / (r (b - c)), b = rho a,
    c / a = rho (r + p rho) / (p rho^2 + r), written so that no term overflows in float."""
    return (r + p * rho) / (p * rho + r / rho)


def _lagrange_point(
    rho: Any, pqr: tuple[int, int, int], N: int, L: Any, one: Any
) -> tuple[Any, Any, Any]:
    """(a, c/a, residual of p/a + q/c + r/b = L) at b = rho a, for float arrays (``one``
    = 1.0) or mpmath numbers (``one`` = mp.mpf(1)); a = (rho^r (c/a)^q)^(-1/N) through
    logarithms (rho reaches 1e185 at N = 12, h = 2e-15: rho^r overflows a float)."""
    p, q, r = pqr
    g = _gamma(rho, p, r)
    log, exp = (np.log, np.exp) if isinstance(one, float) else (mp.log, mp.exp)
    inv_a = exp((r * log(rho) + q * log(g)) / N)
    return 1 / inv_a, g, (p + q / g + r / rho) * inv_a - L


def deep_scalar_bound(N: int, *, h: RealLike, dps: int = 30) -> DeepScalarBound:
    r"""B(h) for the deep scalar network (module docstring), exactly up to root finding.

    With u_i = x_i^2 (prod u_i = 1) the sharp eigenvalue on the minimiser set is
    L(u) = sum_i prod_{j != i} u_j = sum_i 1/u_i.  At a maximiser of u_max - u_min under
    L(u) = 2/h, Lagrange's conditions make every middle entry equal to one value c, and
    with p entries at a = u_min, r at b = u_max, q = N - p - r at c:
    c = ab(ra + pb)/(pb^2 + ra^2).  Writing b = rho a leaves one equation in rho > 1,
    p/a + q/c + r/b = 2/h with a = (rho^r (c/a)^q)^(-1/N); its roots are found on a
    logarithmic grid and refined at ``dps`` digits, for every (p, q, r).

    >>> b = deep_scalar_bound(2, h="1/2")      # N = 2: sqrt(4/h^2 - 4) = sqrt(12)
    >>> round(b.bound, 12), b.multiplier > 0
    (3.464101615138, True)
    """
    N = _depth(N)
    dps = check_dps(dps)
    L = 2 / mp.mpf(str(sp.Rational(exact_real(positive_real(h, "h"), "h"))))
    if L > 1e15:
        raise InvalidInputError(f"h = {h} is too small (2/h > 1e15): use h >= 2e-15")
    if L < N:
        raise InvalidInputError(
            f"no minimiser is stable for h > 2/N = {2 / N}: the flattest has sharpness N"
        )
    best: tuple[Any, ...] | None = None
    count = 0
    groups = [(p, r) for p, r in product(range(1, N), repeat=2) if N - p - r >= 0]
    meter = Meter(f"the deep scalar bound at {dps} digits", len(groups), "groupings")
    with mp.workdps(dps):
        L = mp.mpf(L)
        for done, (p, r) in enumerate(groups):
            meter.tick(done)
            q = N - p - r

            # b / a <= u_max / u_min <= L^N: scan log rho in float, refine at dps digits
            grid = np.logspace(1e-6, N * np.log10(2 * float(L)) + 1, 4000)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                vals = _lagrange_point(grid, (p, q, r), N, float(L), 1.0)[2]
            for k in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0)[0]:
                lo, hi = mp.mpf(float(grid[k])), mp.mpf(float(grid[k + 1]))
                pqr = (p, q, r)
                rho = mp.findroot(
                    lambda t, pqr=pqr: _lagrange_point(t, pqr, N, L, mp.mpf(1))[2],
                    (lo, hi),
                    solver="anderson",
                )
                a, g, _ = _lagrange_point(rho, (p, q, r), N, L, mp.mpf(1))
                count += 1
                value = a * (rho - 1)
                if best is None or value > best[0]:
                    best = (value, a, g, rho, p, q, r)
    if best is None:  # L = N exactly: only the balanced point
        return DeepScalarBound(N, float(2 / L), 0.0, (1.0,) * N, (N, 0, 0), float("inf"), 0)
    value, a, g, rho, p, q, r = best
    with mp.workdps(dps):
        b, c = a * rho, a * g
        # multiplier of sum 1/u = L: from d/da and d/db of (b - a) = mu grad(g1) + nu grad(g2),
        # the 2 x 2 system [[-p/a^2, p/a], [-r/b^2, r/b]] (mu, nu) = (-1, 1) solved in closed
        # form (its entries span more orders of magnitude than dps when h is tiny)
        mu_ = a * b * (1 + r / (p * rho)) / (r * (1 - 1 / rho))
    u = sorted([float(a)] * p + [float(c)] * q + [float(b)] * r)
    return DeepScalarBound(N, float(2 / L), float(value), tuple(u), (p, q, r), float(mu_), count)


def leaky_gd(
    starts: np.ndarray, h: float, alpha: float, sign: int, steps: int = 5000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GD on (1 - x sigma(y))^2/2 (leaky ReLU of slope ``alpha``, piecewise: not an
    expression the parser accepts) from each start: the final x, y and which runs
    converged to a minimiser in the region sign(y) = ``sign``.

    >>> x, y, done = leaky_gd(np.array([[2.0, 0.3]]), 0.5, 0.1, 1, steps=2000)
    >>> bool(done[0]), round(float(x[0] * y[0]), 9)
    (True, 1.0)
    """
    X = np.array(starts, dtype=float)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            xv, yv = X[:, 0], X[:, 1]
            sl = np.where(yv > 0, 1.0, alpha)
            r = xv * sl * yv - 1
            X = X - h * np.column_stack([r * sl * yv, r * sl * xv])
        xv, yv = X[:, 0], X[:, 1]
        sl = np.where(yv > 0, 1.0, alpha)
        done = np.isfinite(xv) & (np.abs(xv * sl * yv - 1) < 1e-12) & (np.sign(yv) == sign)
    return xv, yv, done
