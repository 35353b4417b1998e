"""The verification framework: claims, the evidence a check returns, and the report.

A :class:`Claim` holds a statement of SPEC section 1 with its reference and hypotheses,
and a check.  A check takes a :class:`CheckContext` and returns :class:`Evidence`: the
numbers it measured, tables, figures, and the :class:`Verdict` drawn from them.  The
claims themselves live in the top-level package ``proofs_checks`` (one module each).
"""

from __future__ import annotations

import enum
import math
import multiprocessing
import os
import pickle
import platform
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Verdict",
    "Table",
    "Evidence",
    "Proof",
    "Claim",
    "CheckContext",
    "ClaimResult",
    "run_claims",
    "run_one",
    "environment",
    "format_number",
    "markdown_cell",
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
        body = ["| " + " | ".join(markdown_cell(v) for v in row) + " |" for row in self.rows]
        return "\n".join([f"**{self.title}**", "", head, sep, *body])


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
class CheckContext:
    """How a check should run: ``quick`` (CI-sized), where to write figures, the seed
    (``only`` records a ``--only`` selection, for the reproduce line of the report)."""

    quick: bool = False
    outdir: Path | None = None
    seed: int = 20221
    dps: int = 50
    only: tuple[str, ...] = ()

    def figure_path(self, name: str) -> Path | None:
        """Where a check writes an output file (a figure, a certificate), or None when the
        run writes no files; creates the report folder."""
        if self.outdir is None:
            return None
        self.outdir.mkdir(parents=True, exist_ok=True)
        return self.outdir / name


@dataclass(frozen=True)
class Claim:
    """A claim of SPEC section 1 and its check.

    ``statement`` is the precise statement checked (SPEC section 1); ``source`` is the
    claim as the source blog gives it (an English rendering of the Chinese text).
    """

    id: str
    title: str
    statement: str
    reference: str
    hypotheses: tuple[str, ...]
    check: Callable[[CheckContext], Evidence] = field(repr=False)
    source: str = ""


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


def _cached(cache: Any, claim: Claim, ctx: CheckContext) -> ClaimResult | None:
    """A finished claim from the cache, if its files (figures, certificates) still exist."""
    try:
        d = cache.load_json(cache.key("claim", claim.id, ctx.quick, ctx.seed, ctx.dps))
        if d is None:
            return None
        ev = evidence_from_data(d["evidence"])
    except (KeyError, TypeError, ValueError):
        return None
    files = list(ev.figures) + [p.certificate for p in ev.proofs if p.certificate]
    if ctx.outdir is not None and not all((ctx.outdir / Path(f).name).exists() for f in files):
        return None
    return ClaimResult(claim, ev, float(d["seconds"]))


def _store(cache: Any, res: ClaimResult, ctx: CheckContext) -> None:
    if res.evidence.verdict is Verdict.ERROR:
        return  # a broken check is retried next time
    key = cache.key("claim", res.claim.id, ctx.quick, ctx.seed, ctx.dps)
    cache.store_json(key, {"evidence": evidence_to_data(res.evidence), "seconds": res.seconds})


def run_one(claim: Claim, ctx: CheckContext) -> ClaimResult:
    """Run one claim's check; an exception becomes an ``ERROR`` verdict with its traceback."""
    t0 = time.perf_counter()
    try:
        ev = claim.check(ctx)
    except Exception as exc:  # noqa: BLE001 - a report must survive a broken check
        ev = Evidence(
            Verdict.ERROR,
            f"check raised {type(exc).__name__}: {exc}",
            notes=traceback.format_exc(),
        )
    return ClaimResult(claim, ev, time.perf_counter() - t0)


def _picklable(claim: Claim) -> bool:
    try:
        pickle.dumps(claim)
    except Exception:  # noqa: BLE001 - lambdas, closures: run those in this process
        return False
    return True


def _worker_init() -> None:
    import matplotlib

    matplotlib.use("Agg")


#: BLAS/OpenMP thread caps given to worker processes (one check per core).
_WORKER_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def run_claims(
    claims: Sequence[Claim],
    ctx: CheckContext,
    progress: Callable[[str], None] | None = None,
    *,
    jobs: int = 1,
    isolated: bool = False,
    cache: Any = None,
) -> tuple[ClaimResult, ...]:
    """Run the claims' checks; results in input order.

    With ``isolated=True`` every check runs in a fresh worker process (``jobs`` at a
    time) with single-threaded BLAS, so nothing one check leaves behind (caches, random
    states) reaches another and the evidence is bit-for-bit the same whatever ``jobs``
    is and whichever check finishes first; each check seeds its own random numbers from
    ``ctx.seed``.  A claim whose check cannot be pickled (a lambda) runs in this
    process.  ``isolated=False`` (with ``jobs=1``) runs everything here.  ``progress``
    receives one line when a check starts and one when it ends, naming the checks still
    running.  With ``cache`` (a :class:`gdtheory.cache.Cache` or a directory) each
    finished claim is stored as it ends and found again by the next run with the same
    inputs and code: an interrupted report (Ctrl-C) resumes without redoing them.
    """
    from .cache import as_cache

    store = as_cache(cache)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    n = len(claims)
    results: dict[int, ClaimResult] = {}
    running: dict[int, str] = {}

    def started(i: int) -> None:
        running[i] = claims[i].id
        if progress:
            progress(f"running {claims[i].id}: {claims[i].title} ...")

    def finished(i: int, res: ClaimResult, cached: bool = False) -> None:
        results[i] = res
        running.pop(i, None)
        if store is not None and not cached:
            _store(store, res, ctx)
        if progress:
            still = ", ".join(running.values()) or "nothing"
            how = "from the cache" if cached else f"in {res.seconds:.1f} s"
            progress(
                f"[{len(results)}/{n}] {res.claim.id} {res.evidence.verdict.value} "
                f"{how} (still running: {still})"
            )

    if jobs > 1:
        isolated = True
    if store is not None:
        for i, c in enumerate(claims):
            hit = _cached(store, c, ctx)
            if hit is not None:
                finished(i, hit, cached=True)
    pending = [i for i in range(n) if i not in results]
    remote = [i for i in pending if isolated and _picklable(claims[i])]
    local = sorted(set(pending) - set(remote))
    if remote:
        saved = {k: os.environ.get(k) for k in _WORKER_ENV}
        os.environ.update({k: "1" for k in _WORKER_ENV})
        try:
            ctx_mp = multiprocessing.get_context("spawn")
            fresh: dict[str, Any] = (
                {"max_tasks_per_child": 1} if sys.version_info >= (3, 11) else {}
            )
            with ProcessPoolExecutor(
                min(jobs, len(remote)), mp_context=ctx_mp, initializer=_worker_init, **fresh
            ) as pool:
                queue = list(remote)
                futures: dict[Future[ClaimResult], int] = {}
                while queue or futures:
                    while queue and len(futures) < jobs:
                        i = queue.pop(0)
                        futures[pool.submit(run_one, claims[i], ctx)] = i
                        started(i)
                    done, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for fut in done:
                        i = futures.pop(fut)
                        try:
                            res = fut.result()
                        except Exception as exc:  # noqa: BLE001 - a dead worker, say
                            res = ClaimResult(
                                claims[i],
                                Evidence(
                                    Verdict.ERROR,
                                    f"worker failed: {type(exc).__name__}: {exc}",
                                    notes=traceback.format_exc(),
                                ),
                                0.0,
                            )
                        finished(i, res)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    for i in local:
        started(i)
        finished(i, run_one(claims[i], ctx))
    return tuple(results[i] for i in range(n))


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
        "python-flint": _version("python-flint"),
        "numba": _version("numba"),
        "gdtheory commit": _git_commit(),
        "mode": "quick" if ctx.quick else "full",
        "default dps": ctx.dps,
        "seed": ctx.seed,
        "reproduce": (
            f"gdtheory verify{' --quick' if ctx.quick else ''} --seed {ctx.seed}"
            + (f" --only {','.join(ctx.only)}" if ctx.only else "")
        ),
    }


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    """The source checkout's commit, with '+modified' if the library, the checks or
    pyproject.toml differ from it ('not a git checkout' for an installed package)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return "not a git checkout"
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            # the code that computes the evidence (not docs/, where reports are written)
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--"]
            + [p for p in ("gdtheory", "proofs_checks", "pyproject.toml") if (root / p).exists()],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+modified" if dirty else "")


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
