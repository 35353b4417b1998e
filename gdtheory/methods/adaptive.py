r"""Adaptive methods on the registry: RMSProp, Adam and AdamW, with PyTorch's conventions.

Coordinate-wise (g = grad f(x), squares and roots entry by entry), from the state
(m, v) = (0, 0) and the step counter t = 0:

* RMSProp:  v' = beta2 v + (1 - beta2) g^2,   x' = x - h g / (sqrt(v') + eps)
* Adam:     m' = beta1 m + (1 - beta1) g,     v' = beta2 v + (1 - beta2) g^2,
            with bias correction (t' = t + 1)  m^ = m' / (1 - beta1^t'),
            v^ = v' / (1 - beta2^t'), else m^ = m', v^ = v';
            x' = x - h m^ / (sqrt(v^) + eps)
* AdamW:    Adam's step from the decayed point: x' = (1 - h lambda) x - h m^/(sqrt(v^) + eps)
            (decoupled weight decay, Loshchilov and Hutter, ICLR 2019)

as ``torch.optim.RMSprop`` (whose ``alpha`` is beta2 here), ``torch.optim.Adam`` and
``torch.optim.AdamW`` compute them: eps outside the square root, t counted from 1, the
decay applied to the parameters before Adam's step (Kingma and Ba, ICLR 2015; the
PyTorch documentation of the three optimisers).  With bias correction the counter t is
part of the state (a vector of n equal counts, so that every state variable has the
shape of x); without it the state is (m, v) and the method is autonomous, which is what
the slow-manifold engine needs.

``eps_root`` (default 0, Optax's name) moves a constant under the root: the denominator
is sqrt(v^ + eps_root) + eps, so ``eps=0, eps_root=e`` is the form sqrt(v^ + e) that
Cattaneo, Klusowski and Shigida analyse ("On the implicit bias of Adam", ICML 2024).

>>> a = Adam(beta1="9/10", beta2="999/1000", eps="1e-8")
>>> x1, (m, v, t) = a.update(lambda x: [2.0 * x[0]], [1.0], ([0.0], [0.0], [0.0]), 0.1)
>>> float(x1[0]), round(m[0], 12), round(v[0], 12), t   # about h sign(g): eps is small
(0.9000000005, 0.2, 0.004, [1.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import sympy as sp

from ..core.scalars import float_or_exact
from ..errors import InvalidInputError
from .registry import Gradient, Method

__all__ = [
    "RMSProp",
    "Adam",
    "AdamW",
    "FrozenPreconditioner",
    "adaptive_coefficient",
]


def adaptive_coefficient(value: Any, name: str, *, upper: bool = True) -> sp.Expr:
    """A hyperparameter of an adaptive method as an exact number (beta in [0, 1), or eps
    and the weight decay >= 0 with ``upper=False``) or a positive Symbol (a name such as
    "beta2" becomes one, kept symbolic).

    >>> adaptive_coefficient("999/1000", "beta2"), adaptive_coefficient("eps", "eps")
    (999/1000, eps)
    >>> adaptive_coefficient("1", "beta1")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: beta1 must lie in [0, 1), got 1
    """
    if value is None:
        raise InvalidInputError(f"the hyperparameter {name} is required")
    if isinstance(value, sp.Symbol):
        return value
    if isinstance(value, str) and value.strip().isidentifier():
        return sp.Symbol(value.strip(), positive=True)
    b = float_or_exact(value, name)
    if upper and not 0 <= b < 1:
        raise InvalidInputError(f"{name} must lie in [0, 1), got {b}")
    if not upper and b < 0:
        raise InvalidInputError(f"{name} must be >= 0, got {b}")
    return b


def decayed_momentum_threshold(beta1: Any, weight_decay: Any, h: sp.Expr) -> sp.Expr:
    """(1 + beta1)(2 - h w)/((1 - beta1) h): the lambda of P^-1 H at which x' = (1 - h w) x
    - h P^-1 m', m' = beta1 m + (1 - beta1) g, with P frozen, turns unstable on lambda
    x^2/2.  Its multipliers have trace 1 - h w - z + beta1 and determinant beta1 (1 - h w),
    z = (1 - beta1) h lambda, and r = -1 at z = (1 + beta1)(2 - h w)."""
    return (1 + beta1) * (2 - h * weight_decay) / ((1 - beta1) * h)


def _denominators(meth: RMSProp | Adam, v: Sequence[Any], like: Any) -> list[Any]:
    """sqrt(v + eps_root) + eps entry by entry: PyTorch's sqrt(v) + eps when eps_root = 0
    (the default), Cattaneo-Klusowski-Shigida's sqrt(v + eps) with eps = 0 (Optax's
    ``eps_root``)."""
    eps = meth.num(meth.eps, like)
    root = meth.eps_root
    if root == 0:
        return [meth.sqrt(vi) + eps for vi in v]
    r = meth.num(root, like)
    return [meth.sqrt(vi + r) + eps for vi in v]


def _second_moment(v: Sequence[Any], g: Sequence[Any], b2: Any) -> list[Any]:
    """v' = beta2 v + (1 - beta2) g^2, entry by entry."""
    return [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g, strict=True)]


@dataclass(frozen=True)
class RMSProp(Method):
    """RMSProp (Tieleman and Hinton, 2012) as ``torch.optim.RMSprop(alpha=beta2, eps=eps)``:
    v' = beta2 v + (1 - beta2) g^2, x' = x - h g / (sqrt(v') + eps)."""

    beta2: Any = None
    eps: Any = None
    eps_root: Any = 0
    key = "rmsprop"
    state = ("v",)
    requires = ("beta2", "eps")
    example = {"beta2": "99/100", "eps": "1e-8"}
    coordinatewise = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "beta2", adaptive_coefficient(self.beta2, "beta2"))
        object.__setattr__(self, "eps", adaptive_coefficient(self.eps, "eps", upper=False))
        root = adaptive_coefficient(self.eps_root, "eps_root", upper=False)
        object.__setattr__(self, "eps_root", root)

    def update(
        self, grad: Gradient, x: Sequence[Any], state: Sequence[Sequence[Any]], h: Any
    ) -> tuple[list[Any], tuple[list[Any], ...]]:
        (v,) = state
        g = grad(x)
        v1 = _second_moment(v, g, self.num(self.beta2, x[0]))
        x1 = [
            xi - h * gi / di for xi, gi, di in zip(x, g, _denominators(self, v1, x[0]), strict=True)
        ]
        return x1, (v1,)

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """2/h for the curvature of P^-1 H, P = diag(sqrt(v) + eps) frozen: GD's."""
        return 2 / h

    def inverse_preconditioner(self, state: Sequence[Sequence[Any]]) -> list[Any]:
        """1/(sqrt(v + eps_root) + eps), entry by entry."""
        (v,) = state
        return [1 / di for di in _denominators(self, v, v[0])]

    def freeze(self, state: Sequence[Sequence[Any]]) -> tuple[Method, tuple[list[Any], ...]]:
        """GD in the frozen metric: FrozenPreconditioner with beta1 = 0."""
        d = self.inverse_preconditioner(state)
        return FrozenPreconditioner(0, tuple(d)), ([di * 0 for di in d],)


@dataclass(frozen=True)
class Adam(Method):
    """Adam (Kingma and Ba, 2015) as ``torch.optim.Adam(betas=(beta1, beta2), eps=eps)``;
    ``bias_correction=False`` drops the factors 1/(1 - beta^t) (the steady state, an
    autonomous method with state (m, v))."""

    beta1: Any = None
    beta2: Any = None
    eps: Any = None
    bias_correction: bool = True
    eps_root: Any = 0
    key = "adam"
    requires: ClassVar[tuple[str, ...]] = ("beta1", "beta2", "eps")
    example = {"beta1": "9/10", "beta2": "999/1000", "eps": "1e-8"}
    coordinatewise = True

    def __post_init__(self) -> None:
        for name in ("beta1", "beta2"):
            object.__setattr__(self, name, adaptive_coefficient(getattr(self, name), name))
        object.__setattr__(self, "eps", adaptive_coefficient(self.eps, "eps", upper=False))
        root = adaptive_coefficient(self.eps_root, "eps_root", upper=False)
        object.__setattr__(self, "eps_root", root)
        if not isinstance(self.bias_correction, bool):
            raise InvalidInputError(
                f"bias_correction must be True or False, got {self.bias_correction!r}"
            )

    @property
    def state(self) -> tuple[str, ...]:  # type: ignore[override]
        """(m, v), and the step counter t with bias correction."""
        return ("m", "v", "t") if self.bias_correction else ("m", "v")

    @property
    def autonomous(self) -> bool:
        """Without bias correction only: the factors 1/(1 - beta^t) change every step."""
        return not self.bias_correction

    def _decayed(self, x: Sequence[Any], h: Any) -> list[Any]:
        """The point Adam's step starts from (x itself; AdamW decays it)."""
        return list(x)

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """(2 + 2 beta1)/((1 - beta1) h) for the curvature lambda of P^-1 H, P =
        diag(sqrt(v) + eps) frozen (Cohen et al., "Adaptive gradient methods at the edge of
        stability", 2022): with u = -h m the pair (x, u) is heavy ball at rate
        (1 - beta1) h with momentum beta1, so r = -1 at (1 - beta1) h lambda = 2 + 2 beta1."""
        return (2 + 2 * self.beta1) / ((1 - self.beta1) * h)

    def inverse_preconditioner(self, state: Sequence[Sequence[Any]]) -> list[Any]:
        """1/((1 - beta1^t)(sqrt(v^) + eps)), v^ = v/(1 - beta2^t) (with bias correction;
        1/(sqrt(v) + eps) without), Cohen et al.'s P for which Adam's step is x - h P^-1 m
        with the raw first moment m.  With bias correction it is defined from t = 1 on."""
        v = state[1]
        if not self.bias_correction:
            return [1 / di for di in _denominators(self, v, v[0])]
        b1, b2 = self.num(self.beta1, v[0]), self.num(self.beta2, v[0])
        if not all(np.all(np.asarray(ti, dtype=float) >= 1) for ti in state[2]):
            raise InvalidInputError(
                "Adam's bias-corrected preconditioner is defined after the first step "
                "(t >= 1); the state has t = 0"
            )
        v_hat = [vi / (1 - b2**ti) for vi, ti in zip(v, state[2], strict=True)]
        return [
            1 / ((1 - b1**ti) * di)
            for ti, di in zip(state[2], _denominators(self, v_hat, v[0]), strict=True)
        ]

    def freeze(self, state: Sequence[Sequence[Any]]) -> tuple[Method, tuple[list[Any], ...]]:
        """Momentum in the frozen metric: FrozenPreconditioner(beta1, P^-1 of ``state``,
        the weight decay of AdamW), continuing from the raw first moment m."""
        d = self.inverse_preconditioner(state)
        decay = getattr(self, "weight_decay", 0)
        return FrozenPreconditioner(self.beta1, tuple(d), decay), (list(state[0]),)

    def update(
        self, grad: Gradient, x: Sequence[Any], state: Sequence[Sequence[Any]], h: Any
    ) -> tuple[list[Any], tuple[list[Any], ...]]:
        m, v = state[0], state[1]
        b1, b2 = self.num(self.beta1, x[0]), self.num(self.beta2, x[0])
        g = grad(x)
        m1 = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g, strict=True)]
        v1 = _second_moment(v, g, b2)
        new_state: tuple[list[Any], ...] = (m1, v1)
        m_hat, v_hat = m1, v1
        if self.bias_correction:
            t1 = [ti + 1 for ti in state[2]]
            m_hat = [mi / (1 - b1**ti) for mi, ti in zip(m1, t1, strict=True)]
            v_hat = [vi / (1 - b2**ti) for vi, ti in zip(v1, t1, strict=True)]
            new_state = (m1, v1, t1)
        x1 = [
            xi - h * mi / di
            for xi, mi, di in zip(
                self._decayed(x, h), m_hat, _denominators(self, v_hat, x[0]), strict=True
            )
        ]
        return x1, new_state


@dataclass(frozen=True)
class AdamW(Adam):
    """AdamW (Loshchilov and Hutter, 2019) as ``torch.optim.AdamW``: the decoupled decay
    x -> (1 - h weight_decay) x, then Adam's step (the gradient taken at x)."""

    weight_decay: Any = None
    key = "adamw"
    requires = ("beta1", "beta2", "eps", "weight_decay")
    example = {"beta1": "9/10", "beta2": "999/1000", "eps": "1e-8", "weight_decay": "1/100"}

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(
            self,
            "weight_decay",
            adaptive_coefficient(self.weight_decay, "weight_decay", upper=False),
        )

    def _decayed(self, x: Sequence[Any], h: Any) -> list[Any]:
        lam = self.num(self.weight_decay, x[0])
        return [xi * (1 - h * lam) for xi in x]

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """(1 + beta1)(2 - h weight_decay)/((1 - beta1) h), with P frozen
        (:func:`decayed_momentum_threshold`)."""
        return decayed_momentum_threshold(self.beta1, self.weight_decay, h)


@dataclass(frozen=True, eq=False)
class FrozenPreconditioner(Method):
    """Adam with its preconditioner frozen (Cohen et al., 2022, the frozen-preconditioner
    experiment): m' = beta1 m + (1 - beta1) g, x' = (1 - h weight_decay) x - h d m', with
    d = P^-1 a fixed positive vector laid out like x (a vector of floats, or one array per
    coordinate).  beta1 = 0 is GD in the metric diag(d) (RMSProp frozen).  Made by
    :meth:`Adam.freeze` and :meth:`RMSProp.freeze`; not registered (d is a run's state,
    not a hyperparameter)."""

    beta1: Any = 0
    inverse: tuple[Any, ...] = ()
    weight_decay: Any = 0
    state = ("m",)
    coordinatewise = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "beta1", adaptive_coefficient(self.beta1, "beta1"))
        object.__setattr__(
            self,
            "weight_decay",
            adaptive_coefficient(self.weight_decay, "weight_decay", upper=False),
        )
        bad = InvalidInputError(
            "the frozen inverse preconditioner must be a non-empty vector of finite positive "
            f"numbers (or of arrays of them), got {self.inverse!r:.80}"
        )
        try:
            arrays = tuple(np.asarray(di, dtype=float) for di in self.inverse)
        except (TypeError, ValueError):
            raise bad from None
        if not arrays or not all(a.size and np.all(np.isfinite(a) & (a > 0)) for a in arrays):
            raise bad
        d = tuple(float(a) if a.ndim == 0 else a for a in arrays)
        object.__setattr__(self, "inverse", d)

    def update(
        self, grad: Gradient, x: Sequence[Any], state: Sequence[Sequence[Any]], h: Any
    ) -> tuple[list[Any], tuple[list[Any], ...]]:
        (m,) = state
        d = self._laid_out(len(x))
        if len(x) != len(d):
            raise InvalidInputError(
                f"the frozen preconditioner has {len(self.inverse)} coordinates, x has {len(x)}"
            )
        b1, w = self.num(self.beta1, x[0]), self.num(self.weight_decay, x[0])
        m1 = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, grad(x), strict=True)]
        x1 = [xi * (1 - h * w) - h * di * mi for xi, di, mi in zip(x, d, m1, strict=True)]
        return x1, (m1,)

    def _laid_out(self, n: int) -> list[Any]:
        """d for a run with n coordinates: one array when the run holds the parameter
        vector as one coordinate (n = 1), else as given."""
        if n == 1 and len(self.inverse) > 1:
            return [np.asarray(self.inverse, dtype=float)]
        return list(self.inverse)

    def inverse_preconditioner(self, state: Sequence[Sequence[Any]]) -> list[Any]:
        """The frozen d, laid out like the state."""
        return self._laid_out(len(state[0]))

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """Adam's (AdamW's with a decay): :func:`decayed_momentum_threshold`."""
        return decayed_momentum_threshold(self.beta1, self.weight_decay, h)
