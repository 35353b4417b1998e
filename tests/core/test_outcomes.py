"""One outcome vocabulary: every status enum is an Outcome with an actionable message."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from gdtheory.core import outcomes
from gdtheory.core.outcomes import (
    AttractorKind,
    FlowStatus,
    LimitKind,
    LyapunovStatus,
    Outcome,
    Status,
)
from gdtheory.report.claims import Verdict

FAMILIES = [Status, LyapunovStatus, AttractorKind, LimitKind, FlowStatus, Verdict]


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


def test_every_public_status_field_is_an_outcome():
    """Walk the public result types: a field that says how something ended (status,
    verdicts, kind of an attractor, the GD statuses of a table) is typed by an Outcome
    family, and no result with a status carries a parallel boolean field such as
    ``diverged`` (it is a property derived from the status).  Batch results without a
    status (an orbit diagram, a Lyapunov batch) keep their boolean ``diverged`` array."""
    import dataclasses
    import typing

    import gdtheory as gt
    from gdtheory.dynamics.diagrams import Attractor

    names = {"status", "verdicts", "gd_status", "limits"}
    seen = []
    classes = [getattr(gt, n) for n in gt.__all__] + [Attractor]
    for cls in classes:
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            continue
        hints = typing.get_type_hints(cls)
        fields = {f.name for f in dataclasses.fields(cls)}
        if fields & names:
            assert not fields & {"diverged", "converged"}, cls.__name__
        for f in dataclasses.fields(cls):
            if f.name in names or (cls is Attractor and f.name == "kind"):
                args = typing.get_args(hints[f.name]) or (hints[f.name],)
                if args == (np.ndarray,):  # a batch: an array of the words (checked below)
                    seen.append(f"{cls.__name__}.{f.name}")
                    continue
                families = [a for a in args if isinstance(a, type) and issubclass(a, Outcome)]
                assert families, f"{cls.__name__}.{f.name} is {hints[f.name]}, not an Outcome"
                seen.append(f"{cls.__name__}.{f.name}")
    for expected in ("SharpnessTrace.status", "ModelFlow.status", "RegimeMap.verdicts"):
        assert expected in seen
    # the batch runner's array holds Status words
    r = gt.run("gd", "x**2/2", [[1.0], [1.0]], hs=[0.5, 3.0], steps=100, tol=1e-6)
    assert [Status(w) for w in r.status] == [Status.CONVERGED, Status.DIVERGED]


def test_limit_kinds_are_named_for_what_they_say():
    assert LimitKind.NOT_CONVERGED == "not_converged" and not hasattr(LimitKind, "OTHER")


def test_an_unknown_word_is_shown_whole_up_to_60_characters():
    from gdtheory.errors import InvalidInputError

    short = "w" * 58  # repr 60 characters: shown whole
    with pytest.raises(InvalidInputError) as err:
        Status(short)
    assert str(err.value).startswith(repr(short) + " is not a Status")
    long = "w" * 59  # repr 61: cut to 57 + "..."
    with pytest.raises(InvalidInputError) as err:
        Status(long)
    assert str(err.value).startswith(repr(long)[:57] + "... is not a Status")
