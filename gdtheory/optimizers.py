"""The optimiser vocabulary, importable as ``gdtheory.optimizers`` (it lives in
:mod:`gdtheory.methods.optimizers`)."""

from .methods.optimizers import *  # noqa: F403
from .methods.optimizers import __all__ as __all__
