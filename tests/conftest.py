"""Shared test set-up: mpmath precision reset, Agg backend, Hypothesis profiles, and one
quick theorem report per session (:func:`quick_report`)."""

from __future__ import annotations

import contextlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("MPLBACKEND", "Agg")

import mpmath  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    """No test may leave mpmath's global precision changed (and none may depend on it)."""
    mpmath.mp.dps = 15
    yield
    changed = mpmath.mp.dps
    mpmath.mp.dps = 15
    assert changed == 15, f"a test left mpmath.mp.dps = {changed}"


@dataclass(frozen=True)
class QuickReport:
    """One ``gdtheory verify --quick`` run: its exit code, folder, output and evidence."""

    exit_code: int
    folder: Path
    stdout: str
    evidence: dict[str, Any]

    def claim(self, claim_id: str) -> dict[str, Any]:
        (found,) = [c for c in self.evidence["claims"] if c["id"] == claim_id]
        return found


@pytest.fixture(scope="session")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> QuickReport:
    """``gdtheory verify --quick`` over every claim, once per test run (two worker
    processes); the tests of the claims, the CLI and the renderers read its evidence and
    files instead of running the checks again.

    Under pytest-xdist (``-n 2``, as CI runs) the workers share one report: the first to
    need it computes it under a file lock in the run's common temporary directory, the
    others wait for it and read it."""
    import fcntl

    from gdtheory.cli import main

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = root / "quick-report", root / "quick-report.json"
    with open(root / "quick-report.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder.mkdir(exist_ok=True)
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                code = main(["verify", "--quick", "--report", str(folder), "--jobs", "2"])
            done.write_text(json.dumps({"code": code, "stdout": buf.getvalue()}))
    run = json.loads(done.read_text())
    evidence = json.loads((folder / "evidence.json").read_text())
    return QuickReport(run["code"], folder, run["stdout"], evidence)
