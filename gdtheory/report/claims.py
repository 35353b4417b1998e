"""The claim model: claims, the evidence a check returns, and its verdict.

A :class:`Claim` holds a statement of the theory with its reference and hypotheses,
and a check.  A check takes a :class:`CheckContext` and returns :class:`Evidence`: the
numbers it measured, tables, figures, proofs, and the :class:`Verdict` drawn from them.
The claims themselves live in the top-level package ``proofs_checks`` (one module each);
:mod:`gdtheory.report.runner` runs them and :mod:`gdtheory.report.render` writes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.outcomes import Outcome
from ..core.tables import Table, fit_order, format_number, markdown_cell

__all__ = [
    "Verdict",
    "Table",
    "Part",
    "assemble",
    "Evidence",
    "Proof",
    "Claim",
    "CheckContext",
    "ClaimResult",
    "evidence_to_data",
    "evidence_from_data",
    "format_number",
    "markdown_cell",
    "fit_order",
]


class Verdict(Outcome):
    """The verdict of a check (an :class:`~gdtheory.core.outcomes.Outcome`)."""

    PROVED = ("proved", "Established by a finite rigorous computation (certificate).")
    VERIFIED = (
        "verified",
        "The measured numbers agree with the statement within its tolerance.",
    )
    QUALIFIED = ("qualified", "Holds only under a stated extra condition; see the notes.")
    UNCONFIRMED = ("unconfirmed", "The evidence is not strong enough either way; see the notes.")
    REFUTED = ("refuted", "The numbers measured contradict the statement.")
    ERROR = ("error", "The check itself failed to run; see the notes for the traceback.")

    @property
    def is_failure(self) -> bool:
        return self in (Verdict.REFUTED, Verdict.ERROR)


@dataclass(frozen=True)
class Proof:
    """A statement established (or not) by a finite rigorous computation (a certificate).

    ``certificate`` names the JSON file in the report folder that
    ``gdtheory recheck`` re-verifies independently, when there is one.
    """

    statement: str
    proved: bool
    detail: str = ""
    certificate: str | None = None


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
    proofs : tuple of :class:`Proof`
        Parts established by certificates (ball arithmetic), as opposed to the numerical
        evidence in ``numbers`` and ``tables``.
    """

    verdict: Verdict
    summary: str
    numbers: Mapping[str, Any] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()
    figures: tuple[str, ...] = ()
    notes: str = ""
    proofs: tuple[Proof, ...] = ()

    @property
    def proofs_summary(self) -> str:
        """'k of n proved', or '' when the check has no certificates."""
        if not self.proofs:
            return ""
        return f"{sum(p.proved for p in self.proofs)} of {len(self.proofs)} proved"


@dataclass(frozen=True)
class Part:
    """One part of a check: the numbers it measured and its tables (and the figures and
    proofs it made); ``facts`` are the values :func:`assemble`'s decision reads that are
    not reported as numbers (flags, lists).  A check is a sequence of parts and one
    decision over them.
    """

    numbers: Mapping[str, Any] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()
    figures: tuple[str, ...] = ()
    proofs: tuple[Proof, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)


def assemble(
    parts: Sequence[Part],
    decide: Callable[[Mapping[str, Any]], tuple[Verdict, str]],
    notes: str = "",
) -> Evidence:
    """Evidence from the parts in order; ``decide`` reads the parts' values by key (one
    mapping of every fact, and of every number whose name is an identifier) and returns
    the verdict and the summary line.  Numbers named by their display label ("h=1.9 grid:
    fraction diverged") are shown, not read: a decision reads a key, so relabelling a
    number cannot change a verdict."""
    numbers: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    for part in parts:
        numbers.update(part.numbers)
        facts.update(part.facts)
    keyed = {k: v for k, v in numbers.items() if isinstance(k, str) and k.isidentifier()}
    verdict, summary = decide({**keyed, **facts})
    return Evidence(
        verdict,
        summary,
        numbers=numbers,
        tables=tuple(t for part in parts for t in part.tables),
        figures=tuple(f for part in parts for f in part.figures),
        notes=notes,
        proofs=tuple(pr for part in parts for pr in part.proofs),
    )


@dataclass(frozen=True)
class CheckContext:
    """How a check should run: ``quick`` (CI-sized), where to write figures, the seed
    (``only`` records a ``--only`` selection, for the reproduce line of the report)."""

    quick: bool = False
    outdir: Path | None = None
    seed: int = 20221
    dps: int = 50
    only: tuple[str, ...] = ()

    def save_certificate(self, name: str, certificate: Any) -> str | None:
        """Write a certificate (anything with ``to_json``) into the report folder as
        ``name``, for ``gdtheory recheck``; returns the name, or None when the run writes
        no files.  Wall-clock ``seconds`` (of nested certificates too) are set to 0 so
        that the same inputs give byte-identical files (durations belong in timings.json)."""
        path = self.figure_path(name)
        if path is None:
            return None
        data = _without_seconds(json.loads(certificate.to_json()))
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        return name

    def figures(self, *drawings: tuple[str, Callable[[Path], None]]) -> Part:
        """Draw each ``(name, draw)`` figure into the report folder (``draw(path)``); a
        Part listing the files, empty when the run writes no files (nothing is drawn)."""
        written = []
        for name, draw in drawings:
            path = self.figure_path(name)
            if path is not None:
                draw(path)
                written.append(str(path))
        return Part(figures=tuple(written))

    def figure_path(self, name: str) -> Path | None:
        """Where a check writes an output file (a figure, a certificate), or None when the
        run writes no files; creates the report folder."""
        if self.outdir is None:
            return None
        self.outdir.mkdir(parents=True, exist_ok=True)
        return self.outdir / name


def _without_seconds(data: Any) -> Any:
    """The JSON data with every ``seconds`` (nested certificates too) set to 0."""
    if isinstance(data, dict):
        return {k: 0.0 if k == "seconds" else _without_seconds(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_seconds(v) for v in data]
    return data


@dataclass(frozen=True)
class Claim:
    """A claim of the theory and its check.

    ``statement`` is the precise statement checked; ``source`` is the
    claim as the source blog states it, quoted from the English original with its author,
    title, date and address.  ``quick_seconds`` and ``full_seconds`` are the cost model:
    how long the quick and the full check took in the committed report's runs on the
    2-core CI machine (``gdtheory verify --jobs 2``).  Worker processes start the longest
    checks first (the report does not depend on the order), and the progress display
    estimates what is left from them when no earlier run's ``timings.json`` is at hand.
    """

    id: str
    title: str
    statement: str
    reference: str
    hypotheses: tuple[str, ...]
    check: Callable[[CheckContext], Evidence] = field(repr=False)
    source: str = ""
    quick_seconds: float = 5.0
    full_seconds: float = 60.0


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    evidence: Evidence
    seconds: float


def _plain(v: Any) -> Any:
    """A JSON value rendering exactly like ``v`` in the reports (numbers stay numbers)."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return float(v)
    if isinstance(v, str) or v is None:
        return v
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return str(v)


def evidence_to_data(ev: Evidence) -> dict[str, Any]:
    """Evidence as plain JSON data (for the resumable cache of ``gdtheory verify``)."""
    return {
        "verdict": ev.verdict.value,
        "summary": ev.summary,
        "numbers": [[k, _plain(v)] for k, v in ev.numbers.items()],
        "tables": [[t.title, _plain(t.columns), _plain(t.rows)] for t in ev.tables],
        "figures": list(ev.figures),
        "notes": ev.notes,
        "proofs": [[p.statement, p.proved, p.detail, p.certificate] for p in ev.proofs],
    }


def evidence_from_data(d: dict[str, Any]) -> Evidence:
    """The inverse of :func:`evidence_to_data` (renders identically)."""
    return Evidence(
        Verdict(d["verdict"]),
        d["summary"],
        numbers={k: v for k, v in d["numbers"]},
        tables=tuple(
            Table(t, tuple(cols), tuple(tuple(r) for r in rows)) for t, cols, rows in d["tables"]
        ),
        figures=tuple(d["figures"]),
        notes=d["notes"],
        proofs=tuple(Proof(s, bool(p), det, c) for s, p, det, c in d["proofs"]),
    )
