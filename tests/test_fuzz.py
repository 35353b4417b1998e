"""Fuzzing every public entry point and the CLI with malformed and hostile input.

Each generated case calls one entry point with valid, cheap arguments except one that is
replaced by a hostile value (NaN, infinities, huge or negative numbers, wrong shapes,
unparsable or code-injecting expressions, non-smooth functions, precision 0 or huge,
orders that would take hours, ...).  Every case must end in one of gdtheory's
documented exceptions (``gdtheory.errors.GDTheoryError`` and subclasses) with a
non-empty message, or in a normal result; never another exception type, never a hang
(each case has a deadline).  The CLI must return an exit code without a traceback.
The number of cases tried is counted and reported (issue 8 asks for >= 2000 per run).
"""

from __future__ import annotations

import contextlib
import dataclasses as _dc
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdtheory as gt
from gdtheory.certify import certify_descent, certify_periodic_orbit
from gdtheory.cli import main
from gdtheory.errors import GDTheoryError, UnboundParameterError
from gdtheory.objectives import logistic_conjugate, scalar_factorization
from gdtheory.studies.multiscale import escape_study, multiscale
from gdtheory.testing import assert_gd_step, assert_step

F2 = scalar_factorization()  # (1 - xy)^2/2
F1 = logistic_conjugate()


@dataclass(frozen=True)
class _BadMethod(gt.optimizers.Method):
    """A user's method whose update returns x' alone instead of the pair (x', state')."""

    def update(self, grad, x, state, h):
        return [a - h * b for a, b in zip(x, grad(x), strict=True)]


HOSTILE_NUMBERS = [
    float("nan"),
    float("inf"),
    -float("inf"),
    0,
    0.0,
    -1,
    -1e-300,
    1e308,
    10**400,
    -(10**400),
    1e-320,
    "abc",
    "1/0",
    "nan",
    "inf",
    "-2",
    "1e999",
    "__import__('os')",
    None,
    [],
    {},
    1j,
    True,
    False,
    "",
    " ",
    "0x10",
    "1_0",
    "2**10000",
    object(),
    np.float64("nan"),
    np.array([1.0, 2.0]),
    "sqrt(-1)",
    "I",
    "oo",
    "zoo",
]
HOSTILE_COUNTS = [-1, -(10**9), 10**12, 2.5, "3", None, True, float("nan"), 10**30, [], 1e9]
HOSTILE_DPS = [0, 1, 14, -5, 10**7, 2.5, "50", None, float("inf")]
HOSTILE_POINTS = [
    [],
    [[]],
    [1.0, 2.0, 3.0],
    [1.0],
    ["x", 1.0],
    [float("nan"), 1.0],
    [float("inf"), 0.0],
    "12",
    None,
    3.0,
    [[1.0, 2.0], [3.0]],
    {"x": 1},
    [1e308, 1e308],
    [[[1.0, 2.0]]],
    np.zeros((0, 2)),
    np.zeros((2, 3)),
    [None, None],
    [1j, 2.0],
]
HOSTILE_EXPRESSIONS = [
    "",
    "x+",
    "x**",
    "(",
    "x)",
    "Abs(x)",
    "sign(x)",
    "abs(x)",
    "Max(x, 0)",
    "floor(x)",
    "x @ y",
    "lambda: 1",
    "__import__('os').system('echo hacked')",
    "().__class__",
    "x.__class__",
    "open('/etc/passwd')",
    "eval('1')",
    "x" * 5000,
    "x**(10**10)",
    "x;1",
    "x\n+1",
    "ｘ**2",
    "1/x",
    "log(x)",
    "sqrt(x)",
    "x**0.5",
    "exp(exp(exp(exp(x))))",
    "zz**2 + q",
    "x**2 + y**2 + z**2 + w**2 + v**2 + u**2 + t**2 + s**2 + r**2",
    "I*x",
    "x > 0",
    "[x, y]",
    "{x}",
    "x if x else y",
    "1",
    "pi",
    "E**x",
    "Derivative(x, x)",
    "Integral(x, x)",
    "besselj(0, x)",
    "x'",
    "x**2/0",
    "0**x",
    "nan*x",
    "oo*x",
]
HOSTILE_BOXES = [
    [],
    [(1, 0)],
    [(0, 1)],
    [(0, float("nan")), (0, 1)],
    [(0, float("inf")), (0, 1)],
    [(-3, 3), (-3, 3), (-3, 3)],
    "box",
    [(0, 1, 2), (0, 1)],
    [("a", "b"), (0, 1)],
    [(0, 0), (0, 0)],
    [(-1e308, 1e308), (-1e308, 1e308)],
    None,
]

# entry point -> (function, valid keyword arguments, {argument: hostile values})
ENTRY: dict[str, tuple[Callable[..., Any], dict[str, Any], dict[str, list[Any]]]] = {
    "Objective.parse": (gt.Objective.parse, {"text": "x**2"}, {"text": HOSTILE_EXPRESSIONS}),
    "gd": (
        gt.gd,
        {"objective": F2, "x0": [0.5, 1.5], "h": "1/2", "steps": 5, "dps": 20},
        {
            "x0": HOSTILE_POINTS,
            "h": HOSTILE_NUMBERS,
            "steps": HOSTILE_COUNTS,
            "dps": HOSTILE_DPS,
            "tol": HOSTILE_NUMBERS,
            "objective": HOSTILE_EXPRESSIONS,
        },
    ),
    "trajectory": (
        gt.trajectory,
        {
            "method": gt.optimizers.HeavyBall("1/2"),
            "objective": F2,
            "x0": [0.5, 1.5],
            "h": "1/2",
            "steps": 5,
            "dps": 20,
        },
        {
            "method": ["adam", None, 3, "", "nesterov", _BadMethod(), gt.optimizers.SGD()],
            "x0": HOSTILE_POINTS,
            "h": HOSTILE_NUMBERS,
            "steps": HOSTILE_COUNTS,
            "dps": HOSTILE_DPS,
            "tol": HOSTILE_NUMBERS,
            "bound": HOSTILE_NUMBERS,
            "state0": HOSTILE_POINTS + [[[1.0, 2.0]]],
            "objective": HOSTILE_EXPRESSIONS,
        },
    ),
    "run": (
        gt.run,
        {"method": "gd", "objective": F2, "x0s": [[0.5, 1.5]], "hs": 0.5, "steps": 5},
        {
            "method": ["adam", None, 3, "", "heavy_ball", _BadMethod()],
            "objective": HOSTILE_EXPRESSIONS,
            "x0s": HOSTILE_POINTS,
            "hs": HOSTILE_NUMBERS,
            "steps": HOSTILE_COUNTS,
            "keep": HOSTILE_COUNTS + [7],
            "tol": HOSTILE_NUMBERS,
            "bound": HOSTILE_NUMBERS,
            "state0": HOSTILE_POINTS + [[[1.0, 2.0]]],
            "seed": [-1, None, "x"],
            "backend": ["cuda", "", None, 3],
        },
    ),
    "gd_batch": (
        gt.gd_batch,
        {"objective": F2, "x0s": [[0.5, 1.5]], "hs": 0.5, "steps": 5},
        {"x0s": HOSTILE_POINTS, "hs": HOSTILE_NUMBERS, "steps": HOSTILE_COUNTS},
    ),
    "modified_equation": (
        gt.modified_equation,
        {"target": "x**4/4 - x**2/2", "order": 2},
        {
            "target": HOSTILE_EXPRESSIONS,
            "order": HOSTILE_COUNTS + [61, 10**6, 59],
            "metric": [[[1]], "x", [[1, 2], [3, 4]], [[0]], [[float("nan")]], 5, [[-1]]],
        },
    ),
    "modified_potential": (
        gt.modified_potential,
        {"objective": "x**2/2", "order": 2},
        {"objective": HOSTILE_EXPRESSIONS, "order": HOSTILE_COUNTS},
    ),
    "series_diagnostics": (
        gt.series_diagnostics,
        {"target": "3*x**2/2", "x": ["1/2"], "order": 6},
        {
            "target": HOSTILE_EXPRESSIONS,
            "x": HOSTILE_POINTS,
            "order": HOSTILE_COUNTS,
            "dps": HOSTILE_DPS,
        },
    ),
    "lr_regime": (gt.lr_regime, {"h": "1/2", "L": 1}, {"h": HOSTILE_NUMBERS, "L": HOSTILE_NUMBERS}),
    "smoothness_constant": (
        gt.smoothness_constant,
        {"objective": F1, "box": [(-1, 1)], "pieces": 4},
        {"box": HOSTILE_BOXES, "pieces": HOSTILE_COUNTS, "objective": HOSTILE_EXPRESSIONS},
    ),
    "periodic_orbits": (
        gt.periodic_orbits,
        {"objective": F2, "h": "19/10", "period": 2, "box": [(-2, 2), (-2, 2)], "seeds": 4},
        {
            "h": HOSTILE_NUMBERS,
            "period": HOSTILE_COUNTS,
            "box": HOSTILE_BOXES,
            "seeds": HOSTILE_COUNTS,
            "dps": HOSTILE_DPS,
        },
    ),
    "lyapunov_exponent": (
        gt.lyapunov_exponent,
        {"objective": F1, "h": 1, "x0": [0.3], "steps": 200, "transient": 10},
        {
            "h": HOSTILE_NUMBERS,
            "x0": HOSTILE_POINTS,
            "steps": HOSTILE_COUNTS,
            "transient": HOSTILE_COUNTS,
        },
    ),
    "iterate_map": (
        gt.iterate_map,
        {"objective": F2, "x0s": [[0.5, 1.5]], "hs": 0.5, "steps": 5, "backend": "numpy"},
        {
            "x0s": HOSTILE_POINTS,
            "hs": HOSTILE_NUMBERS,
            "steps": HOSTILE_COUNTS,
            "keep": HOSTILE_COUNTS,
            "backend": ["cuda", "", None, 3],
            "bound": HOSTILE_NUMBERS,
        },
    ),
    "orbit_diagram": (
        gt.orbit_diagram,
        {
            "objective": F2,
            "hs": [0.5, 1.0],
            "x0s": [[0.5, 1.5]],
            "transient": 5,
            "keep": 4,
            "backend": "numpy",
        },
        {
            "hs": HOSTILE_NUMBERS,
            "x0s": HOSTILE_POINTS,
            "keep": HOSTILE_COUNTS,
            "max_period": HOSTILE_COUNTS,
            "tol": HOSTILE_NUMBERS,
        },
    ),
    "basins": (
        gt.basins,
        {
            "objective": F2,
            "h": 1.1,
            "box": [(-2, 2), (-2, 2)],
            "resolution": 8,
            "transient": 5,
            "backend": "numpy",
        },
        {
            "h": HOSTILE_NUMBERS,
            "box": HOSTILE_BOXES,
            "resolution": HOSTILE_COUNTS,
            "dims": [(0, 0), (0, 5), "ab", None],
        },
    ),
    "invariant_density": (
        gt.invariant_density,
        {
            "objective": F1,
            "h": 1.0,
            "x0s": [[0.3]],
            "steps": 50,
            "transient": 5,
            "backend": "numpy",
        },
        {
            "h": HOSTILE_NUMBERS,
            "x0s": HOSTILE_POINTS,
            "steps": HOSTILE_COUNTS,
            "bins": HOSTILE_COUNTS,
            "range": [(1, 0), (0, float("nan")), "r", (0,)],
        },
    ),
    "joint_density": (
        gt.joint_density,
        {
            "objective": F2,
            "h": 0.1,
            "x0s": [[0.3, 0.2]],
            "steps": 50,
            "transient": 5,
            "backend": "numpy",
        },
        {
            "h": HOSTILE_NUMBERS,
            "x0s": HOSTILE_POINTS,
            "steps": HOSTILE_COUNTS,
            "bins": HOSTILE_COUNTS,
            "components": [(0, 0), (0, 9), "xy", None, (0.5, 1), (True, 1)],
            "range": HOSTILE_BOXES,
        },
    ),
    "gibbs_density_2d": (
        gt.gibbs_density_2d,
        {"f0": F2, "T": 0.5, "support": [(-2, 2), (-2, 2)], "points": 51},
        {
            "f0": HOSTILE_EXPRESSIONS + [None, 3],
            "T": HOSTILE_NUMBERS,
            "support": HOSTILE_BOXES,
            "points": HOSTILE_COUNTS,
        },
    ),
    "noise_model_covariance": (
        gt.noise_model_covariance,
        {"hessian": [[1.0, 0.5], [0.5, 2.0]], "h": 0.2, "sigma2": 0.5},
        {
            "hessian": HOSTILE_POINTS + [[[1, 2], [3]], [[float("inf")]], [["a"]], [[-1.0]]],
            "h": HOSTILE_NUMBERS,
            "sigma2": HOSTILE_NUMBERS,
        },
    ),
    "balance_bound": (
        gt.balance_bound,
        {"h": "1/2", "mu": 1},
        {"h": HOSTILE_NUMBERS, "mu": HOSTILE_NUMBERS + [[[1, 2]], [[]], [[float("nan")]]]},
    ),
    "convergence_window": (
        gt.convergence_window,
        {"cs": [1.0], "starts": [[2.0, 0.6]], "steps": 50, "backend": "numpy"},
        {
            "cs": HOSTILE_NUMBERS,
            "starts": HOSTILE_POINTS,
            "mu": HOSTILE_NUMBERS,
            "steps": HOSTILE_COUNTS,
        },
    ),
    "balance_law": (
        gt.balance_law,
        {"spectrum": gt.balancing("(1 - x*y)**2/2")},
        {"spectrum": [None, "scalar", 3, gt.balancing("matrix", n=2, m=2, d=2)]},
    ),
    "one_quantity_bound": (
        gt.one_quantity_bound,
        {"law": gt.balance_law(gt.balancing("(1 - x*y)**2/2"))},
        {"law": [None, "x", 3]},
    ),
    "deep_scalar_bound": (
        gt.deep_scalar_bound,
        {"N": 3, "h": "1/3"},
        {"N": HOSTILE_COUNTS, "h": HOSTILE_NUMBERS + [1, 10]},
    ),
    "deep_scalar": (
        gt.deep_scalar,
        {"N": 3},
        {"N": HOSTILE_COUNTS, "mu": HOSTILE_NUMBERS},
    ),
    "deep_linear": (
        gt.deep_linear,
        {"widths": [1, 2, 1]},
        {"widths": [[], [1], [0, 1, 2], [1, -2, 1], None, "121"], "A": [[[1, 2, 3]], "A", 3]},
    ),
    "leaky_factorization": (
        gt.leaky_factorization,
        {"A": [[1]], "signs": [[1]]},
        {
            "A": [[], [[]], None, "A", [[float("nan")]]],
            "signs": [[[0]], [[2]], [1], None, [[1, 1], [1, 1]]],
            "alpha": HOSTILE_NUMBERS,
        },
    ),
    "conserved_quadratics": (
        gt.conserved_quadratics,
        {"target": "(1 - x*y)**2/2"},
        {
            "target": HOSTILE_EXPRESSIONS,
            "symmetry": [[[1, 1]], [[1]], "x", 3, [[[1, 2], [3, 4]]], [["a", "b"]]],
        },
    ),
    "balancing": (
        gt.balancing,
        {"kind": "scalar"},
        {"kind": ["tensor", "", None, 3], "n": HOSTILE_COUNTS, "d": HOSTILE_COUNTS},
    ),
    "sharpness": (
        gt.sharpness,
        {"objective": F2, "x": [2.0, 0.5]},
        {"x": HOSTILE_POINTS, "tol": HOSTILE_NUMBERS, "objective": HOSTILE_EXPRESSIONS},
    ),
    "top_eigenvalues": (
        gt.top_eigenvalues,
        {"objective": F2, "x": [2.0, 0.5], "k": 2},
        {"x": HOSTILE_POINTS, "k": HOSTILE_COUNTS + [3], "objective": HOSTILE_EXPRESSIONS},
    ),
    "track_sharpness": (
        gt.track_sharpness,
        {"objective": F2, "x0": [2.0, 0.5], "h": 0.1, "steps": 5, "every": 1},
        {
            "x0": HOSTILE_POINTS,
            "h": HOSTILE_NUMBERS,
            "steps": HOSTILE_COUNTS,
            "every": HOSTILE_COUNTS,
            "method": ["adam", None, 3, "", _BadMethod(), gt.optimizers.SGD()],
            "freeze_at": HOSTILE_COUNTS + [0, 6, 2],  # GD has nothing to freeze
            "k": HOSTILE_COUNTS + [0, 3],
            "keep_params": [None, "yes", 1, []],
        },
    ),
    "gradient_flow": (
        gt.gradient_flow,
        {"objective": F1, "x0": [0.1], "times": [0, "1/10"], "dps": 20},
        {
            "x0": HOSTILE_POINTS,
            "times": [[], ["a"], [1, 0], [float("nan")], None, 5],
            "dps": HOSTILE_DPS,
        },
    ),
    "principal_flow": (
        gt.principal_flow,
        {"target": F1, "x0": [0.1], "times": [0, "1/10"], "h": "1/10", "dps": 20},
        {
            "x0": HOSTILE_POINTS,
            "times": [[], ["a"], [1, 0], [float("nan")], None, 5],
            "h": HOSTILE_NUMBERS,
            "dps": HOSTILE_DPS,
            "target": HOSTILE_EXPRESSIONS,
            "branch": [None, "", "Continued", 3, ["continued"]],
            "substeps": HOSTILE_COUNTS + [1],
        },
    ),
    "central_flow": (
        gt.central_flow,
        {"target": F2, "x0": [2.0, 0.5], "times": [0, "1/10"], "h": "1/10", "substeps": 2},
        {
            "x0": HOSTILE_POINTS,
            "times": [[], ["a"], [1, 0], [float("nan")], None, 5],
            "h": HOSTILE_NUMBERS,
            "substeps": HOSTILE_COUNTS,
            "target": HOSTILE_EXPRESSIONS,
            "method": ["adam", 3, "", _BadMethod(), gt.optimizers.HeavyBall("1/2")],
            "nu0": HOSTILE_POINTS + [[-1.0, 1.0], [0.0, 0.0]],
        },
    ),
    "regime_map": (
        gt.regime_map,
        {"objective": F1, "x0": [0.1], "hs": ["1/10"], "time": "1/5", "models": ("gradient",)},
        {
            "x0": HOSTILE_POINTS,
            "hs": [[], ["a"], [1, 0], [float("nan")], None, 5, [-1]],
            "time": HOSTILE_NUMBERS,
            "objective": HOSTILE_EXPRESSIONS,
            "models": [("magic",), None, 5],
            "principal": ["literal", None, 3, ""],
            "executor": [3, "pool", object()],
        },
    ),
    "modified_flow": (
        gt.modified_flow,
        {"target": "x**2/2", "order": 1, "h": "1/10", "x0": [1], "times": [0, "1/10"], "dps": 20},
        {
            "order": HOSTILE_COUNTS,
            "h": HOSTILE_NUMBERS,
            "x0": HOSTILE_POINTS,
            "target": HOSTILE_EXPRESSIONS,
        },
    ),
    "multiscale": (
        multiscale,
        {"macro": "x**2/2", "eps": "1/100", "amplitude": 1},
        {
            "macro": HOSTILE_EXPRESSIONS,
            "eps": HOSTILE_NUMBERS,
            "amplitude": HOSTILE_NUMBERS,
            "dim": HOSTILE_COUNTS,
        },
    ),
    "escape_study": (
        escape_study,
        {
            "macro": "x**2/2",
            "amplitude": 2,
            "hs": [0.01],
            "epss": ["1/100"],
            "runs": 4,
            "steps": 10,
        },
        {
            "hs": HOSTILE_NUMBERS,
            "epss": [[0], ["x"], [float("nan")], None, "e"],
            "runs": HOSTILE_COUNTS,
            "x_start": HOSTILE_NUMBERS,
        },
    ),
    "certify_periodic_orbit": (
        certify_periodic_orbit,
        {"objective": F2, "h": "19/10", "points": [[1.43, 1.43], [-1.43, -1.43]], "radius": 0.01},
        {
            "h": HOSTILE_NUMBERS,
            "points": HOSTILE_POINTS,
            "radius": HOSTILE_NUMBERS,
            "prec": HOSTILE_DPS,
        },
    ),
    "certify_descent": (
        certify_descent,
        {"objective": F1, "h": "1/4", "box": [(-1, 1)], "pieces": 2},
        {"h": HOSTILE_NUMBERS, "box": HOSTILE_BOXES, "pieces": HOSTILE_COUNTS},
    ),
    "assert_gd_step": (
        assert_gd_step,
        {"step_fn": lambda x, h: x - h * F2.grad_np(x), "objective": F2, "x": [0.5, 1.5], "h": 0.1},
        {
            "x": HOSTILE_POINTS,
            "h": HOSTILE_NUMBERS,
            "objective": HOSTILE_EXPRESSIONS,
            "max_ulps": HOSTILE_NUMBERS,
            "dps": HOSTILE_DPS,
        },
    ),
    "assert_step": (
        assert_step,
        {
            "method": gt.optimizers.HeavyBall("1/2"),
            "step_fn": lambda x, s, h: (
                x + (0.5 * s[0] - h * F2.grad_np(x)),
                (0.5 * s[0] - h * F2.grad_np(x),),
            ),
            "objective": F2,
            "x": [0.5, 1.5],
            "state": ([0.1, 0.2],),
            "h": 0.1,
        },
        {
            "method": ["adam", None, 3, "gd", _BadMethod(), gt.optimizers.SGD()],
            "x": HOSTILE_POINTS,
            "state": HOSTILE_POINTS + [[[1.0, 2.0], [1.0, 2.0]], ([1.0],), "v"],
            "v": HOSTILE_POINTS,
            "h": HOSTILE_NUMBERS,
            "batch": [[0], [], "x", [-1]],
            "objective": HOSTILE_EXPRESSIONS,
            "max_ulps": HOSTILE_NUMBERS,
            "dps": HOSTILE_DPS,
        },
    ),
}

_DW = gt.Objective.parse("x**4/4 - x**2/2")
_SME = gt.stochastic_modified_equation(["(x - 1)**2/2", "(x + 1)**2/2"], 2)
_DENSITY = gt.invariant_density(_DW, [[0.5]], h=0.1, steps=200, transient=10, bins=10)
_JOINT = gt.joint_density(F2, [[0.3, 0.2]], h=0.1, steps=100, transient=5, bins=5, backend="numpy")
ENTRY.update(
    {
        "generic_modified_equation": (
            gt.generic_modified_equation,
            {"tableau": "gd", "order": 3},
            {
                "tableau": ["rk5", "", None, 3, [[1]], ([[1]], [1]), ([[0, 0], [0, 1]], [1, 0])],
                "order": HOSTILE_COUNTS + [14, 10**6],
                "gradient": [None, "yes", 2],
            },
        ),
        "momentum_modified_equation": (
            gt.momentum_modified_equation,
            {"objective": "x**4/4 - x**2/2", "order": 2, "beta": "1/2"},
            {
                "objective": HOSTILE_EXPRESSIONS,
                "order": HOSTILE_COUNTS + [61],
                "beta": HOSTILE_NUMBERS + ["x", 1, 0, "-1/2", "h"],
                "method": ["", None, "adam", 3],
                "manifold_order": HOSTILE_COUNTS + [1],
            },
        ),
        "sgd_modified_equation": (
            gt.sgd_modified_equation,
            {"objectives": ["(x - 1)**2/2", "x**4/4"], "order": 2},
            {
                "objectives": [[], ["x**2"], "x**2", [1, 2], ["x**2", "y**2"], ["exp(x)", "x"]],
                "order": HOSTILE_COUNTS + [31],
                "sampling": ["", None, "random", 3],
            },
        ),
        "stochastic_modified_equation": (
            gt.stochastic_modified_equation,
            {"objectives": ["(x - 1)**2/2", "x**4/4"], "order": 2},
            {
                "objectives": [[], ["x**2"], "x**2", [1, 2], ["x**2", "y**2"], ["h*x", "x"]],
                "order": HOSTILE_COUNTS + [3, 0],
                "batch": HOSTILE_COUNTS + [0],
            },
        ),
        "sgd_samples": (
            gt.sgd_samples,
            {
                "objectives": ["(x - 1)**2/2", "x**4/4"],
                "x0": [0.5],
                "h": 0.1,
                "steps": 3,
                "paths": 5,
            },
            {
                "objectives": [[], ["x**2"], "x**2", [None, 2], ["exp(exp(x))", "x"]],
                "x0": HOSTILE_POINTS,
                "h": HOSTILE_NUMBERS,
                "steps": HOSTILE_COUNTS,
                "paths": HOSTILE_COUNTS,
                "batch": HOSTILE_COUNTS,
                "seed": [-1, 2.5, "x", None, True],
            },
        ),
        "sme_samples": (
            gt.sme_samples,
            {"sme": _SME, "x0": [0.5], "h": "1/4", "time": 1, "paths": 5},
            {
                "sme": [None, "x**2", F1],
                "x0": HOSTILE_POINTS,
                "h": HOSTILE_NUMBERS,
                "time": HOSTILE_NUMBERS,
                "paths": HOSTILE_COUNTS,
                "substeps": HOSTILE_COUNTS,
                "integrator": ["", None, "milstein"],
                "seed": [-1, 2.5, None],
            },
        ),
        "sgd_moments": (
            gt.sgd_moments,
            {"objectives": ["(x - 1)**2/2", "x**2"], "x0": ["1/2"], "h": "1/4", "steps": 2},
            {
                "objectives": [[], ["x**4", "x**2"], "x**2", [None, 2]],
                "x0": HOSTILE_POINTS,
                "h": HOSTILE_NUMBERS,
                "steps": HOSTILE_COUNTS,
                "batch": HOSTILE_COUNTS,
            },
        ),
        "sme_moments": (
            gt.sme_moments,
            {"sme": _SME, "x0": ["1/2"], "h": "1/4", "time": 1},
            {
                "sme": [None, "x"],
                "x0": HOSTILE_POINTS,
                "h": HOSTILE_NUMBERS,
                "time": HOSTILE_NUMBERS,
                "dps": HOSTILE_DPS,
            },
        ),
        "quadratic_expectation": (
            gt.quadratic_expectation,
            {
                "observable": "x**2",
                "mean": sp.Matrix([1]),
                "second": sp.Matrix([[2]]),
                "symbols": [sp.Symbol("x", real=True)],
            },
            {"observable": HOSTILE_EXPRESSIONS + ["x**3", "y"]},
        ),
        "weak_error_study": (
            gt.weak_error_study,
            {
                "objectives": ["(x - 1)**2/2", "(x + 1)**2/2"],
                "x0": ["1"],
                "observable": "x**2",
                "hs": ["1/2"],
                "paths": 10,
            },
            {
                "objectives": [[], ["x**2"], "x**2"],
                "x0": HOSTILE_POINTS,
                "observable": HOSTILE_EXPRESSIONS + ["y"],
                "hs": [[], ["1/3"], [0], ["nan"], None],
                "time": HOSTILE_NUMBERS,
                "paths": HOSTILE_COUNTS + [1],
                "batch": HOSTILE_COUNTS,
                "substeps": HOSTILE_COUNTS,
                "seed": [-1, None, "x"],
            },
        ),
        "weak_order": (
            gt.weak_order,
            {"hs": [0.5, 0.25], "errors": [1.0, 0.25], "stderrs": [0.01, 0.01]},
            {
                "hs": [[], [0.5], None, [float("nan"), 1], [-1, -2]],
                "errors": [[], [1.0], None, ["a", 1]],
                "stderrs": [[], None, [-1, -1], [float("nan"), 0]],
            },
        ),
        "method_batch": (
            gt.method_batch,
            {
                "method": gt.optimizers.HeavyBall("1/2"),
                "objective": F1,
                "x0s": [[0.5]],
                "hs": [0.1],
                "steps": 3,
            },
            {
                "method": ["adam", None, 3, "", gt.optimizers.SGD()],
                "objective": HOSTILE_EXPRESSIONS + [["x**2"]],
                "x0s": HOSTILE_POINTS,
                "hs": HOSTILE_NUMBERS,
                "steps": HOSTILE_COUNTS,
                "v0s": HOSTILE_POINTS + [[[1.0, 2.0]]],
                "bound": HOSTILE_NUMBERS,
                "seed": [-1, None, "x"],
            },
        ),
        "method_modified_equation": (
            gt.method_modified_equation,
            {"method": gt.optimizers.Nesterov("1/2"), "objective": "x**4/4", "order": 2},
            {
                "method": ["adam", None, 3, gt.optimizers.SGD(batch=2, sampling="cyclic")],
                "objective": HOSTILE_EXPRESSIONS + [["x**2", "x"]],
                "order": HOSTILE_COUNTS + [61],
            },
        ),
        "slow_manifold_equation": (
            gt.slow_manifold_equation,
            {"method": gt.optimizers.HeavyBall("9/10"), "objective": "x**4/4", "order": 2},
            {
                "method": ["heavy_ball", None, 3, gt.optimizers.GD(), _BadMethod()],
                "objective": HOSTILE_EXPRESSIONS + [["x**2", "x"]],
                "order": HOSTILE_COUNTS + [16],
                "manifold_order": HOSTILE_COUNTS + [2, 17],
            },
        ),
        "map_modified_equation": (
            gt.map_modified_equation,
            {"method": gt.optimizers.GD(), "objective": "x**4/4", "order": 2},
            {
                "method": ["gd", None, 3, gt.optimizers.HeavyBall("1/2"), _BadMethod()],
                "objective": HOSTILE_EXPRESSIONS + [["x**2", "x"]],
                "order": HOSTILE_COUNTS + [61],
            },
        ),
        "sharpness_estimate": (
            gt.sharpness_estimate,
            {"objective": F2, "x": [1.2, 0.7]},
            {
                "objective": [None, 3, "x**2", object()],
                "x": HOSTILE_POINTS,
                "tol": HOSTILE_NUMBERS,
            },
        ),
        "sgd_epoch_map": (
            gt.sgd_epoch_map,
            {"objectives": ["(x - 1)**2/2", "x**4/4"], "order": 2},
            {
                "objectives": [[], ["x**2"], "x**2", [None, 2], ["x**2"] * 9],
                "order": HOSTILE_COUNTS + [31, 0],
                "sampling": ["", None, "random", 3],
            },
        ),
        "butcher_tableau": (
            gt.butcher_tableau,
            {"tableau": [[0, 0], ["1/2", 0]], "b": [0, 1]},
            {
                "tableau": [[[0, 1], [0, 0]], [["nan"]], [[0]] * 20, "x", None, [[1, 2]]],
                "b": [[], ["1/0"], [1j, 0], None, [1, 2, 3]],
            },
        ),
        "runge_kutta_map": (
            gt.runge_kutta_map,
            {"tableau": "heun", "field": ["-x"], "symbols": ["x"]},
            {
                "tableau": ["rk5", None, 3],
                "field": [[], ["-x", "y"], None, ["__import__('os')"]],
                "symbols": [[], None, ["x", "y"]],
            },
        ),
        "Objective": (
            gt.Objective,
            {"expr": "x**2", "symbols": None},
            {
                "expr": HOSTILE_EXPRESSIONS + [None, 3, [1, 2]],
                "symbols": [["h"], ["x", "x"], 5, [1]],
                "params": [["h"], "mu", [1], ["x"], ["mu", "mu"], ["_a"], ["1mu"], 7],
            },
        ),
        "integrate_flow": (
            gt.integrate_flow,
            {"F": lambda x: (-x[0],), "x0": [1], "times": [0, "1/10"], "dps": 20},
            {
                "x0": HOSTILE_POINTS,
                "times": [[], ["a"], [1, 0], [float("nan")], None, 5],
                "dps": HOSTILE_DPS,
                "tol": HOSTILE_NUMBERS,
            },
        ),
        "modified_error_table": (
            gt.modified_error_table,
            {
                "objective": "x**2/2",
                "x0": [1],
                "hs": ["1/10"],
                "orders": [0, 1],
                "steps": 2,
                "dps": 20,
            },
            {
                "objective": HOSTILE_EXPRESSIONS,
                "x0": HOSTILE_POINTS,
                "hs": HOSTILE_POINTS,
                "orders": [[-1], [10**6], "ab", None, [1.5]],
                "steps": HOSTILE_COUNTS,
                "time": HOSTILE_NUMBERS,
            },
        ),
        "quadratic_modified_equation": (
            gt.quadratic_modified_equation,
            {"objective": "x**2/2 + x*y + y**2"},
            {"objective": HOSTILE_EXPRESSIONS + [None, 5]},
        ),
        "truncation_scan": (
            gt.truncation_scan,
            {
                "objective": "x**4/4 - x**2/2",
                "x0": ["1/2"],
                "hs": ["1/10"],
                "orders": (0, 1),
                "series_order": 4,
                "dps": 16,
                "tol": "1e-10",
            },
            {
                "objective": HOSTILE_EXPRESSIONS,
                "x0": HOSTILE_POINTS,
                "hs": HOSTILE_POINTS,
                "orders": [[-1], [10**6], "ab", None],
                "series_order": HOSTILE_COUNTS,
                "tol": HOSTILE_NUMBERS,
                "rise": HOSTILE_NUMBERS,
            },
        ),
        "arcsine_law": (
            gt.arcsine_law,
            {"low": -1.0, "high": 1.0},
            {"low": HOSTILE_NUMBERS, "high": HOSTILE_NUMBERS},
        ),
        "gibbs_density": (
            gt.gibbs_density,
            {"f0": _DW, "T": 0.5},
            {"f0": HOSTILE_EXPRESSIONS + [None, 3], "T": HOSTILE_NUMBERS, "support": HOSTILE_BOXES},
        ),
        "compare_density": (
            gt.compare_density,
            {"density": _DENSITY, "target": gt.gibbs_density(_DW, 0.5)},
            {"density": [None, 3, "d"], "target": [None, 3, "t"], "grid": HOSTILE_COUNTS},
        ),
        "compare_joint_density": (
            gt.compare_joint_density,
            {
                "density": _JOINT,
                "target": gt.gibbs_density_2d(F2, 0.5, [(-2, 2), (-2, 2)], points=51),
            },
            {"density": [None, 3, "d"], "target": [None, 3, "t"], "sub": HOSTILE_COUNTS},
        ),
        "modified_gibbs_potential": (
            gt.modified_gibbs_potential,
            {"f0": "x**2/2", "h": "1/10"},
            {"f0": HOSTILE_EXPRESSIONS, "h": HOSTILE_NUMBERS},
        ),
        "lyapunov_batch": (
            gt.lyapunov_batch,
            {
                "objective": F1,
                "x0s": [[0.3]],
                "hs": [1.0],
                "steps": 100,
                "transient": 10,
                "blocks": 4,
            },
            {
                "x0s": HOSTILE_POINTS,
                "hs": HOSTILE_NUMBERS,
                "steps": HOSTILE_COUNTS,
                "transient": HOSTILE_COUNTS,
                "blocks": HOSTILE_COUNTS,
            },
        ),
        "orbit_from_point": (
            gt.orbit_from_point,
            {"objective": _DW, "point": [1], "h": "1/10", "period": 1, "dps": 20},
            {
                "point": HOSTILE_POINTS,
                "h": HOSTILE_NUMBERS,
                "period": HOSTILE_COUNTS,
                "dps": HOSTILE_DPS,
            },
        ),
        "detect_periods": (
            gt.detect_periods,
            {"tail": np.zeros((8, 1, 1)), "max_period": 2},
            {
                "tail": HOSTILE_POINTS + [np.zeros((0, 1, 1))],
                "max_period": HOSTILE_COUNTS,
                "tol": HOSTILE_NUMBERS,
            },
        ),
        "synthetic_regression": (
            gt.synthetic_regression,
            {"n": 4, "d": 2},
            {"n": HOSTILE_COUNTS, "d": HOSTILE_COUNTS, "seed": HOSTILE_COUNTS},
        ),
        "ObjectiveModel": (
            gt.ObjectiveModel,
            {"objective": F2},
            {"objective": HOSTILE_EXPRESSIONS + [None]},
        ),
        "FactorizationModel": (
            gt.FactorizationModel,
            {"A": np.array([[2.0]]), "d": 1},
            {"A": HOSTILE_POINTS + [[[1j]]], "d": HOSTILE_COUNTS},
        ),
        "TwoLayerTanh": (
            gt.TwoLayerTanh,
            {"X": np.ones((4, 2)), "y": np.ones(4), "width": 3},
            {"X": HOSTILE_POINTS, "y": HOSTILE_POINTS, "width": HOSTILE_COUNTS},
        ),
    }
)

# ------------------------------------------- methods of result objects and issue 30
import math as _math  # noqa: E402

from gdtheory.models.digits import digits_mlp  # noqa: E402

_OBJ_P = gt.Objective.parse("mu*x**2 + x**4/4", params=["mu"])
_ME = gt.modified_equation("x**4/4 - x**2/2", 3)
_GME = gt.generic_modified_equation("gd", 3)
_QME = gt.quadratic_modified_equation("x**2/2 + x*y + y**2")
_SD = gt.series_diagnostics("x**4/4 - x**2/2 + logcosh(x)", ["1/2"], order=12, dps=30)
_BT = gt.run("gd", F2, [[0.5, 1.5], [3.0, 3.0]], hs=0.5, steps=20)
_BM = gt.basins(F2, [(-2, 2), (-2, 2)], h=1.1, resolution=8, transient=5, backend="numpy")
_CW = gt.convergence_window([[2.0, 0.6]], cs=[1.0, 3.0], steps=200, backend="numpy")
_MS = gt.balancing("(1 - x*y)**2/2")
_BL = gt.balance_law(_MS)
_CQ = gt.conserved_quadratics("(1 - x*y)**2/2")
_TANH = gt.TwoLayerTanh(np.ones((4, 2)), np.ones(4), width=3)
_FACT = gt.FactorizationModel(np.array([[2.0]]), 1)
_OMODEL = gt.ObjectiveModel(F2)
_ORBIT = certify_periodic_orbit(
    F2, [[_math.sqrt(1 + 2 / 1.9)] * 2, [-_math.sqrt(1 + 2 / 1.9)] * 2], h="19/10", radius=1e-6
)
_PAYLOAD = "__import__('os').system('touch /tmp/gdtheory-fuzz-hacked')"
HOSTILE_TEXT = HOSTILE_EXPRESSIONS + [_PAYLOAD, "sqrt(2)/2", "x", "h", "I", "1e99999999"]
HOSTILE_W = HOSTILE_POINTS + [[float("nan")] * 2, [1j, 1j], ["x", "y"]]
ENTRY.update(
    {
        "Objective.bind": (_OBJ_P.bind, {"mu": 1}, {"mu": HOSTILE_NUMBERS + HOSTILE_TEXT}),
        "optimizers.Adam": (
            gt.optimizers.Adam,
            {"beta1": "9/10", "beta2": "999/1000", "eps": "1e-8", "eps_root": 0},
            {
                "beta1": HOSTILE_NUMBERS + HOSTILE_TEXT,
                "eps": HOSTILE_NUMBERS + HOSTILE_TEXT,
                "eps_root": HOSTILE_NUMBERS + HOSTILE_TEXT,
                "bias_correction": [None, "yes", 1, float("nan")],
            },
        ),
        "optimizers.FrozenPreconditioner": (
            gt.optimizers.FrozenPreconditioner,
            {"beta1": "9/10", "inverse": (1.0, 2.0)},
            {
                "beta1": HOSTILE_NUMBERS + HOSTILE_TEXT,
                "inverse": HOSTILE_POINTS + [(), (0.0,), (-1.0,), (float("nan"),), "ab"],
                "weight_decay": HOSTILE_NUMBERS,
            },
        ),
        "RegimeMap.trust": (
            gt.regime_map(F1, [0.1], hs=["1/10"], time="1/5", models=("gradient",)).trust,
            {"tol": 0.1},
            {"tol": HOSTILE_NUMBERS + HOSTILE_TEXT},
        ),
        "SharpnessTrace.mean_ratio": (
            gt.track_sharpness(F2, [2.0, 0.5], h=0.1, steps=4).mean_ratio,
            {"since": 2},
            {"since": HOSTILE_COUNTS},
        ),
        "Objective.point_mp": (_OBJ_P.point_mp, {"x": [1]}, {"x": HOSTILE_POINTS}),
        "Objective.batch_np": (_OBJ_P.batch_np, {"X": [[1.0]]}, {"X": HOSTILE_POINTS}),
        "ModifiedEquation.bind": (
            gt.modified_equation(_OBJ_P, 2).bind,
            {"mu": 1},
            {"mu": HOSTILE_NUMBERS + HOSTILE_TEXT},
        ),
        "ModifiedEquation.field": (_ME.field, {"order": 2}, {"order": HOSTILE_COUNTS}),
        "ModifiedEquation.potential": (_ME.potential, {"order": 2}, {"order": HOSTILE_COUNTS}),
        "ModifiedEquation.latex": (
            _ME.latex,
            {},
            {"potential": [None, "x", 3], "subexpressions": [_PAYLOAD, 3, ["x"], {"s": _PAYLOAD}]},
        ),
        "ModifiedEquation.python": (
            _ME.python,
            {},
            {
                "name": [_PAYLOAD, "1abc", "", None, "def", 3],
                "backend": ["cuda", None, 3, _PAYLOAD],
                "order": HOSTILE_COUNTS,
                "subexpressions": [_PAYLOAD, 3, {"s": _PAYLOAD}],
            },
        ),
        "ModifiedEquation.lambdify": (
            _ME.lambdify,
            {},
            {"backend": ["cuda", None, 3, _PAYLOAD], "order": HOSTILE_COUNTS},
        ),
        "ModifiedEquation.point_mp": (_ME.point_mp, {"x": [1]}, {"x": HOSTILE_POINTS}),
        "GenericModifiedEquation.obstruction": (
            _GME.obstruction,
            {"k": 2},
            {"k": HOSTILE_COUNTS},
        ),
        "GenericModifiedEquation.potential": (_GME.potential, {"k": 2}, {"k": HOSTILE_COUNTS}),
        "GenericModifiedEquation.potential_1d": (
            _GME.potential_1d,
            {"k": 1},
            {"k": HOSTILE_COUNTS},
        ),
        "GenericModifiedEquation.instantiate": (
            _GME.instantiate,
            {"target": "x**2/2"},
            {"target": HOSTILE_EXPRESSIONS + [_PAYLOAD, [_PAYLOAD]], "symbols": [[_PAYLOAD], 3]},
        ),
        "QuadraticModifiedEquation.coefficient": (
            _QME.coefficient,
            {"k": 1},
            {"k": HOSTILE_COUNTS + ["x", _PAYLOAD]},
        ),
        "QuadraticModifiedEquation.series_coefficient": (
            _QME.series_coefficient,
            {"k": 1},
            {"k": HOSTILE_COUNTS + ["x", _PAYLOAD]},
        ),
        "QuadraticModifiedEquation.series_coefficients": (
            _QME.series_coefficients,
            {"ks": [0, 1]},
            {"ks": [[k] for k in HOSTILE_COUNTS] + [["x"], [_PAYLOAD], 3, None]},
        ),
        "SeriesDiagnostics.optimal_truncation": (
            _SD.optimal_truncation,
            {"h": 0.1},
            {"h": HOSTILE_NUMBERS + [_PAYLOAD]},
        ),
        "Run.count": (_BT.count, {"status": "converged"}, {"status": HOSTILE_TEXT}),
        "BasinMap.fraction": (_BM.fraction, {"kind": "fixed_point"}, {"kind": HOSTILE_TEXT}),
        "ConvergenceWindow.fraction": (_CW.fraction, {}, {"kind": HOSTILE_TEXT}),
        "ConvergenceWindow.inside_bound": (_CW.inside_bound, {}, {"slack": HOSTILE_NUMBERS}),
        "ConvergenceWindow.mean_over_converged": (
            _CW.mean_over_converged,
            {"values": np.zeros((2, 1))},
            {"values": HOSTILE_POINTS},
        ),
        "MinimiserSpectrum.stability": (
            _MS.stability,
            {"h": "1/2"},
            {"h": HOSTILE_NUMBERS + HOSTILE_TEXT},
        ),
        "BalanceLaw.residual": (
            _BL.residual,
            {"lam": 3, "q": [1]},
            {"lam": HOSTILE_NUMBERS + HOSTILE_TEXT, "q": HOSTILE_POINTS + [[_PAYLOAD]]},
        ),
        "ConservedQuadratics.tangents": (
            _CQ.tangents,
            {"point": [1, 1]},
            {"point": HOSTILE_W + [[_PAYLOAD, 1]]},
        ),
        "OrbitCertificate.contains_multiplier": (
            _ORBIT.contains_multiplier,
            {"value": "-1"},
            {"value": HOSTILE_NUMBERS + HOSTILE_TEXT},
        ),
        "TwoLayerTanh.init": (
            _TANH.init,
            {},
            {"seed": HOSTILE_COUNTS + [-1], "scale": HOSTILE_NUMBERS},
        ),
        "TwoLayerTanh.loss": (_TANH.loss, {"w": np.zeros(_TANH.dim)}, {"w": HOSTILE_W}),
        "TwoLayerTanh.grad": (_TANH.grad, {"w": np.zeros(_TANH.dim)}, {"w": HOSTILE_W}),
        "TwoLayerTanh.hvp": (
            _TANH.hvp,
            {"w": np.zeros(_TANH.dim), "v": np.ones(_TANH.dim)},
            {"w": HOSTILE_W, "v": HOSTILE_W},
        ),
        "FactorizationModel.loss": (_FACT.loss, {"w": [1.0, 1.0]}, {"w": HOSTILE_W}),
        "FactorizationModel.grad": (_FACT.grad, {"w": [1.0, 1.0]}, {"w": HOSTILE_W}),
        "FactorizationModel.grad_batch": (
            _FACT.grad_batch,
            {"W": [[1.0, 1.0]]},
            {"W": HOSTILE_W + [[[1.0, 2.0, 3.0]], [[1.0, 1.0], [1.0]]]},
        ),
        "FactorizationModel.hvp": (
            _FACT.hvp,
            {"w": [1.0, 1.0], "v": [1.0, 0.0]},
            {"w": HOSTILE_W, "v": HOSTILE_W},
        ),
        "FactorizationModel.split": (_FACT.split, {"w": [1.0, 1.0]}, {"w": HOSTILE_W}),
        "ObjectiveModel.loss": (_OMODEL.loss, {"w": [1.0, 1.0]}, {"w": HOSTILE_W}),
        "ObjectiveModel.grad": (_OMODEL.grad, {"w": [1.0, 1.0]}, {"w": HOSTILE_W}),
        "ObjectiveModel.hvp": (
            _OMODEL.hvp,
            {"w": [1.0, 1.0], "v": [1.0, 0.0]},
            {"w": HOSTILE_W, "v": HOSTILE_W},
        ),
        "ObjectiveModel.d3": (
            _OMODEL.d3,
            {"w": [1.0, 1.0], "u": [1.0, 0.0], "v": [1.0, 0.0]},
            {"w": HOSTILE_W, "u": HOSTILE_W, "v": HOSTILE_W},
        ),
        "digits_mlp": (
            digits_mlp,
            {"n": 20, "widths": (4,)},
            {
                "pool": [2.0, True, 3, "2", None],
                "widths": [5, "16", (0,), (16, -1), (60000, 60000), (22000, 22000), []],
                "seed": HOSTILE_COUNTS + [-1],
                "data_seed": HOSTILE_COUNTS + [-1],
                "output_scale": HOSTILE_NUMBERS,
                "n": HOSTILE_COUNTS + [0, 5000],
                "loss": ["hinge", None, 3],
                "activation": ["relu", None],
            },
        ),
        "deep_scalar_bound(dps)": (
            gt.deep_scalar_bound,
            {"N": 3, "h": "1/3"},
            {"dps": HOSTILE_DPS + [10**6], "h": ["2e-15", "1e-12", "1e-16", "2/3", "0.7"]},
        ),
        "momentum_modified_equation(beta)": (
            gt.momentum_modified_equation,
            {"objective": "x**4/4", "order": 1, "beta": "1/2"},
            {"beta": [sp.sqrt(2) / 2, "sqrt(2)/2", _PAYLOAD, sp.pi / 4, "1/pi"]},
        ),
        "Preconditioned": (
            gt.optimizers.Preconditioned,
            {"P": [[2, 0], [0, 1]]},
            {"P": [_PAYLOAD, [[_PAYLOAD]], "2, 0; 0, 1", [[1, 2], [3]], [[0]], [[-1]], None, []]},
        ),
        "HeavyBall": (
            gt.optimizers.HeavyBall,
            {"beta": "1/2"},
            {"beta": HOSTILE_NUMBERS + [_PAYLOAD, "b", 1, 0]},
        ),
    }
)


_SM = gt.slow_manifold_equation(gt.optimizers.RMSProp(beta2="1/2", eps="1/10"), "x**4/4 - x", 1)
ENTRY.update(
    {
        "edge_threshold": (
            gt.edge_threshold,
            {"method": gt.optimizers.Adam(beta1="9/10", beta2="999/1000", eps="1e-8"), "h": 0.01},
            {"method": ["adam", None, 3, "", _BadMethod()], "h": HOSTILE_NUMBERS},
        ),
        "manifold_state": (
            gt.manifold_state,
            {"method": gt.optimizers.HeavyBall("1/2"), "objective": "x**4/4", "x": [1], "h": 0.1},
            {
                "method": ["heavy_ball", None, 3, gt.optimizers.GD(), _BadMethod()],
                "objective": HOSTILE_EXPRESSIONS,
                "x": HOSTILE_POINTS,
                "h": HOSTILE_NUMBERS,
                "order": HOSTILE_COUNTS + [16],
            },
        ),
        "manifold_errors": (
            gt.manifold_errors,
            {
                "method": gt.optimizers.HeavyBall("1/2"),
                "objective": "x**2/2",
                "x0": ["1/2"],
                "hs": ["1/10", "1/20"],
                "orders": (0,),
            },
            {
                "method": ["heavy_ball", None, 3, gt.optimizers.GD(), _BadMethod()],
                "objective": HOSTILE_EXPRESSIONS,
                "x0": HOSTILE_POINTS,
                "hs": [HOSTILE_NUMBERS, [], None, ["1/3", "x"]],
                "orders": [[], [-1], [99], "a", None],
                "time": HOSTILE_NUMBERS + ["1/7"],
                "dps": HOSTILE_COUNTS,
                "start": [None, "", "Zero", 0, ["zero"]],
            },
        ),
        "SlowManifoldEquation.state_at": (
            _SM.state_at,
            {"x": [2], "h": 0.1},
            {"x": HOSTILE_POINTS + [[1]], "h": HOSTILE_NUMBERS},
        ),
        "SlowManifoldEquation.signs_at": (
            _SM.signs_at,
            {"x": [2]},
            {"x": HOSTILE_POINTS + [[1]]},
        ),
        "SlowManifoldEquation.signed": (
            _SM.signed,
            {"expr": _SM.equation.fields[0][0]},
            {"expr": [None, 3, "x", object(), _PAYLOAD]},
        ),
    }
)
ENTRY["modifying_integrator"] = (
    gt.modifying_integrator,
    {"tableau": "gd", "field": "x**2/2", "order": 1},
    {
        "tableau": ["rk9", None, 3, ([[1]], []), ""],
        "field": HOSTILE_EXPRESSIONS,
        "order": HOSTILE_COUNTS + [99],
        "symbols": [3, "", ["h"], None],
    },
)
ENTRY["modified_hamiltonian"] = (
    gt.modified_hamiltonian,
    {"integrator": "stormer_verlet", "kinetic": "p**2/2", "potential": "q**2/2", "order": 2},
    {
        "integrator": ["leapfrog", None, 3, "", _BadMethod()],
        "kinetic": HOSTILE_EXPRESSIONS,
        "potential": HOSTILE_EXPRESSIONS,
        "order": HOSTILE_COUNTS + [99],
        "q": [3, "", ["q", "p"], None],
        "p": [3, "", ["p", "q"], None],
    },
)
ENTRY["partitioned_map"] = (
    gt.partitioned_map,
    {"integrator": "symplectic_euler", "kinetic": "p**2/2", "potential": "q**2/2"},
    {
        "integrator": ["leapfrog", None, 3, "", _BadMethod()],
        "kinetic": HOSTILE_EXPRESSIONS,
        "potential": HOSTILE_EXPRESSIONS,
        "q": [3, "", ["q", "p"], None],
    },
)
ENTRY["sharpness_sweep"] = (
    gt.sharpness_sweep,
    {"objective": F2, "x0": [2.0, 0.5], "hs": [0.1, 0.2], "steps": 3},
    {
        "hs": [[], ["a"], None, 5, [-1], [float("nan")]],
        "steps": HOSTILE_COUNTS,
        "executor": [3, "pool", object()],
        "x0": HOSTILE_POINTS,
    },
)
_CF = gt.central_flow("(1 - x*y)**2/2", [3.0, 0.1], [0.5], h=0.22)
ENTRY["CentralFlow.time_average"] = (
    _CF.time_average,
    {"fn": lambda w: float(w[0] * w[1])},
    {"fn": [None, 3, "x", object(), lambda w: "text"], "step": [0, -1, 2.0, float("nan"), "1"]},
)
ENTRY["partitioned_tableau"] = (
    gt.partitioned_tableau,
    {"tableau": "heavy_ball"},
    {
        "tableau": ["leapfrog", None, 3, "", ([[1]], []), _BadMethod()],
        "second": [3, "", ([[0, 0]], [1]), None],
    },
)
ENTRY["pseries_modified_equation"] = (
    gt.pseries_modified_equation,
    {"tableau": "stormer_verlet", "order": 2},
    {"tableau": ["leapfrog", None, 3, "", _BadMethod()], "order": HOSTILE_COUNTS + [99]},
)
ENTRY["PartitionedTableau.weight"] = (
    gt.partitioned_tableau("stormer_verlet").weight,
    {"t": (0, ((1, ()),))},
    {"t": [None, 3, (), (2, ()), (0, (5,)), (True, ()), "t", (0, [(1, ())])]},
)
_PS = gt.pseries_modified_equation("symplectic_euler", 1)
ENTRY["PSeriesModifiedEquation.fields"] = (
    _PS.fields,
    {"field": ["p", "-q"], "symbols": ["q", "p"]},
    {
        "field": [HOSTILE_EXPRESSIONS[0], None, 3, ["p"], ["p", "-q", "q"]],
        "symbols": [3, "", ["h"], None, ["q", "p", "r"]],
    },
)
ENTRY["momentum_bseries"] = (
    gt.momentum_bseries,
    {"method": gt.optimizers.HeavyBall("9/10"), "order": 1},
    {
        "method": ["heavy_ball", None, 3, gt.optimizers.GD(), _BadMethod()],
        "order": HOSTILE_COUNTS + [99],
    },
)
_MB = gt.momentum_bseries(gt.optimizers.Nesterov("1/2"), 1)
ENTRY["MomentumBSeries.fields"] = (
    _MB.fields,
    {"objective": "x**2/2"},
    {"objective": HOSTILE_EXPRESSIONS},
)
_TR = gt.transient_modified_equation(gt.optimizers.Adam("1/2", "3/4", "1/10"), "x**2/2")
ENTRY.update(
    {
        "transient_modified_equation": (
            gt.transient_modified_equation,
            {"method": gt.optimizers.Adam("1/2", "3/4", "1/10"), "objective": "x**2/2"},
            {
                "method": ["adam", None, 3, gt.optimizers.GD(), _BadMethod()],
                "objective": HOSTILE_EXPRESSIONS,
            },
        ),
        "transient_errors": (
            gt.transient_errors,
            {
                "method": gt.optimizers.Adam("1/2", "3/4", "1/10"),
                "objective": "x**2/2",
                "x0": ["1/2"],
                "hs": ["1/10", "1/20"],
                "steps": 2,
            },
            {
                "method": ["adam", None, 3, gt.optimizers.GD(), _BadMethod()],
                "objective": HOSTILE_EXPRESSIONS,
                "x0": HOSTILE_POINTS,
                "hs": [HOSTILE_NUMBERS, [], None, ["1/3", "x"]],
                "steps": HOSTILE_COUNTS,
                "dps": HOSTILE_COUNTS,
            },
        ),
        "TransientEquation.at": (_TR.at, {"step": 1}, {"step": HOSTILE_COUNTS + [10**6]}),
        "TransientEquation.field": (
            _TR.field,
            {"h": "1/10", "step": 1},
            {"h": [None, "x", object(), _PAYLOAD], "step": HOSTILE_COUNTS},
        ),
    }
)
_EPOCH = gt.sgd_modified_equation(["(x - 1)**2/2", "(x + 1)**2/2"], 2)
for _name in ("field", "potential", "latex", "python", "lambdify", "point_mp"):
    _fn, _good, _bad = ENTRY[f"ModifiedEquation.{_name}"]
    ENTRY[f"EpochModifiedEquation.{_name}"] = (getattr(_EPOCH, _name), _good, _bad)
ENTRY["EpochModifiedEquation.bind"] = (
    gt.sgd_modified_equation(
        [gt.Objective.parse("a*(x - 1)**2/2", params=["a"]), "(x + 1)**2/2"], 1
    ).bind,
    {"a": 2},
    {"a": [None, "x", object(), _PAYLOAD, float("nan")]},
)
ENTRY["MomentumModifiedEquation.state_at"] = ENTRY["SlowManifoldEquation.state_at"]
ENTRY["MomentumModifiedEquation.signs_at"] = ENTRY["SlowManifoldEquation.signs_at"]
ENTRY["MomentumModifiedEquation.signed"] = ENTRY["SlowManifoldEquation.signed"]

#: The fuzz table reads the registry: every registered method's constructor is an entry,
#: from its example hyperparameters (a method the table does not list yet gets one here).
ENTRY.update(
    {
        cls.__name__: (
            cls,
            dict(cls.example),
            {f.name: HOSTILE_NUMBERS + [_PAYLOAD, "b", None] for f in _dc.fields(cls)},
        )
        for cls in gt.optimizers.REGISTRY.values()
        if cls.__name__ not in ENTRY and _dc.fields(cls)
    }
)


def test_every_registered_method_is_fuzzed() -> None:
    fielded = [c.__name__ for c in gt.optimizers.REGISTRY.values() if _dc.fields(c)]
    assert fielded and all(name in ENTRY for name in fielded)


#: Public names that are results or vocabularies: built by gdtheory, not from user input
#: (their fields are what a computation returned), so they are not fuzzed as entry points.
RESULT_TYPES = {
    "FlowSolution",
    "PartitionedTableau",
    "PSeriesModifiedEquation",
    "MomentumBSeries",
    "RegimeMap",
    "CentralFlow",
    "ModelFlow",
    "MomentumModifiedEquation",
    "SlowManifoldEquation",
    "GenericModifiedEquation",
    "GenericTerm",
    "ButcherTableau",
    "Run",
    "Status",
    "Outcome",
    "AttractorKind",
    "LimitKind",
    "Trajectory",
    "ModifiedEquation",
    "ModifiedErrorTable",
    "QuadraticModifiedEquation",
    "SeriesDiagnostics",
    "TruncationScan",
    "Regime",
    "RegimeClassification",
    "SmoothnessConstant",
    "SmoothnessScope",
    "Verdict",
    "Density",
    "DensityComparison",
    "InvariantDensity",
    "Density2D",
    "JointComparison",
    "JointDensity",
    "LyapunovBatch",
    "LyapunovResult",
    "LyapunovStatus",
    "OrbitContinuum",
    "OrbitSearch",
    "PeriodicOrbit",
    "Attractor",
    "BasinMap",
    "OrbitDiagram",
    "BalanceBound",
    "ConvergenceWindow",
    "MinimiserSpectrum",
    "BalanceLaw",
    "DeepScalarBound",
    "OneQuantityBound",
    "ConservedQuadratics",
    "SharpnessTrace",
    "StochasticModifiedEquation",
    "SharpnessEstimate",
    "WeakErrorStudy",
    "WeakOrder",
    "ManifoldErrors",
    "TransientEquation",
    "TransientErrors",
    "EpochModifiedEquation",
    "ModifyingIntegrator",
    "ModifiedHamiltonian",
}


#: Public methods that take no user values: plots (matplotlib axes) and the objective's
#: compiled fast paths (documented as unvalidated: the engines call them per step).
NOT_USER_INPUT = {
    "BasinMap.plot",
    "OrbitDiagram.plot",
    "SharpnessTrace.plot",
    "RegimeMap.plot",
    "RegimeMap.table",  # no arguments
    "MomentumModifiedEquation.latex",  # ModifiedEquation.latex, fuzzed
    "SlowManifoldEquation.latex",
    "Objective.f_mp",
    "Objective.grad_mp",
    "Objective.hess_mp",
    "Objective.f_np",
    "Objective.grad_np",
    "Objective.hess_np",
    "Objective.grad_coords",
    "Objective.hess_coords",
}


def test_every_public_method_that_takes_user_input_is_fuzzed():
    """The methods of public classes (result objects included) with parameters are entry
    points too: each has an ENTRY "Class.method", or is listed in NOT_USER_INPUT."""
    import inspect

    missing = []
    for name in gt.__all__:
        obj = getattr(gt, name)
        if not inspect.isclass(obj) or issubclass(obj, BaseException):
            continue
        for meth, fn in inspect.getmembers(obj, predicate=inspect.isfunction):
            if meth.startswith("_"):
                continue
            params = [p for p in inspect.signature(fn).parameters if p != "self"]
            key = f"{name}.{meth}"
            if params and key not in ENTRY and key not in NOT_USER_INPUT:
                missing.append(key)
    assert not missing, f"public methods with no fuzz entry: {missing}"


def test_every_public_callable_is_fuzzed():
    """Every function and user-constructed class in gdtheory.__all__ has an ENTRY (the
    exceptions and result types are listed, not silently skipped)."""
    import inspect

    missing = []
    for name in gt.__all__:
        obj = getattr(gt, name)
        if not callable(obj) or (inspect.isclass(obj) and issubclass(obj, BaseException)):
            continue
        if name not in ENTRY and name not in RESULT_TYPES:
            missing.append(name)
    assert not missing, f"public callables with no fuzz entry: {missing}"


SEEN: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()


def _hostile(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


@given(data=st.data())
@settings(
    max_examples=2600,
    deadline=30_000,  # a hang detector: valid-but-heavy inputs (exp(exp(...))) may take ~15 s
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
def test_every_entry_point_fails_cleanly_on_hostile_input(data):
    name = data.draw(st.sampled_from(sorted(ENTRY)), label="entry point")
    fn, valid, hostile = ENTRY[name]
    arg = data.draw(st.sampled_from(sorted(hostile)), label="argument")
    bad = _hostile(data.draw(st.sampled_from(hostile[arg]), label="value"))
    kwargs = {**valid, arg: bad}
    SEEN[name] += 1
    try:
        fn(**kwargs)
    except GDTheoryError as exc:
        msg = str(exc)
        assert msg and "Traceback" not in msg, (name, arg, bad)
        OUTCOMES["documented error"] += 1
    except AssertionError:
        if name not in ("assert_gd_step", "assert_step"):  # an oracle may fail its assertion
            raise
        OUTCOMES["oracle assertion"] += 1
    else:
        OUTCOMES["result"] += 1


CLI_TOKENS = [
    "verify",
    "modified",
    "recheck",
    "--quick",
    "--only",
    "T1,T99",
    "T2",
    "--report",
    "/nonexistent/dir/x",
    "--jobs",
    "0",
    "-3",
    "abc",
    "--seed",
    "1e9",
    "--readme",
    "nofile.md",
    "--order",
    "-1",
    "100000",
    "x**2",
    "Abs(x)",
    "__import__('os')",
    "",
    "--latex",
    "--python",
    "--symbols",
    "x,y,x",
    "--version",
    "--help",
    "-h",
    "\x00",
    "x" * 300,
    "--bogus",
    "[",
    "1/0",
    "sign(x)",
    "--optimizer",
    "heavy_ball",
    "sgd",
    "--set",
    "beta=__import__('os')",
    "P=1;",
    "batch=-2",
    "--sgd",
]


@given(argv=st.lists(st.sampled_from(CLI_TOKENS), min_size=0, max_size=6))
@settings(max_examples=300, deadline=20_000, database=None)
def test_the_cli_never_shows_a_traceback(argv):
    if "verify" in argv and "--only" not in argv:
        # keep verify runs to the argument checks (an unknown claim), never a full report:
        # '--report nofile.md' once ran the whole theorem report inside this test
        argv = [*argv, "--only", "T99"]
    out, err = io.StringIO(), io.StringIO()
    SEEN["cli"] += 1
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: usage errors (2), --help/--version (0)
            code = exc.code if isinstance(exc.code, int) else 2
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in err.getvalue() + out.getvalue(), (argv, err.getvalue())
    OUTCOMES[f"cli exit {code}"] += 1


def test_fuzz_case_count_is_reported(capsys):
    """Runs after the two fuzz tests (file order): at least 2000 cases, all clean; the
    counts are printed in the test log even without -s."""
    total = sum(SEEN.values())
    if total == 0:
        pytest.skip("the fuzz tests did not run in this session (e.g. -k selection)")
    with capsys.disabled():
        print(
            f"\nfuzz: {total} hostile cases over {len(SEEN)} entry points; outcomes "
            f"{dict(OUTCOMES)}; per entry point {dict(SEEN)}"
        )
    assert total >= 2000


def test_costly_requests_are_refused_with_the_estimate():
    from gdtheory.core import budget

    with pytest.raises(budget.CostError, match=r"would take at least about .* refused above"):
        gt.gd(F2, [0.5, 1.5], h="1/2", steps=10**12)
    with pytest.raises(budget.CostError, match="GiB"):
        gt.iterate_map(F2, [[0.5, 1.5]], hs=0.5, steps=10**10, keep=10**10, backend="numpy")
    with (
        budget.allow(0.5),
        pytest.raises(budget.CostError, match=r"modified equation .*to order 40"),
    ):
        gt.modified_equation("x**2*y**2*z**2 + x*y*z + logcosh(x + y)", 40)
    with budget.allow(10**9):  # the limit is a knob, not a wall
        budget.check_cost("GD", 10**12, budget.RATE_MP_STEPS, "steps")
    assert budget.human(30) == "30 s" and budget.human(3 * 86400) == "3 days"


# ---------------------------------------------- symbolic parameters in numerical APIs
def _with_parameter(obj: gt.Objective) -> gt.Objective:
    mu = sp.Symbol("mu", real=True)
    return gt.Objective(obj.expr + mu * obj.symbols[0] ** 2, obj.symbols, params=[mu])


#: Entry points whose answer is a formula (parameters kept symbolic, not refused).
FORMULA_APIS = {"modified_equation", "modified_potential", "quadratic_modified_equation"}


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n, (_, defaults, _) in ENTRY.items()
        if isinstance(defaults.get("objective"), gt.Objective) and n not in FORMULA_APIS
    ),
)
def test_every_numerical_entry_refuses_unbound_parameters(name: str) -> None:
    """Every public numerical function given an objective with a parameter raises
    UnboundParameterError naming it (never a number, never a deep SymPy error)."""
    fn, defaults, _ = ENTRY[name]
    args = dict(defaults)
    args["objective"] = _with_parameter(args["objective"])
    with pytest.raises(UnboundParameterError, match="mu") as info:
        fn(**args)
    assert info.value.params == ("mu",)


def test_the_sweep_covers_both_test_objectives() -> None:
    used = {id(d.get("objective")) for _, d, _ in ENTRY.values()}
    assert id(F1) in used and id(F2) in used
