"""Benchmark of issue 36: importing the pytest plugin (what every pytest session of an
environment with gdtheory installed pays) against importing the library, each in a fresh
interpreter that has already imported pytest.

Run with ``pytest tests/benchmarks/test_bench_import.py -m benchmark -s -n 0``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.benchmark

_TIMED = """
import time, pytest
t0 = time.perf_counter()
import {module}
print(time.perf_counter() - t0)
"""


def _seconds(module: str, runs: int = 5) -> float:
    out = []
    for _ in range(runs):
        code = _TIMED.format(module=module)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        out.append(float(res.stdout))
    return min(out)


def test_plugin_import_against_the_library():
    plugin = _seconds("gdtheory.testing.plugin")
    library = _seconds("gdtheory.testing.oracles")  # what the plugin used to import
    print(
        f"\nplugin {1000 * plugin:.1f} ms; library (gdtheory.testing.oracles) "
        f"{1000 * library:.0f} ms; ratio {library / plugin:.0f}"
    )
    assert plugin > 0 and library > 0
