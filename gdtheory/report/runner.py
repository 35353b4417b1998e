"""The runner of the theorem report: claims in isolated worker processes, the cache of
finished claims (resumable after Ctrl-C), and the environment record.

The runner is handed its claims (by :mod:`gdtheory.cli`, which loads ``proofs_checks``);
it never imports them itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import platform
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from ..core.cache import as_cache
from .claims import (
    CheckContext,
    Claim,
    ClaimResult,
    Evidence,
    Verdict,
    evidence_from_data,
    evidence_to_data,
)
from .progress import expected_seconds

__all__ = ["run_claims", "run_one", "environment"]


def _cached(cache: Any, claim: Claim, ctx: CheckContext) -> ClaimResult | None:
    """A finished claim from the cache, if its files (figures, certificates) still exist."""

    def valid(d: Any) -> bool:  # the schema of a stored claim; anything else is discarded
        evidence_from_data(d["evidence"])
        return isinstance(d["seconds"], int | float) and not isinstance(d["seconds"], bool)

    d = cache.load_json(cache.key("claim", claim.id, ctx.quick, ctx.seed, ctx.dps), valid)
    if d is None:
        return None
    ev = evidence_from_data(d["evidence"])
    files = list(ev.figures) + [p.certificate for p in ev.proofs if p.certificate]
    if ctx.outdir is not None and not all((ctx.outdir / Path(f).name).exists() for f in files):
        return None
    return ClaimResult(claim, ev, float(d["seconds"]))


def _store(cache: Any, res: ClaimResult, ctx: CheckContext) -> None:
    if res.evidence.verdict is Verdict.ERROR:
        return  # a broken check is retried next time
    key = cache.key("claim", res.claim.id, ctx.quick, ctx.seed, ctx.dps)
    cache.store_json(key, {"evidence": evidence_to_data(res.evidence), "seconds": res.seconds})


def _code_roots(claims: Sequence[Claim]) -> tuple[str, ...]:
    """The folders of the modules that define the claims' checks (their code versions the
    cached results, besides gdtheory's own)."""
    roots = set()
    for c in claims:
        mod = sys.modules.get(getattr(c.check, "__module__", ""), None)
        path = getattr(mod, "__file__", None)
        if path:
            roots.add(str(Path(path).resolve().parent))
    return tuple(sorted(roots))


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


def _quiet_context() -> Any:
    """A multiprocessing context whose workers ignore Ctrl-C (SIGINT), so that an
    interrupted ``gdtheory verify`` prints one line, not a traceback per worker.

    Workers are forked by a fork server started with SIGINT ignored: an ignored signal
    stays ignored across fork and exec, and the fork server restores, in each worker, the
    dispositions it started with.  The parent keeps its own Ctrl-C and stops the workers
    itself (:func:`_stop`).  Where there is no fork server (not POSIX), spawn."""
    import signal

    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    from multiprocessing import forkserver

    if threading.current_thread() is threading.main_thread():
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, old)
    return ctx


def _stop(pool: ProcessPoolExecutor) -> None:
    """Terminate the workers of an interrupted run (they ignore SIGINT) without waiting
    for their claims to finish, and the fork server with any worker it is still
    starting (such a half-started worker would otherwise print a traceback once this
    process has exited and removed the pool's semaphores)."""
    for proc in list(getattr(pool, "_processes", {}).values()):  # no public API for this
        proc.terminate()
    _stop_forkserver()
    pool.shutdown(wait=False, cancel_futures=True)


def _stop_forkserver() -> None:
    """Freeze the fork server (no new forks), terminate its children, then it (Linux:
    the children are found in /proc; elsewhere only the server is stopped)."""
    import signal
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if not pid:
        return
    try:
        os.kill(pid, signal.SIGSTOP)
    except OSError:
        return
    children = []
    if os.path.isdir("/proc"):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields and int(fields[1]) == pid:
                children.append(int(entry))
    for child in children:
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _worker_init() -> None:
    import matplotlib

    matplotlib.use("Agg")


#: Thread caps given to worker processes (one check per core): BLAS, OpenMP (PyTorch
#: too), numba, and XLA's CPU backend, so that no reduction is split by the number of
#: cores of the machine (float64 sums then add in the same order on any machine).
_WORKER_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
}


def run_claims(
    claims: Sequence[Claim],
    ctx: CheckContext,
    progress: Callable[[str], None] | None = None,
    *,
    jobs: int = 1,
    isolated: bool = False,
    cache: Any = None,
    expected: Mapping[str, float] | None = None,
    monitor: Any = None,
) -> tuple[ClaimResult, ...]:
    """Run the claims' checks; results in input order.

    With ``isolated=True`` every check runs in a fresh worker process (``jobs`` at a
    time) with single-threaded BLAS, so nothing one check leaves behind (caches, random
    states) reaches another and the evidence is bit-for-bit the same whatever ``jobs``
    is and whichever check finishes first; each check seeds its own random numbers from
    ``ctx.seed``.  A claim whose check cannot be pickled (a lambda) runs in this
    process.  ``isolated=False`` (with ``jobs=1``) runs everything here.  ``progress``
    receives one line when a check starts and one when it ends, naming the checks still
    running.  With ``cache`` (a :class:`gdtheory.core.cache.Cache` or a directory) each
    finished claim is stored as it ends and found again by the next run with the same
    inputs and code: an interrupted report (Ctrl-C) resumes without redoing them.
    Workers start the longest claims first: by ``expected`` (claim id -> seconds) where
    given, else by each claim's cost model for the mode.  ``monitor`` (e.g. a
    :class:`~gdtheory.report.progress.LiveProgress`) is told ``started(id)`` and
    ``finished(id, line)`` with the line ``progress`` would receive.
    """
    costs = expected_seconds(claims, ctx.quick, expected)
    store = as_cache(cache, _code_roots(claims))
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    n = len(claims)
    results: dict[int, ClaimResult] = {}
    running: dict[int, str] = {}

    def started(i: int) -> None:
        running[i] = claims[i].id
        if progress:
            progress(f"running {claims[i].id}: {claims[i].title} ...")
        if monitor is not None:
            monitor.started(claims[i].id)

    def finished(i: int, res: ClaimResult, cached: bool = False) -> None:
        results[i] = res
        running.pop(i, None)
        if store is not None and not cached:
            _store(store, res, ctx)
        how = "from the cache" if cached else f"in {res.seconds:.1f} s"
        line = f"[{len(results)}/{n}] {res.claim.id} {res.evidence.verdict.value} {how}"
        if progress:
            still = ", ".join(running.values()) or "nothing"
            progress(f"{line} (still running: {still})")
        if monitor is not None:
            monitor.finished(res.claim.id, line)

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
        os.environ.update(_WORKER_ENV)
        try:
            ctx_mp = _quiet_context()
            fresh: dict[str, Any] = (
                {"max_tasks_per_child": 1} if sys.version_info >= (3, 11) else {}
            )
            pool = ProcessPoolExecutor(
                min(jobs, len(remote)), mp_context=ctx_mp, initializer=_worker_init, **fresh
            )
            try:
                # longest first (a stable sort: ties keep the report order)
                queue = sorted(remote, key=lambda i: -costs[claims[i].id])
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
            except KeyboardInterrupt:
                _stop(pool)
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
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


def environment(ctx: CheckContext) -> dict[str, Any]:
    """Versions, precision and seed, so that a reader can reproduce the report."""
    import matplotlib
    import mpmath
    import numpy
    import scipy
    import sympy

    from .._version import __version__

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
