r"""How much work a modified equation will take, estimated before it is done.

Two estimates, both refused above the budget (:mod:`gdtheory.core.budget`) with a
:class:`~gdtheory.core.budget.CostError` that states them:

* **Expansion size of the input** (:func:`gdtheory.core.budget.expansion_size`), from
  the SymPy tree alone, checked before the input enters the exact ring.
* **Cost of each order** (:class:`OrderCosts`), from the measured sizes of everything
  already computed: order k multiplies, for i = 2..k+1 and a = 0..k+1-i, each entry of
  the Jacobian of W_{i-1,a} by each entry of F_{k+1-i-a} (see
  :mod:`gdtheory.backward_error.modified`).  A sparse product of polynomials with s and
  t terms costs about ``kappa * s * t`` seconds (plus a fixed overhead per product),
  kappa measured once per process on this machine (:func:`product_rate`), times the
  ratio of measured to modelled time of the last order computed when it took long
  enough (50 ms) to be measured (large rational coefficients and atoms make products slower
  than the calibration).  Sizes of orders not yet computed are extrapolated from the
  growth of the last two (a power law in k), so the remaining work is estimated, and
  refused, before it starts.

Both estimates err low on purpose (coefficient growth and memory traffic are left out),
so a refusal is never premature.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import sympy as sp

from ..core import budget

__all__ = ["product_rate", "conversion_rate", "OrderCosts"]


#: Seconds of fixed cost per polynomial product in the recursion (the Python loop and the
#: call into FLINT; measured ~3e-6 per product on small polynomials, 1e-6 kept).
PRODUCT_OVERHEAD = 1e-6


@lru_cache(maxsize=1)
def product_rate() -> float:
    """Seconds per (term x term) of a sparse exact polynomial product on this machine,
    measured once per process on a product of two dense 3-variable polynomials."""
    import flint

    ctx = flint.fmpq_mpoly_ctx.get(("u", "v", "w"), "lex")
    u, v, w = ctx.gens()
    p = (u + 2 * v + w + 1) ** 10
    q = (3 * u - v + w + 2) ** 10
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        p * q
        best = min(best, time.perf_counter() - t0)
    return best / (len(p) * len(q))


@lru_cache(maxsize=1)
def conversion_rate() -> float:
    """Seconds per term to turn an exact ring element into a SymPy expression (the
    fields and obstructions a modified equation returns), measured once per process."""
    x, y, z = sp.symbols("x y z")
    terms = [
        sp.Rational(i + 1, i + 2) * x ** (i % 7) * y ** (i % 5) * z ** (i % 3) for i in range(105)
    ]
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        sp.Add(*[sp.Mul(*t.as_ordered_factors()) for t in terms])
        best = min(best, time.perf_counter() - t0)
    return best / len(terms)


class OrderCosts:
    """Term counts of the fields computed so far, and the cost estimate of the orders
    still to do (see the module docstring).

    W_{i,m} has about as many terms as F_{i+m-1}, so with S_b the mean term count of an
    entry of F_b (measured for computed orders, extrapolated for the others) order j
    costs about  kappa n^2 sum_{b=0}^{j-1} (b + 1) S_b S_{j-1-b}  seconds (b = i - 2 + a
    in the double sum of the module docstring; b + 1 pairs (i, a) give each b).
    """

    def __init__(self, n: int, order: int, what: str) -> None:
        self.n, self.order, self.what = n, order, what
        self.known: list[float] = []  # mean terms per entry of F_0, F_1, ...
        self.rate = product_rate()  # measured before the clock starts
        self.sympy_rate = conversion_rate()
        self.factor = 1.0  # measured time / modelled time of the last order (>= 1)
        self.t0 = self.last = time.perf_counter()

    def record(self, k: int, entries: Sequence[Any], sample: Any = None) -> None:
        """Record the mean term count of the entries of F_k (orders in sequence); with
        ``sample(entry, terms)`` (the SymPy conversion of the first ``terms`` terms of an
        entry) also measure the conversion rate on this very ring (atoms and large
        rational coefficients make it far slower than the calibration)."""
        if k == len(self.known):
            self.known.append(max(1.0, sum(len(e) for e in entries) / max(1, len(entries))))
        if sample is not None and entries:
            big = max(entries, key=len)
            terms = min(len(big), 200)
            if terms >= 20:
                t0 = time.perf_counter()
                sample(big, terms)
                spent = time.perf_counter() - t0
                self.last += spent  # not part of the order's own time
                self.sympy_rate = max(self.sympy_rate, spent / terms)

    def sizes(self) -> list[float]:
        """S_0..S_order: measured, then a power law in k through the last two measured."""
        S = list(self.known) or [1.0]
        j = len(S) - 1
        if j == 0:
            growth = 1.0
        else:
            ratio = max(S[j], 1.0) / max(S[j - 1], 1.0)
            growth = max(1.0, math.log(ratio) / math.log((j + 1) / j))
        for k in range(len(S), self.order + 1):
            S.append(min(1e150, S[j] * ((k + 1) / (j + 1)) ** growth))
        return S

    def order_seconds(self, k: int, S: Sequence[float] | None = None) -> float:
        """Estimated seconds for order k."""
        S = self.sizes() if S is None else S
        pairs = sum((b + 1) * S[b] * S[k - 1 - b] for b in range(k))
        products = k * (k + 1) / 2
        return self.n * self.n * (pairs * self.rate + products * PRODUCT_OVERHEAD)

    def check(self, k: int) -> None:
        """Before computing order k: refuse if orders k..order would exceed the budget, by
        the size model (module docstring) or by the elapsed time (:meth:`_check_elapsed`)."""
        now = time.perf_counter()
        took, self.last = now - self.last, now
        if k < 1:
            return
        S = self.sizes()
        modelled = self.order_seconds(k - 1, S)
        if took > 0.05 and modelled > 0:  # coefficient growth, atoms: calibrate on it
            self.factor = max(1.0, took / modelled)
        remaining = self.factor * sum(self.order_seconds(j, S) for j in range(k, self.order + 1))
        # then every field entry (and each curl entry above the diagonal) becomes SymPy
        per_order = self.n * (1 + (self.n - 1) / 2) * self.sympy_rate
        remaining += per_order * sum(S)
        elapsed = now - self.t0
        # judged once the orders done say enough (a pilot's time, two orders), or at once
        # when even this early estimate is beyond the budget
        if (elapsed >= budget.PILOT_SECONDS and k >= 2) or remaining > budget.MAX_SECONDS:
            budget.charge(
                f"the modified equation of {self.what} to order {self.order}",
                remaining,
                f"orders 0..{k - 1} took {elapsed:.2g} s; estimated from their sizes, "
                f"{S[k - 1]:.3g} terms per entry at order {k - 1}, at {self.rate:.2g} s per "
                f"term product times {self.factor:.3g}, the ratio measured on order {k - 1}; "
                "lower the order",
            )
        self._check_elapsed(k, elapsed)

    def _check_elapsed(self, done: int, elapsed: float) -> None:
        """The second rule, on wall time alone: the cost of orders 0..k grows at least like
        k^4 (k^3 products of polynomials whose size grows with k), so once orders
        0..done-1 have taken ``elapsed`` seconds (at least 4 orders and 2 s, enough signal
        to extrapolate) the whole run is estimated as elapsed * ((order + 1) / done)^4, a
        conservative (low) estimate."""
        refuse_extrapolated(
            f"the modified equation to order {self.order}",
            done,
            self.order + 1,
            elapsed,
            done_text=f"orders 0..{done - 1}",
            law="order^4",
            min_done=4,
        )


def refuse_extrapolated(
    what: str,
    done: int,
    total: int,
    elapsed: float,
    *,
    done_text: str,
    law: str,
    min_done: int,
) -> None:
    """Raise :class:`~gdtheory.core.budget.CostError` when ``done`` of ``total`` steps
    took ``elapsed`` seconds and a cost growing like steps^4 puts the whole run, estimated
    as elapsed * (total / done)^4 (a low estimate), above the budget; silent until
    ``min_done`` steps and 2 s give enough signal to extrapolate."""
    if done < min_done or elapsed <= 2.0:
        return
    estimate = elapsed * (total / done) ** 4
    if estimate > budget.MAX_SECONDS:
        budget.charge(
            what,
            estimate - elapsed,
            f"{done_text} took {elapsed:.2g} s; the cost grows at least like {law}: lower "
            "the order",
        )
