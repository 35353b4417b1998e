"""gdtheory.testing: the oracle assertions, the strategies, the plugin, the docs example."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from gdtheory.models.numpy_models import ObjectiveModel
from gdtheory.testing import (
    factorization_instances,
)


@given(factorization_instances())
@settings(max_examples=30, deadline=None)
def test_factorization_instances_have_the_stated_minimiser_and_sharpness(inst):
    z = np.array([float(v) for v in inst.minimiser])
    assert inst.objective.f_np(z) == pytest.approx(0, abs=1e-12)
    assert np.max(np.abs(inst.objective.grad_np(z))) < 1e-9
    H = np.array([ObjectiveModel(inst.objective).hvp(z, e) for e in np.eye(z.size)])
    top = np.linalg.eigvalsh((H + H.T) / 2)[-1]
    assert top == pytest.approx(float(inst.sharpness), rel=1e-12)
