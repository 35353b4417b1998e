"""The claim model (report.claims): verdicts, evidence and its JSON round trip."""

from __future__ import annotations

from gdtheory.report.claims import (
    CheckContext,
    Evidence,
    Proof,
    Table,
    Verdict,
    evidence_from_data,
    evidence_to_data,
)


def test_failures_and_messages():
    assert Verdict.REFUTED.is_failure and Verdict.ERROR.is_failure
    assert not Verdict.QUALIFIED.is_failure and not Verdict.VERIFIED.is_failure


def test_evidence_round_trips_through_its_data():
    ev = Evidence(
        Verdict.QUALIFIED,
        "key | figure",
        numbers={"err": 1.5e-12, "n": 3, "ok": True, "name": "x", "pair": (1, 2.5)},
        tables=(Table("t", ("a", "b"), ((1, 2.0), ("x", None))),),
        figures=("f.png",),
        notes="n",
        proofs=(Proof("s", True, "d", "c.json"), Proof("t", False)),
    )
    again = evidence_from_data(evidence_to_data(ev))
    assert evidence_to_data(again) == evidence_to_data(ev)
    assert again.proofs_summary == "1 of 2 proved"


def test_figure_path_creates_the_folder(tmp_path):
    ctx = CheckContext(outdir=tmp_path / "r")
    p = ctx.figure_path("a.png")
    assert p == tmp_path / "r" / "a.png" and (tmp_path / "r").is_dir()
    assert CheckContext().figure_path("a.png") is None
