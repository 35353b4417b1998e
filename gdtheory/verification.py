"""The verification framework: claims, the evidence a check returns, and the report.

A :class:`Claim` holds a statement of SPEC section 1 with its reference and hypotheses,
and a check.  A check takes a :class:`CheckContext` and returns :class:`Evidence`: the
numbers it measured, tables, figures, and the :class:`Verdict` drawn from them.  The
claims themselves live in the top-level package ``proofs_checks`` (one module each).
"""

from __future__ import annotations

import enum
import json
import math
import platform
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Verdict",
    "Table",
    "Evidence",
    "Claim",
    "CheckContext",
    "ClaimResult",
    "run_claims",
    "markdown_report",
    "evidence_json",
    "environment",
    "fit_order",
]


class Verdict(str, enum.Enum):
    """The outcome of a check."""

    PROVED = "proved"
    VERIFIED = "verified"
    QUALIFIED = "qualified"
    UNCONFIRMED = "unconfirmed"
    REFUTED = "refuted"
    ERROR = "error"

    @property
    def message(self) -> str:
        return {
            "proved": "Established by a finite rigorous computation (certificate).",
            "verified": "The measured numbers agree with the statement within its tolerance.",
            "qualified": "Holds only under a stated extra condition; see the notes.",
            "unconfirmed": "The evidence is not strong enough either way; see the notes.",
            "refuted": "The numbers measured contradict the statement.",
            "error": "The check itself failed to run; see the notes for the traceback.",
        }[self.value]

    @property
    def is_failure(self) -> bool:
        return self in (Verdict.REFUTED, Verdict.ERROR)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Table:
    """A table of measured numbers."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def markdown(self) -> str:
        head = "| " + " | ".join(self.columns) + " |"
        sep = "|" + "|".join("---" for _ in self.columns) + "|"
        body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in self.rows]
        return "\n".join([f"**{self.title}**", "", head, sep, *body])


@dataclass(frozen=True)
class Evidence:
    """What a check measured and concluded.

    Attributes
    ----------
    verdict : Verdict
    summary : str
        The key figure in one line (shown in the CLI table).
    numbers : mapping
        Every named figure measured (errors, rates, bounds, counts).
    tables, figures : tuples of :class:`Table` and of figure file paths
    notes : str
    """

    verdict: Verdict
    summary: str
    numbers: Mapping[str, Any] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()
    figures: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class CheckContext:
    """How a check should run: ``quick`` (CI-sized), where to write figures, the seed."""

    quick: bool = False
    outdir: Path | None = None
    seed: int = 20221
    dps: int = 50

    def figure_path(self, name: str) -> Path | None:
        if self.outdir is None:
            return None
        self.outdir.mkdir(parents=True, exist_ok=True)
        return self.outdir / name


@dataclass(frozen=True)
class Claim:
    """A claim of SPEC section 1 and its check."""

    id: str
    title: str
    statement: str
    reference: str
    hypotheses: tuple[str, ...]
    check: Callable[[CheckContext], Evidence] = field(repr=False)


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    evidence: Evidence
    seconds: float


def run_claims(
    claims: Sequence[Claim], ctx: CheckContext, progress: Callable[[str], None] | None = None
) -> tuple[ClaimResult, ...]:
    """Run each claim's check; an exception becomes an ``ERROR`` verdict with its traceback."""
    results = []
    for claim in claims:
        if progress:
            progress(f"running {claim.id}: {claim.title} ...")
        t0 = time.perf_counter()
        try:
            ev = claim.check(ctx)
        except Exception as exc:  # noqa: BLE001 - a report must survive a broken check
            ev = Evidence(
                Verdict.ERROR,
                f"check raised {type(exc).__name__}: {exc}",
                notes=traceback.format_exc(),
            )
        results.append(ClaimResult(claim, ev, time.perf_counter() - t0))
    return tuple(results)


def _cell(v: Any) -> str:
    """A value formatted for a Markdown table cell (pipes escaped)."""
    return _fmt(v).replace("|", "\\|")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if v == 0 or math.isnan(v) or math.isinf(v):
            return str(v)
        return f"{v:.4g}" if 1e-3 <= abs(v) < 1e5 else f"{v:.3e}"
    return str(v)


def environment(ctx: CheckContext) -> dict[str, Any]:
    """Versions, precision and seed, so that a reader can reproduce the report."""
    import matplotlib
    import mpmath
    import numpy
    import scipy
    import sympy

    from . import __version__

    return {
        "gdtheory": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sympy": sympy.__version__,
        "mpmath": mpmath.__version__,
        "mpmath backend": mpmath.libmp.BACKEND,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "matplotlib": matplotlib.__version__,
        "mode": "quick" if ctx.quick else "full",
        "default dps": ctx.dps,
        "seed": ctx.seed,
    }


def markdown_report(results: Sequence[ClaimResult], env: Mapping[str, Any]) -> str:
    """The report: a summary table, then per claim its statement, evidence and verdict."""
    lines = [
        "# gdtheory verification report",
        "",
        "| claim | title | verdict | key figure | seconds |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.claim.id} | {_cell(r.claim.title)} | **{r.evidence.verdict.value}** | "
            f"{_cell(r.evidence.summary)} | {r.seconds:.1f} |"
        )
    lines += ["", "## Environment", ""]
    lines += [f"- {k}: {v}" for k, v in env.items()]
    for r in results:
        c, ev = r.claim, r.evidence
        lines += [
            "",
            f"## {c.id}: {c.title}",
            "",
            f"**Verdict: {ev.verdict.value}** — {ev.verdict.message}",
            "",
            f"**Statement.** {c.statement}",
            "",
            f"**Reference.** {c.reference}",
            "",
            "**Hypotheses.**",
            "",
        ]
        lines += [f"- {hyp}" for hyp in c.hypotheses]
        lines += ["", f"**Key figure.** {ev.summary}", ""]
        if ev.numbers:
            lines += ["| quantity | value |", "|---|---|"]
            lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in ev.numbers.items()]
            lines.append("")
        for t in ev.tables:
            lines += [t.markdown(), ""]
        for fig in ev.figures:
            lines += [f"![{c.id}]({Path(fig).name})", ""]
        if ev.notes:
            lines += ["**Notes.**", "", ev.notes, ""]
    return "\n".join(lines) + "\n"


def evidence_json(results: Sequence[ClaimResult], env: Mapping[str, Any]) -> str:
    """All evidence as JSON, for machine use."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        if isinstance(v, int | float | str | bool) or v is None:
            return v
        if isinstance(v, Mapping):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return str(v)

    data = {
        "environment": env,
        "claims": [
            {
                "id": r.claim.id,
                "title": r.claim.title,
                "statement": r.claim.statement,
                "reference": r.claim.reference,
                "hypotheses": list(r.claim.hypotheses),
                "verdict": r.evidence.verdict.value,
                "summary": r.evidence.summary,
                "numbers": r.evidence.numbers,
                "tables": [
                    {"title": t.title, "columns": t.columns, "rows": t.rows}
                    for t in r.evidence.tables
                ],
                "figures": [Path(f).name for f in r.evidence.figures],
                "notes": r.evidence.notes,
                "seconds": round(r.seconds, 3),
            }
            for r in results
        ],
    }
    return json.dumps(clean(data), indent=2)


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
