"""The optimiser vocabulary, importable as ``gdtheory.optimizers`` (it lives in
:mod:`gdtheory.core.optimizers`)."""

from .core.optimizers import *  # noqa: F403
from .core.optimizers import __all__ as __all__
