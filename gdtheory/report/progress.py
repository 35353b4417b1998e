r"""Progress of ``gdtheory verify``: one line per running claim with a bar and an estimate
of what is left, and a total estimate for the report.

The checks run in worker processes and do not report their own progress, so a claim's
bar is its elapsed time against the time it is expected to take: the previous run's
``timings.json`` in the same report folder (same mode) where there is one, else the
claim's cost model (:attr:`~gdtheory.report.claims.Claim.quick_seconds`,
:attr:`~gdtheory.report.claims.Claim.full_seconds`: the committed report's times on the
2-core CI machine).  The total estimate replays the runner's schedule (longest first,
``jobs`` at a time) with the expected times of the claims still queued and what is left
of the running ones (:func:`remaining_seconds`).

>>> remaining_seconds({"A": 100.0, "B": 30.0, "C": 30.0}, {"A": 40.0}, ["B", "C"], jobs=2)
60.0
"""

from __future__ import annotations

import heapq
import json
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from .claims import Claim

__all__ = ["expected_seconds", "remaining_seconds", "read_timings", "LiveProgress", "display"]


def read_timings(path: Path, quick: bool) -> dict[str, float]:
    """The per-claim seconds of a previous run's ``timings.json`` if it was a run in the
    same mode (quick or full), else nothing (an unreadable or older file included)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("mode") != ("quick" if quick else "full"):
        return {}
    claims = data.get("claims")
    if not isinstance(claims, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in claims.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
    }


def expected_seconds(
    claims: Sequence[Claim], quick: bool, previous: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Each claim's expected time: the previous run's where known, else its cost model."""
    prev = previous or {}
    return {
        c.id: float(prev.get(c.id, c.quick_seconds if quick else c.full_seconds)) for c in claims
    }


def _left(expected: float, elapsed: float) -> float:
    """What is left of a running claim: its expectation minus the time spent, or, once it
    has overrun, a tenth of the time spent (it is late by an unknown amount)."""
    return expected - elapsed if elapsed < expected else 0.1 * elapsed


def remaining_seconds(
    expected: Mapping[str, float],
    running: Mapping[str, float],
    queued: Iterable[str],
    *,
    jobs: int,
) -> float:
    """Seconds until the last claim ends: the running claims' remainders (``running``
    maps id -> elapsed seconds) on their workers, then the queued claims in their order,
    each on the worker that frees first."""
    left = [_left(expected.get(i, 0.0), el) for i, el in running.items()]
    free = sorted(left + [0.0] * max(jobs - len(left), 0))
    heapq.heapify(free)
    end = max(free, default=0.0)
    for i in queued:
        t = heapq.heappop(free) + expected.get(i, 0.0)
        end = max(end, t)
        heapq.heappush(free, t)
    return end


def _clock(seconds: float) -> str:
    s = int(round(max(seconds, 0.0)))
    return f"{s // 60}:{s % 60:02d}"


def _bar(fraction: float, width: int = 20) -> str:
    full = int(round(min(max(fraction, 0.0), 1.0) * width))
    return "#" * full + "." * (width - full)


class LiveProgress:
    """A terminal display of a report run, redrawn every ``interval`` seconds: finished
    claims as permanent lines, then one line per running claim (bar, elapsed / expected
    seconds, what is left) and a total line.  Use as a context manager; the runner calls
    :meth:`started` and :meth:`finished`."""

    def __init__(
        self,
        order: Sequence[str],
        expected: Mapping[str, float],
        *,
        jobs: int,
        stream: TextIO,
        source: str = "",
        interval: float = 0.5,
    ) -> None:
        self.order, self.expected = list(order), dict(expected)
        self.jobs, self.stream, self.source, self.interval = jobs, stream, source, interval
        self.started_at: dict[str, float] = {}
        self.done: list[str] = []
        self._drawn = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._t0 = time.perf_counter()

    def __enter__(self) -> LiveProgress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        with self._lock:
            self._erase()

    def started(self, claim_id: str) -> None:
        with self._lock:
            self.started_at[claim_id] = time.perf_counter()
            self._draw()

    def finished(self, claim_id: str, line: str) -> None:
        with self._lock:
            self.started_at.pop(claim_id, None)
            self.done.append(claim_id)
            self._erase()
            self.stream.write(line + "\n")
            self._draw()

    def lines(self, now: float) -> list[str]:
        """The running claims' lines and the total line at time ``now``."""
        running = {i: now - t for i, t in self.started_at.items()}
        out = []
        for i in self.order:
            if i in running:
                exp, el = self.expected.get(i, 0.0), running[i]
                late = el >= exp
                tail = "overrunning" if late else f"about {_clock(exp - el)} left"
                frac = 1.0 if late else el / exp  # late whenever exp <= 0
                out.append(f"  {i:<5} [{_bar(frac)}] {el:6.0f} / {exp:.0f} s  {tail}")
        queued = [i for i in self.order if i not in running and i not in self.done]
        left = remaining_seconds(self.expected, running, queued, jobs=self.jobs)
        total = sum(self.expected.get(i, 0.0) for i in self.order)
        work_done = sum(self.expected.get(i, 0.0) for i in self.done) + sum(
            min(el, self.expected.get(i, 0.0)) for i, el in running.items()
        )
        frac = work_done / total if total > 0 else 1.0
        src = f" (estimates: {self.source})" if self.source else ""
        out.append(
            f"  total [{_bar(frac)}] {len(self.done)}/{len(self.order)} claims, "
            f"{_clock(now - self._t0)} elapsed, about {_clock(left)} left{src}"
        )
        return out

    def _erase(self) -> None:
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")  # up to the first line, clear
            self._drawn = 0

    def _draw(self) -> None:
        self._erase()
        shown = self.lines(time.perf_counter())
        self.stream.write("\n".join(shown) + "\n")
        self.stream.flush()
        self._drawn = len(shown)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                self._draw()


def display(
    claims: Sequence[Claim], quick: bool, folder: Path, *, jobs: int, stream: TextIO
) -> tuple[dict[str, float], LiveProgress | None]:
    """The expected seconds of ``claims`` (the last run's ``folder/timings.json`` in the
    same mode, else the cost model) and, if ``stream`` is a terminal, the live display
    to run them under (None in a log: the runner's plain lines are printed instead)."""
    previous = read_timings(folder / "timings.json", quick)
    expected = expected_seconds(claims, quick, previous)
    if not stream.isatty():
        return expected, None
    source = f"the last run in {folder}" if previous else "the cost model"
    live = LiveProgress([c.id for c in claims], expected, jobs=jobs, stream=stream, source=source)
    return expected, live
