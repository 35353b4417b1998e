"""The API reference builds from the docstrings with warnings as errors, and the
docstrings cite papers and the project's own docs only."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_api_reference_builds_with_warnings_as_errors(tmp_path) -> None:
    pytest.importorskip("sphinx")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(ROOT / "docs/api"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    html = (tmp_path / "html" / "reference" / "methods.html").read_text()
    assert "update" in html and "Method" in html  # the registry is documented
    claims = (tmp_path / "html" / "claims.html").read_text()
    assert "T1: " in claims and "T11: " in claims  # every claim has its section


def test_docstrings_cite_nothing_outside_the_repository() -> None:
    bad = []
    for path in [*ROOT.glob("gdtheory/**/*.py"), *ROOT.glob("proofs_checks/*.py")]:
        text = path.read_text()
        for m in re.finditer(r"\bSPEC\b|\.\./shared|SPEC\.md|STYLE\.md", text):
            bad.append(f"{path.relative_to(ROOT)}: {text[max(0, m.start() - 40) : m.end() + 20]!r}")
    assert not bad, bad
