"""Certificates, importable as ``gdtheory.certify`` (they live in :mod:`gdtheory.rigorous`)."""

from .rigorous.certify import *  # noqa: F403
from .rigorous.certify import __all__ as __all__
