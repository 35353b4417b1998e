"""Every notebook in notebooks/ runs top to bottom in a fresh kernel (so none can rot).

The notebooks are kept as jupytext percent-format ``.py`` files; each is converted in
memory and executed with nbclient on this interpreter's IPython kernel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9]*.py"))


def test_there_is_a_notebook_per_theme():
    assert len(NOTEBOOKS) >= 6, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend, as for users
    nb = jupytext.read(path)
    assert nb.cells[0].cell_type == "markdown", "a notebook opens with its title"
    client = nbclient.NotebookClient(
        nb,
        timeout=120,  # per cell; the issue asks for under 2 minutes per notebook
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
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
