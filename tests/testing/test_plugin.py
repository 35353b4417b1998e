"""gdtheory.testing: the oracle assertions, the strategies, the plugin, the docs example."""

from __future__ import annotations


def test_the_plugin_fixture_is_registered(gd_oracle):
    f = gd_oracle.objective("x**2/2")
    assert gd_oracle.assert_step(lambda z, h: z - h * z, f, [0.5], h=0.25).passed
    assert gd_oracle.trajectory(f, [1], h="1/2", steps=3)[-1, 0] == 0.125
    assert set(vars(gd_oracle.strategies)) >= {"quadratics", "factorization_instances"}


_FRESH = """
import json, sys, time
import pytest  # a pytest session has it already
t0 = time.perf_counter()
import gdtheory.testing.plugin
ms = 1000 * (time.perf_counter() - t0)
print(json.dumps({"ms": ms, "modules": sorted(sys.modules)}))
"""


def test_the_plugin_imports_nothing_heavy_until_the_fixture_is_used():
    """Every pytest session of an environment with gdtheory installed imports the plugin:
    it must not import the library (SymPy, NumPy, gdtheory's modules); only the package
    shell and the plugin.  The time is printed (tests/benchmarks/test_bench_import.py
    compares it with importing the library)."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _FRESH], capture_output=True, text=True, check=True
    ).stdout
    seen = json.loads(out)
    ours = [m for m in seen["modules"] if m.split(".")[0] == "gdtheory"]
    assert ours == [
        "gdtheory",
        "gdtheory._lazy",
        "gdtheory._version",
        "gdtheory.testing",
        "gdtheory.testing.plugin",
    ]
    heavy = {"sympy", "numpy", "mpmath", "scipy", "jax", "torch", "flint", "hypothesis"}
    assert not heavy & {m.split(".")[0] for m in seen["modules"]}
    print(f"plugin import: {seen['ms']:.1f} ms")


def test_package_attributes_are_stable():
    """gdtheory.objectives is the module gdtheory.objectives before and after importing it;
    a lazily loaded public function is the same (guarded) object on every access."""
    import importlib

    import gdtheory

    before = gdtheory.objectives
    module = importlib.import_module("gdtheory.objectives")
    assert before is module is gdtheory.objectives
    assert gdtheory.central_flow is gdtheory.central_flow
    assert "central_flow" in dir(gdtheory) and "quadratics" in dir(gdtheory.testing)
    assert gdtheory.leaky_factorisation is gdtheory.leaky_factorization
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        gdtheory.nope  # noqa: B018
    assert gdtheory.core.library is importlib.import_module("gdtheory.core.library")
