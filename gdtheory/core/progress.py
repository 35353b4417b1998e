"""Progress bars that cost nothing when off.

``tqdm(disable=True)`` still creates tqdm's multiprocessing lock (a semaphore registered
with the resource tracker); in a report worker interrupted by Ctrl-C that semaphore is
reported as leaked.  :func:`progress_bar` builds a tqdm text bar only when asked for one.

>>> with progress_bar(False, total=3) as bar:
...     bar.update(2)
...     bar.n
2
"""

from __future__ import annotations

from typing import Any

__all__ = ["progress_bar", "NullBar"]


class NullBar:
    """The part of tqdm's interface the package uses, doing nothing but counting."""

    def __init__(self, initial: float = 0) -> None:
        self.n = initial

    def update(self, n: float = 1) -> None:
        self.n += n

    def close(self) -> None:
        pass

    def __enter__(self) -> NullBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_bar(enabled: bool, **kwargs: Any) -> Any:
    """A tqdm text bar (``kwargs`` passed on) if ``enabled``, else a :class:`NullBar`."""
    if not enabled:
        return NullBar(kwargs.get("initial", 0))
    from tqdm import tqdm  # the text bar: tqdm.auto warns in notebooks without ipywidgets

    return tqdm(**kwargs)
