"""Mutation testing of gdtheory: do the tests notice a plausible bug?

An AST mutator (no dependency): each mutant changes ONE operator or constant of a module
of ``gdtheory/core``, ``gdtheory/rigorous`` or ``gdtheory/backward_error``:

* comparisons ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``;
* arithmetic ``+`` <-> ``-``, ``*`` <-> ``/``;
* ``and`` <-> ``or``; ``True`` <-> ``False``;
* a numeric constant c -> c + 1 (ints) or c * 1.5 (floats), ``Fraction(9, 10)``-style
  arguments included.

Lines marked ``# pragma: no mutate`` are left alone: each such mark says why a change
there cannot alter a result (an iteration cap never reached); ``grep -rn "no mutate"
gdtheory`` lists them.

Mutants are drawn per module with a fixed seed (``--per-module``, ``--seed``; each module
has its own generator, so editing one module leaves the others' draws alone), applied to
a copy of the repository (a git worktree at HEAD, so the working tree is never touched),
and judged by the subpackage's test folder (``core``, ``rigorous``) or the module's
mirrored tests (``tests/<sub>/test_<module>.py``; ``backward_error``, whose folder takes
80 s), the test files that import the module by its dotted name,
and the module's doctests, run with ``-x`` and a timeout (tests that reach a module only
through ``gdtheory``'s public names are not run).  A mutant is *killed* when those
tests fail, *survives* when they pass, and is *skipped* when the change vanishes in the
AST (docstrings, type annotations, ``__all__`` and declarative keyword flags such as
``frozen=True`` are never mutated).  Equivalent mutants (a change that cannot alter
behaviour) count as survivors: the score is a lower bound.

Usage (outside CI; prints one line per mutant, the survivors, and the score)::

    .venv/bin/python tools/mutation.py                      # core, rigorous, backward_error
    .venv/bin/python tools/mutation.py --per-module 6 --jobs 2 --only rigorous/orbits.py
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "rigorous", "backward_error")

SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
            ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}  # fmt: skip
SWAP_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
SWAP_BOOL = {ast.And: ast.Or, ast.Or: ast.And}
#: Keyword flags that declare, not compute (frozen=True, zip's strict=True, field(repr=...)):
#: a mutant there changes no result on valid input, so it is not drawn.
SAFETY_FLAGS = {"frozen", "strict", "repr", "compare", "hash", "eq", "init", "kw_only", "slots"}


@dataclass(frozen=True)
class Site:
    """One mutation: the node's position and what it becomes."""

    module: str
    line: int
    col: int
    kind: str
    before: str
    after: str


def _skipped_lines(tree: ast.Module, source: str) -> set[int]:
    """Lines of docstrings, annotations and __all__, and lines marked
    ``# pragma: no mutate`` (a constant whose change cannot alter a result, such as an
    iteration cap above the iterations ever needed, with the reason next to it)."""
    out: set[int] = {
        i for i, text in enumerate(source.splitlines(), 1) if "pragma: no mutate" in text
    }
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            v = body[0].value
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                out.update(range(v.lineno, (v.end_lineno or v.lineno) + 1))
        for ann in ("annotation", "returns"):
            a = getattr(node, ann, None)
            if a is not None:
                out.update(range(a.lineno, (a.end_lineno or a.lineno) + 1))
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            out.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return out


def sites(path: Path) -> list[Site]:
    """Every mutation site of a module."""
    source = path.read_text()
    tree = ast.parse(source)
    skip = _skipped_lines(tree, source)
    flags = {
        (k.value.lineno, k.value.col_offset)
        for k in ast.walk(tree)
        if isinstance(k, ast.keyword)
        and k.arg in SAFETY_FLAGS
        and isinstance(k.value, ast.Constant)
    }
    rel = str(path.resolve().relative_to(ROOT / "gdtheory"))
    found: list[Site] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if line is None or line in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in SWAP_CMP:
                    after = SWAP_CMP[type(op)].__name__
                    found.append(
                        Site(rel, line, node.col_offset, f"cmp{i}", type(op).__name__, after)
                    )
        elif isinstance(node, ast.BinOp) and type(node.op) in SWAP_BIN:
            found.append(Site(rel, line, node.col_offset, "bin", type(node.op).__name__,
                              SWAP_BIN[type(node.op)].__name__))  # fmt: skip
        elif isinstance(node, ast.BoolOp) and type(node.op) in SWAP_BOOL:
            found.append(Site(rel, line, node.col_offset, "bool", type(node.op).__name__,
                              SWAP_BOOL[type(node.op)].__name__))  # fmt: skip
        elif isinstance(node, ast.Constant) and type(node.value) in (bool, int, float):
            if (line, node.col_offset) in flags:
                continue
            v = node.value
            new = (not v) if isinstance(v, bool) else (v + 1 if isinstance(v, int) else v * 1.5)
            found.append(Site(rel, line, node.col_offset, "const", repr(v), repr(new)))
    return found


class _Apply(ast.NodeTransformer):
    def __init__(self, site: Site) -> None:
        self.site = site
        self.done = False

    def _here(self, node: ast.AST) -> bool:
        return (getattr(node, "lineno", None), getattr(node, "col_offset", None)) == (
            self.site.line,
            self.site.col,
        )

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        if self.done or not self._here(node):
            return node
        s = self.site
        if s.kind.startswith("cmp") and isinstance(node, ast.Compare):
            i = int(s.kind[3:])
            if type(node.ops[i]).__name__ == s.before:
                node.ops[i] = getattr(ast, s.after)()
                self.done = True
        elif s.kind == "bin" and isinstance(node, ast.BinOp) and type(node.op).__name__ == s.before:
            node.op = getattr(ast, s.after)()
            self.done = True
        elif (
            s.kind == "bool" and isinstance(node, ast.BoolOp) and type(node.op).__name__ == s.before
        ):
            node.op = getattr(ast, s.after)()
            self.done = True
        elif s.kind == "const" and isinstance(node, ast.Constant) and repr(node.value) == s.before:
            return ast.copy_location(ast.Constant(ast.literal_eval(s.after)), node)
        return node


def mutate(source: str, site: Site) -> str | None:
    tree = ast.parse(source)
    t = _Apply(site)
    new = t.visit(tree)
    ast.fix_missing_locations(new)
    out = ast.unparse(new)
    return None if out == ast.unparse(ast.parse(source)) else out


#: Subpackages whose whole test folder judges each mutant (about 20 s each); the
#: others (backward_error: 80 s) use the mirrored file and the files that import the module.
FOLDER_SCOPE = {"core", "rigorous"}


def tests_for(rel: str, repo: Path) -> list[str]:
    """The subpackage's test folder (FOLDER_SCOPE) or the module's mirrored test file
    (else the folder), every test file that imports the module by its dotted name, and
    the module itself (its doctests)."""
    sub, _, name = rel.partition("/")
    stem = Path(name).stem
    mirrored = repo / "tests" / sub / f"test_{stem}.py"
    folder = sub in FOLDER_SCOPE or not mirrored.exists()
    files = {str(repo / "tests" / sub)} if folder else {str(mirrored)}
    dotted = f"gdtheory.{sub}.{stem}"
    for t in (repo / "tests").rglob("test_*.py"):
        if "benchmarks" not in t.parts and dotted in t.read_text():
            files.add(str(t))
    return [*sorted(files), str(repo / "gdtheory" / rel)]


def run_one(site: Site, repo: Path, timeout: float) -> tuple[Site, str, float]:
    """Apply the mutant in its own copy of the module file, run its tests, restore."""
    path = repo / "gdtheory" / site.module
    original = path.read_text()
    mutated = mutate(original, site)
    if mutated is None:
        return site, "skipped", 0.0
    t0 = time.perf_counter()
    path.write_text(mutated)
    try:
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "-p", "no:randomly", "--doctest-modules", "-m", "not slow and not benchmark",
               "-o", "addopts=", *tests_for(site.module, repo)]  # fmt: skip
        try:
            r = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=timeout)
            outcome = "survived" if r.returncode == 0 else "killed"
            if r.returncode in (2, 3, 4):  # collection/usage errors: the mutant broke import
                outcome = "killed"
        except subprocess.TimeoutExpired:
            outcome = "killed"  # a hang is noticed (by the CI time limit)
    finally:
        path.write_text(original)
    return site, outcome, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--per-module", type=int, default=4, help="mutants drawn per module")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--jobs", type=int, default=1, help="mutants judged at once (one copy each)")
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument(
        "--only", action="append", default=None, help="a module, e.g. rigorous/orbits.py"
    )
    p.add_argument("--json", default=None, help="write the results to this file")
    args = p.parse_args(argv)
    modules = (
        [ROOT / "gdtheory" / m for m in args.only]
        if args.only
        else sorted(q for pkg in PACKAGES for q in (ROOT / "gdtheory" / pkg).glob("*.py"))
    )
    chosen: list[Site] = []
    for m in modules:
        s = sites(m)
        # one generator per module: editing one module does not redraw the others
        rng = random.Random(f"{args.seed}:{m.relative_to(ROOT / 'gdtheory')}")
        chosen += rng.sample(s, min(args.per_module, len(s)))
    copies = []
    with tempfile.TemporaryDirectory(prefix="gdtheory-mutation-") as tmp:
        for j in range(max(1, args.jobs)):
            dest = Path(tmp) / f"copy{j}"
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(dest), "HEAD"],
                           cwd=ROOT, check=True)  # fmt: skip
            copies.append(dest)
        try:
            buckets = [chosen[j :: len(copies)] for j in range(len(copies))]

            def work(j: int) -> list[tuple[Site, str, float]]:
                out = []
                for site in buckets[j]:
                    res = run_one(site, copies[j], args.timeout)
                    print(f"{res[1]:9s} {res[2]:6.1f}s  {site.module}:{site.line} "
                          f"{site.before} -> {site.after}", flush=True)  # fmt: skip
                    out.append(res)
                return out

            with ThreadPoolExecutor(len(copies)) as pool:
                results = [r for rs in pool.map(work, range(len(copies))) for r in rs]
        finally:
            for dest in copies:
                subprocess.run(["git", "worktree", "remove", "--force", str(dest)], cwd=ROOT)
    judged = [r for r in results if r[1] != "skipped"]
    killed = sum(r[1] == "killed" for r in judged)
    survivors = [r[0] for r in judged if r[1] == "survived"]
    per_pkg = {}
    for pkg in PACKAGES:
        mine = [r for r in judged if r[0].module.startswith(pkg + "/")]
        if mine:
            per_pkg[pkg] = (sum(r[1] == "killed" for r in mine), len(mine))
    print("\nsurvivors:")
    for s in survivors:
        print(f"  {s.module}:{s.line} {s.before} -> {s.after}")
    for pkg, (k, n) in per_pkg.items():
        print(f"{pkg}: {k}/{n} killed ({100 * k / n:.0f} %)")
    score = 100 * killed / len(judged) if judged else float("nan")
    print(f"mutation score: {killed}/{len(judged)} killed = {score:.1f} % "
          f"(seed {args.seed}, {args.per_module} per module)")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"score": score, "killed": killed, "judged": len(judged), "per_package": per_pkg,
             "survivors": [asdict(s) for s in survivors]}, indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
