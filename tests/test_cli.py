"""The command line: verify, modified, recheck; clean errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gdtheory import proofs_checks
from gdtheory.cli import main
from gdtheory.report.claims import Claim, Evidence, Verdict
from gdtheory.report.render import (
    README_END,
    README_START,
)


def test_cli_rejects_bad_jobs_and_missing_readme(tmp_path, capsys):
    assert main(["verify", "--only", "T2", "--jobs", "0", "--report", str(tmp_path)]) == 2
    assert "--jobs must be >= 1" in capsys.readouterr().err
    missing = tmp_path / "nope.md"
    assert main(["verify", "--only", "T2", "--readme", str(missing)]) == 2
    assert "no such file" in capsys.readouterr().err


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


def test_cli_verify_writes_report_and_json(quick_report):
    """The session's ``gdtheory verify --quick --jobs 2`` run (see conftest)."""
    assert quick_report.exit_code == 0
    out = quick_report.stdout
    assert "T2" in out and "verified" in out and "report.html" in out
    report = (quick_report.folder / "report.md").read_text()
    assert "## T2" in report and "t2_regimes.png" in report
    data = json.loads((quick_report.folder / "evidence.json").read_text())
    assert data["claims"][1]["verdict"] == "verified" and data["environment"]["mode"] == "quick"
    assert (quick_report.folder / "t2_regimes.png").stat().st_size > 10_000


def test_cli_unknown_claim_is_a_clean_error(tmp_path, capsys):
    assert main(["verify", "--only", "T99", "--report", str(tmp_path)]) == 2
    assert "unknown claim id" in capsys.readouterr().err


def test_cli_exit_code_is_nonzero_when_refuted(tmp_path, monkeypatch):
    refuted = Claim("T1", "r", "s", "r", (), lambda ctx: Evidence(Verdict.REFUTED, "no"))
    monkeypatch.setattr(proofs_checks, "claims", lambda: (refuted,))
    assert main(["verify", "--quick", "--report", str(tmp_path)]) == 1


def test_python_dash_m_rejects_an_unknown_command():
    """`python -m gdtheory` is the console script (its success path is exercised by the
    recheck test below)."""
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
    assert "def modified_field(state, h):" in capsys.readouterr().out
    assert main(["modified", "abs(x)"]) == 2
    assert "not smooth" in capsys.readouterr().err


def test_recheck_in_a_fresh_process_knows_every_kind(quick_report):
    """`gdtheory recheck` re-proves the report's certificates of every kind (orbit,
    bundle, chaos, descent, balance) in a fresh interpreter."""
    files = sorted(str(p) for p in quick_report.folder.glob("*certificate*.json"))
    kinds = {json.loads(open(f).read())["format"] for f in files}
    assert len(kinds) >= 5, kinds
    res = subprocess.run(
        [sys.executable, "-m", "gdtheory", "recheck", *files],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr
    assert f"{len(files)} of {len(files)} certificates re-verified" in res.stdout


def test_a_closed_pipe_ends_the_output_quietly():
    """`gdtheory modified ... | head -1`: the reader leaving is not an error (exit 0, no
    traceback); simulated by a command that meets BrokenPipeError while writing."""
    code = (
        "import sys\n"
        "from gdtheory import cli\n"
        "def broken(args):\n"
        "    raise BrokenPipeError(32, 'Broken pipe')\n"
        "cli._modified = broken\n"
        "sys.exit(cli.main(['modified', 'x**2']))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stderr == "", res.stderr


def test_a_partial_verify_writes_next_to_the_full_report_and_updates_the_readme(
    tmp_path, monkeypatch
):
    """`gdtheory verify --only T2` without --report writes gdtheory-report-T2/, never
    over gdtheory-report/ (issue 15, item 7); --readme rewrites the claims table."""
    monkeypatch.chdir(tmp_path)
    full = tmp_path / "gdtheory-report"
    full.mkdir()
    (full / "report.md").write_text("the full report")
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{README_START}\n{README_END}\n")
    assert main(["verify", "--quick", "--only", "T2", "--no-cache", "--readme", str(readme)]) == 0
    assert (full / "report.md").read_text() == "the full report"
    assert "## T2" in (tmp_path / "gdtheory-report-T2" / "report.md").read_text()
    text = readme.read_text()
    assert "| T2 | Learning-rate regimes on a quadratic | **verified** | - |" in text
    assert "Generated from the quick report" in text
    assert main(["verify", "--only", ","]) == 2


@pytest.mark.parametrize("delay", [0.3, 1.5, 4.0])
def test_ctrl_c_during_verify_prints_one_line_and_no_traceback(tmp_path, delay):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while the
    package imports, while workers start, and while claims run: exit 130, one line."""
    import shutil
    import signal
    import subprocess
    import time
    from pathlib import Path

    beside = Path(sys.executable).parent / "gdtheory"  # the venv's script, not on PATH in CI
    exe = str(beside) if beside.exists() else shutil.which("gdtheory")
    if exe is None:
        pytest.skip("the console script is not installed")
    proc = subprocess.Popen(
        [exe, "verify", "--quick", "--no-cache", "--jobs", "2", "--report", str(tmp_path / "r")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    text = (out + err).decode()
    assert "Traceback" not in text, text[-2000:]
    assert proc.returncode == 130, (proc.returncode, text[-500:])
    assert text.rstrip().endswith("gdtheory: interrupted")


def test_cli_modified_params_generic_maps_and_json(capsys):
    assert main(["modified", "lam*x**2/2", "--params", "lam", "--order", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"] == ["lam"] and out["fields"][3] == ["-lam**4*x/4"]
    assert main(["modified", "--generic", "--order", "2"]) == 0
    assert "h^2: -1/3 H^2 g - 1/12 D^3f[g, g]" in capsys.readouterr().out
    assert main(["modified", "--generic", "--tableau", "rk4", "--order", "4", "--json"]) == 0
    terms = json.loads(capsys.readouterr().out)["terms"]
    assert terms[1:4] == [[], [], []] and terms[4][0] == {
        "coefficient": "-1/120",
        "term": "F'F'F'F'F",
    }
    assert main(["modified", "--map", "x - h*mu*x", "--symbols", "x", "--params", "mu"]) == 0
    assert "F_1 = -mu**2*x/2" in capsys.readouterr().out
    assert main(["modified", "x**4/4 - x**2/2", "--method", "heun", "--order", "2"]) == 0
    assert "F_1 = 0" in capsys.readouterr().out  # Heun has order 2
    sub = ["--subexpr", "sigma=1/(1 + exp(-x))", "--latex", "--order", "2"]
    assert main(["modified", "log(1 + exp(-x))", *sub]) == 0
    assert "F_{0} &= 1 - \\sigma" in capsys.readouterr().out
    assert main(["modified", "x**2", "--map", "x"]) == 2
    assert "either an objective or --map" in capsys.readouterr().err
    assert main(["modified", "mu*x**2"]) == 0  # without --params mu is a state symbol
    capsys.readouterr()


def test_cli_modified_momentum_sgd_and_metric(capsys):
    assert main(["modified", "x**2/2", "--momentum", "heavy_ball", "--beta", "1/2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fields"][:2] == [["-2*x"], ["-6*x"]]  # -x/(1-b), -(1+b) x/(2 (1-b)^3)
    assert main(["modified", "--sgd", "(x - 1)**2/2", "--sgd", "(x + 1)**2/2", "--order", "1"]) == 0
    assert "F_1 = -x/2" in capsys.readouterr().out  # h the step: Smith et al.'s h/(4m)
    args = ["--map", "x - h*(2*x + y)", "--map", "y - h*(x + y)", "--symbols", "x,y"]
    assert main(["modified", *args, "--metric", "2,1;1,1", "--order", "1"]) == 0
    assert "gradient to order h**1" in capsys.readouterr().out
    assert main(["modified", "x**2", "--momentum", "nesterov"]) == 2
    assert "nesterov needs beta, e.g. --set beta=9/10" in capsys.readouterr().err
    sme = ["modified", "--sgd", "(x - 1)**2/2", "--sgd", "(x + 1)**2/2", "--scheme", "replacement"]
    assert main([*sme, "--order", "2", "--batch", "4"]) == 0
    out = capsys.readouterr().out
    assert "order-2 SME of SGD (batch 4)" in out and "sqrt(h Sigma(X)/4)" in out
    assert main([*sme, "--order", "3"]) == 2
    assert "order must be 1 or 2" in capsys.readouterr().err


def test_cli_modified_reads_the_registry(capsys):
    """--optimizer (or --method) offers every registered method; each, with its example
    hyperparameters, prints the equation method_modified_equation derives (an adaptive
    method in its steady state, on a 1-D objective: the 2-D expansion takes minutes)."""
    import gdtheory as gt
    from gdtheory.optimizers import REGISTRY

    for key, cls in sorted(REGISTRY.items()):
        example = dict(cls.example)
        if "eps" in example:
            example["bias_correction"] = "false" if "beta1" in example else None
            example = {k: v for k, v in example.items() if v is not None}
        sets = [a for k, v in example.items() for a in ("--set", f"{k}={v}")]
        kwargs = {k: (v != "false") if k == "bias_correction" else v for k, v in example.items()}
        if cls.stochastic:
            where = ["--sgd", "(x - 1)**2/2", "--sgd", "(x + 1)**2/2", "--scheme", "cyclic"]
            target: object = ["(x - 1)**2/2", "(x + 1)**2/2"]
            meth = cls(sampling="cyclic", **kwargs)
        else:
            text = "x**4/4 - x" if "eps" in example else "x**4/4 + x*y + y**2"
            where, target = [text], text
            meth = cls(**kwargs)
        assert main(["modified", *where, "--method", key, *sets, "--order", "1", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        me = gt.method_modified_equation(meth, target, 1)
        me = getattr(me, "equation", me)
        assert out["fields"] == [[str(c) for c in F] for F in me.fields], key
    assert main(["modified", "x**2", "--optimizer", "heavy_ball", "--set", "gamma=1"]) == 2
    assert "has no hyperparameter 'gamma'; it has: beta" in capsys.readouterr().err
    assert main(["modified", "x**2", "--set", "beta=1/2"]) == 2
    assert "hyperparameters of an optimiser (--method)" in capsys.readouterr().err
    assert main(["modified", "x**2", "--optimizer", "gd", "--method", "rk4"]) == 2
    capsys.readouterr()
    assert main(["modified", "x**2", "--method", "adam"]) == 2
    assert "adam needs beta1, beta2, eps" in capsys.readouterr().err
    args = ["--beta1", "9/10", "--beta2", "999/1000", "--eps", "1e-8"]
    assert main(["modified", "x**4/4 - x", "--method", "adam", *args]) == 2
    assert "bias_correction=False" in capsys.readouterr().err
    assert main(["modified", "x**4/4 - x", "--method", "adam", *args, "--no-bias-correction"]) == 0
    captured = capsys.readouterr()
    assert "sigma_1 = sign(x**3 - 1)" in captured.err and "F_0 =" in captured.out
    assert main(["modified", "x**2", "--method", "adagrad"]) == 2
    assert "not a registered optimiser" in capsys.readouterr().err


def test_cli_regime_map_prints_the_table_trust_and_writes_the_figure(tmp_path, capsys):
    """Issue 33, item 2: `gdtheory regime-map` answers from the shell (the double well at
    h f''(1) = 2 reads as slow convergence, not as no period)."""
    code = main(
        [
            "regime-map",
            "(x**2-1)**2/4",
            "--x0",
            "6/5",
            "--hs",
            "1/20,1/10,9/10,1,11/10",
            "--time",
            "1",
            "--models",
            "gradient",
            "--tol",
            "0.05",
            "--jobs",
            "2",
            "--out",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "| 1 | slowly converging to a fixed point |" in out
    assert "h L at limit" in out
    assert "gradient flow: within 0.05 of GD up to h = " in out
    assert (tmp_path / "regime_map.png").stat().st_size > 10_000
    assert "GD's verdict" in (tmp_path / "regime_map.md").read_text()
    assert main(["regime-map", "x**2", "--x0", "1", "--hs", "1,1/2", "--time", "1"]) == 2
    assert "increasing" in capsys.readouterr().err
    assert (
        main(["regime-map", "x**2", "--x0", "1", "--hs", "1/2", "--time", "1", "--jobs", "0"]) == 2
    )
    assert "--jobs must be at least 1" in capsys.readouterr().err
