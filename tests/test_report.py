"""The report renderers, parallel runs, determinism, and the README's generated table."""

from __future__ import annotations

import html.parser
import json
from pathlib import Path

import pytest

from gdtheory.cli import main
from gdtheory.report.claims import CheckContext, Claim, Evidence, Proof, Table, Verdict
from gdtheory.report.render import (
    README_END,
    README_START,
    claims_table,
    evidence_json,
    html_report,
    markdown_report,
    update_readme,
)
from gdtheory.report.runner import run_claims

ROOT = Path(__file__).resolve().parent.parent


def _slow_ok(ctx: CheckContext) -> Evidence:
    return Evidence(Verdict.VERIFIED, "fine", numbers={"seed": ctx.seed}, tables=())


def _raises(ctx: CheckContext) -> Evidence:
    raise ArithmeticError("broken on purpose")


class _Balance(html.parser.HTMLParser):
    """Checks that every opened element is closed in order (void elements aside)."""

    VOID = {"meta", "img", "br", "link", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(f"</{tag}> with open {self.stack[-3:]}")


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


def _render(statement: str = "x < 2/L & <b>", notes: str = "n") -> tuple[str, str, str]:
    claim = Claim("T0", "a <title>", statement, "ref", ("h > 0",), _slow_ok, source="src <q>")
    ev = Evidence(
        Verdict.QUALIFIED,
        "key | figure",
        numbers={"err": 1.5e-12, "n": 3, "bad": float("nan")},
        tables=(Table("t", ("a", "b"), ((1, 0.5), ("x|y", None))),),
        notes=notes,
        proofs=(
            Proof("orbit <exists>", True, "margin 0.5", "c.json"),
            Proof("another", False, "K not inside"),
        ),
    )
    from gdtheory.report.claims import ClaimResult

    results = [ClaimResult(claim, ev, 1.0)]
    env = {"gdtheory": "0", "seed": 1}
    return markdown_report(results, env), html_report(results, env), evidence_json(results, env)


def test_html_escapes_user_text_and_is_well_formed():
    _, page, _ = _render()
    assert "<b>" not in page.split("</style>")[1] and "&lt;b&gt;" in page
    assert "src &lt;q&gt;" in page and "a &lt;title&gt;" in page
    p = _Balance()
    p.feed(page)
    assert not p.errors and p.stack == []
    assert "1.500e-12" in page and "nan" in page and "qualified" in page
    assert "orbit &lt;exists&gt;" in page and "not proved" in page and "1 of 2 proved" in page


def test_markdown_escapes_pipes_and_json_round_trips():
    md, _, js = _render()
    assert "key \\| figure" in md and "x\\|y" in md
    assert "**As the source states it.** src <q>" in md
    assert "- **PROVED**: orbit <exists> — margin 0.5 [certificate: `c.json`]" in md
    assert "- **NOT PROVED**: another — K not inside" in md and "| 1 of 2 proved |" in md
    data = json.loads(js)
    (c,) = data["claims"]
    assert c["source"] == "src <q>" and c["numbers"]["bad"] == "nan"
    assert [p["proved"] for p in c["proofs"]] == [True, False]
    assert "seconds" not in c  # durations are not part of the reproducible report


def test_claims_table_goes_between_the_markers_only():
    readme = f"intro\n{README_START}\nold table\n{README_END}\nrest\n"
    ev = {
        "environment": {"mode": "full"},
        "claims": [{"id": "T1", "title": "t", "verdict": "verified", "summary": "s"}],
    }
    out = update_readme(readme, claims_table(ev))
    assert out.startswith("intro\n") and out.endswith(f"{README_END}\nrest\n")
    assert "old table" not in out and "| T1 | t | **verified** | - | s |" in out
    assert update_readme(out, claims_table(ev)) == out  # idempotent
    with pytest.raises(ValueError, match="markers"):
        update_readme("no markers here", "x")


def test_report_is_identical_whatever_jobs_and_self_contained(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["verify", "--quick", "--only", "T1,T2", "--report", str(a), "--jobs", "2"]) == 0
    assert main(["verify", "--quick", "--only", "T1,T2", "--report", str(b), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "report.html" in out and "seconds" in out
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert {"report.html", "report.md", "evidence.json", "timings.json"} <= set(names)
    pngs = [n for n in names if n.endswith(".png")]
    assert {"t1_descent_lemma.png", "t2_regimes.png"} <= set(pngs)
    assert (a / ".cache").is_dir()  # finished claims kept for a resumed run
    for name in names:
        if name != "timings.json" and (a / name).is_file():
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    page = (a / "report.html").read_text()
    p = _Balance()
    p.feed(page)
    assert not p.errors and p.stack == []
    assert len(p.images) == len(pngs)
    assert all(src.startswith("data:image/png;base64,") for src in p.images)
    for needle in ("As the source states it", "Statement checked", "Hypotheses", "numba"):
        assert needle in page
    env = json.loads((a / "evidence.json").read_text())["environment"]
    assert env["reproduce"] == "gdtheory verify --quick --seed 20221 --only T1,T2"
    assert set(json.loads((a / "timings.json").read_text())) == {"T1", "T2"}


def test_cli_rejects_bad_jobs_and_missing_readme(tmp_path, capsys):
    assert main(["verify", "--only", "T2", "--jobs", "0", "--report", str(tmp_path)]) == 2
    assert "--jobs must be >= 1" in capsys.readouterr().err
    missing = tmp_path / "nope.md"
    assert main(["verify", "--only", "T2", "--readme", str(missing)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_readme_rewrites_the_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{README_START}\n{README_END}\n")
    args = ["verify", "--quick", "--only", "T2", "--report", str(tmp_path / "r")]
    assert main([*args, "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "| T2 | Learning-rate regimes on a quadratic | **verified** | - |" in text
    assert "Generated from the quick report" in text


def test_readme_table_is_the_one_generated_from_the_committed_full_report():
    evidence = json.loads((ROOT / "docs" / "report" / "evidence.json").read_text())
    assert evidence["environment"]["mode"] == "full"
    readme = (ROOT / "README.md").read_text()
    assert update_readme(readme, claims_table(evidence)) == readme
    ids = [c["id"] for c in evidence["claims"]]
    import proofs_checks

    assert ids == [c.id for c in proofs_checks.claims()]
    for c in evidence["claims"]:
        for fig in c["figures"]:
            assert (ROOT / "docs" / "report" / fig).is_file(), fig


def test_cli_recheck_verifies_good_and_rejects_tampered_certificates(tmp_path, capsys):
    import math

    from gdtheory.certify import certify_periodic_orbit
    from gdtheory.objectives import scalar_factorization

    a = math.sqrt(1 + 2 / 1.9)
    cert = certify_periodic_orbit(
        scalar_factorization(), [[a, a], [-a, -a]], h="19/10", radius=1e-6
    )
    good = tmp_path / "good.json"
    good.write_text(cert.to_json())
    data = json.loads(cert.to_json())
    data["boxes"][0][0] = ["1/2", "3/5"]  # moved off the orbit
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    assert main(["recheck", str(good)]) == 0
    out = capsys.readouterr().out
    assert "PROVED" in out and "1 of 1 certificates re-verified" in out
    assert main(["recheck", str(good), str(bad), str(junk), str(tmp_path / "none.json")]) == 1
    captured = capsys.readouterr()
    assert "NOT PROVED" in captured.out and "1 of 4 certificates re-verified" in captured.out
    assert "invalid certificate" in captured.err and "cannot read" in captured.err
