"""The last line of defence at every public entry point.

Inputs are validated where they enter (parsing, scalars, points, budgets), so that a
bad input is refused with a message naming it before any work starts.  What no
validator can foresee, resources running out deep inside SymPy, NumPy or mpmath, is
turned here into a documented error instead of a traceback:

* ``RecursionError`` -> :class:`~gdtheory.errors.ComplexityError` (an input nested too
  deeply for the libraries underneath);
* ``MemoryError`` -> :class:`~gdtheory.core.budget.CostError`;
* ``OverflowError`` (a value beyond float64), and the ``ValueError`` of Python's
  4300-digit limit on integer-to-string conversion ->
  :class:`~gdtheory.errors.ComplexityError`;
* NumPy's ``LinAlgError`` (a singular or non-finite matrix built from the input) ->
  :class:`~gdtheory.errors.InvalidInputError`.

Every guarded call also opens the time budget's ledger (:func:`gdtheory.core.budget.call`),
so that a call made of parts is judged on its total.

Every error keeps the name of the function and the original message.  Errors of
gdtheory itself, and every other exception, pass through unchanged: a guard that
swallowed a genuine bug would hide it.

>>> @guarded
... def deep(n):
...     return deep(n + 1)
>>> deep(0)
Traceback (most recent call last):
...
gdtheory.errors.ComplexityError: deep: the input is nested too deeply ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import ComplexityError, GDTheoryError, InvalidInputError
from .budget import CostError
from .budget import call as budget_call

__all__ = ["guarded", "guard_namespace"]

F = TypeVar("F", bound=Callable[..., Any])


def guarded(fn: F) -> F:
    """``fn`` with resource exhaustion turned into documented errors (module docstring)."""
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", "gdtheory"))

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with budget_call():  # the time budget covers the whole public call
                return fn(*args, **kwargs)
        except GDTheoryError:
            raise
        except RecursionError:
            raise ComplexityError(
                f"{name}: the input is nested too deeply for the libraries underneath "
                "(Python's recursion limit was reached); simplify the expression"
            ) from None
        except MemoryError:
            raise CostError(
                f"{name}: the computation ran out of memory; reduce the request (fewer "
                "points, steps, digits or a lower order)"
            ) from None
        except OverflowError as exc:
            raise ComplexityError(
                f"{name}: a number is too large for the arithmetic in use ({exc}); "
                "rescale the problem or use smaller values"
            ) from None
        except ValueError as exc:
            if type(exc).__name__ == "LinAlgError":  # numpy.linalg, without importing it
                raise InvalidInputError(
                    f"{name}: a linear-algebra step failed on this input ({exc}): a singular "
                    "or non-finite matrix; check the point, the data or the learning rate"
                ) from None
            if "limit" in str(exc) and "digits" in str(exc):  # int <-> str size limit
                raise ComplexityError(
                    f"{name}: a number has too many digits to be converted ({exc})"
                ) from None
            raise

    return wrapper  # type: ignore[return-value]


def guard_namespace(namespace: dict[str, Any], names: list[str]) -> None:
    """Replace every function among ``names`` in a module's namespace by its guarded
    version (used by ``gdtheory`` and ``gdtheory.certify`` for their public functions)."""
    import inspect

    for name in names:
        obj = namespace.get(name)
        if inspect.isfunction(obj):
            namespace[name] = guarded(obj)
