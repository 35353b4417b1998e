"""The package's shape: layers import only downwards, no cycles, no module imports the
package ``__init__``, only the CLI loads ``proofs_checks``, modules stay under 600 lines.

The imports are read from the source (every ``import`` statement, including the ones
inside functions), not from a running interpreter, so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "gdtheory"

#: Layer of each subpackage (a module may import its own layer and the ones below).
LAYERS = {
    "errors": 0,
    "_version": 0,
    "_lazy": 0,
    "core": 0,
    "methods": 1,
    "models": 1,
    "backward_error": 2,
    "landscape": 3,
    "continuous": 4,
    "dynamics": 4,
    "studies": 5,
    "rigorous": 5,
    "report": 6,
    "testing": 6,
    # the public import paths and the command line sit on top
    "objectives": 7,
    "optimizers": 7,
    "certify": 7,
    "__init__": 7,
    "cli": 8,
    "launch": 8,
    "__main__": 8,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every gdtheory / proofs_checks module this file imports (absolute dotted names)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            for a in node.names:  # `from . import x` may import the module x
                if (
                    (ROOT.parent / (mod + "." + a.name).replace(".", "/"))
                    .with_suffix(".py")
                    .exists()
                ):
                    found.add(mod + "." + a.name)
    own = _module_name(path)  # `from . import x` in a package's __init__ names the package
    return {m for m in found if m.split(".")[0] in ("gdtheory", "proofs_checks") and m != own}


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
GRAPH = {m: _imports(p) for m, p in MODULES.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    return LAYERS[key]


def test_every_module_has_a_layer():
    assert all(_layer(m) >= 0 for m in MODULES)


def test_layers_import_only_downwards():
    bad = [
        f"{m} (layer {_layer(m)}) imports {d} (layer {_layer(d)})"
        for m, deps in GRAPH.items()
        for d in deps
        if d in MODULES and _layer(d) > _layer(m)
    ]
    assert not bad, "\n".join(bad)


def test_no_module_imports_the_package_init():
    bad = [m for m, deps in GRAPH.items() if "gdtheory" in deps and m != "gdtheory"]
    assert not bad, bad


def test_only_the_cli_loads_the_claims():
    bad = [
        m
        for m, deps in GRAPH.items()
        if any(d.removeprefix("gdtheory.").split(".")[0] == "proofs_checks" for d in deps)
        and m != "gdtheory.cli"
    ]
    assert not bad, bad
    assert "gdtheory.proofs_checks" in GRAPH["gdtheory.cli"]  # the checker sees it


def test_no_import_cycle():
    """Depth-first search over the module graph; a back edge is a cycle."""
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(GRAPH.get(m, ())):
            if d not in MODULES:
                continue
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d) :] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in MODULES:
        if m not in state:
            visit(m)
    assert not cycles, cycles


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_under_600_lines(module):
    n = len(MODULES[module].read_text().splitlines())
    assert n <= 600, f"{module} has {n} lines"


def test_the_checker_sees_a_planted_violation(tmp_path):
    """The import reader resolves relative imports (a test of the test)."""
    core = ROOT / "core" / "objective.py"
    assert "gdtheory.core.parsing" in _imports(core)
    assert "gdtheory.errors" in _imports(core)
    assert _layer("gdtheory.report.runner") > _layer("gdtheory.dynamics.engine")


def test_no_private_name_is_imported_across_subpackages():
    """``from ..sgd import _objectives`` in another subpackage couples it to an internal:
    a name used across subpackages is public in its home (or moved)."""
    bad = []
    for m, path in MODULES.items():
        sub = m.split(".")[1] if m.count(".") else ""
        package = m if path.name == "__init__.py" else m.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("gdtheory"):
                continue
            tsub = target.split(".")[1] if target.count(".") else ""
            private = [
                a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
            ]
            if private and tsub != sub:
                bad.append(f"{m} imports {private} from {target}")
    assert not bad, "\n".join(bad)


CLAIMS = Path(__file__).resolve().parents[1] / "proofs_checks"


def _claim_imports(node: ast.AST, path: Path) -> list[str]:
    """The claim modules an import statement names, as ``proofs_checks[.module]``: the
    claims are installed as ``gdtheory.proofs_checks`` and import each other relatively."""
    out: list[str] = []
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if node.level == 1 and path.parent == CLAIMS:
            module = "proofs_checks" + (f".{module}" if module else "")
        elif node.level == 1 and path.parent == ROOT:
            module = "gdtheory" + (f".{module}" if module else "")
        module = module.removeprefix("gdtheory.")
        if module.startswith("proofs_checks"):
            out.append(module)
        elif module == "gdtheory" or (node.level == 1 and path.parent == ROOT and not node.module):
            out += ["proofs_checks" for a in node.names if a.name == "proofs_checks"]
    elif isinstance(node, ast.Import):
        names = [a.name.removeprefix("gdtheory.") for a in node.names]
        out += [n for n in names if n.startswith("proofs_checks")]
    return out


def test_claim_modules_are_imported_only_by_the_report_the_cli_and_their_own_tests():
    """A claim module holds no code the library, other claims or unrelated tests import
    (a claim's part modules, t8_homogeneous for T8, belong to it)."""
    tests = Path(__file__).resolve().parent
    allowed_tests = {"test_proofs_checks.py", "test_cli.py", "test_render.py"}
    bad = []
    files = [*ROOT.rglob("*.py"), *CLAIMS.glob("*.py"), *tests.rglob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            for name in _claim_imports(node, path):
                claim = name.split(".")[1] if "." in name else ""
                if claim in ("", "source"):
                    if path.parent == ROOT and path.name == "cli.py":
                        continue
                    if path.parent == CLAIMS or path.name in allowed_tests:
                        continue
                    if claim == "source":
                        continue
                    bad.append(f"{path.name} imports {name}")
                    continue
                if path.parent == CLAIMS and path.stem.split("_")[0] == claim.split("_")[0]:
                    continue  # a part module of the same claim
                if path.name in allowed_tests:
                    continue
                bad.append(f"{path.relative_to(ROOT.parent)} imports {name}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", sorted(CLAIMS.glob("*.py")), ids=lambda p: p.name)
def test_claim_modules_stay_under_600_lines(path):
    n = len(path.read_text().splitlines())
    assert n <= 600, f"{path.name} has {n} lines"
