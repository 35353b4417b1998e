"""CONTRIBUTING.md stays true: its worked example of a user's optimiser runs as printed."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

CONTRIBUTING = Path(__file__).resolve().parents[1] / "CONTRIBUTING.md"


def test_the_worked_optimiser_example_runs(capsys) -> None:
    text = CONTRIBUTING.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    example = next(b for b in blocks if "class Averaged(Method)" in b)
    module = types.ModuleType("contributing_example")  # dataclasses look their module up
    sys.modules[module.__name__] = module
    try:
        exec(compile(example, str(CONTRIBUTING), "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    out = capsys.readouterr().out
    assert "max_steps" in out and "Matrix" in out  # the run, the trajectory, the field


def test_the_layers_table_names_every_subpackage() -> None:
    root = Path(__file__).resolve().parents[1] / "gdtheory"
    text = CONTRIBUTING.read_text()
    for sub in sorted(p.name for p in root.iterdir() if (p / "__init__.py").exists()):
        assert f"`{sub}/`" in text, sub
