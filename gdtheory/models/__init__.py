"""Models for sharpness and edge of stability, importable as ``gdtheory.models``: the
model protocol and the NumPy models of :mod:`gdtheory.models.numpy_models`, the JAX
adapter :func:`~gdtheory.models.jax_model.from_jax` and the digits MLP built on it
(:mod:`gdtheory.models.digits`)."""

from .digits import DigitsData as DigitsData
from .digits import digits_data as digits_data
from .digits import digits_mlp as digits_mlp
from .jax_model import JaxModel as JaxModel
from .jax_model import from_jax as from_jax
from .numpy_models import *  # noqa: F403
from .numpy_models import __all__ as _numpy_models

__all__ = [*_numpy_models, "JaxModel", "from_jax", "DigitsData", "digits_data", "digits_mlp"]
