"""Paper-ready output: generated Python runs as printed in a fresh interpreter and
matches the exact fields; named subexpressions rewrite fields exactly; LaTeX is an
aligned block with no name clash.

Oracle: the exact SymPy fields evaluated at 50 digits (mpmath), independently of the
generated code.
"""

from __future__ import annotations

import json
import subprocess
import sys

import mpmath
import pytest
import sympy as sp

import gdtheory as gt
from gdtheory import Objective, modified_equation

CASES = [
    ("log(1 + exp(-x))", {}, None, [[0.3], [100.0], [-100.0], [-800.0], [5.0]]),
    ("log(1 + exp(-x))", {}, {"sigma": "1/(1 + exp(-x))"}, [[0.3], [100.0], [-100.0], [-800.0]]),
    ("log(cosh(x))", {}, {"t": "tanh(x)"}, [[0.3], [2.0], [-30.0], [400.0]]),
    ("(mu - x*y)**2/2", {"mu": 2.5}, None, [[0.5, 1.5], [-1.0, 2.0]]),
    ("x**4/4 - x**2/2 + x*y**3", {}, None, [[0.5, 1.5], [1.25, -0.75]]),
]


def _exact(me: gt.ModifiedEquation, point: list[float], hh: float, params: dict) -> list:
    with mpmath.workdps(50):
        subs = {s: sp.Float(v, 60) for s, v in zip(me.symbols, point, strict=True)}
        subs.update({p: sp.Float(params[p.name], 60) for p in me.params})
        subs[gt.h] = sp.Float(hh, 60)
        return [mpmath.mpf(sp.N(c.subs(subs), 50)) for c in me.field()]


@pytest.mark.parametrize("backend", ["numpy", "mpmath"])
@pytest.mark.parametrize(("text", "params", "subexpr", "points"), CASES)
def test_generated_code_runs_in_a_fresh_interpreter(
    backend: str, text: str, params: dict, subexpr: dict | None, points: list, tmp_path
) -> None:
    obj = Objective.parse(text, params=list(params))
    me = modified_equation(obj, 4)
    src = me.python(backend=backend, subexpressions=subexpr)
    path = tmp_path / "field.py"
    kw = ", ".join(f"{k}={v!r}" for k, v in params.items())
    if backend == "numpy":
        call = (
            f"print(json.dumps(modified_field({points!r}, 0.1{', ' + kw if kw else ''}).tolist()))"
        )
    else:
        call = (
            f"print(json.dumps([[str(v) for v in modified_field(p, 0.1{', ' + kw if kw else ''})] "
            f"for p in {points!r}]))"
        )
    path.write_text(src + "\n\nimport json\n" + call + "\n")
    run = subprocess.run(
        [sys.executable, "-I", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    for p, row in zip(points, got, strict=True):
        exact = _exact(me, p, 0.1, params)
        for g, e in zip(row, exact, strict=True):
            g = mpmath.mpf(g)
            assert abs(g - e) <= 1e-12 * max(1, abs(e)), (p, g, e)


def test_subexpressions_give_short_exact_forms() -> None:
    me = modified_equation("log(1 + exp(-x))", 3)
    tex = me.latex(subexpressions={"sigma": "1/(1 + exp(-x))"}, potential=False)
    assert "F_{0} &= 1 - \\sigma" in tex and "e^{" not in tex.split("F_{0}")[1]
    me2 = modified_equation("log(cosh(x))", 3)
    tex2 = me2.latex(subexpressions={"t": "tanh(x)"}, potential=False)
    assert "F_{1} &= \\frac{t \\left(t - 1\\right) \\left(t + 1\\right)}{2}" in tex2
    with pytest.raises(gt.InvalidInputError, match="not built from one exponential"):
        me.latex(subexpressions={"s": "tanh(x)**3 + x"})
    with pytest.raises(gt.InvalidInputError, match="already in use"):
        me.latex(subexpressions={"x": "exp(x)"})


def test_latex_is_an_aligned_block_without_name_clash() -> None:
    tex = modified_equation("(x*y - 1)**2/2", 2).latex()
    assert tex.startswith("\\begin{aligned}") and tex.endswith("\\end{aligned}")
    assert "\\dot{z}" in tex and "z = (x, y)" in tex and "\\dot{x}" not in tex
    tex3 = modified_equation("z*x + y**2*z", 1).latex()
    assert "\\dot{u}" in tex3 and "u = (x, y, z)" in tex3


def test_generated_names_do_not_collide() -> None:
    me = modified_equation(Objective.parse("numpy**2/2 + state*h_", ["numpy", "state", "h_"]), 1)
    ns: dict = {}
    exec(me.python(), ns)  # noqa: S102 - our own generated code
    out = ns["modified_field"]([[1.0, 2.0, 3.0]], 0.1)
    exact = _exact(me, [1.0, 2.0, 3.0], 0.1, {})
    assert [float(v) for v in exact] == pytest.approx(out[0].tolist(), rel=1e-12)
    with pytest.raises(gt.InvalidInputError, match="backend"):
        me.python(backend="jax")


def test_formulas_typeset_parameter_names_and_display_in_notebooks():
    """Issue 33, item 6: lam prints as lambda, eps as varepsilon, beta1 as beta_1; every
    formula object has the _repr_latex_ notebooks call."""
    import sympy as sp

    import gdtheory as gt
    from gdtheory.backward_error.codegen import tex
    from gdtheory.optimizers import RMSProp

    lam, eps, b1, s2 = sp.symbols("lam eps beta1 sigma_2")
    out = tex(lam * eps / (1 - b1) + s2)
    assert r"\lambda" in out and r"\varepsilon" in out and r"\beta_{1}" in out
    assert r"\sigma_{2}" in out and " lam" not in out and "{eps" not in out
    f = gt.Objective.parse("lam*x**2/2 + eps*x**4/4", params=["lam", "eps"])
    shown = [
        gt.modified_equation(f, 1),
        gt.generic_modified_equation("heun", 3),
        gt.method_modified_equation(RMSProp("beta2", "eps"), "x**4/4 - x", 0),
        gt.stochastic_modified_equation(["lam*(x-1)**2/2", "(x+1)**2/2"]),
    ]
    for obj in shown:
        text = obj._repr_latex_()
        assert text.startswith("$$") and text.endswith("$$") and text[2:-2] == obj.latex()
    assert r"\lambda" in shown[0]._repr_latex_() and r"\varepsilon" in shown[2]._repr_latex_()
    assert "h(0)" not in shown[1].latex() and r"h\left" not in shown[1].latex()  # no empty h^1
