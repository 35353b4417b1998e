"""The objective library, importable as ``gdtheory.objectives`` (it lives in
:mod:`gdtheory.core.library`)."""

from .core.library import *  # noqa: F403
from .core.library import __all__ as __all__
