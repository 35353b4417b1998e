"""A marker payload planted in every argument that can hold text is never executed
(issue 30, item 1; the static half is tests/test_safe_input.py).

Each case passes a string that would create a marker file if any code evaluated it
(SymPy's ``sympify`` does, and so do ``Matrix``, ``diff``, ``subs``, ``nsimplify`` and
most SymPy functions given a string).  The call must end in a documented
:class:`~gdtheory.errors.GDTheoryError`, and the marker must not exist afterwards.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sympy as sp

import gdtheory as gt
from gdtheory.certify import certify_periodic_orbit
from gdtheory.cli import main
from gdtheory.errors import GDTheoryError
from gdtheory.rigorous.certificate import recheck


def _payload(marker: Path) -> str:
    return f"__import__('pathlib').Path({str(marker)!r}).touch()"


def _orbit_certificate() -> Any:
    a = math.sqrt(1 + 2 / 1.9)
    return certify_periodic_orbit(
        gt.objectives.scalar_factorization(), [[a, a], [-a, -a]], h="19/10", radius=1e-6
    )


def _certificate_with(field: str, payload: str) -> str:
    d = json.loads(_orbit_certificate().to_json())
    if field == "boxes":
        d["boxes"][0][0][0] = payload
    else:
        d[field] = payload
    return json.dumps(d)


F2 = "(1 - x*y)**2/2"

#: name -> call with the payload P (a string); each must refuse it.
CASES: dict[str, Callable[[str], Any]] = {
    "modified_equation(metric=[[P]])": lambda P: gt.modified_equation(
        ["x - h*x", "y - h*y"], 1, symbols=["x", "y"], metric=[[P, 0], [0, 1]]
    ),
    "modified_equation(metric='P, 0; 0, 1')": lambda P: gt.modified_equation(
        ["x - h*x", "y - h*y"], 1, symbols=["x", "y"], metric=f"{P}, 0; 0, 1"
    ),
    "Preconditioned([[P]])": lambda P: gt.optimizers.Preconditioned([[P]]),
    "Preconditioned(P)": lambda P: gt.optimizers.Preconditioned(P),
    "HeavyBall(P)": lambda P: gt.optimizers.HeavyBall(P),
    "balancing(symmetry=[P, -1])": lambda P: gt.balancing(F2, symmetry=[[P, -1]]),
    "balancing(symmetry=matrix)": lambda P: gt.balancing(F2, symmetry=[[[P, 0], [0, 1]]]),
    "balancing(residuals=[P])": lambda P: gt.balancing(F2, residuals=[P]),
    "conserved_quadratics(symmetry)": lambda P: gt.conserved_quadratics(F2, symmetry=[[P, -1]]),
    "deep_linear(A=[[P]])": lambda P: gt.deep_linear([1, 1, 1], A=[[P]]),
    "leaky_factorization([[P]])": lambda P: gt.leaky_factorization([[P]], [[1]]),
    "leaky_factorization(alpha=P)": lambda P: gt.leaky_factorization([[1]], [[-1]], alpha=P),
    "MinimiserSpectrum.stability(P)": lambda P: gt.balancing(F2).stability(P),
    "BalanceLaw.residual(P, [P])": lambda P: gt.balance_law(gt.balancing(F2)).residual(P, [P]),
    "ConservedQuadratics.tangents([P, P])": lambda P: gt.conserved_quadratics(F2).tangents([P, P]),
    "OrbitCertificate.contains_multiplier(P)": lambda P: _orbit_certificate().contains_multiplier(
        P
    ),
    "Objective.bind(mu=P)": lambda P: gt.Objective.parse("mu*x**2", params=["mu"]).bind(mu=P),
    "Objective.parse(P)": lambda P: gt.Objective.parse(P),
    "Objective(params=[P])": lambda P: gt.Objective.parse("x**2", params=[P]),
    "butcher_tableau(A with P)": lambda P: gt.butcher_tableau([[0, 0], [P, 0]], [0, 1]),
    "runge_kutta_map(field=[P])": lambda P: gt.runge_kutta_map("heun", [P], ["x"]),
    "momentum_modified_equation(beta=P)": lambda P: gt.momentum_modified_equation("x**2/2", 1, P),
    "gd(h=P)": lambda P: gt.gd(F2, [0.5, 1.5], h=P, steps=2),
    "gd(x0=[P, P])": lambda P: gt.gd(F2, [P, P], h="1/2", steps=2),
    "objectives.quadratic(A=[[P]])": lambda P: gt.objectives.quadratic([[P]]),
    "objectives.matrix_factorization([[P]])": lambda P: gt.objectives.matrix_factorization(
        [[P]], 1
    ),
    "objectives.multiscale_1d(macro=P)": lambda P: gt.objectives.multiscale_1d(macro=P),
    "deep_scalar_bound(h=P)": lambda P: gt.deep_scalar_bound(3, h=P),
    "recheck(objective=P)": lambda P: recheck(_certificate_with("objective", P)),
    "recheck(h=P)": lambda P: recheck(_certificate_with("h", P)),
    "recheck(boxes with P)": lambda P: recheck(_certificate_with("boxes", P)),
    "CLI modified --metric": lambda P: _cli(
        [
            "modified",
            "--map",
            "x - h*x",
            "--map",
            "y",
            "--symbols",
            "x,y",
            "--metric",
            f"{P}, 0; 0, 1",
        ]
    ),
    "CLI modified OBJECTIVE": lambda P: _cli(["modified", P]),
    "CLI modified --params": lambda P: _cli(["modified", "mu*x**2", "--params", P]),
}


def _cli(argv: list[str]) -> None:
    code = main(argv)
    if code == 2:
        raise GDTheoryError(f"the CLI refused {argv} (exit 2)")
    raise AssertionError(f"the CLI accepted {argv} (exit {code})")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_planted_payload_is_never_executed(name: str, tmp_path: Path, capsys) -> None:
    marker = tmp_path / "executed"
    with pytest.raises(GDTheoryError):
        CASES[name](_payload(marker))
    capsys.readouterr()
    assert not marker.exists(), f"{name} executed user text"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_marker_payload_does_execute_when_evaluated(tmp_path: Path) -> None:
    """The payload is live: SymPy's own conversion runs it (so the tests above would see
    an evaluation)."""
    marker = tmp_path / "executed"
    sp.Matrix([[_payload(marker)]])
    assert marker.exists()
