"""The public API: everything in ``gdtheory.__all__`` imports; the documented import paths
``gdtheory.objectives``, ``gdtheory.certify`` and ``gdtheory.testing`` work; the version
is the packaged one."""

from __future__ import annotations

import importlib
from pathlib import Path

import gdtheory


def test_every_public_name_resolves():
    missing = [n for n in gdtheory.__all__ if not hasattr(gdtheory, n)]
    assert not missing
    assert len(set(gdtheory.__all__)) == len(gdtheory.__all__)


def test_documented_import_paths():
    for mod in ("gdtheory.objectives", "gdtheory.certify", "gdtheory.testing"):
        m = importlib.import_module(mod)
        assert m.__all__ and all(hasattr(m, n) for n in m.__all__)
    from gdtheory.certify import recheck
    from gdtheory.objectives import scalar_factorization

    assert callable(recheck) and scalar_factorization().dim == 2


def test_the_installed_version_is_the_packages():
    """pyproject.toml reads the version from gdtheory/_version.py (tests/test_packaging.py);
    the installed distribution's metadata says the same."""
    from importlib.metadata import version

    from gdtheory._version import __version__

    assert __version__ == gdtheory.__version__ == version("gdtheory")


def test_an_expression_string_is_accepted_wherever_an_objective_is():
    """Issue 15, item 8: the same call with the string and with the parsed objective."""
    import numpy as np

    from gdtheory.certify import certify_descent, certify_periodic_orbit

    text = "(1 - x*y)**2/2"
    f = gdtheory.Objective.parse(text)
    same = [
        lambda o: gdtheory.gd(o, [0.5, 1.5], h="1/2", steps=20).iterates[-1],
        lambda o: gdtheory.gd_batch(o, [[0.5, 1.5]], hs=0.5, steps=20).x.tolist(),
        lambda o: gdtheory.smoothness_constant(o, box=[(-1, 1), (-1, 1)]).value,
        lambda o: len(gdtheory.periodic_orbits(o, [(-2, 2), (-2, 2)], h="19/10", period=2).orbits),
        lambda o: gdtheory.lyapunov_exponent(o, [0.5, 0.5], h=1.9, steps=500).exponents,
        lambda o: certify_descent(o, [(0, 1), (0, 1)], h="1/4", pieces=2).L_bound,
        lambda o: certify_periodic_orbit(o, [[0, 0]], h="1/2", radius="1/10").proved,
        lambda o: gdtheory.modified_equation(o, 2).fields,
    ]
    for call in same:
        a, b = call(text), call(f)
        assert np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)), call
    with __import__("pytest").raises(
        gdtheory.InvalidInputError, match="Objective or an expression"
    ):
        gdtheory.gd(42, [1], h=1, steps=1)


def test_formula_objects_expose_the_symbols_to_substitute():
    """Issue 15, item 8 (second half): formulas are in real symbols; every
    formula-returning object exposes them, and substituting them gives a number, while a
    plain sp.Symbol of the same name is a different symbol (documented in the README)."""
    import sympy as sp

    me = gdtheory.modified_equation("x**4/4 - x**2/2", 2)
    q = gdtheory.quadratic_modified_equation("3*x**2/2")
    f = gdtheory.Objective.parse("x**4/4 - x**2/2")
    for syms, expr in (
        (me.symbols, me.fields[2][0]),
        (q.symbols, q.coefficient(3)[0]),
        (f.symbols, f.expr),
        (f.symbols, gdtheory.modified_potential(f, 2)),
    ):
        assert all(s.is_real for s in syms)
        assert syms[0] in expr.free_symbols
        assert syms[0] not in expr.subs(syms[0], 2).free_symbols
        assert syms[0] in expr.subs(sp.Symbol("x"), 2).free_symbols  # silently not substituted
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "me.symbols" in readme and "plain `sp.Symbol" in readme
