"""One API convention (CONTRIBUTING.md, "API conventions"), checked over gdtheory.__all__.

* the optimiser comes first when a function takes one (``method``), then the objective
  (``objective``, ``objectives`` for SGD's f_i, ``target`` where a map or a model is also
  accepted), then the points (``x0``, ``x0s``, ``x``);
* learning rates are keyword-only, ``h`` for one and ``hs`` for a grid;
* ``times`` is a grid of output times, ``time`` one end time; ``T`` is only a temperature;
* precision is ``dps`` (decimal digits), never ``prec``;
* ``method`` is an optimiser (a Method or a registered name), a Runge-Kutta scheme is a
  ``tableau``, an SDE scheme an ``integrator``, SGD's order of the f_i its ``sampling``;
* public names spell "factorization" (the other spelling is an alias outside __all__).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import gdtheory as gt

FUNCTIONS = {name: obj for name in gt.__all__ if inspect.isfunction(obj := getattr(gt, name))}

OBJECTIVE_NAMES = {"objective", "objectives", "target"}
POINT_NAMES = {"x0", "x0s", "x", "point", "box"}
#: T as a temperature (the Gibbs densities), not a time.
TEMPERATURE = {"gibbs_density", "gibbs_density_2d"}
#: Comparisons of a density with its target distribution (``target`` is a density there).
COMPARISONS = {"compare_density", "compare_joint_density"}
#: Functions whose optimiser is optional and named, keyword-only (the heavy-ball/Nesterov
#: shorthand; track_sharpness and central_flow, GD by default).
METHOD_BY_KEYWORD = {"momentum_modified_equation", "track_sharpness", "central_flow"}


def params(fn):
    return list(inspect.signature(fn).parameters.values())


def test_there_is_something_to_check() -> None:
    assert len(FUNCTIONS) > 60


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_the_order_and_kinds_of_parameters(name: str) -> None:
    ps = params(FUNCTIONS[name])
    names = [p.name for p in ps]
    positional = [p.name for p in ps if p.kind is not p.KEYWORD_ONLY]
    # learning rates keyword-only
    for p in ps:
        if p.name in ("h", "hs"):
            assert p.kind is p.KEYWORD_ONLY, f"{name}: {p.name} must be keyword-only"
    # the optimiser first
    if "method" in names:
        if name in METHOD_BY_KEYWORD:
            assert ps[names.index("method")].kind is inspect.Parameter.KEYWORD_ONLY
        else:
            assert positional[0] == "method", f"{name}: method must come first"
    # then the objective, then the points
    lead = [n for n in positional if n != "method"]
    objective_at = [i for i, n in enumerate(lead) if n in OBJECTIVE_NAMES]
    if objective_at and name not in COMPARISONS:
        assert objective_at == [0], f"{name}: the objective comes first ({lead})"
        points = [i for i, n in enumerate(lead) if n in POINT_NAMES]
        assert not points or points[0] == 1, f"{name}: the points follow the objective ({lead})"
    # one name per idea
    assert "prec" not in names, f"{name}: precision is dps"
    assert "scheme" not in names, f"{name}: sampling (SGD) or integrator (SDE)"
    assert not {"t_end", "horizon", "duration", "end_time"} & set(names)
    if "T" in names:
        assert name in TEMPERATURE, f"{name}: an end time is `time`, output times `times`"


def test_method_means_an_optimiser() -> None:
    """Every function with a ``method`` parameter accepts a Method (a user's subclass
    too), and a Runge-Kutta name there is refused as an unknown optimiser."""
    with_method = sorted(
        n for n, fn in FUNCTIONS.items() if "method" in inspect.signature(fn).parameters
    )
    assert {"run", "trajectory", "method_modified_equation", "slow_manifold_equation"} <= set(
        with_method
    )
    for n in with_method:
        if n in METHOD_BY_KEYWORD:
            continue
        ann = str(inspect.signature(FUNCTIONS[n]).parameters["method"].annotation)
        assert "Method" in ann, f"{n}: method is annotated {ann}"
    with pytest.raises(gt.InvalidInputError, match="rk4"):
        gt.method_modified_equation("rk4", "x**2/2", 1)
    for n in ("generic_modified_equation", "runge_kutta_map", "butcher_tableau"):
        assert params(FUNCTIONS[n])[0].name == "tableau"


def test_factorization_is_spelled_one_way() -> None:
    assert not [n for n in gt.__all__ if "factorisation" in n.lower()]
    assert gt.leaky_factorisation is gt.leaky_factorization  # the alias


def test_stable_return_types() -> None:
    f = gt.objectives.scalar_factorization()
    assert isinstance(gt.sharpness(f, [2.0, 0.5]), float)
    top = gt.top_eigenvalues(f, [2.0, 0.5], 1)
    assert isinstance(top, np.ndarray) and top.shape == (1,)
    assert gt.top_eigenvalues(f, [2.0, 0.5], 2).shape == (2,)
