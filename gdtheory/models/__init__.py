"""Models for sharpness and edge of stability, importable as ``gdtheory.models``: the
model protocol and the NumPy models of :mod:`gdtheory.models.numpy_models`, the JAX
adapter :func:`~gdtheory.models.jax_model.from_jax`, the PyTorch adapter
:func:`~gdtheory.models.torch_model.from_torch` and the digits MLP
(:mod:`gdtheory.models.digits`)."""

from .digits import DigitsData as DigitsData
from .digits import digits_data as digits_data
from .digits import digits_mlp as digits_mlp
from .jax_model import JaxModel as JaxModel
from .jax_model import from_jax as from_jax
from .numpy_models import *  # noqa: F403
from .numpy_models import __all__ as _numpy_models
from .torch_model import TorchModel as TorchModel
from .torch_model import from_torch as from_torch

__all__ = [
    *_numpy_models,
    "JaxModel",
    "from_jax",
    "TorchModel",
    "from_torch",
    "DigitsData",
    "digits_data",
    "digits_mlp",
]
