"""Public testing aids: Hypothesis strategies for objectives with known constants.

>>> from gdtheory.testing import quadratics, smooth_objectives, learning_rates
"""

from .strategies import QuadraticInstance as QuadraticInstance
from .strategies import SmoothInstance as SmoothInstance
from .strategies import learning_rates as learning_rates
from .strategies import quadratics as quadratics
from .strategies import smooth_objectives as smooth_objectives

__all__ = [
    "QuadraticInstance",
    "SmoothInstance",
    "learning_rates",
    "quadratics",
    "smooth_objectives",
]
