"""The report's progress display: expected times, the estimate of what is left, the live
lines, and the cost model against the committed report's timings."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from gdtheory.report.claims import CheckContext, Claim, Evidence, Verdict
from gdtheory.report.progress import (
    LiveProgress,
    display,
    expected_seconds,
    read_timings,
    remaining_seconds,
)
from gdtheory.report.runner import run_claims


def _ok(ctx: CheckContext) -> Evidence:
    return Evidence(Verdict.VERIFIED, "fine")


def _claim(i: str, quick: float = 5.0, full: float = 60.0) -> Claim:
    return Claim(i, i, "s", "r", ("h",), _ok, quick_seconds=quick, full_seconds=full)


def test_the_estimate_replays_the_schedule():
    exp = {"A": 100.0, "B": 30.0, "C": 30.0, "D": 50.0}
    # A has 60 s left on one worker; B, C, D go to the worker that frees first
    assert remaining_seconds(exp, {"A": 40.0}, ["B", "C", "D"], jobs=2) == 110.0
    assert remaining_seconds(exp, {"A": 40.0}, ["B", "C", "D"], jobs=1) == 170.0
    assert remaining_seconds(exp, {}, ["A", "B"], jobs=4) == 100.0
    # an overrunning claim is late by an unknown amount: a tenth of its time so far
    assert remaining_seconds(exp, {"B": 50.0}, [], jobs=1) == 5.0
    assert remaining_seconds(exp, {}, [], jobs=2) == 0.0


@given(
    st.lists(st.floats(0, 1e4), min_size=1, max_size=12),
    st.integers(1, 6),
)
def test_the_estimate_lies_between_the_perfect_packing_and_one_worker(times, jobs):
    exp = {f"C{i}": t for i, t in enumerate(times)}
    left = remaining_seconds(exp, {}, list(exp), jobs=jobs)
    assert max(times) - 1e-9 <= left <= sum(times) + 1e-9
    assert left >= sum(times) / jobs - 1e-9
    # greedy list scheduling is within (2 - 1/jobs) of the optimum (Graham 1966)
    assert left <= (2 - 1 / jobs) * max(max(times), sum(times) / jobs) + 1e-9


def test_timings_are_read_only_from_a_run_in_the_same_mode(tmp_path):
    path = tmp_path / "timings.json"
    assert read_timings(path, quick=True) == {}  # no file
    path.write_text(json.dumps({"mode": "quick", "claims": {"T1": 5.2, "T2": True}}))
    assert read_timings(path, quick=True) == {"T1": 5.2}
    assert read_timings(path, quick=False) == {}
    path.write_text(json.dumps({"T1": 5.2}))  # the older format had no mode
    assert read_timings(path, quick=True) == {}
    path.write_text("{not json")
    assert read_timings(path, quick=True) == {}
    claims = [_claim("T1", 7.0, 70.0), _claim("T2", 3.0, 30.0)]
    assert expected_seconds(claims, True, {"T1": 5.2}) == {"T1": 5.2, "T2": 3.0}
    assert expected_seconds(claims, False) == {"T1": 70.0, "T2": 30.0}


def test_live_lines_show_bars_time_left_and_overruns():
    out = io.StringIO()
    live = LiveProgress(["A", "B", "C"], {"A": 100.0, "B": 10.0, "C": 20.0}, jobs=2, stream=out)
    live.started_at = {"A": 0.0, "B": 0.0}
    live._t0 = 5.0  # the run started 20 s before "now"
    lines = live.lines(25.0)
    assert lines[0].startswith("  A ") and "25 / 100 s" in lines[0] and "1:15 left" in lines[0]
    assert "#####......" in lines[0]  # a quarter of 20 cells
    assert "overrunning" in lines[1]  # B expected 10 s, running 25
    assert "0/3 claims" in lines[2] and "about 1:15 left" in lines[2]
    # work done: 25 of A's 100 s and all of B's 10 s, of 130 s: 5 of 20 cells
    assert "total [#####...............]" in lines[2] and "0:20 elapsed" in lines[2]
    live.finished("B", "[1/3] B verified in 25.0 s")
    text = out.getvalue()
    assert "[1/3] B verified in 25.0 s\n" in text
    assert "1/3 claims" in live.lines(25.0)[-1]


def test_the_runner_tells_the_monitor_and_starts_the_longest_first(tmp_path):
    events: list[tuple[str, str]] = []

    class Monitor:
        def started(self, i: str) -> None:
            events.append(("start", i))

        def finished(self, i: str, line: str) -> None:
            events.append(("end", line))

    claims = [_claim("A", full=1.0), _claim("B", full=9.0), _claim("C", full=5.0)]
    run_claims(claims, CheckContext(), jobs=1, isolated=True, monitor=Monitor())
    assert [i for kind, i in events if kind == "start"] == ["B", "C", "A"]
    ends = [line for kind, line in events if kind == "end"]
    assert ends[0].startswith("[1/3] B verified in ")
    events.clear()
    run_claims(
        claims, CheckContext(), jobs=1, isolated=True, monitor=Monitor(), expected={"A": 50.0}
    )
    assert [i for kind, i in events if kind == "start"] == ["A", "B", "C"]


def test_display_is_live_only_on_a_terminal(tmp_path):
    claims = [_claim("T1", 7.0, 70.0)]
    (tmp_path / "timings.json").write_text(json.dumps({"mode": "full", "claims": {"T1": 9}}))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    expected, live = display(claims, False, tmp_path, jobs=2, stream=io.StringIO())
    assert expected == {"T1": 9.0} and live is None
    expected, live = display(claims, True, tmp_path, jobs=2, stream=Terminal())
    assert expected == {"T1": 7.0} and isinstance(live, LiveProgress)
    assert live.source == "the cost model"
    with live:
        live.started("T1")
        live.finished("T1", "[1/1] T1 verified in 6.5 s")
    assert "[1/1] T1 verified in 6.5 s" in live.stream.getvalue()
