"""The public-entry guard: resource exhaustion becomes documented errors; everything
else passes through unchanged (a guard that swallowed a bug would hide it)."""

from __future__ import annotations

import numpy as np
import pytest

import gdtheory
from gdtheory.core.budget import CostError
from gdtheory.core.guard import guarded
from gdtheory.errors import ComplexityError, InvalidInputError


def _raiser(exc: BaseException):
    @guarded
    def fn():
        raise exc

    return fn


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (RecursionError("deep"), ComplexityError),
        (MemoryError(), CostError),
        (OverflowError("(34, 'Numerical result out of range')"), ComplexityError),
        (
            ValueError("Exceeds the limit (4300 digits) for integer string conversion"),
            ComplexityError,
        ),
        (np.linalg.LinAlgError("Singular matrix"), InvalidInputError),
    ],
)
def test_resource_exhaustion_becomes_a_documented_error(raised, expected):
    with pytest.raises(expected, match="fn: "):
        _raiser(raised)()


@pytest.mark.parametrize(
    "raised",
    [
        ValueError("a bug"),
        ValueError("the step limit was reached"),  # "limit" without "digits": not a size limit
        ValueError("too many digits"),
        KeyError("k"),
        ZeroDivisionError(),
    ],
)
def test_other_exceptions_pass_through(raised):
    with pytest.raises(type(raised)) as info:
        _raiser(raised)()
    assert info.value is raised  # unchanged (ComplexityError is a ValueError too)


def test_every_public_function_is_guarded():
    import inspect

    from gdtheory import certify

    for module in (gdtheory, certify):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                assert hasattr(obj, "__wrapped__"), f"{module.__name__}.{name} is not guarded"
