"""The budget (core.budget): refusals name the estimate; the limit can be raised."""

from __future__ import annotations

import numpy as np
import pytest

from gdtheory.core import budget
from gdtheory.core.budget import CostError, allow, check_cost, check_memory, human
from gdtheory.errors import GDTheoryError, InvalidInputError


def test_a_refusal_names_the_estimate_and_how_to_raise_the_limit():
    with pytest.raises(CostError, match=r"at least about 289 days \(1e\+12 steps") as info:
        check_cost("GD", 1e12, budget.RATE_MP_STEPS, "steps")
    assert isinstance(info.value, InvalidInputError) and isinstance(info.value, GDTheoryError)
    assert "allow(seconds)" in str(info.value) and "GDTHEORY_MAX_SECONDS" in str(info.value)


def test_allow_raises_the_limit_for_a_block_only():
    with allow(10**9):
        check_cost("GD", 1e12, budget.RATE_MP_STEPS, "steps")
    with pytest.raises(CostError):
        check_cost("GD", 1e12, budget.RATE_MP_STEPS, "steps")


def test_the_environment_variable_sets_the_limit_at_import(monkeypatch):
    """GDTHEORY_MAX_SECONDS is read when gdtheory is imported; a bad value means 1 hour."""
    monkeypatch.setenv("GDTHEORY_MAX_SECONDS", "1e9")
    assert budget._env_seconds() == 1e9
    monkeypatch.setenv("GDTHEORY_MAX_SECONDS", "lots")
    assert budget._env_seconds() == 3600.0


def test_memory_refusal():
    check_memory("a small array", 1e6)
    with pytest.raises(CostError, match=r"1e\+12 float64 numbers \(7\.45e\+03 GiB\)"):
        check_memory("a huge array", 1e12)  # 8e12 bytes = 7451 GiB
    limit = budget.MAX_FLOATS * 8 / 2**30
    with pytest.raises(CostError, match=f"refused above {limit:.0f} GiB"):
        check_memory("a huge array", 1e12)


def test_human_durations():
    assert human(30) == "30 s" and human(600) == "10 minutes" and human(3 * 3600) == "3.0 hours"
    assert human(3 * 86400) == "3 days" and human(1e9) == "31.7 years"


# ------------------------------------------------------- the measured cost model
import math  # noqa: E402
import time  # noqa: E402

import gdtheory as gt  # noqa: E402
from gdtheory.core.budget import Meter, PaceMeter, charge, estimate, pilot  # noqa: E402


def test_a_meter_extrapolates_the_measured_pace_and_skips_the_warm_up(clock):
    """The first unit (compilation, caches) is not extrapolated: a slow first unit (0.3 s)
    and fast later ones (2 ms) give the later pace for the steps left plus the time spent,
    0.3 + 10000 * 0.002 s to within a step (on the simulated clock: no timed assertion)."""

    def loop(first: float, each: float, total: int) -> None:
        m = Meter("a loop", total, "steps")
        for k in range(total):
            m.tick(k)
            clock.t += first if k == 0 else each

    est = estimate(loop, 0.3, 0.002, 10_000)
    assert not est.completed and est.what == "a loop"
    assert est.seconds == pytest.approx(0.3 + 10_000 * 0.002, abs=0.005)


def test_estimate_returns_the_result_of_a_call_that_finishes_before_charging():
    est = estimate(lambda: 42)
    assert est.completed and est.result == 42 and est.seconds < 1


def test_pilots_fit_a_fixed_cost_and_a_cost_per_unit(clock):
    """A call costing 0.02 s plus 1 ms per unit (simulated clock): the fit on the last two
    pilots gives both, and 10^4 units cost 0.02 + 10 s."""

    def run(k: int) -> None:
        clock.t += 0.02 + 0.001 * k

    with allow(10**6):
        seconds = pilot("a computation", run, 10_000, "units")
    assert seconds == pytest.approx(0.02 + 10_000 * 0.001, rel=1e-9)


def test_inner_meters_are_quiet_while_a_pilot_runs():
    """A metered loop inside a pilot's run does not judge (the pilot does)."""

    def run(k: int) -> None:
        m = Meter("the inner loop", 10**12, "steps")
        for i in range(k):
            m.tick(i)
            time.sleep(0.001)

    est = estimate(pilot, "the outer computation", run, 1000, "units")
    assert est.what == "the outer computation"


def test_the_budget_covers_the_whole_call():
    """charge counts the time the current public call has already taken."""
    from gdtheory.core.budget import call

    with allow(1.0), call():
        time.sleep(0.6)
        charge("a part", 0.3)  # 0.6 + 0.3 < 1
        with pytest.raises(CostError, match="another part would take about"):
            charge("another part", 0.6)  # 0.6 < 1, but 0.6 + 0.6 > 1


def test_a_pace_meter_predicts_a_settling_flow_between_its_two_bounds():
    """A pace growing like e^(c t) (a flow settling on an equilibrium): the charged
    estimate lies between the settled (exponential) and the steady (linear) figures."""

    def flow() -> None:
        m = PaceMeter("a flow", 200.0, "time units", after=0.2)
        t = 0.0
        while t < 200:
            time.sleep(0.002)
            t += 0.01 * np.exp(0.02 * t)
            m.tick(t)

    est = estimate(flow)
    assert not est.completed and est.seconds > 0.2


# the runaways of the hostile round, refused from a pilot of the actual computation
LOGCOSH_149 = " + ".join(f"logcosh(x - {i}/{i + 3}*y)" for i in range(149))


def test_the_149_term_gd_run_is_refused_from_its_measured_pace():
    """Priced at the optimistic rate the run fits the budget; its first steps show it
    does not (issue 30's example: 10^7 steps estimated at 250 s ran at 123 steps/s)."""
    f = gt.Objective.parse(LOGCOSH_149, ["x", "y"])
    with allow(5), pytest.raises(CostError, match=r"measured on the first") as info:
        gt.gd(f, [0.1, 0.2], h="1/100", steps=10**5)
    assert "steps/s" in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: gt.sgd_samples(["(x-1)**2/2", "(x+1)**2/2"], [0.5], h=0.1, steps=10**7, paths=5),
        lambda: gt.sme_samples(
            gt.stochastic_modified_equation(["(x-1)**2/2", "(x+1)**2/2"], 2),
            [0.5],
            h="1/4",
            time=1,
            paths=5,
            substeps=10**6,
        ),
        lambda: gt.sgd_modified_equation(
            [f"(x + {i}*y - z*w)**2/2 + x*y*z*w/{i + 1} + (w - {i})**4/4" for i in range(7)], 2
        ),
        lambda: gt.principal_flow(
            gt.ObjectiveModel(gt.objectives.scalar_factorization()), [0.5, 1.5], [0, 1e9], h=0.1
        ),
        lambda: gt.regime_map(
            "x**4/4 - x**2/2 + logcosh(x)",
            [1.2],
            hs=[f"{k}/100" for k in range(1, 80)],
            time=8,
            models=("gradient", "modified"),
            dps=20,
        ),
    ],
    ids=["sgd_samples", "sme_samples", "sgd_epoch_map", "principal_flow", "regime_map"],
)
def test_runaways_are_refused_with_a_measured_estimate(call):
    with allow(3), pytest.raises(CostError, match=r"would take about"):
        call()


# ------------------------------------------- the cost model on a simulated clock
class Clock:
    """A clock the test moves: the estimates become exact numbers."""

    def __init__(self) -> None:
        self.t = 0.0

    def perf_counter(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(budget, "time", c)
    return c


def test_a_meter_charges_the_rest_of_every_repetition(clock):
    """10 steps per second measured after the warm-up step; 1000 steps, this pass and two
    more (factor 3): 989 + 2 * 1000 steps remain, 298.9 s, plus the 1 s already spent."""

    def loop() -> None:
        m = Meter("a loop", 1000, "steps", factor=3)
        m.tick(1)  # warm-up: starts the clock
        clock.t = 1.0
        m.tick(11)

    est = estimate(loop)
    assert not est.completed and est.seconds == pytest.approx(1.0 + 298.9, rel=1e-12)


def test_pilots_double_their_size_and_fit_the_fixed_and_the_unit_cost(clock):
    """run(k) costs 0.01 + 0.001 k s: pilots at k = 1, 2, 4, ..., 128 (the first that
    takes PILOT_SECONDS = 0.1 s), after a warm-up run(1); the fit recovers both costs."""
    sizes = []

    def run(k: int) -> None:
        sizes.append(k)
        clock.t += 0.01 + 0.001 * k

    with allow(10**6):
        seconds = pilot("a computation", run, 10_000, "units", times=2)
    assert sizes == [1, 1, 2, 4, 8, 16, 32, 64, 128]
    assert seconds == pytest.approx(2 * (0.01 + 0.001 * 10_000), rel=1e-9)
    with allow(1.0), pytest.raises(CostError) as info:
        pilot("a computation", run, 10_000, "units", times=2)
    assert "(2e+04 units at 0.001 s per unit, measured on pilots of up to 128)" in str(info.value)


def test_a_pace_meter_charges_between_the_settled_and_the_steady_figure(clock):
    """A pace growing exactly like p0 e^(c u) in flow time u: u(t) = -log(1 - p0 c t) / c,
    and the wall time from u to T is (e^(-c u) - e^(-c T)) / (p0 c) (the settled figure).
    The steady figure is the rest at p2, the pace of the last quarter of the wall time.
    The meter charges their geometric mean: its trend term is the settled figure up to
    the quarters' averaging of the pace (under 1 % here)."""
    p0, c, total, dt = 1.0, 0.5, 40.0, 1e-4

    def u_at(t: float) -> float:
        return -math.log(1 - p0 * c * t) / c

    def flow() -> None:
        m = PaceMeter("a flow", total, "time units", after=0.5)
        u = 0.0
        while u < total:
            clock.t += dt
            u = u_at(clock.t)
            m.tick(u)

    est = estimate(flow)
    spent = clock.t
    u = u_at(spent)
    settled = (math.exp(-c * u) - math.exp(-c * total)) / (p0 * c)
    p2 = (u - u_at(3 * spent / 4)) / (spent / 4)
    steady = (total - u) / p2
    charged = est.seconds - spent
    assert settled < charged < steady and steady / settled > 10
    assert charged / math.sqrt(settled * steady) == pytest.approx(1, abs=0.01)


def test_a_charge_of_exactly_the_limit_fits(clock):
    from gdtheory.core.budget import call

    with allow(10.0), call():
        clock.t = 4.0
        charge("a part", 6.0)  # 4 + 6 = 10: at the limit, accepted
        with pytest.raises(CostError, match="another part would take about 6 s"):
            charge("another part", 6.000001)
