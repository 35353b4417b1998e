"""The error hierarchy (gdtheory.errors): one base, ValueError for bad arguments."""

from __future__ import annotations

import inspect

import pytest

from gdtheory import errors
from gdtheory.core.budget import CostError

CLASSES = [
    c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_error_is_a_gdtheory_error_with_a_docstring(cls):
    assert issubclass(cls, errors.GDTheoryError) and cls.__doc__


def test_argument_errors_are_value_errors_and_flow_errors_are_not():
    for cls in (
        errors.InvalidInputError,
        errors.ParseError,
        errors.NonSmoothError,
        errors.ShapeError,
        CostError,
    ):
        assert issubclass(cls, ValueError)
    assert issubclass(errors.FlowBlowUpError, errors.FlowIntegrationError)
    assert not issubclass(errors.FlowBlowUpError, CostError)
    assert not issubclass(CostError, errors.FlowIntegrationError)


def test_a_blown_up_flow_raises_its_own_error():
    from gdtheory import gradient_flow
    from gdtheory.core.objective import Objective

    with pytest.raises(errors.FlowBlowUpError, match="blow up"):
        gradient_flow(Objective.parse("-x**4/4"), [2], [1], dps=15)  # x' = x^3: t* = 1/8
