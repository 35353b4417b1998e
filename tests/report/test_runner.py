"""The resumable on-disk cache: sweeps and the report survive Ctrl-C and corruption."""

from __future__ import annotations

import numpy as np
import pytest

from gdtheory.report.claims import CheckContext, Claim, Evidence, Table, Verdict
from gdtheory.report.runner import run_claims

STATE = {"fail": True, "runs": 0}


def _ok(ctx):
    STATE["runs"] += 1
    return Evidence(
        Verdict.VERIFIED,
        "fine",
        numbers={"x": np.float64(0.1), "n": np.int64(3), "ok": np.bool_(True)},
        tables=(Table("t", ("a", "b"), ((1, 2.5), ("s", None))),),
    )


def _interrupted(ctx):
    if STATE["fail"]:
        raise KeyboardInterrupt
    return Evidence(Verdict.QUALIFIED, "second")


def _broken(ctx):
    raise RuntimeError("kaput")


def test_an_interrupted_report_resumes_from_the_finished_claims(tmp_path):
    claims = [
        Claim("A", "a", "s", "r", ("h",), _ok),
        Claim("B", "b", "s", "r", ("h",), _interrupted),
    ]
    ctx = CheckContext(quick=True)
    STATE.update(fail=True, runs=0)
    with pytest.raises(KeyboardInterrupt):
        run_claims(claims, ctx, cache=tmp_path)
    STATE["fail"] = False
    lines: list[str] = []
    res = run_claims(claims, ctx, lines.append, cache=tmp_path)
    assert STATE["runs"] == 1  # A ran once, before the interruption
    assert "A verified from the cache" in lines[0]
    assert [r.evidence.verdict for r in res] == [Verdict.VERIFIED, Verdict.QUALIFIED]
    assert res[0].evidence.numbers == {"x": 0.1, "n": 3, "ok": True}
    assert res[0].evidence.tables[0].rows == ((1, 2.5), ("s", None))
    other_seed = run_claims(claims, CheckContext(quick=True, seed=1), cache=tmp_path)
    assert STATE["runs"] == 2 and other_seed[0].evidence.verdict is Verdict.VERIFIED


def test_errors_are_not_cached(tmp_path):
    claim = Claim("E", "e", "s", "r", ("h",), _broken)
    for _ in range(2):
        (res,) = run_claims([claim], CheckContext(), cache=tmp_path)
        assert res.evidence.verdict is Verdict.ERROR
    assert not list(tmp_path.glob("claim-*.json"))


def _with_figure(ctx):
    STATE["runs"] += 1
    path = ctx.figure_path("fig.png")
    path.write_bytes(b"png")
    return Evidence(Verdict.VERIFIED, "fig", figures=(str(path),))


def test_a_cached_claim_whose_figure_is_gone_is_recomputed(tmp_path):
    claim = Claim("F", "f", "s", "r", ("h",), _with_figure)
    ctx = CheckContext(outdir=tmp_path / "report")
    STATE["runs"] = 0
    run_claims([claim], ctx, cache=tmp_path / "cache")
    run_claims([claim], ctx, cache=tmp_path / "cache")
    assert STATE["runs"] == 1
    (tmp_path / "report" / "fig.png").unlink()
    run_claims([claim], ctx, cache=tmp_path / "cache")
    assert STATE["runs"] == 2 and (tmp_path / "report" / "fig.png").exists()


def _slow_ok(ctx: CheckContext) -> Evidence:
    return Evidence(Verdict.VERIFIED, "fine", numbers={"seed": ctx.seed}, tables=())


def _raises(ctx: CheckContext) -> Evidence:
    raise ArithmeticError("broken on purpose")


def test_worker_processes_keep_order_and_turn_exceptions_into_errors():
    claims = [
        Claim("A", "ok", "s", "r", ("h",), _slow_ok),
        Claim("B", "broken", "s", "r", ("h",), _raises),
        Claim("C", "lambda, runs locally", "s", "r", ("h",), lambda ctx: _slow_ok(ctx)),
    ]
    lines: list[str] = []
    res = run_claims(claims, CheckContext(quick=True, seed=7), lines.append, jobs=2)
    assert [r.claim.id for r in res] == ["A", "B", "C"]
    assert res[0].evidence.numbers == {"seed": 7}
    assert res[1].evidence.verdict is Verdict.ERROR
    assert "ArithmeticError" in res[1].evidence.summary
    assert "broken on purpose" in res[1].evidence.notes
    assert res[2].evidence.verdict is Verdict.VERIFIED
    assert sum("running" in m and "..." in m for m in lines) == 3
    assert any("still running" in m for m in lines) and lines[-1].startswith("[3/3]")
    with pytest.raises(ValueError, match="jobs"):
        run_claims(claims, CheckContext(), jobs=0)


def test_a_broken_check_is_reported_as_error_not_raised():
    def boom(ctx):
        raise RuntimeError("kaput")

    claim = Claim("X", "broken", "s", "r", (), boom)
    (res,) = run_claims([claim], CheckContext(quick=True))
    assert res.evidence.verdict is Verdict.ERROR and "kaput" in res.evidence.notes
