"""The public API: everything in ``gdtheory.__all__`` imports; the documented import paths
``gdtheory.objectives``, ``gdtheory.certify`` and ``gdtheory.testing`` work; the version
is the packaged one."""

from __future__ import annotations

import importlib
from pathlib import Path

import tomllib

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


def test_version_matches_pyproject():
    from gdtheory._version import __version__

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert __version__ == gdtheory.__version__ == pyproject["project"]["version"]


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
