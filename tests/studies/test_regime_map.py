"""The regime map: GD's transitions on (1 - xy)^2/2 from the T6 start bracket h = 1 and
sqrt(5) - 1 within the grid spacing; on x^2/2 the distances equal closed forms."""

from __future__ import annotations

import dataclasses
import math

import matplotlib
import numpy as np
import pytest

from gdtheory.core.outcomes import AttractorKind
from gdtheory.errors import InvalidInputError
from gdtheory.studies.regime_map import regime_map

matplotlib.use("Agg")


def test_transitions_bracket_the_bifurcations_of_the_orbit_diagram() -> None:
    hs = [f"{v}/100" for v in range(90, 142, 2)]
    rm = regime_map("(1 - x*y)**2/2", [0.3, 0.5], hs=hs, time=2, models=())
    step = 0.02
    starts_cycling = [t for t in rm.transitions if t[3] == "period 2"]
    assert starts_cycling and abs(starts_cycling[0][1] - 1.0) <= step + 1e-12
    assert rm.verdicts[0] is AttractorKind.FIXED_POINT and rm.verdicts[-1] is AttractorKind.CHAOTIC
    assert rm.labels[0] == "fixed point" and rm.periods[0] == 1
    periodic = [i for i, v in enumerate(rm.verdicts) if v is AttractorKind.PERIODIC]
    assert periodic and all(rm.labels[i] == f"period {rm.periods[i]}" for i in periodic)
    doubling = [t for t in rm.transitions if t[2] == "period 2" and t[3] == "period 4"]
    assert len(doubling) == 1
    left, right = doubling[0][:2]
    assert left <= math.sqrt(5) - 1 <= right and right - left <= step + 1e-12
    chaotic = np.array([v is AttractorKind.CHAOTIC for v in rm.verdicts])
    assert np.all(rm.lyapunov[chaotic] > 0)


def test_distances_on_a_quadratic_equal_the_closed_forms() -> None:
    """x^2/2 from 1: GD x_k = (1 - h)^k, gradient flow e^{-t}, the principal flow GD itself
    (to the adaptive integrator's 30 digits in the literal reading, to fixed-step RK4's
    error with 64 substeps per h in the continued one, the default)."""
    hs = ["1/4", "3/4", "3/2"]
    rm = regime_map("x**2/2", [1], hs=hs, time=3, orders=(1,), dps=30, principal="principal")
    continued = regime_map("x**2/2", [1], hs=hs, time=3, models=("principal",), dps=30)
    err, est = continued.errors["principal flow"], continued.integration_error["principal flow"]
    assert np.all((10 < est / err) & (est / err < 20))  # RK4 halved: the estimate ~ 15 x error
    for i, h in enumerate([0.25, 0.75, 1.5]):
        K = math.floor(3 / h)
        gf = max(abs(math.exp(-k * h) - (1 - h) ** k) for k in range(K + 1))
        assert rm.errors["gradient flow"][i] == pytest.approx(gf, rel=1e-10)
        assert rm.errors["principal flow"][i] < 1e-20
    assert rm.verdicts == (AttractorKind.FIXED_POINT,) * 3
    assert rm.L == pytest.approx(1.0)
    ax = rm.plot()
    assert ax.get_xlabel() == "h"


def test_bad_input_is_named() -> None:
    with pytest.raises(InvalidInputError, match="unknown model"):
        regime_map("x**2/2", [1], hs=["1/2"], time=1, models=("magic",))
    with pytest.raises(InvalidInputError, match="increasing"):
        regime_map("x**2/2", [1], hs=["1/2", "1/4"], time=1, models=())
    with pytest.raises(InvalidInputError, match="time must be"):
        regime_map("x**2/2", [1], hs=["1/2"], time=0, models=())
    with pytest.raises(InvalidInputError, match="principal must be one of"):
        regime_map("x**2/2", [1], hs=["1/2"], time=1, principal="literal")
    with pytest.raises(InvalidInputError, match="executor must be"):
        regime_map("x**2/2", [1], hs=["1/4", "1/3", "1/2"], time=1, models=(), executor=3)


def test_slow_convergence_is_not_called_non_periodic():
    """Issue 33: at h f''(1) = 2 (double well from 6/5 at h = 1) and at h = 1 on (1 - xy)^2/2
    GD converges sub-geometrically; the map says so, with the limit it approaches, where it
    used to say that no period was found."""
    from gdtheory import regime_map

    for f, x0 in (("(x**2-1)**2/4", ["6/5"]), ("(1 - x*y)**2/2", ["3/2", "1/2"])):
        rm = regime_map(f, x0, hs=["9/10", "1", "11/10"], time=4, models=("gradient",))
        assert rm.labels == ("fixed point", "slowly converging to a fixed point", "period 2")


def test_slow_period_separates_slow_fast_and_aperiodic_tails():
    import numpy as np

    from gdtheory.studies.regime_map import slow_period

    k = np.arange(1000, 1064)
    slow = 1 + (-1.0) ** k / np.sqrt(k)  # |x - 1| ~ k^(-1/2): approaching 1, flipping
    assert slow_period(slow[:, None], 8) == 1
    cycle = np.where(k % 2 == 0, 1.0, -1.0) + 1 / k  # approaching a 2-cycle like 1/k
    assert slow_period(cycle[:, None], 8) == 2
    fast = 1 + 0.5**k * 1e300  # geometric at rate 1/2: would have been seen to converge
    assert slow_period(fast[:, None], 8) == 0
    rotation = np.cos(k * np.sqrt(2))  # quasi-periodic: never monotone
    assert slow_period(rotation[:, None], 8) == 0


def test_trust_is_the_largest_h_before_the_first_miss_and_failures_are_drawn():
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from gdtheory import regime_map

    rm = regime_map(
        "x**2/2 + x**4/4", [1], hs=["1/20", "1/10", "1/5", "2/5"], time=1, models=("gradient",)
    )
    err = rm.errors["gradient flow"]
    assert np.all(np.diff(err) > 0)  # farther from GD as h grows
    tol = float(err[2]) * 1.0001
    assert rm.trust(tol)["gradient flow"] == 0.2 and rm.trust(err[0] / 2)["gradient flow"] is None
    # a failure ends the run of h even if a larger h would pass
    errors = dict(rm.errors)
    errors["gradient flow"] = np.array([err[0], np.nan, err[0], err[0]])
    failed = dataclasses.replace(
        rm, errors=errors, failures={("gradient flow", 0.1): "FlowBlowUpError: test"}
    )
    assert failed.trust(tol)["gradient flow"] == 0.05
    ax = failed.plot()
    labels = ax.get_legend_handles_labels()[1]
    assert any("not computed (1 h" in lab for lab in labels)
    with pytest.raises(InvalidInputError):
        rm.trust(-1)


def test_an_executor_gives_the_numbers_of_the_local_run() -> None:
    from concurrent.futures import ProcessPoolExecutor

    kw = dict(hs=["1/4", "1/3", "1/2", "3/5"], time=1, orders=(1,), models=("gradient", "modified"))
    local = regime_map("x**2/2 + x**4/4", [1], **kw)
    with ProcessPoolExecutor(2) as pool:
        remote = regime_map("x**2/2 + x**4/4", [1], executor=pool, **kw)
    for name in local.errors:
        assert np.array_equal(local.errors[name], remote.errors[name], equal_nan=True)
    assert np.array_equal(local.L_path, remote.L_path)


def test_the_sharpness_at_gds_limit_marks_where_the_minimiser_loses_stability() -> None:
    """Double well (x^2 - 1)^2/4 from 6/5: L = 3.32 at the start (2/L = 0.60), but GD goes
    to x* = 1 with L(x*) = 2 and stays there up to h = 1, where h L(x*) = 2."""
    rm = regime_map("(x**2-1)**2/4", ["6/5"], hs=["1/2", "9/10", "11/10"], time=2, models=())
    assert rm.L == pytest.approx(3.32)
    assert rm.L_limit[:2] == pytest.approx([2.0, 2.0], abs=1e-6)
    assert 0.9 * rm.L_limit[1] < 2 < 1.1 * rm.L_limit[2]  # period 2 beyond h = 1
    assert rm.labels[2] == "period 2"
    assert np.all(rm.L_path >= rm.L_limit - 1e-9)  # the path starts at the sharper point
    cols = rm.table().columns
    assert cols[-2:] == ("h L max on path", "h L at limit")


def test_transition_labels_do_not_overlap() -> None:
    hs = [f"{v}/100" for v in range(90, 142, 2)]
    rm = regime_map("(1 - x*y)**2/2", [0.3, 0.5], hs=hs, time=2, models=())
    ax = rm.plot()
    fig = ax.figure
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if t.get_color() == "r"]
    assert len(boxes) == len(rm.transitions) >= 4
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
