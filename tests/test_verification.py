"""The framework, every registered claim (quick mode), and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import proofs_checks
from gdtheory.cli import main
from gdtheory.report.claims import CheckContext, Claim, Evidence, Verdict, fit_order
from gdtheory.report.runner import run_claims


def test_fit_order_recovers_known_slopes():
    hs = [0.1, 0.05, 0.025, 0.0125]
    assert fit_order(hs, [3 * h**3 for h in hs]) == pytest.approx(3)
    with pytest.raises(ValueError):
        fit_order([0.1], [1.0])


def test_a_broken_check_is_reported_as_error_not_raised():
    def boom(ctx):
        raise RuntimeError("kaput")

    claim = Claim("X", "broken", "s", "r", (), boom)
    (res,) = run_claims([claim], CheckContext(quick=True))
    assert res.evidence.verdict is Verdict.ERROR and "kaput" in res.evidence.notes


#: Claims whose literal statement does not hold as the source gives it (see their notes).
QUALIFIED = {"T6", "T7", "T8", "T9"}

#: Claims with parts proved by certificates (ball arithmetic), and how many at least.
CERTIFIED = {"T1": 4, "T6": 5, "T8": 2}

#: Verdicts of the committed full report (docs/report, the README's table).
FULL_VERDICTS = {
    c["id"]: c["verdict"]
    for c in json.loads(
        (Path(__file__).resolve().parent.parent / "docs/report/evidence.json").read_text()
    )["claims"]
}


@pytest.mark.parametrize("claim", proofs_checks.claims(), ids=lambda c: c.id)
def test_every_claim_reaches_its_verdict_quickly_with_numbers(claim, tmp_path):
    ev = claim.check(CheckContext(quick=True, outdir=tmp_path))
    assert isinstance(ev, Evidence)
    expected = Verdict.QUALIFIED if claim.id in QUALIFIED else Verdict.VERIFIED
    assert ev.verdict is expected, (ev.summary, ev.notes)
    assert ev.verdict.value == FULL_VERDICTS[claim.id], "regenerate docs/report (see README)"
    assert ev.numbers and ev.tables
    assert claim.statement and claim.reference and claim.hypotheses and claim.source
    assert all(p.proved for p in ev.proofs), [p for p in ev.proofs if not p.proved]
    if claim.id in CERTIFIED:
        assert len(ev.proofs) >= CERTIFIED[claim.id]


def test_t3_measured_order_is_one_within_a_tenth(tmp_path):
    from proofs_checks import t3_explicit_euler

    ev = t3_explicit_euler.check(CheckContext(quick=True))
    orders = [v for k, v in ev.numbers.items() if k.startswith("order [")]
    assert len(orders) == 3 and all(abs(p - 1) <= 0.1 for p in orders)


def test_cli_verify_writes_report_and_json(tmp_path, capsys):
    code = main(["verify", "--quick", "--only", "T2", "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "T2" in out and "verified" in out
    report = (tmp_path / "report.md").read_text()
    assert "## T2" in report and "t2_regimes.png" in report
    data = json.loads((tmp_path / "evidence.json").read_text())
    assert data["claims"][0]["verdict"] == "verified" and data["environment"]["mode"] == "quick"
    assert (tmp_path / "t2_regimes.png").stat().st_size > 10_000


def test_cli_unknown_claim_is_a_clean_error(tmp_path, capsys):
    assert main(["verify", "--only", "T99", "--report", str(tmp_path)]) == 2
    assert "unknown claim id" in capsys.readouterr().err


def test_cli_exit_code_is_nonzero_when_refuted(tmp_path, monkeypatch):
    refuted = Claim("T1", "r", "s", "r", (), lambda ctx: Evidence(Verdict.REFUTED, "no"))
    monkeypatch.setattr(proofs_checks, "claims", lambda: (refuted,))
    assert main(["verify", "--quick", "--report", str(tmp_path)]) == 1


def test_python_dash_m_is_the_console_script(tmp_path):
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "gdtheory",
            "verify",
            "--quick",
            "--only",
            "T2",
            "--report",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "verified" in res.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "gdtheory", "frobnicate"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_cli_modified_prints_fields_latex_and_python(capsys):
    assert main(["modified", "x**4/4 - x**2/2", "--order", "3"]) == 0
    out = capsys.readouterr().out
    assert "F_3 = -39*x**9/4" in out and "modified potential" in out
    assert main(["modified", "(x*y - 1)**2/2", "--order", "2", "--latex"]) == 0
    assert "no potential at" in capsys.readouterr().out
    assert main(["modified", "x**2/2", "--order", "1", "--python"]) == 0
    assert "def modified_field(x, h):" in capsys.readouterr().out
    assert main(["modified", "abs(x)"]) == 2
    assert "not smooth" in capsys.readouterr().err
