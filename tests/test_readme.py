"""Every Python snippet of the README runs as printed (the tour's sections share one
namespace, as a reader runs them in order; a snippet that defines a test runs it)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _snippets() -> list[tuple[str, str]]:
    """(id, code): the blocks before "## A tour" one by one, the tour's blocks joined."""
    before, _, tour = README.partition("## A tour")
    blocks = [
        (f"block{i}", b) for i, b in enumerate(re.findall(r"```python\n(.*?)```", before, re.S))
    ]
    tour_blocks = re.findall(r"```python\n(.*?)```", tour.split("\n## ", 1)[0], re.S)
    assert blocks and tour_blocks, "the README has no Python snippets"
    return [*blocks, ("tour", "\n".join(tour_blocks))]


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(c, id=i, marks=[pytest.mark.slow] if i == "tour" else [])
        for i, c in _snippets()
    ],
)
def test_readme_snippet_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    namespace: dict[str, object] = {"__name__": "__readme__"}
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102
        tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
        for test in tests:  # a snippet that defines a test: run it, as pytest would
            test()
    assert out.getvalue().strip() or tests, "a README snippet prints or tests something"
