"""Every notebook in notebooks/ runs top to bottom in a fresh kernel (so none can rot).

The notebooks are kept as jupytext percent-format ``.py`` files; each is converted in
memory and executed with nbclient on this interpreter's IPython kernel.  The kernels
run two at a time (one per core of CI; each is a process of its own), once per session.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9]*.py"))


def _execute(path: Path, workdir: Path) -> Any:
    """The executed notebook, or the exception that stopped it."""
    import jupytext
    import nbclient

    nb = jupytext.read(path)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,  # per cell; the issue asks for under 2 minutes per notebook
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - reported by the notebook's own test
        return exc
    return nb


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("jupytext")
    pytest.importorskip("nbclient")
    saved = os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend, as for users
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = {
                p.stem: pool.submit(_execute, p, tmp_path_factory.mktemp(p.stem)) for p in NOTEBOOKS
            }
            return {stem: fut.result() for stem, fut in runs.items()}
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved


def test_there_is_a_notebook_per_theme():
    assert len(NOTEBOOKS) >= 6, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, executed):
    nb = executed[path.stem]
    if isinstance(nb, BaseException):
        raise nb
    assert nb.cells[0].cell_type == "markdown", "a notebook opens with its title"
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
    figures = sum(
        1
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    )
    assert figures >= 1, "every notebook shows at least one figure"
