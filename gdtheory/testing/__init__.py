"""Public testing aids: test your own optimiser code against gdtheory.

* Hypothesis strategies for objectives whose constants are known exactly
  (:mod:`gdtheory.testing.strategies`): :func:`quadratics`, :func:`smooth_objectives`,
  :func:`factorization_instances`, :func:`learning_rates`.
* Oracle assertions (:mod:`gdtheory.testing.oracles`): :func:`assert_gd_step` (error in
  ulps against a 50-digit reference), :func:`assert_modified_equation`,
  :func:`assert_regime`; :func:`assert_step` (:mod:`gdtheory.testing.steps`) for any
  :class:`gdtheory.optimizers.Method` (momentum, preconditioned, SGD minibatches, a
  method of your own), judged on the rounding bounds of its own formula
  (:mod:`gdtheory.testing.rounding`).
* A pytest plugin (:mod:`gdtheory.testing.plugin`, registered on install) with the
  ``gd_oracle`` fixture.

>>> from gdtheory.testing import assert_gd_step, quadratics, smooth_objectives
"""

from typing import TYPE_CHECKING

from .._lazy import attach

__all__ = [
    "FactorizationInstance",
    "ModifiedEquationCheck",
    "QuadraticInstance",
    "RegimeCheck",
    "SmoothInstance",
    "StepCheck",
    "assert_gd_step",
    "assert_modified_equation",
    "assert_regime",
    "assert_step",
    "factorization_instances",
    "learning_rates",
    "quadratics",
    "reference_step",
    "smooth_objectives",
]

#: imported on first use, so that the pytest plugin (gdtheory.testing.plugin) stays cheap
__getattr__, __dir__ = attach(__name__, __file__, globals())

if TYPE_CHECKING:
    from .oracles import ModifiedEquationCheck as ModifiedEquationCheck
    from .oracles import RegimeCheck as RegimeCheck
    from .oracles import StepCheck as StepCheck
    from .oracles import assert_gd_step as assert_gd_step
    from .oracles import assert_modified_equation as assert_modified_equation
    from .oracles import assert_regime as assert_regime
    from .oracles import reference_step as reference_step
    from .steps import assert_step as assert_step
    from .strategies import FactorizationInstance as FactorizationInstance
    from .strategies import QuadraticInstance as QuadraticInstance
    from .strategies import SmoothInstance as SmoothInstance
    from .strategies import factorization_instances as factorization_instances
    from .strategies import learning_rates as learning_rates
    from .strategies import quadratics as quadratics
    from .strategies import smooth_objectives as smooth_objectives
