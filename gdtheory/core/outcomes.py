"""One vocabulary for how a computation ended.

Every status in gdtheory is a member of an :class:`Outcome` enum: a ``str`` enum whose
value is a short word (so it compares equal to that word, prints as it, and fills NumPy
string arrays of batch results) and whose :attr:`~Outcome.message` says what happened
and what to do about it (the pattern of diffrax's ``RESULTS``).  The families:

* :class:`Status`: a GD run (trajectories, float64 batches, error tables);
* :class:`LyapunovStatus`: a Lyapunov-exponent estimate;
* :class:`AttractorKind`: the long-run fate of a start in a basin map;
* :class:`LimitKind`: the limit of a run in the balancing study;
* :class:`FlowStatus`: a float64 flow of a model (the principal flow).

Integer period codes of :func:`~gdtheory.dynamics.diagrams.detect_periods` are named
here too (:data:`NO_PERIOD`, :data:`DIVERGED_PERIOD`).  A high-precision flow that cannot
be integrated raises :class:`~gdtheory.errors.FlowBlowUpError` or
:class:`~gdtheory.errors.FlowIntegrationError` instead of returning a status.

>>> Status.CONVERGED == "converged", str(Status.DIVERGED)
(True, 'diverged')
>>> Status("max_steps").message.split(".")[0]
'All steps were taken without a decision'
>>> import numpy as np
>>> np.array(["converged", "diverged"]) == Status.CONVERGED
array([ True, False])
"""

from __future__ import annotations

import enum

__all__ = [
    "Outcome",
    "Status",
    "LyapunovStatus",
    "AttractorKind",
    "LimitKind",
    "FlowStatus",
    "NO_PERIOD",
    "DIVERGED_PERIOD",
]

#: Period code of a run with no period <= max_period (chaotic, quasi-periodic, or longer).
NO_PERIOD = -1
#: Period code of a diverged run.
DIVERGED_PERIOD = 0


class Outcome(str, enum.Enum):
    """Base of the status enums: members are ``NAME = ("word", "message")``."""

    message: str

    def __new__(cls, value: str, message: str = "") -> Outcome:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.message = message
        return obj

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Outcome:
        """An unknown word is an error naming the known ones (not a bare ValueError)."""
        from ..errors import InvalidInputError

        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise InvalidInputError(
            f"{shown} is not a {cls.__name__}; the {cls.__name__} words are "
            f"{', '.join(m.value for m in cls)}"
        )


class Status(Outcome):
    """How a GD run ended."""

    CONVERGED = ("converged", "The gradient norm fell below tol.")
    DIVERGED = (
        "diverged",
        "The iterates left every bounded set (a coordinate beyond `bound`, or f or grad f "
        "not finite/real). Try a smaller h: on an L-smooth f, h < 2/L.",
    )
    MAX_STEPS = (
        "max_steps",
        "All steps were taken without a decision. Increase `steps`, or pass `tol` to stop "
        "at a stationary point.",
    )


class LyapunovStatus(Outcome):
    """How a Lyapunov estimate ended."""

    CONVERGED = ("converged", "The standard error is within the tolerance.")
    NOT_CONVERGED = (
        "not_converged",
        "The batch-means standard error exceeds the tolerance. Increase `steps` (the error "
        "decays like steps**-0.5) or the transient.",
    )
    DIVERGED = (
        "diverged",
        "The orbit left every bounded set; no exponent exists. Try a smaller h.",
    )


class AttractorKind(Outcome):
    """The long-run fate of a start (a basin map, the verdicts of a regime map).
    ``CHAOTIC`` is reported where a Lyapunov exponent was measured (the regime map);
    elsewhere a start with no period is ``NON_PERIODIC``."""

    FIXED_POINT = ("fixed point", "The run settled on a fixed point.")
    CONTINUUM = (
        "fixed points (continuum)",
        "The runs settled on many distinct fixed points (a continuum of minimisers, such "
        "as xy = 1); they are reported as one class. Raise `max_fixed_points` to list them.",
    )
    PERIODIC = ("periodic", "The run settled on a cycle of the reported minimal period.")
    NON_PERIODIC = (
        "non-periodic",
        "No period <= max_period was found: chaotic, quasi-periodic, or a longer period. "
        "Raise `max_period` or `transient`, or measure a Lyapunov exponent.",
    )
    CHAOTIC = (
        "chaotic",
        "No period <= max_period and a positive largest Lyapunov exponent (reported with "
        "it): nearby starts separate exponentially.",
    )
    SLOW = (
        "slowly converging",
        "No period <= max_period was reached, but |x_(k+q) - x_k| for the reported q still "
        "falls along the last iterates, more slowly than geometrically: a non-hyperbolic "
        "fixed point or cycle (as at h f'' = 2). A longer run settles it.",
    )
    DIVERGED = ("diverged", "The run left every bounded set. Try a smaller h.")


class LimitKind(Outcome):
    """The limit of a run of the balancing study (convergence window)."""

    CONVERGED = ("converged", "The run converged to a minimiser.")
    PERIODIC = ("periodic", "The run settled on a cycle (period >= 2), not on a minimiser.")
    NOT_CONVERGED = (
        "not_converged",
        "The run neither converged nor became periodic within the steps. Increase `steps`.",
    )
    DIVERGED = ("diverged", "The run left every bounded set.")


class FlowStatus(Outcome):
    """How a float64 flow of a model ended."""

    FINISHED = ("finished", "The flow was integrated to the last requested time.")
    COMPLEX = (
        "complex",
        "The principal flow would leave the reals here: some h lambda_i of the Hessian "
        "reached 1 (log(1 - h lambda) is complex). GD at this h is past its edge; the "
        "states after `stopped_at` are NaN.",
    )
    FAILED = (
        "failed",
        "The integrator stopped before the last time (its message is in `message`). Loosen "
        "`rtol` or shorten the times.",
    )
