r"""The optimiser registry: a method is one class with one update formula.

A method declares

* its **hyperparameters** as dataclass fields (exact numbers or SymPy symbols);
* its **state**: the names of its fast variables, each a vector like x (``("v",)`` for
  heavy ball's velocity; none for GD), zero at the start unless given;
* **one update formula** ``update(grad, x, state, h) -> (x_new, state_new)``, written
  with ``+ - *`` (and :meth:`Method.num` for its hyperparameters) so that it runs in any
  arithmetic: lists of float64 arrays holding many paths at once, mpmath numbers, SymPy
  expressions, truncated power series in a differential ring.

Everything else is derived from that one formula, for the built-in methods and for one a
user defines outside the package (subclass :class:`Method`, give ``update``):

* the float64 runner :func:`gdtheory.run` and the high-precision runner;
* the oracle :func:`gdtheory.testing.assert_step`;
* the theory: :func:`gdtheory.method_modified_equation` applies backward error analysis to
  the map of a memoryless method and, to a method with fast state, the slow-manifold
  engine (:mod:`gdtheory.backward_error.slow_manifold`).

A subclass that sets ``key`` is registered under that name (``as_method("gd")``).

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class DoubleGD(Method):
...     '''GD at twice the rate: x' = x - 2 h g(x).'''
...     def update(self, grad, x, state, h):
...         return [a - 2 * h * b for a, b in zip(x, grad(x))], ()
>>> DoubleGD().update(lambda x: [x[0]], [1.0], (), 0.25)
([0.5], ())
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import mpmath
import numpy as np
import sympy as sp

from ..core.scalars import to_mpf
from ..errors import InvalidInputError, UnboundParameterError

__all__ = ["Method", "REGISTRY", "as_method", "method_from_settings", "Gradient"]

#: A gradient in the arithmetic of x: a callable y -> list of the n components.
Gradient = Callable[[Sequence[Any]], Sequence[Any]]

#: The registered methods by key ("gd", "heavy_ball", ...).
REGISTRY: dict[str, type[Method]] = {}


@lru_cache(maxsize=256)
def _float(value: sp.Expr) -> float:
    """float(value), once per hyperparameter (the float64 runner calls every step)."""
    return float(value)


@dataclass(frozen=True)
class Method:
    """Base of every optimiser (see the module docstring).

    Class attributes
    ----------------
    key : str
        The registry name; empty for a method not registered by name.
    state : tuple of str
        The names of the fast variables.
    stochastic : bool
        True for a method whose gradient is a sample (SGD): the runner draws the
        minibatch, the theory is that of its sampling scheme.
    requires : tuple of str
        Hyperparameters without which the method is not defined: ``as_method`` refuses
        the bare name ("heavy_ball" says nothing about beta).
    example : dict of str to str
        The hyperparameters of a typical instance, as text (``{"beta": "9/10"}``):
        ``cls(**cls.example)`` is a valid method (the CLI's help, the registry's tests).
    coordinatewise : bool
        True when the update treats every coordinate alone by one formula (GD, momentum,
        the adaptive methods): it may then run on a whole parameter vector held as *one*
        array coordinate, ``x = [w]``, as :func:`gdtheory.track_sharpness` runs models.
    """

    key: ClassVar[str] = ""
    state: ClassVar[tuple[str, ...]] = ()
    stochastic: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ()
    example: ClassVar[dict[str, str]] = {}
    coordinatewise: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        key = cls.__dict__.get("key")
        if key:
            REGISTRY[key] = cls

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def momentum(self) -> bool:
        """True for a method with fast state (the legacy name of ``bool(state)``)."""
        return bool(self.state)

    @property
    def autonomous(self) -> bool:
        """Whether the update is the same at every step (False for Adam's bias correction,
        which depends on the step count t): only an autonomous method has a modified
        equation of the usual kind."""
        return True

    def hyperparameters(self) -> dict[str, Any]:
        """The method's hyperparameters by name."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def init_state(self, x: Sequence[Any]) -> tuple[list[Any], ...]:
        """The fast state at the start: every variable zero, in the arithmetic of x."""
        return tuple([c * 0 for c in x] for _ in self.state)

    def update(
        self, grad: Gradient, x: Sequence[Any], state: Sequence[Sequence[Any]], h: Any
    ) -> tuple[list[Any], tuple[list[Any], ...]]:
        """One step: (x, state) -> (x', state').  Every method overrides this."""
        raise InvalidInputError(
            f"{self.name} defines no update(grad, x, state, h): a method is its update formula"
        )

    def num(self, value: Any, like: Any) -> Any:
        """The hyperparameter ``value`` in the arithmetic of ``like``: itself for SymPy and
        the exact engines (``like.exact``), ``like.from_constant(value)`` for an arithmetic
        that defines it (the rounding bounds of :mod:`gdtheory.testing.rounding`),
        correctly rounded for mpmath, a float for float64 arrays; a symbolic one has no
        number (UnboundParameterError naming it)."""
        if isinstance(like, sp.Basic) or getattr(like, "exact", False):
            return value
        if isinstance(value, sp.Basic) and value.free_symbols:
            names = tuple(sorted(s.name for s in value.free_symbols))
            raise UnboundParameterError(
                f"the hyperparameter {value} of {self.name} is symbolic: a numerical run "
                "needs a number (symbolic hyperparameters are for the formulas)",
                params=names,
            )
        if hasattr(like, "from_constant"):  # an arithmetic that tracks its constants
            return like.from_constant(value)
        if isinstance(like, mpmath.mpf):
            return to_mpf(value)  # correctly rounded at the precision in force
        if isinstance(value, sp.Basic):
            return _float(value)
        return value

    def stability_threshold(self, h: sp.Expr) -> sp.Expr:
        """The largest curvature lambda at which the method, run on lambda x^2/2 (with its
        preconditioner frozen, for an adaptive method), is linearly stable at rate h: the
        edge of stability of :func:`gdtheory.edge_threshold` (2/h for GD).  A method
        that declares none says so."""
        raise InvalidInputError(
            f"{self.name} declares no stability threshold: define "
            "stability_threshold(self, h) on the class (the lambda at which its update on "
            "lambda x^2/2 gets a multiplier of modulus 1)"
        )

    def inverse_preconditioner(self, state: Sequence[Sequence[Any]]) -> Any:
        """P^-1 of the step x' = x - h P^-1 (gradient or momentum) that the state ``state``
        (the state *after* the step, whose moments it used) applies: None for P = I (GD,
        momentum), the diagonal of P^-1 as a vector like x (the adaptive methods), or a
        square matrix.  The preconditioned sharpness lambda_max(P^-1 H) of Cohen et al.
        ("Adaptive gradient methods at the edge of stability", 2022) is measured with it."""
        return None

    def freeze(self, state: Sequence[Sequence[Any]]) -> tuple[Method, tuple[list[Any], ...]]:
        """(method, state) that continue this run with the preconditioner of ``state``
        frozen (Cohen et al.'s frozen-preconditioner experiment); a method without an
        adaptive preconditioner has none to freeze."""
        raise InvalidInputError(
            f"{self.name} has no adaptive preconditioner to freeze (only RMSProp, Adam and "
            "AdamW adapt theirs)"
        )

    @staticmethod
    def sqrt(value: Any) -> Any:
        """The square root in the arithmetic of ``value``: its own ``sqrt()`` (the
        truncated series of the slow-manifold engine, the rounding bounds of the oracle,
        arb balls), SymPy's, mpmath's, else NumPy's (float64 arrays of many paths).

        >>> Method.sqrt(sp.Integer(4)), Method.sqrt(mpmath.mpf(2)) ** 2, Method.sqrt(9.0)
        (2, mpf('2.0000000000000004'), 3.0)
        """
        if isinstance(value, sp.Basic):
            return sp.sqrt(value)
        if isinstance(value, mpmath.mpf):
            return mpmath.sqrt(value)
        if isinstance(value, float | int):
            return math.sqrt(value)
        own = getattr(value, "sqrt", None)
        if callable(own):
            return own()
        return np.sqrt(value)

    def step(
        self, grad: Gradient, x: Sequence[Any], v: Sequence[Any], h: Any
    ) -> tuple[list[Any], list[Any]]:
        """The (x, v) form of :meth:`update`, v the velocity x_k - x_{k-1} for a method
        whose one state variable is the velocity (heavy ball, Nesterov), and v' = x' - x
        for a memoryless one."""
        if not self.state:
            x1, _ = self.update(grad, x, (), h)
            return x1, [a - b for a, b in zip(x1, x, strict=True)]
        if len(self.state) != 1:
            raise InvalidInputError(f"{self.name} has the state {self.state}: call update()")
        x1, (v1,) = self.update(grad, x, (v,), h)
        return x1, v1

    def check_output(self, out: Any, n: int) -> tuple[list[Any], tuple[list[Any], ...]]:
        """``update``'s result as (x', state'), or an error saying what it returned."""

        def vectors(v: Any) -> bool:
            return isinstance(v, Sequence) or hasattr(v, "__len__") and hasattr(v, "__getitem__")

        if not (isinstance(out, tuple | list) and len(out) == 2 and all(map(vectors, out))):
            raise InvalidInputError(
                f"{self.name}.update must return the pair (x', state') of a vector and a "
                f"tuple of vectors, got {type(out).__name__}"
            )
        x1, s1 = out
        s1 = tuple(s1)
        if not all(map(vectors, s1)):
            raise InvalidInputError(f"{self.name}.update's state' must be a tuple of vectors")
        if len(x1) != n or len(s1) != len(self.state) or any(len(s) != n for s in s1):
            raise InvalidInputError(
                f"{self.name}.update returned {len(x1)} coordinates and {len(s1)} state "
                f"vectors; expected {n} coordinates and the state {self.state} of {n} each"
            )
        return list(x1), tuple(list(s) for s in s1)


def as_method(method: Any) -> Method:
    """A :class:`Method`, or the registered method a name denotes when it needs no
    hyperparameter ("gd", "sgd"); a method named without the hyperparameters it needs is
    refused, naming them.

    >>> as_method("gd")
    GD()
    >>> as_method("heavy_ball")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: heavy_ball needs its hyperparameter beta: ...
    """
    if isinstance(method, Method):
        return method
    if isinstance(method, str) and method in REGISTRY:
        cls = REGISTRY[method]
        if cls.requires:
            need = ", ".join(cls.requires)
            example = ", ".join(f"{r}=..." for r in cls.requires)
            raise InvalidInputError(
                f"{method} needs its hyperparameter{'s' if len(cls.requires) > 1 else ''} "
                f"{need}: pass gdtheory.optimizers.{cls.__name__}({example})"
            )
        return cls()
    raise InvalidInputError(
        f"method must be a gdtheory.optimizers.Method or one of {sorted(REGISTRY)}, got {method!r}"
    )


def method_from_settings(key: str, settings: dict[str, str]) -> Method:
    """The registered method ``key`` with hyperparameters given as text (the command
    line's ``--set beta=9/10``): unknown keys and names are refused naming the choices, an
    integer hyperparameter (SGD's ``batch``) is read as an integer.

    >>> method_from_settings("heavy_ball", {"beta": "9/10"})
    HeavyBall(beta=9/10)
    >>> method_from_settings("heavy_ball", {"gamma": "1"})
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: HeavyBall has no hyperparameter 'gamma'; it has: beta
    """
    if key not in REGISTRY:
        raise InvalidInputError(
            f"no method is registered as {key!r}; registered: {', '.join(sorted(REGISTRY))}"
        )
    cls = REGISTRY[key]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for name, text in settings.items():
        if name not in fields:
            have = ", ".join(fields) or "none"
            raise InvalidInputError(
                f"{cls.__name__} has no hyperparameter {name!r}; it has: {have}"
            )
        default = fields[name].default
        if isinstance(default, bool):
            word = text.strip().lower()
            if word not in ("true", "false", "1", "0", "yes", "no"):
                raise InvalidInputError(f"{name} must be true or false, got {text!r}")
            kwargs[name] = word in ("true", "1", "yes")
        elif isinstance(default, int):
            try:
                kwargs[name] = int(text.strip())
            except ValueError:
                raise InvalidInputError(f"{name} must be an integer, got {text!r}") from None
        else:
            kwargs[name] = text
    missing = [r for r in cls.requires if r not in kwargs]
    if missing:
        example = " ".join(f"--set {k}={v}" for k, v in cls.example.items())
        raise InvalidInputError(
            f"{key} needs {', '.join(missing)}" + (f", e.g. {example}" if example else "")
        )
    return cls(**kwargs)
