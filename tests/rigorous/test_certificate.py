"""The certificate base (rigorous.certificate): every kind saves, reloads and rechecks;
a certificate whose stored statement is not what the recomputation proves is not proved,
and the reason names the field; malformed certificates are refused clearly."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from gdtheory.certify import (
    BalanceCertificate,
    Certificate,
    ChaosCertificate,
    DescentCertificate,
    OrbitCertificate,
    SmoothnessCertificate,
    certify_balance,
    certify_descent,
    certify_period_three_chaos,
    certify_periodic_orbit,
    certify_smoothness,
    recheck,
)
from gdtheory.errors import InvalidInputError, ParseError
from gdtheory.objectives import logistic_conjugate, scalar_factorization

F = scalar_factorization()
A = math.sqrt(1 + 2 / 1.9)  # the symmetric 2-cycle +-(a, a) at h = 19/10


def _orbit() -> OrbitCertificate:
    return certify_periodic_orbit(F, [[A, A], [-A, -A]], h="19/10", radius=1e-6)


def _chaos() -> ChaosCertificate:
    pts = [math.cos(2 * math.pi * k / 7) for k in (1, 2, 4)]
    return certify_period_three_chaos(logistic_conjugate(), pts, h=1, radius=1e-9)


def _descent() -> DescentCertificate:
    return certify_descent(F, [(Fraction(1, 2), 1), (Fraction(1, 2), 1)], h="1/4", pieces=2)


def _balance() -> BalanceCertificate:
    return certify_balance([(0.9, 1.1), (0.9, 1.1)], h="1/2", mu=1)


def _smoothness() -> SmoothnessCertificate:
    return certify_smoothness("log(1 + exp(-x))", pieces=256)


#: kind -> (factory, a stored field to tamper with, a false value for it)
KINDS = {
    "orbit": (_orbit, "stable", True),
    "chaos": (_chaos, "conclusion", "PROVED: anything at all"),
    "descent": (_descent, "L_bound", "1/1000"),
    "balance": (_balance, "stable", False),
    "smoothness": (_smoothness, "bound", "1/5"),
}


@pytest.fixture(scope="module", params=sorted(KINDS))
def kind(request):
    factory, fieldname, false = KINDS[request.param]
    return request.param, factory(), fieldname, false


def test_an_untampered_certificate_of_every_kind_rechecks(kind):
    name, cert, _, _ = kind
    assert isinstance(cert, Certificate) and cert.KIND == name and cert.proved, cert
    text = cert.to_json()
    assert json.loads(text)["format"] == f"gdtheory-{name}-certificate/1"
    assert type(cert).from_json(text) == cert
    again = recheck(text)
    assert again == cert and again.proved and again.reason == ""


def test_a_tampered_statement_of_every_kind_fails_naming_the_field(kind):
    """Flip one stored claim: the recomputation disagrees and says where."""
    name, cert, fieldname, false = kind
    data = json.loads(cert.to_json())
    assert data[fieldname] != false
    data[fieldname] = false
    bad = recheck(json.dumps(data))
    assert not bad.proved
    assert f"the stored {fieldname} disagrees" in bad.reason, bad.reason


def test_a_tampered_orbit_stability_is_the_issue_example():
    """The issue's example: flipping "stable" in a stable orbit's file must not pass."""
    text = _orbit().to_json().replace('"stable": false', '"stable": true')
    bad = recheck(text)
    assert not bad.proved and "stable" in bad.reason


def test_a_shifted_box_fails_and_another_h_fails():
    c = _orbit()
    data = json.loads(c.to_json())
    lo, hi = (Fraction(v) for v in data["boxes"][1][0])
    data["boxes"][1][0] = [str(lo + Fraction(1, 1000)), str(hi + Fraction(1, 1000))]
    bad = recheck(json.dumps(data))
    assert not bad.proved and "not inside" in bad.reason
    assert not recheck(json.dumps({**json.loads(c.to_json()), "h": "6/5"})).proved


def test_malformed_certificates_are_rejected_clearly():
    with pytest.raises(InvalidInputError, match="JSON"):
        recheck("{not json")
    with pytest.raises(InvalidInputError, match="unknown certificate format"):
        recheck(json.dumps({"format": "something else"}))
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        recheck("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidInputError, match="certificate or its JSON"):
        recheck(42)  # type: ignore[arg-type]
    text = _orbit().to_json()
    d = json.loads(text)
    del d["boxes"]
    with pytest.raises(InvalidInputError, match="missing"):
        recheck(json.dumps(d))
    d = json.loads(text)
    d["surprise"] = 1
    with pytest.raises(InvalidInputError, match="unknown fields"):
        recheck(json.dumps(d))
    d = json.loads(text)
    d["objective"] = "__import__('os').system('echo hi')"  # parsed, never executed
    with pytest.raises(ParseError):
        recheck(json.dumps(d))
    d = json.loads(text)
    d["prec"] = 1e400
    with pytest.raises(InvalidInputError):
        recheck(json.dumps(d).replace("Infinity", "1e400"))


def _bundle():
    from gdtheory.rigorous.certificate import CertificateBundle

    return CertificateBundle.of(
        (_orbit(), _chaos().orbit), requirement={"minimal_period": True, "stable": False}
    )


def test_a_bundle_proves_its_generated_statement_and_nothing_else(tmp_path):
    """Every field of a bundle is compared on recheck, the statement included: it is
    generated from the members and the requirement, so an edited statement (the orbits
    are STABLE) is NOT PROVED, by the API and by `gdtheory recheck` (exit 1)."""
    import subprocess
    import sys

    b = _bundle()
    assert b.proved and recheck(b.to_json()).proved
    assert b.statement == (
        "each of the 2 orbit certificates is proved, with minimal_period = True, stable = False"
    )
    edited = b.to_json().replace("stable = False", "stable = True (the orbits are STABLE)")
    bad = recheck(edited)
    assert not bad.proved and "the stored statement disagrees" in bad.reason
    path = tmp_path / "edited.json"
    path.write_text(edited)
    res = subprocess.run(
        [sys.executable, "-m", "gdtheory", "recheck", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 1 and "NOT PROVED" in res.stdout + res.stderr, res.stdout


def test_a_requirement_the_members_do_not_meet_is_not_proved():
    d = json.loads(_bundle().to_json())
    d["requirement"] = [["minimal_period", True], ["stable", True]]
    d["statement"] = (
        "each of the 2 orbit certificates is proved, with minimal_period = True, stable = True"
    )
    bad = recheck(json.dumps(d))
    assert not bad.proved and "stable is False, not True" in bad.reason
    first = next(i for i, m in enumerate(bad.members) if not m.stable)
    assert f"recomputed 'member {first}: stable is False, not True'" in bad.reason
    with pytest.raises(InvalidInputError, match="not a statement field"):
        from gdtheory.rigorous.certificate import CertificateBundle

        CertificateBundle.of((_orbit(),), requirement={"colour": "red"})


def test_a_bundle_of_identical_members_is_rechecked_once_and_its_total_is_charged():
    """200 copies of a global smoothness certificate: the copies are one proof, so the
    recheck takes the time of one; a bundle of many distinct members is estimated from a
    pilot of each and refused up front when the total is beyond the budget."""
    import time

    from gdtheory.core import budget
    from gdtheory.rigorous.certificate import CertificateBundle

    one = certify_smoothness("log(1 + exp(-x))")
    d = json.loads(CertificateBundle.of((one,)).to_json())
    d["members"] = d["members"] * 200
    d["statement"] = "each of the 200 smoothness certificates is proved"
    t0 = time.perf_counter()
    assert recheck(json.dumps(d)).proved
    single = time.perf_counter() - t0
    assert single < 60
    many = []
    for k in (2, 3):  # two distinct members, each asking for a million sub-boxes
        m = json.loads(
            certify_smoothness(f"x**2/{k} + log(1 + exp(-x))", [(-1, 1)], pieces=8).to_json()
        )
        m["pieces"] = 10**6
        many.append(m)
    d = {
        "format": CertificateBundle.format_tag(),
        "statement": "each of the 2 smoothness certificates is proved",
        "members": many,
        "requirement": [],
        "proved": True,
        "reason": "",
    }
    t0 = time.perf_counter()
    with budget.allow(20), pytest.raises(budget.CostError, match="rechecking the bundle of 2"):
        recheck(json.dumps(d))
    assert time.perf_counter() - t0 < 10  # two pilots, not two million sub-boxes


@pytest.mark.parametrize("field", ["boxes", "h"])
def test_a_huge_exponent_in_a_certificate_file_is_refused_before_any_number_is_built(field):
    """'1e99999999' made Fraction build a 10^8-digit integer before any size check."""
    import time

    d = json.loads(_orbit().to_json())
    if field == "boxes":
        d["boxes"][0][0][1] = "1e99999999"
    else:
        d["h"] = "1e99999999"
    t0 = time.perf_counter()
    with pytest.raises(InvalidInputError, match="decimal exponent"):
        recheck(json.dumps(d))
    assert time.perf_counter() - t0 < 5
    b = json.loads(_balance().to_json())
    b["box"][0][0] = "1e99999999"
    with pytest.raises(InvalidInputError, match="decimal exponent"):
        recheck(json.dumps(b))


def test_a_smoothness_file_asking_for_a_million_pieces_is_estimated_and_refused():
    from gdtheory.core import budget

    d = json.loads(certify_smoothness("log(1 + exp(-x))", [(-1, 1)], pieces=4).to_json())
    d["pieces"] = 10**6
    with budget.allow(5), pytest.raises(budget.CostError, match="sub-boxes"):
        recheck(json.dumps(d))


def test_a_certificate_text_over_50_million_characters_is_refused_unread():
    body = json.dumps({"format": "something else"})
    at_limit = " " * (50_000_000 - len(body)) + body
    with pytest.raises(InvalidInputError, match="unknown certificate format"):
        recheck(at_limit)  # read: 50 000 000 characters are accepted
    with pytest.raises(InvalidInputError, match="50000001 characters long; at most 50000000"):
        recheck(" " + at_limit)
