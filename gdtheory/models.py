"""Models for sharpness and edge of stability, importable as ``gdtheory.models``: the
NumPy models of :mod:`gdtheory.landscape.models` and the JAX adapter
:func:`~gdtheory.landscape.jax_model.from_jax` with the digits MLP built on it
(:mod:`gdtheory.landscape.digits`)."""

from .landscape.digits import DigitsData as DigitsData
from .landscape.digits import digits_data as digits_data
from .landscape.digits import digits_mlp as digits_mlp
from .landscape.jax_model import JaxModel as JaxModel
from .landscape.jax_model import from_jax as from_jax
from .landscape.models import *  # noqa: F403
from .landscape.models import __all__ as _numpy_models

__all__ = [*_numpy_models, "JaxModel", "from_jax", "DigitsData", "digits_data", "digits_mlp"]
