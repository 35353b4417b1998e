"""Sphinx configuration of the gdtheory API reference (``docs/api``).

Built with warnings as errors by ``tests/test_docs.py``; by hand:
``sphinx-build -W docs/api docs/_build``.  The API pages are generated here from the
package itself (one page per subpackage, every public module with its ``__all__``), and
the claims page from ``proofs_checks``, so that neither can fall out of date.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

import gdtheory  # noqa: E402

project = "gdtheory"
author = "the gdtheory developers"
release = gdtheory.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax"]
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_ivar = True
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the signatures show the names; the docstrings the types
autodoc_default_options = {"members": True, "undoc-members": False}
suppress_warnings = ["ref.python", "ref.class", "ref.func", "ref.mod", "ref.meth"]
html_theme = "alabaster"
exclude_patterns = ["_build"]

SUBPACKAGES = (
    ("core", "Core: objectives, parsing, scalars, the GD map, outcomes, budget"),
    ("methods", "Methods: the optimiser registry"),
    ("models", "Models: the model protocol, NumPy, JAX, digits"),
    ("backward_error", "Backward error analysis: modified equations and the slow manifold"),
    ("landscape", "Landscape: minimiser sets, balance, sharpness"),
    ("continuous", "Continuous models: gradient, modified, principal and central flows"),
    ("dynamics", "Dynamics: runners, orbits, basins, Lyapunov exponents, densities"),
    ("studies", "Studies: regime maps, error tables, weak errors, multiscale"),
    ("rigorous", "Rigorous arithmetic and certificates"),
    ("report", "The report: claims, runner, progress display, renderers"),
    ("testing", "Testing: the oracle, strategies, rounding bounds"),
)


def _write_api_pages() -> None:
    out = HERE / "reference"
    out.mkdir(exist_ok=True)
    toc = []
    for sub, title in SUBPACKAGES:
        pkg = importlib.import_module(f"gdtheory.{sub}")
        lines = [title, "=" * len(title), "", f".. automodule:: gdtheory.{sub}"]
        lines += ["   :no-members:", ""]
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue
            name = f"gdtheory.{sub}.{info.name}"
            head = f"``{name}``"
            lines += [head, "-" * len(head), "", f".. automodule:: {name}", ""]
        (out / f"{sub}.rst").write_text("\n".join(lines))
        toc.append(f"   reference/{sub}")
    index = ["API reference", "=============", "", ".. toctree::", "   :maxdepth: 1", "", *toc]
    (HERE / "reference.rst").write_text("\n".join(index) + "\n")


def _write_claims_page() -> None:
    from gdtheory import proofs_checks  # proofs_checks/ here, installed under gdtheory

    lines = [
        "The claims",
        "==========",
        "",
        "``gdtheory verify`` checks each claim below and writes the evidence (numbers,",
        "tables, figures, certificates) to the report; the README's table holds the",
        "verdicts of the last full report.  One module per claim in ``proofs_checks/``",
        "(installed as ``gdtheory.proofs_checks``).",
        "",
    ]
    def text(s: str) -> str:  # plain-text mathematics: bars and stars are characters
        return s.replace("|", "\\|").replace("*", "\\*")

    for c in proofs_checks.claims():
        head = f"{c.id}: {text(c.title)}"
        lines += [head, "-" * len(head), "", text(c.statement), ""]
        lines += [f"*Reference*: {text(c.reference)}", "", "*Hypotheses*:", ""]
        lines += [f"* {text(h)}" for h in c.hypotheses] + [""]
    (HERE / "claims.rst").write_text("\n".join(lines))


def _literal_bars(app, what, name, obj, options, lines) -> None:
    """Docstrings are plain-text mathematics: a bar in |grad f| is a character, not
    reStructuredText's substitution reference, and the star of a shape (*batch, n) is
    not emphasis.  Doctest lines are left alone."""
    for i, line in enumerate(lines):
        if line.lstrip().startswith((">>>", "...")):
            continue
        line = line.replace("|", "\\|")
        lines[i] = line.replace("(*", "(\\*").replace(" *batch", " \\*batch")


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _literal_bars)


_write_api_pages()
_write_claims_page()
