"""One outcome vocabulary: every status enum is an Outcome with an actionable message."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from gdtheory.core import outcomes
from gdtheory.core.outcomes import AttractorKind, LimitKind, LyapunovStatus, Outcome, Status
from gdtheory.report.claims import Verdict

FAMILIES = [Status, LyapunovStatus, AttractorKind, LimitKind, Verdict]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
def test_every_member_has_a_message_and_is_its_word(family):
    for m in family:
        assert isinstance(m, Outcome) and isinstance(m, str)
        assert m == m.value and str(m) == m.value and family(m.value) is m
        assert len(m.message) > 20 and m.message.endswith(".")
        assert pickle.loads(pickle.dumps(m)) is m


def test_string_arrays_of_batch_results_compare_with_members():
    arr = np.array(["converged", "diverged", "max_steps"])
    assert (arr == Status.DIVERGED).tolist() == [False, True, False]
    assert int(np.count_nonzero(arr == Status.CONVERGED)) == 1


def test_period_codes_are_named():
    assert outcomes.NO_PERIOD == -1 and outcomes.DIVERGED_PERIOD == 0


def test_the_library_uses_the_vocabulary():
    """The status-returning APIs return members of these enums (not free strings)."""
    from gdtheory import basins, gd, lyapunov_exponent
    from gdtheory.core.library import logistic_conjugate, quadratic, scalar_factorization

    assert isinstance(gd(quadratic([1]), 1, h="1/2", steps=3).status, Status)
    assert isinstance(
        lyapunov_exponent(logistic_conjugate(), 0.3, h=1, steps=2000).status, LyapunovStatus
    )
    b = basins(scalar_factorization(), [(-1, 1), (-1, 1)], h=1.1, resolution=5, transient=200)
    assert all(isinstance(a.kind, AttractorKind) for a in b.attractors)
