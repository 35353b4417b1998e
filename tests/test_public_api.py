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
