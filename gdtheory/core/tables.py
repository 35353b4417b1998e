"""Tables of measured numbers, their formatting, and order-of-accuracy fits.

Used by the library's result objects (e.g. :meth:`ModifiedErrorTable.table`) and by the
report; kept in the core so that no library module needs the report layer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Table", "format_number", "markdown_cell", "fit_order"]


@dataclass(frozen=True)
class Table:
    """A table of measured numbers."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def markdown(self) -> str:
        head = "| " + " | ".join(self.columns) + " |"
        sep = "|" + "|".join("---" for _ in self.columns) + "|"
        body = ["| " + " | ".join(markdown_cell(v) for v in row) + " |" for row in self.rows]
        return "\n".join([f"**{self.title}**", "", head, sep, *body])


def format_number(v: Any) -> str:
    """A value formatted for a report: 4 significant digits, scientific when tiny or huge.

    >>> format_number(0.123456), format_number(1.5e-12), format_number(3)
    ('0.1235', '1.500e-12', '3')
    """
    if isinstance(v, float):
        if v == 0 or math.isnan(v) or math.isinf(v):
            return str(v)
        return f"{v:.4g}" if 1e-3 <= abs(v) < 1e5 else f"{v:.3e}"
    return str(v)


def markdown_cell(v: Any) -> str:
    """A value formatted for a Markdown table cell (pipes escaped, one line)."""
    return format_number(v).replace("|", "\\|").replace("\n", " ")


def fit_order(hs: Sequence[float], errors: Sequence[float]) -> float:
    """Least-squares slope of log(error) against log(h): the measured order of accuracy.

    >>> round(fit_order([0.1, 0.05, 0.025], [2e-2, 5e-3, 1.25e-3]), 6)
    2.0
    """
    if len(hs) != len(errors) or len(hs) < 2:
        raise ValueError("need at least two (h, error) pairs")
    xs = [math.log(float(v)) for v in hs]
    ys = [math.log(float(e)) for e in errors]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True)) / sum(
        (a - mx) ** 2 for a in xs
    )
