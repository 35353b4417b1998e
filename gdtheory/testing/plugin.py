"""The pytest plugin of gdtheory (registered through the ``pytest11`` entry point).

On install, every pytest session has the ``gd_oracle`` fixture: an :class:`Oracle` whose
methods are the oracle assertions of :mod:`gdtheory.testing.oracles`, and whose
``strategies`` attribute holds the Hypothesis strategies::

    def test_my_step(gd_oracle):
        f = gd_oracle.objective("logcosh(x) + y**2")
        gd_oracle.assert_step(lambda x, h: my_step(f.grad_np, x, h), f, [0.3, -1.2], 0.1)

Importing this module is cheap: gdtheory is imported when the fixture is first used.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest


class Oracle:
    """gdtheory's references and oracle assertions, for use in tests."""

    def __init__(self) -> None:
        from . import oracles, strategies

        self.strategies = SimpleNamespace(
            quadratics=strategies.quadratics,
            smooth_objectives=strategies.smooth_objectives,
            factorization_instances=strategies.factorization_instances,
            learning_rates=strategies.learning_rates,
        )
        self.assert_step = oracles.assert_gd_step
        self.assert_modified_equation = oracles.assert_modified_equation
        self.assert_regime = oracles.assert_regime
        self.reference_step = oracles.reference_step

    @staticmethod
    def objective(text: str, symbols: Any = None) -> Any:
        """An Objective parsed safely from text."""
        from ..core.objective import Objective

        return Objective.parse(text, symbols)

    @staticmethod
    def trajectory(objective: Any, x0: Any, *, h: Any, steps: int, dps: int = 50) -> Any:
        """A reference GD trajectory at ``dps`` digits (float64 array, shape (K + 1, n))."""
        from ..dynamics.trajectories import gd

        return gd(objective, x0, h=h, steps=steps, dps=dps).as_numpy()


@pytest.fixture(scope="session")
def gd_oracle() -> Oracle:
    """gdtheory's oracle: ``assert_step``, ``assert_modified_equation``, ``assert_regime``,
    ``reference_step``, ``trajectory``, ``objective`` and ``strategies``."""
    return Oracle()
