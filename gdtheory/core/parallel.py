"""Work on an executor: a :class:`concurrent.futures.Executor` or a dask ``Client``,
named the same way everywhere (``executor=``), the pieces returned in order."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

from ..errors import InvalidInputError

__all__ = ["as_executor", "submit", "map_pieces"]


def as_executor(executor: Any) -> Executor | None:
    """None, a :class:`concurrent.futures.Executor`, or a dask ``Client`` (its
    ``get_executor()``); anything else is refused naming its type."""
    if executor is None or isinstance(executor, Executor):
        return executor
    get = getattr(executor, "get_executor", None)
    if callable(get):
        ex = get()
        if isinstance(ex, Executor):
            return ex
    raise InvalidInputError(
        "executor must be a concurrent.futures.Executor or a dask.distributed.Client, "
        f"got {type(executor).__name__}"
    )


def submit(pool: Executor, fn: Any, *args: Any) -> Any:
    """``pool.submit(fn, *args)``; an executor that cannot take work (shut down, a closed
    dask client) is an InvalidInputError saying so, not a RuntimeError."""
    try:
        return pool.submit(fn, *args)
    except RuntimeError as exc:
        raise InvalidInputError(
            f"the executor cannot take work ({exc}): it has been shut down or closed; pass "
            "a running one, or executor=None"
        ) from None


def map_pieces(fn: Any, pieces: Sequence[tuple[Any, ...]], executor: Any) -> list[Any]:
    """``[fn(*p) for p in pieces]``, here or on ``executor`` (:func:`as_executor`), in
    the order of the pieces."""
    pool = as_executor(executor)
    if pool is None:
        return [fn(*p) for p in pieces]
    futures = [submit(pool, fn, *p) for p in pieces]
    return [f.result() for f in futures]
