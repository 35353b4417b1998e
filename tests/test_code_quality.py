"""Lint, format and type checks run as part of the test command (CI runs them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "cmd",
    [
        [sys.executable, "-m", "ruff", "check", "gdtheory", "proofs_checks", "tests"],
        [sys.executable, "-m", "ruff", "format", "--check", "gdtheory", "proofs_checks"],
        [sys.executable, "-m", "mypy", "gdtheory"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(cmd):
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
