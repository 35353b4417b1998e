"""No user text reaches a SymPy call that evaluates strings (issue 30, item 1).

SymPy's ``sympify``, ``S``, ``parse_expr``, ``nsimplify``, the ``Matrix`` constructors,
``diff``, ``subs``, ``Poly``, ``lcm``, ``re``, ``N`` and most functions *evaluate a
string argument as Python code*.  The only way in for user values is
:mod:`gdtheory.core.conversion` (and the parser under it).  Two tests hold that:

* **static**: every module of the package is parsed and a taint analysis is run from the
  parameters of every public function (and the fields of dataclasses read in their
  ``__post_init__``) to every SymPy call.  A value is *tainted* when it may be user text:
  a parameter, anything indexed, iterated, unpacked or formatted from one, a method called
  on one.  It is cleaned by passing through any function of the package or Python's
  numeric constructors (which validate), or by an ``isinstance`` check that admits no
  string.  A call of a SymPy function outside the short list of string-safe ones with a
  tainted argument, or of ``sympify`` (unless ``strict=True``, which refuses strings),
  ``S``, ``parse_expr`` or ``nsimplify`` anywhere, fails the test with
  the function, line and path.  Package functions are followed: a tainted argument
  passed to a helper whose parameter reaches such a call counts (summaries iterated to a
  fixed point).
* **dynamic**: ``tests/test_hostile_input.py`` plants a marker payload in every entry
  point that takes a matrix, an expression or a number and checks the marker file is
  never created.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gdtheory"

#: SymPy callables that never evaluate a string argument (checked in
#: test_the_safe_list_is_safe below).
SAFE_SYMPY = {
    "Symbol",
    "Dummy",
    "symbols",
    "Rational",
    "Integer",
    "Float",
    "latex",
    "sstr",
    "srepr",
    "Mul",
    "Add",
    "Pow",
    "sqrt",
}
#: Always refused, whatever the argument: the string evaluators themselves.
EVALUATORS = {"sympify", "S", "parse_expr", "nsimplify"}
#: Package functions that are the one way in (their parameters may be text by design).
CONVERSION = {"gdtheory/core/conversion.py", "gdtheory/core/parsing.py"}
#: Python builtins whose result carries the taint of their arguments.
CARRIERS = {
    "list",
    "tuple",
    "dict",
    "set",
    "frozenset",
    "zip",
    "enumerate",
    "reversed",
    "sorted",
    "iter",
    "next",
    "map",
    "filter",
    "str",
    "repr",
    "format",
    "getattr",
    "vars",
    "min",
    "max",
    "sum",
}


@dataclass
class Func:
    module: str
    qualname: str
    node: ast.FunctionDef
    public: bool
    params: list[str]
    post_init: bool = False
    reaches: dict[int, str] = field(default_factory=dict)  # param index -> first sink


def _sympy_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Module aliases of sympy (``sp``) and names imported from it."""
    aliases, names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "sympy" or a.name.startswith("sympy."):
                    aliases.add(a.asname or a.name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sympy"):
            for a in node.names:
                names.add(a.asname or a.name)
    return aliases, names


def _exported(tree: ast.Module) -> set[str] | None:
    """The module's ``__all__`` (its public names), or None when it has none."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            return {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    return None


def _functions(rel: str, tree: ast.Module) -> list[Func]:
    """Every function and method; public ones are exported by ``__all__`` (or, in a
    module without one, named without a leading underscore)."""
    out = []
    public_module = not any(part.startswith("_") for part in Path(rel).parts[1:])
    exported = _exported(tree)

    def visit(body: list[ast.stmt], prefix: str, public: bool, dataclass_: bool) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef):
                args = node.args
                params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                if args.vararg:
                    params.append(args.vararg.arg)
                if args.kwarg:
                    params.append(args.kwarg.arg)
                params = [p for p in params if p not in ("self", "cls")]
                name = node.name
                pub = public and (not name.startswith("_") or name in ("__init__", "__call__"))
                if not prefix and exported is not None:
                    pub = public and name in exported
                out.append(
                    Func(
                        rel,
                        prefix + name,
                        node,
                        pub,
                        params,
                        post_init=name == "__post_init__" and dataclass_,
                    )
                )
            elif isinstance(node, ast.ClassDef):
                is_dc = any("dataclass" in ast.unparse(d) for d in node.decorator_list)
                listed = exported is None or node.name in exported or bool(prefix)
                visit(
                    node.body,
                    f"{prefix}{node.name}.",
                    public and listed and not node.name.startswith("_"),
                    is_dc,
                )

    visit(tree.body, "", public_module, False)
    return out


class _Taint:
    """Linear (flow-sensitive, branches joined) taint of local names in one function."""

    def __init__(self, func: Func, sympy: tuple[set[str], set[str]], resolve, summaries):
        self.func = func
        self.aliases, self.names = sympy
        self.resolve = resolve
        self.summaries = summaries
        self.env: dict[str, frozenset[int]] = {p: frozenset([i]) for i, p in enumerate(func.params)}
        self.hits: list[tuple[frozenset[int], str]] = []
        self.self_fields = func.post_init

    # expressions ----------------------------------------------------------------------
    def expr(self, e: ast.AST | None) -> frozenset[int]:
        if e is None:
            return frozenset()
        if isinstance(e, ast.Name):
            return self.env.get(e.id, frozenset())
        if isinstance(e, ast.Constant):
            return frozenset()
        if isinstance(e, ast.Attribute):
            if self.self_fields and isinstance(e.value, ast.Name) and e.value.id == "self":
                return frozenset([-1])  # a dataclass field, read in __post_init__
            self.expr(e.value)
            return frozenset()  # attributes of objects are gdtheory-built values
        if isinstance(e, ast.Subscript):
            self.expr(e.slice)
            return self.expr(e.value)
        if isinstance(e, ast.Call):
            return self.call(e)
        if isinstance(e, ast.Lambda):
            return frozenset()
        if isinstance(e, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            saved = dict(self.env)
            for gen in e.generators:
                self.bind_iteration(gen.target, gen.iter)
                for c in gen.ifs:
                    self.expr(c)
            parts = [e.key, e.value] if isinstance(e, ast.DictComp) else [e.elt]
            out = frozenset().union(*(self.expr(p) for p in parts))
            self.env = saved
            return out
        if isinstance(e, ast.NamedExpr):
            t = self.expr(e.value)
            self.bind(e.target, t)
            return t
        if isinstance(e, ast.IfExp):  # the test only chooses a branch
            self.expr(e.test)
            return self.expr(e.body) | self.expr(e.orelse)
        if isinstance(e, ast.Compare) or (isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not)):
            for child in ast.iter_child_nodes(e):
                if isinstance(child, ast.expr):
                    self.expr(child)
            return frozenset()  # a bool
        out: frozenset[int] = frozenset()
        for child in ast.iter_child_nodes(e):
            if isinstance(child, ast.expr):
                out |= self.expr(child)
        return out

    def sympy_callee(self, f: ast.AST) -> str | None:
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            if f.value.id in self.aliases:
                return f.attr
        if isinstance(f, ast.Name) and f.id in self.names:
            return f.id
        return None

    def call(self, e: ast.Call) -> frozenset[int]:
        args = [a.value if isinstance(a, ast.Starred) else a for a in e.args]
        taints = [self.expr(a) for a in args]
        kw = {k.arg: self.expr(k.value) for k in e.keywords}
        everything = frozenset().union(*taints, *kw.values())
        where = f"{self.func.module}:{e.lineno} {self.func.qualname}"
        callee = self.sympy_callee(e.func)
        if callee is not None:
            strict = any(
                k.arg == "strict" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in e.keywords
            )
            if callee == "sympify" and strict:
                return frozenset()  # strict=True refuses strings: no evaluation
            if callee in EVALUATORS and self.func.module not in CONVERSION:
                self.hits.append((frozenset([-2]), f"{where}: {callee}(...) evaluates strings"))
            elif callee not in SAFE_SYMPY and everything:
                self.hits.append((everything, f"{where}: sympy.{callee} on a possible string"))
            return frozenset()
        if isinstance(e.func, ast.Attribute):
            owner = self.expr(e.func.value)
            if e.func.attr in ("subs", "evalf", "equals", "applyfunc") and everything:
                self.hits.append((everything, f"{where}: .{e.func.attr}() on a possible string"))
            if e.func.attr in EVALUATORS and self.func.module not in CONVERSION:
                self.hits.append((frozenset([-2]), f"{where}: .{e.func.attr}() evaluates strings"))
            return owner  # a method of a tainted value (text.split(...)) stays tainted
        if isinstance(e.func, ast.Name):
            name = e.func.id
            if name == "isinstance":
                return frozenset()
            if name in CARRIERS:
                return everything
            target = self.resolve(self.func.module, name)
            if target is not None:
                summary = self.summaries.get(target, {})
                params = target_params(target, self.summaries)
                for i, t in enumerate(taints):
                    if t and i in summary:
                        self.hits.append((t, f"{where}: {name}() -> {summary[i]}"))
                for k, t in kw.items():
                    if t and k in params and params.index(k) in summary:
                        self.hits.append((t, f"{where}: {name}() -> {summary[params.index(k)]}"))
        return frozenset()  # any other call validates or builds a new value

    # statements -----------------------------------------------------------------------
    def bind(self, target: ast.AST, t: frozenset[int]) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = t
        elif isinstance(target, ast.Tuple | ast.List):
            for el in target.elts:
                self.bind(el.value if isinstance(el, ast.Starred) else el, t)
        else:
            self.expr(target)

    def bind_iteration(self, target: ast.AST, it: ast.AST) -> None:
        """``for a, b in zip(A, B)`` binds a to A's taint and b to B's (and
        ``enumerate(A)`` an index and A's taint); any other iteration binds the whole."""
        if (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id in ("zip", "enumerate")
            and isinstance(target, ast.Tuple)
            and not it.keywords
        ):
            parts = [self.expr(a) for a in it.args]
            if it.func.id == "enumerate":
                parts = [frozenset(), parts[0] if parts else frozenset()]
            if len(parts) == len(target.elts):
                for el, t in zip(target.elts, parts, strict=True):
                    self.bind(el, t)
                return
        self.bind(target, self.expr(it))

    def block(self, body: list[ast.stmt]) -> None:
        for s in body:
            self.stmt(s)

    def join(self, *envs: dict[str, frozenset[int]]) -> None:
        keys = set().union(*envs)
        self.env = {k: frozenset().union(*(e.get(k, frozenset()) for e in envs)) for k in keys}

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Assign):
            t = self.expr(s.value)
            for tg in s.targets:
                self.bind(tg, t)
        elif isinstance(s, ast.AnnAssign):
            self.bind(s.target, self.expr(s.value))
        elif isinstance(s, ast.AugAssign):
            t = self.expr(s.value)
            if isinstance(s.target, ast.Name):
                self.env[s.target.id] = self.env.get(s.target.id, frozenset()) | t
        elif isinstance(s, ast.If):
            self.expr(s.test)
            before = dict(self.env)
            for name in _checked(s.test, positive=True):
                self.env[name] = frozenset()
            self.block(s.body)
            after_body = self.env
            self.env = dict(before)
            self.block(s.orelse)
            if s.body and isinstance(s.body[-1], ast.Raise | ast.Return):
                self.env = dict(self.env)  # only the else path goes on
                for name in _checked(s.test, positive=False):
                    self.env[name] = frozenset()
            else:
                self.join(after_body, self.env)
        elif isinstance(s, ast.For | ast.AsyncFor):
            self.bind_iteration(s.target, s.iter)
            for _ in range(2):
                before = dict(self.env)
                self.block(s.body)
                self.join(before, self.env)
            self.block(s.orelse)
        elif isinstance(s, ast.While):
            for _ in range(2):
                self.expr(s.test)
                before = dict(self.env)
                self.block(s.body)
                self.join(before, self.env)
            self.block(s.orelse)
        elif isinstance(s, ast.Try):
            before = dict(self.env)
            self.block(s.body)
            envs = [self.env]
            for hnd in s.handlers:
                self.env = dict(before)
                self.block(hnd.body)
                envs.append(self.env)
            self.join(*envs)
            self.block(s.orelse)
            self.block(s.finalbody)
        elif isinstance(s, ast.With):
            for item in s.items:
                t = self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, t)
            self.block(s.body)
        elif isinstance(s, ast.FunctionDef | ast.ClassDef):
            pass  # nested definitions are analysed as their own functions
        else:
            for child in ast.iter_child_nodes(s):
                if isinstance(child, ast.expr):
                    self.expr(child)


def _checked(test: ast.AST, positive: bool) -> list[str]:
    """Names that an ``isinstance`` check admitting no string makes clean where ``test``
    is true (``positive``) or false: ``isinstance(v, int)`` on the true side; ``not
    isinstance(v, int) or ...`` on the false side (the usual ``raise`` guard)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _checked(test.operand, not positive)
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And) == positive:  # every part holds
            return [n for v in test.values for n in _checked(v, positive)]
        return []
    if (  # v in (1, 2) / v not in (1, 2): constants that are not strings
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In if positive else ast.NotIn)
        and isinstance(test.left, ast.Name)
        and isinstance(test.comparators[0], ast.Tuple | ast.List | ast.Set)
        and all(
            isinstance(c, ast.Constant) and not isinstance(c.value, str)
            for c in test.comparators[0].elts
        )
    ):
        return [test.left.id]
    if (
        positive
        and isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and isinstance(test.args[0], ast.Name)
        and "str" not in ast.unparse(test.args[1])
    ):
        return [test.args[0].id]
    return []


def target_params(target: tuple[str, str], summaries) -> list[str]:
    return summaries.get(("__params__",) + target, [])


def _analyse(package: Path = PACKAGE) -> tuple[list[str], int]:
    modules: dict[str, ast.Module] = {}
    for path in sorted(package.rglob("*.py")):
        rel = str(path.relative_to(package.parent))
        modules[rel] = ast.parse(path.read_text(), filename=rel)
    funcs: dict[tuple[str, str], Func] = {}
    imports: dict[str, dict[str, tuple[str, str]]] = {}
    for rel, tree in modules.items():
        for f in _functions(rel, tree):
            funcs[(rel, f.qualname)] = f
    for rel, tree in modules.items():
        table: dict[str, tuple[str, str]] = {}
        base = Path(rel).parent
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level:
                mod = base
                for _ in range(node.level - 1):
                    mod = mod.parent
                target = mod / ((node.module or "").replace(".", "/") + ".py")
                for a in node.names:
                    table[a.asname or a.name] = (str(target), a.name)
        for m, q in funcs:
            if m == rel and "." not in q:
                table[q] = (rel, q)
        imports[rel] = table

    def resolve(module: str, name: str) -> tuple[str, str] | None:
        hit = imports.get(module, {}).get(name)
        return hit if hit in funcs else None

    summaries: dict = {}
    for key, f in funcs.items():
        summaries[("__params__",) + key] = f.params
    sympy_of = {rel: _sympy_names(tree) for rel, tree in modules.items()}
    hits: dict[tuple[str, str], list[tuple[frozenset[int], str]]] = {}
    for _ in range(8):  # summaries to a fixed point
        changed = False
        for key, f in funcs.items():
            if f.module in CONVERSION:
                continue
            an = _Taint(f, sympy_of[f.module], resolve, summaries)
            an.block(f.node.body)
            hits[key] = an.hits
            reach = {}
            for taint, what in an.hits:
                for i in taint:
                    if i >= 0 and i not in reach:
                        reach[i] = what
            if reach != summaries.get(key, {}):
                summaries[key] = reach
                changed = True
        if not changed:
            break
    problems = []
    for key, f in funcs.items():
        for taint, what in hits.get(key, []):
            from_param = [f.params[i] for i in taint if i >= 0]
            if -2 in taint or -1 in taint or (f.public and from_param):
                src = (
                    "always"
                    if -2 in taint
                    else ("a dataclass field" if -1 in taint else f"parameter {from_param}")
                )
                problems.append(f"{what} [{src}]")
    return sorted(set(problems)), len(funcs)


def test_no_user_text_reaches_a_sympy_evaluator():
    problems, n = _analyse()
    assert n > 500, f"the scan found only {n} functions: is it reading the package?"
    assert not problems, "user text can reach a string-evaluating SymPy call:\n" + "\n".join(
        problems
    )


def test_the_scan_catches_a_planted_hole(tmp_path):
    """A public function that hands its argument to ``sp.Matrix`` through a helper is
    found (the scan is not vacuous)."""
    pkg = tmp_path / "gdtheory"
    (pkg / "core").mkdir(parents=True)
    (pkg / "core" / "conversion.py").write_text("")
    for i in range(501):
        (pkg / "core" / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    (pkg / "holes.py").write_text(
        "import sympy as sp\n"
        "def _helper(value):\n    return sp.Matrix(value)\n"
        "def public(metric, safe):\n"
        "    if isinstance(safe, int):\n        sp.diff(safe)\n"
        "    rows = [r for r in metric]\n    return _helper(rows)\n"
        "def uses_sympify(x):\n    return sp.sympify(1)\n"
    )
    problems, _ = _analyse(pkg)
    text = "\n".join(problems)
    assert "public" in text and "_helper" in text and "metric" in text
    assert "sympify" in text
    assert "safe" not in text  # cleaned by the isinstance check


def test_the_safe_list_is_safe(tmp_path):
    """Each SymPy callable the scan trusts really does not evaluate a string argument."""
    import sympy as sp

    marker = tmp_path / "evaluated"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    for name in sorted(SAFE_SYMPY):
        fn = getattr(sp, name, None)
        if fn is None:
            continue
        try:
            if name in ("Mul", "Add", "Pow"):
                fn(sp.Integer(2), payload)
            else:
                fn(payload)
        except Exception:
            pass
        assert not marker.exists(), f"sympy.{name} evaluated a string"
