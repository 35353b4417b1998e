"""What the JAX and PyTorch adapters share: importing the optional framework with a clear
error, and the checks of the blocks of vectors their batched products take."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from ..errors import InvalidInputError, ShapeError

__all__ = ["optional_module", "vector_block", "flat_vector"]


def optional_module(name: str, extra: str, who: str) -> Any:
    """``import name``, or an InvalidInputError naming the extra that installs it.

    >>> optional_module("no_such_framework", "jax", "from_jax")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: from_jax needs no_such_framework: pip install 'gdtheory[jax]'
    """
    try:
        return importlib.import_module(name)
    except ImportError:
        raise InvalidInputError(f"{who} needs {name}: pip install 'gdtheory[{extra}]'") from None


def vector_block(V: Any, dim: int, name: str, *, rows: bool) -> np.ndarray:
    """V as a float64 block of vectors of length ``dim``: its rows (shape (k, dim)) or its
    columns (shape (dim, k)), or a ShapeError naming the expected shape."""
    try:
        arr = np.asarray(V, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be an array of numbers") from None
    ok = arr.ndim == 2 and (arr.shape[1] if rows else arr.shape[0]) == dim
    if not ok:
        want = f"(k, {dim})" if rows else f"({dim}, k)"
        raise ShapeError(f"{name} must have shape {want}, got {arr.shape}")
    return arr


def flat_vector(w: Any, dim: int, name: str = "w") -> np.ndarray:
    """w as a float64 vector of ``dim`` entries (any shape with that many), or an error
    naming ``name``."""
    try:
        arr = np.asarray(w, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be a vector of {dim} numbers") from None
    if arr.shape != (dim,):
        raise ShapeError(f"{name} must have {dim} entries, got {np.shape(w)}")
    return arr
