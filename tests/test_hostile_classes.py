"""The hostile-input classes of issue 16, one generator per class, each case with a time
limit, asserting a result or a documented error (and, for the classes that used to give a
silent wrong answer, an oracle computed another way).

Classes (counts per class are printed by :func:`test_class_counts_are_reported`):

* ``zero-test``: curls built to vanish at chosen points, which a fixed-point zero test
  takes for zero (oracle: the exact curl, nonzero by construction); true identities
  through atom relations (oracle: the field is a gradient);
* ``complex``: complex constants in objectives and maps, complex h, starts and points
  (oracle: :class:`~gdtheory.errors.NotRealError`, never a result);
* ``namespace``: state symbols named like the generated code's own names (oracle: the
  same run with the symbol renamed);
* ``nesting``, ``huge numbers``, ``memory``, ``runaway``, ``filesystem``, ``cli``: a result
  or a documented error within the time limit, CostError with its estimate for runaway
  work (run under ``budget.allow(20)``, so that "would take hours" is judged against 20 s).

The CI part runs the cheap cases; ``-m slow`` adds the cases that take seconds each.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp

import gdtheory as gt
from gdtheory.certify import certify_periodic_orbit, recheck
from gdtheory.cli import main
from gdtheory.core import budget
from gdtheory.core.cache import Cache
from gdtheory.errors import ComplexityError, GDTheoryError, NotRealError

#: Each case must end within this many seconds (the acceptance of issue 16).
LIMIT = 30
#: The budget the cases run under: refusals of "hours" are judged against 20 s.
BUDGET = 20

COUNTS: Counter[str] = Counter()
OUTCOMES: Counter[tuple[str, str]] = Counter()


class _Timeout(Exception):
    pass


@dataclass(frozen=True)
class Case:
    klass: str
    label: str
    run: Callable[[], Any]
    #: oracle on the outcome: called with (result, exception); returns a failure message
    #: or None.  Default: any result or GDTheoryError is fine.
    oracle: Callable[[Any, BaseException | None], str | None] | None = None
    slow: bool = False


def _expect(error: type[BaseException]) -> Callable[[Any, BaseException | None], str | None]:
    def check(result: Any, exc: BaseException | None) -> str | None:
        if not isinstance(exc, error):
            return f"expected {error.__name__}, got {type(exc).__name__ if exc else result!r}"
        return None

    return check


def _run(case: Case) -> str:
    """Run one case under the time limit and the reduced budget; return its outcome."""

    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(LIMIT)
    result, exc = None, None
    try:
        with budget.allow(BUDGET), contextlib.redirect_stderr(io.StringIO()):
            result = case.run()
    except _Timeout:
        pytest.fail(f"[{case.klass}] {case.label}: no answer within {LIMIT} s")
    except GDTheoryError as e:
        exc = e
        assert str(e), f"[{case.klass}] {case.label}: empty message"
    except Exception as e:  # a raw exception: the failure this suite exists to catch
        pytest.fail(f"[{case.klass}] {case.label}: raw {type(e).__name__}: {e}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    if case.oracle is not None:
        problem = case.oracle(result, exc)
        assert problem is None, f"[{case.klass}] {case.label}: {problem}"
    outcome = "result" if exc is None else type(exc).__name__
    COUNTS[case.klass] += 1
    OUTCOMES[(case.klass, outcome)] += 1
    return outcome


# ------------------------------------------------------------------------ generators
X, Y = sp.symbols("x y", real=True)


def zero_test_cases(rng: random.Random, n: int) -> list[Case]:
    """Maps [x, y + h exp(x) r(x)] whose curl exp(x) q(x) / 2 (q = r + r') vanishes at
    chosen rational points (any points an attacker could target): never a gradient."""
    cases = []
    targets = [[Fraction(3, 7), Fraction(-13, 17), Fraction(5, 19)]]
    for _ in range(n):
        targets.append([Fraction(rng.randint(-30, 30), rng.randint(1, 30)) for _ in range(3)])
    for roots in targets:
        q = sp.Mul(*[X - sp.Rational(r.numerator, r.denominator) for r in roots])
        r = sum((-1) ** k * sp.diff(q, X, k) for k in range(len(roots) + 1))  # r + r' = q
        curl = sp.simplify(sp.diff(sp.exp(X) * r, X))  # exact oracle: exp(x) q(x) != 0
        assert curl != 0

        def run(r=r) -> Any:
            return gt.modified_equation([X, Y + gt.h * sp.exp(X) * r], 1, symbols=[X, Y])

        def oracle(me: Any, exc: BaseException | None, curl=curl) -> str | None:
            if exc is not None:
                return f"unexpected {exc!r}"
            if me.is_gradient[0] or me.obstructions[0] is None:
                return f"called a gradient although its curl is {curl}"
            return None

        cases.append(Case("zero-test", f"curl vanishing at {roots}", run, oracle))

    def identity() -> Any:  # zero only through sin^2 + cos^2 = 1: a gradient
        u = sp.sin(X) ** 2 + sp.cos(X) ** 2 - 1
        return gt.modified_equation([X + gt.h * (u + 1) * Y, Y + gt.h * X], 1, symbols=[X, Y])

    def grad_oracle(me: Any, exc: BaseException | None) -> str | None:
        return None if exc is None and me.is_gradient[0] else "a true identity was not seen"

    cases.append(Case("zero-test", "sin^2 + cos^2 - 1 curl", identity, grad_oracle))
    return cases


def complex_cases() -> list[Case]:
    exprs = ["sqrt(-1)*x**2 + x**2", "log(-2)*x**2", "(-1)**(1/3)*x**2", "sqrt(-2)*x + x**2"]
    out = [
        Case("complex", e, lambda e=e: gt.Objective.parse(e), _expect(NotRealError)) for e in exprs
    ]
    out.append(
        Case(
            "complex",
            "I in a SymPy objective",
            lambda: gt.Objective(sp.I * X**2 + X**2, [X]),
            _expect(NotRealError),
        )
    )
    out.append(
        Case(
            "complex",
            "complex one-step map",
            lambda: gt.modified_equation([X - gt.h * sp.sqrt(-3) * X], 1, symbols=[X]),
            _expect(NotRealError),
        )
    )
    out.append(
        Case(
            "complex",
            "modified CLI with sqrt(-1)",
            lambda: _cli(["modified", "sqrt(-1)*x**2"]),
            lambda code, exc: None if code == 2 else f"exit code {code}",
        )
    )
    f = gt.Objective.parse("x**2/2")
    f2 = gt.Objective.parse("(x*y - 1)**2/2")
    numeric = {
        "gd h complex": lambda: gt.gd(f, [1], h=0.5 + 0.1j, steps=3),
        "gd x0 complex": lambda: gt.gd(f, [1 + 1j], h="1/2", steps=3),
        "gd_batch starts complex": lambda: gt.gd_batch(f, np.array([[1 + 1j]]), hs=0.5, steps=3),
        "gd_batch rates complex": lambda: gt.gd_batch(f, [[1.0]], hs=np.array([0.5 + 1j]), steps=3),
        "iterate_map complex": lambda: gt.iterate_map(f, np.array([[1 + 2j]]), hs=0.5, steps=3),
        "sharpness complex point": lambda: gt.sharpness(f2, [1 + 2j, 1.0]),
        "lyapunov complex h": lambda: gt.lyapunov_exponent(
            f, [0.3], h=np.complex128(0.5 + 1j), steps=50, transient=0, blocks=2
        ),
        "gradient_flow complex start": lambda: gt.gradient_flow(f, [1j], [1], dps=20),
        "lr_regime complex": lambda: gt.lr_regime(h=1j, L=1),
        "mpmath complex start": lambda: gt.gd(
            f, [__import__("mpmath").mpc(1, 1)], h="1/2", steps=3
        ),
        "sympy complex h": lambda: gt.gd(f, [1], h=sp.I / 2, steps=3),
    }
    out += [Case("complex", k, v, _expect(NotRealError)) for k, v in numeric.items()]
    return out


def namespace_cases() -> list[Case]:
    """Symbols named like generated code's names: same answer as a plain name."""
    names = [
        "mpf",
        "mpc",
        "numpy",
        "math",
        "x0",
        "x1",
        "Dummy",
        "select",
        "builtins",
        "cse0",
        "array",
        "mpmath",
        "lambdify",
        "float64",
        "where",
        "range",
        "Float",
        "Rational",
    ]
    cases = []
    for nm in names:

        def run(nm=nm) -> Any:
            odd = gt.gd(gt.Objective.parse(f"{nm}**2/2 + exp({nm})/10"), [1], h="1/2", steps=5)
            ref = gt.gd(gt.Objective.parse("u**2/2 + exp(u)/10"), [1], h="1/2", steps=5)
            batch = gt.gd_batch(gt.Objective.parse(f"{nm}**2/2"), [[1.0]], hs=0.5, steps=5)
            return odd, ref, batch

        def oracle(res: Any, exc: BaseException | None) -> str | None:
            if exc is not None:
                return f"unexpected {exc!r}"
            odd, ref, batch = res
            if odd.status != ref.status or odd.iterates[-1] != ref.iterates[-1]:
                return f"differs from the renamed run: {odd.status} vs {ref.status}"
            if (batch.status == "diverged").any():
                return "the batch run diverged"
            return None

        cases.append(Case("namespace", f"symbol named {nm}", run, oracle))
    return cases


def nesting_cases() -> list[Case]:
    deep = "sin(" * 150 + "x" + ")" * 150
    ok = "sin(" * 30 + "x" + ")" * 30
    nested_json = "[" * 5000 + "]" * 5000
    expr = X
    for _ in range(400):
        expr = sp.sin(expr, evaluate=False)  # SymPy itself recurses when evaluating these
    return [
        Case("nesting", "150-deep sin", lambda: gt.Objective.parse(deep), _expect(ComplexityError)),
        Case(
            "nesting",
            "30-deep sin, gradient",
            lambda: gt.Objective.parse(ok).grad_np(np.ones((1, 1))),
        ),
        Case(
            "nesting",
            "400-deep SymPy objective",
            lambda: gt.Objective(expr, [X]),
            _expect(ComplexityError),
        ),
        Case(
            "nesting", "sum of 3000 terms", lambda: gt.Objective.parse("+".join(["x"] * 3000)).expr
        ),
        Case(
            "nesting",
            "sum of 150 squares",
            lambda: gt.Objective.parse("+".join(f"x{i}**2" for i in range(150))).dim,
        ),
        Case("nesting", "5000 nested JSON brackets", lambda: recheck(nested_json)),
        Case("nesting", "recheck CLI, nested JSON", lambda: _cli_file(["recheck"], nested_json)),
        Case(
            "nesting",
            "sin(x*y*z)**7 order 12",
            lambda: gt.modified_equation("sin(x*y*z)**7", 12),
            slow=True,
        ),
        Case(
            "nesting",
            "x**2/2 + 2*cos(x) order 40",
            lambda: gt.modified_equation("x**2/2 + 2*cos(x)", 40).lambdify("mpmath")([0.5], 0.1),
            slow=True,
        ),
    ]


def huge_number_cases() -> list[Case]:
    f = gt.Objective.parse("x**2/2")
    f2 = gt.Objective.parse("(x*y - 1)**2/2")
    return [
        Case(
            "huge numbers",
            "h = 10**5000",
            lambda: gt.gd(f, [1], h=10**5000, steps=3),
            _expect(ComplexityError),
        ),
        Case(
            "huge numbers",
            "h = '1e-999999999'",
            lambda: gt.gd(f, [1], h="1e-999999999", steps=3),
            _expect(ComplexityError),
        ),
        Case(
            "huge numbers",
            "tol = '1e-99999999999'",
            lambda: gt.gd(f, [1], h="1/2", steps=3, tol="1e-99999999999"),
        ),
        Case(
            "huge numbers",
            "bound = '1e99999999'",
            lambda: gt.gd(f, [1], h="1/2", steps=3, bound="1e99999999"),
        ),
        Case(
            "huge numbers",
            "lr_regime h = '1e999999999'",
            lambda: gt.lr_regime(h="1e999999999", L=1),
        ),
        Case(
            "huge numbers",
            "x*1e99999999",
            lambda: gt.Objective.parse("x*1e99999999"),
            _expect(ComplexityError),
        ),
        Case(
            "huge numbers",
            "((10**1000)**1000)**1000",
            lambda: gt.Objective.parse("x*(((10**1000)**1000)**1000)"),
            _expect(ComplexityError),
        ),
        Case("huge numbers", "5000-digit literal", lambda: gt.Objective.parse("x*" + "9" * 5000)),
        Case(
            "huge numbers",
            "huge Fraction h",
            lambda: gt.gd(f, [1], h=Fraction(10**6000, 3), steps=1),
            _expect(ComplexityError),
        ),
        Case(
            "huge numbers",
            "repr of a big-number objective",
            lambda: repr(gt.Objective.parse("x**2*" + "7" * 3000)),
        ),
        Case(
            "huge numbers",
            "gd_batch x0 = 10**400",
            lambda: gt.gd_batch(f2, [[10**400, 1]], hs=0.1, steps=3),
        ),
        Case(
            "huge numbers",
            "lyapunov x0 = 10**400",
            lambda: gt.lyapunov_exponent(f, [10**400], h=0.1, steps=50, transient=0, blocks=2),
        ),
        Case("huge numbers", "sharpness x = 10**400", lambda: gt.sharpness(f2, [10**400, 1])),
        Case(
            "huge numbers",
            "modified CLI x*1e99999999",
            lambda: _cli(["modified", "x*1e99999999"]),
            lambda code, exc: None if code == 2 else f"exit code {code}",
        ),
        Case(
            "huge numbers",
            "certificate period Infinity",
            lambda: recheck(_orbit_json({"period": float("inf")})),
        ),
        Case(
            "huge numbers",
            "certificate prec 1e400",
            lambda: recheck(_orbit_json({"prec": "1e400"}, raw=True)),
        ),
    ]


def memory_cases() -> list[Case]:
    f = gt.Objective.parse("x**2/2")
    f2 = gt.Objective.parse("(x*y - 1)**2/2")
    return [
        Case(
            "memory",
            "1e10-row broadcast",
            lambda: gt.gd_batch(f, np.zeros((10**5, 1, 1)), hs=np.full((1, 10**5), 0.1), steps=1),
            _expect(budget.CostError),
        ),
        Case(
            "memory",
            "bins = 10**9",
            lambda: gt.invariant_density(f, [[0.3]], h=0.1, steps=10, transient=0, bins=10**9),
            _expect(budget.CostError),
        ),
        Case(
            "memory",
            "blocks = 10**9",
            lambda: gt.lyapunov_exponent(f, [0.3], h=0.1, steps=10**9, transient=0, blocks=10**9),
            _expect(budget.CostError),
        ),
        Case(
            "memory",
            "track_sharpness 10**9 steps",
            lambda: gt.track_sharpness(f2, [1.0, 0.5], h=0.1, steps=10**9),
            _expect(budget.CostError),
        ),
        Case(
            "memory",
            "gd keeps 1e8 iterates",
            lambda: gt.gd(f, [1], h="1/2", steps=10**8, dps=15),
            _expect(budget.CostError),
        ),
        Case(
            "memory",
            "orbit proof of period 3000",
            lambda: certify_periodic_orbit(f2, [[1, 1], [-1, -1]] * 1500, h="19/10", radius=1e-6),
            _expect(budget.CostError),
        ),
    ]


def runaway_cases() -> list[Case]:
    f = gt.Objective.parse("x**2/2")
    dw = gt.Objective.parse("x**4/4 - x**2/2")
    cost = _expect(budget.CostError)
    fifty = "+".join(f"(x{i} - x{i + 1})**4" for i in range(49))
    return [
        Case(
            "runaway",
            "(x+y+z+1)**60 order 3",
            lambda: gt.modified_equation("(x+y+z+1)**60", 3),
            cost,
        ),
        Case(
            "runaway", "(x+y+1)**200 order 3", lambda: gt.modified_equation("(x+y+1)**200", 3), cost
        ),
        Case(
            "runaway",
            "(w+x+y+z+1)**1000 order 1",
            lambda: gt.modified_equation("(w+x+y+z+1)**1000", 1),
            cost,
        ),
        Case(
            "runaway",
            "(w+x+y+z+1)**1000 degree",
            lambda: gt.Objective.parse("(w+x+y+z+1)**1000").polynomial_degree,
            cost,
        ),
        Case(
            "runaway",
            "50-symbol objective order 2",
            lambda: gt.modified_equation(fifty, 2),
            slow=True,
        ),
        Case(
            "runaway",
            "numpy backend 2e7 steps",
            lambda: gt.iterate_map(f, [[0.5]], hs=0.1, steps=2 * 10**7, backend="numpy"),
            cost,
        ),
        Case(
            "runaway",
            "numpy backend 3e9 steps",
            lambda: gt.iterate_map(f, [[0.5]], hs=0.1, steps=3 * 10**9, backend="numpy"),
            cost,
        ),
        Case(
            "runaway",
            "lyapunov batch of 1e5",
            lambda: gt.lyapunov_batch(
                dw, np.full((10**5, 1), 0.3), hs=0.1, steps=10**4, transient=0
            ),
            cost,
        ),
        Case(
            "runaway",
            "periodic_orbits max_iter 1e9",
            lambda: gt.periodic_orbits(dw, [(-2, 2)], h="1/10", period=3, seeds=64, max_iter=10**9),
            cost,
        ),
        Case(
            "runaway",
            "gradient_flow at 10000 digits",
            lambda: gt.gradient_flow(dw, [0.5], [1], dps=10000),
            cost,
        ),
        Case(
            "runaway",
            "gradient_flow to t = 1e6",
            lambda: gt.gradient_flow(dw, [0.5], [10**6], dps=50),
            cost,
        ),
        Case(
            "runaway",
            "stiff gradient_flow",
            lambda: gt.gradient_flow(
                gt.Objective.parse("10**6*x**2/2 + y**2/2"), [1, 1], [100], dps=30
            ),
            cost,
            slow=True,
        ),
        Case(
            "runaway",
            "modified_flow of order 60",
            lambda: gt.modified_flow("x**4/4 - x**2/2", [0.5], [10], order=60, h="1/2", dps=30),
            slow=True,
        ),
        Case(
            "runaway",
            "recheck of a period-3000 orbit",
            lambda: recheck(
                _orbit_json({"points": [[[1, 1], [1, 1]], [[1, 1], [1, 1]]] * 1500}, pairs=True)
            ),
            slow=True,
        ),
    ]


def filesystem_cases(tmp: Path) -> list[Case]:
    f = gt.Objective.parse("x**2/2")
    a_file = tmp / "plain-file"
    a_file.write_text("x")
    read_only = tmp / "read-only"
    read_only.mkdir()
    read_only.chmod(0o500)

    def sweep(cache: Any) -> Any:
        return gt.iterate_map(f, [[0.5]], hs=0.1, steps=3, backend="numpy", cache=cache)

    def entry_is_directory() -> Any:
        c = Cache(tmp / "dir-entry")
        sweep(c)
        for p in c.directory.glob("sweep-*.npz"):
            p.unlink()
            p.mkdir()
        return sweep(c)

    def missing_key() -> Any:
        c = Cache(tmp / "missing-key")
        sweep(c)
        for p in c.directory.glob("sweep-*.npz"):
            buf = io.BytesIO()
            np.savez(buf, final=np.zeros((1, 1)))
            data = buf.getvalue()
            p.write_bytes(data)
            import hashlib

            Path(str(p) + ".sha256").write_text(hashlib.sha256(data).hexdigest())
        return sweep(c)

    def wrong_typed_claim() -> Any:
        c = Cache(tmp / "claims")
        key = c.key("x", 1)
        c.store_json(key, {"evidence": {}, "seconds": None})
        return c.load_json(key, lambda d: isinstance(d["seconds"], float))

    return [
        Case("filesystem", "cache is a file", lambda: sweep(a_file)),
        Case("filesystem", "cache path with NUL", lambda: sweep(str(tmp / "a\x00b"))),
        Case(
            "filesystem",
            "read-only cache",
            lambda: sweep(read_only / "sub"),
            None,
            os.geteuid() == 0,
        ),
        Case("filesystem", "read-only cache, existing dir", lambda: sweep(read_only)),
        Case("filesystem", "cache entry is a directory", entry_is_directory),
        Case("filesystem", "npz entry missing a key", missing_key),
        Case(
            "filesystem",
            "claim entry with seconds null",
            wrong_typed_claim,
            lambda r, e: None if e is None and r is None else f"kept {r!r}",
        ),
    ]


def cli_cases(tmp: Path) -> list[Case]:
    good = tmp / "good.json"
    bad = tmp / "bad.json"
    c = certify_periodic_orbit(
        "(x*y - 1)**2/2", [[1.43, 1.43], [-1.43, -1.43]], h="19/10", radius=0.01
    )
    good.write_text(c.to_json())
    bad.write_text("[" * 5000)

    def both() -> Any:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["recheck", str(bad), str(good)])
        return code, out.getvalue(), err.getvalue()

    def both_oracle(res: Any, exc: BaseException | None) -> str | None:
        code, out, err = res
        if "1 of 2 certificates re-verified" not in out or "Traceback" in out + err:
            return f"one bad file stopped the others: {out[-200:]!r} {err[-200:]!r}"
        return None

    return [
        Case(
            "cli",
            "verify --only ','",
            lambda: _cli(["verify", "--only", ","]),
            lambda code, e: None if code == 2 else f"exit {code}",
        ),
        Case("cli", "recheck bad then good file", both, both_oracle),
        Case(
            "cli",
            "modified order 10**9",
            lambda: _cli(["modified", "x**2", "--order", "1000000000"]),
            lambda code, e: None if code == 2 else f"exit {code}",
        ),
        Case(
            "cli",
            "modified huge expansion",
            lambda: _cli(["modified", "(w+x+y+z+1)**1000", "--order", "1"]),
            lambda code, e: None if code == 2 else f"exit {code}",
        ),
    ]


def _cli(argv: list[str]) -> int:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    assert "Traceback" not in out.getvalue() + err.getvalue(), err.getvalue()[-400:]
    return code


def _cli_file(argv: list[str], text: str) -> int:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        fh.write(text)
    try:
        return _cli([*argv, fh.name])
    finally:
        os.unlink(fh.name)


def _orbit_json(changes: dict[str, Any], raw: bool = False, pairs: bool = False) -> str:
    c = certify_periodic_orbit(
        "(x*y - 1)**2/2", [[1.43, 1.43], [-1.43, -1.43]], h="19/10", radius=0.01
    )
    d = json.loads(c.to_json())
    if pairs:
        d["box"] = changes["points"]
        d.update({k: v for k, v in changes.items() if k != "points"})
    else:
        d.update(changes)
    text = json.dumps(d)
    if raw:  # a JSON number too large for a float
        for v in changes.values():
            text = text.replace(json.dumps(v), v)
    return text


# ----------------------------------------------------------------------------- tests
def _all_cases(tmp: Path) -> list[Case]:
    rng = random.Random(16)
    return (
        zero_test_cases(rng, 6)
        + complex_cases()
        + namespace_cases()
        + nesting_cases()
        + huge_number_cases()
        + memory_cases()
        + runaway_cases()
        + filesystem_cases(tmp)
        + cli_cases(tmp)
    )


CLASSES = [
    "zero-test",
    "complex",
    "namespace",
    "nesting",
    "huge numbers",
    "memory",
    "runaway",
    "filesystem",
    "cli",
]


@pytest.mark.parametrize("klass", CLASSES)
def test_hostile_class(klass, tmp_path):
    cases = [c for c in _all_cases(tmp_path) if c.klass == klass and not c.slow]
    assert cases
    for case in cases:
        _run(case)


@pytest.mark.slow
@pytest.mark.parametrize("klass", CLASSES)
def test_hostile_class_slow_cases(klass, tmp_path):
    cases = [c for c in _all_cases(tmp_path) if c.klass == klass and c.slow]
    for case in cases:
        _run(case)
    rng = random.Random()
    if klass == "zero-test":  # fresh targets every run
        for case in zero_test_cases(rng, 40):
            _run(case)


def test_class_counts_are_reported(capsys):
    """Runs after the class tests (file order) and prints the counts per class."""
    if not COUNTS:
        pytest.skip("the class tests did not run in this session")
    with capsys.disabled():
        print(f"\nhostile classes: {sum(COUNTS.values())} cases, none raw, none timed out")
        for klass in CLASSES:
            outcomes = {o: n for (k, o), n in OUTCOMES.items() if k == klass}
            print(f"  {klass:<13} {COUNTS[klass]:>4} cases  {outcomes}")
