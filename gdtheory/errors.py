"""The exceptions gdtheory raises.

Every error names the input at fault and says what to do about it.  All derive from
:class:`GDTheoryError`; the ones caused by a bad argument also derive from
:class:`ValueError`, so ``except ValueError`` keeps working for callers that expect it.
"""

from __future__ import annotations

__all__ = [
    "GDTheoryError",
    "InvalidInputError",
    "ShapeError",
    "NotRealError",
    "ComplexityError",
    "ParseError",
    "UnknownSymbolError",
    "UnboundParameterError",
    "NonSmoothError",
    "NoGlobalSmoothnessError",
    "NotAGradientError",
    "PrecisionError",
    "NonFiniteError",
]


class GDTheoryError(Exception):
    """Base class of every error raised by gdtheory."""


class InvalidInputError(GDTheoryError, ValueError):
    """An argument has a value the mathematics does not allow (h <= 0, NaN, ...)."""


class ShapeError(InvalidInputError):
    """An array or point has the wrong shape for the objective's dimension."""


class NotRealError(InvalidInputError):
    """A value that must be real is complex (``sqrt(-1)``, ``log(-2)``, a complex h or
    start): objectives, parameters and inputs of gradient descent are real."""


class ComplexityError(InvalidInputError):
    """An input is too large or too deeply nested to be handled (nesting depth, node
    count, size of an integer or of an exponent); the message names the limit and the
    value that broke it."""


class ParseError(GDTheoryError, ValueError):
    """A user expression could not be parsed, or uses something not on the whitelist.

    Attributes
    ----------
    source : str
        The expression that was given.
    token : str or None
        The offending token, when there is one.
    """

    def __init__(self, message: str, *, source: str = "", token: str | None = None):
        super().__init__(message)
        self.source = source
        self.token = token


class UnknownSymbolError(ParseError):
    """The expression uses a symbol that is not among the declared state symbols."""


class UnboundParameterError(InvalidInputError):
    """A numerical computation was asked of a formula with symbolic parameters that have
    no values (``Objective(..., params=["mu"])`` run through GD, say); give them values
    with :meth:`gdtheory.Objective.bind` first.

    Attributes
    ----------
    params : tuple of str
        The names of the unbound parameters.
    """

    def __init__(self, message: str, *, params: tuple[str, ...] = ()):
        super().__init__(message)
        self.params = params


class NonSmoothError(GDTheoryError, ValueError):
    """The objective uses a function that is not smooth (Abs, sign, Max, ...).

    The theory of gradient descent implemented here (descent lemma, modified equations)
    needs an objective that is at least twice continuously differentiable.
    """


class NoGlobalSmoothnessError(GDTheoryError):
    """No global smoothness constant L exists, or none can be determined symbolically."""


class NotAGradientError(GDTheoryError):
    """A vector field is not the gradient of a potential.

    Attributes
    ----------
    obstruction : object
        The evidence: the antisymmetric part of the field's Jacobian (the curl), which
        is nonzero exactly when no potential exists on a simply connected domain.
    order : int or None
        The power of h at which the obstruction first appears.
    """

    def __init__(self, message: str, *, obstruction: object = None, order: int | None = None):
        super().__init__(message)
        self.obstruction = obstruction
        self.order = order


class NonFiniteError(InvalidInputError):
    """A function returned NaN or an infinity where a finite number is needed (a model's
    loss, gradient, Hessian-vector or third-derivative product); the message names the
    quantity and the step or point where it happened."""


class PrecisionError(GDTheoryError, ValueError):
    """The requested precision is too low (or absurdly high) for the requested check."""


class FlowIntegrationError(GDTheoryError):
    """A flow could not be integrated to the requested time within the evaluation cap
    (stiff, or growing fast); lower the precision or the final time."""


class FlowBlowUpError(FlowIntegrationError):
    """The solution of a flow blows up (or its step size underflows) before the requested
    time: the flow has no solution there.  Distinct from a budget refusal
    (:class:`gdtheory.core.budget.CostError`), which says nothing about the flow."""
