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

ROOT = Path(__file__).resolve().parents[2]


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


def _never_run(ctx: CheckContext) -> Evidence:  # the renderers never call a check
    raise AssertionError("not called")


def _render(statement: str = "x < 2/L & <b>", notes: str = "n") -> tuple[str, str, str]:
    claim = Claim("T0", "a <title>", statement, "ref", ("h > 0",), _never_run, source="src <q>")
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


def test_readme_table_is_the_one_generated_from_the_committed_full_report():
    evidence = json.loads((ROOT / "docs" / "report" / "evidence.json").read_text())
    assert evidence["environment"]["mode"] == "full"
    readme = (ROOT / "README.md").read_text()
    assert update_readme(readme, claims_table(evidence)) == readme
    ids = [c["id"] for c in evidence["claims"]]
    from gdtheory import proofs_checks

    assert ids == [c.id for c in proofs_checks.claims()]
    for c in evidence["claims"]:
        for fig in c["figures"]:
            assert (ROOT / "docs" / "report" / fig).is_file(), fig


def test_report_is_identical_whatever_jobs_and_self_contained(quick_report, tmp_path, capsys):
    """The session's quick report (every claim, two worker processes) against a run of
    two of its claims in this process: figures, certificates and evidence byte-identical."""
    a, b = quick_report.folder, tmp_path / "b"
    assert main(["verify", "--quick", "--only", "T2,T6", "--report", str(b), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "report.html" in out and "seconds" in out
    names_b = sorted(p.name for p in b.iterdir() if p.is_file())
    assert {"report.html", "report.md", "evidence.json", "timings.json"} <= set(names_b)
    own = [n for n in names_b if n.endswith((".png", ".json")) and n.startswith(("t2_", "t6_"))]
    assert "t2_regimes.png" in own and any("certificate" in n for n in own)
    for name in own:  # figures and certificates: byte for byte
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ev_b = json.loads((b / "evidence.json").read_text())
    for entry in ev_b["claims"]:
        assert entry == quick_report.claim(entry["id"]), entry["id"]
    assert (a / ".cache").is_dir()  # finished claims kept for a resumed run
    page = (a / "report.html").read_text()
    p = _Balance()
    p.feed(page)
    assert not p.errors and p.stack == []
    pngs = [n for n in sorted(x.name for x in a.iterdir()) if n.endswith(".png")]
    assert len(p.images) == len(pngs)
    assert all(src.startswith("data:image/png;base64,") for src in p.images)
    for needle in ("As the source states it", "Statement checked", "Hypotheses", "numba"):
        assert needle in page
    assert ev_b["environment"]["reproduce"] == "gdtheory verify --quick --seed 20221 --only T2,T6"
    timings = json.loads((b / "timings.json").read_text())
    assert timings["mode"] == "quick" and timings["jobs"] == 1 and timings["wall_seconds"] > 0
    assert set(timings["claims"]) == {"T2", "T6"}
