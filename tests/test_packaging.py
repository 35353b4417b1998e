"""The distribution: one import name, typed, versioned in one place, and a wheel that
works outside the source tree (issue 36)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import gdtheory

ROOT = Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_list_is_every_folder_and_the_claims():
    cfg = _pyproject()["tool"]["setuptools"]
    folders = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "gdtheory").rglob("__init__.py")
    }
    assert set(cfg["packages"]) == folders | {"gdtheory.proofs_checks"}
    assert cfg["package-dir"] == {"gdtheory.proofs_checks": "proofs_checks"}
    assert "py.typed" in cfg["package-data"]["gdtheory"] and (ROOT / "gdtheory/py.typed").exists()


def test_the_version_is_read_from_one_place_and_named_in_the_changelog():
    project = _pyproject()["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    attr = _pyproject()["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "gdtheory._version.__version__"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\S+)", changelog, flags=re.M)
    assert headings[0] == gdtheory.__version__, headings[:2]


_ORACLE_START = "**Use it as a test oracle.**"


def _readme_oracle_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tail = readme[readme.index(_ORACLE_START) :]
    return tail.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_wheel_installs_and_runs_outside_the_source_tree(tmp_path):
    """Build the wheel (no network: the build backend of this environment), install it
    into a fresh virtual environment whose only other packages are this environment's
    dependencies (a path entry, so the editable install's hooks stay out), and from a
    folder outside the repository run ``gdtheory verify --quick --only T2`` and the
    README's oracle example."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("gdtheory-*.whl")
    assert wheel.name.startswith(f"gdtheory-{gdtheory.__version__}-")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"gdtheory"}, tops
    assert "gdtheory/py.typed" in names
    assert "gdtheory/proofs_checks/t2_quadratic_regimes.py" in names

    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # the dependencies: this environment's site-packages as a plain path entry (its .pth
    # files, the editable install's among them, are not processed from there)
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = sorted(p.name for p in Path(site).iterdir() if not p.name.startswith("_"))
    ours = [n for n in installed if n.startswith(("gdtheory", "proofs_checks"))]
    assert ours == ["gdtheory", f"gdtheory-{gdtheory.__version__}.dist-info"], installed

    work = tmp_path / "elsewhere"
    work.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    where = subprocess.run(
        [str(py), "-c", "import gdtheory; print(gdtheory.__file__)"],
        cwd=work,
        env=clean,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where.startswith(site), where
    run = subprocess.run(
        [str(env_dir / "bin" / "gdtheory"), "verify", "--quick", "--only", "T2"],
        cwd=work,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "T2" in run.stdout and (work / "gdtheory-report-T2" / "report.html").exists()
    (work / "test_oracle_example.py").write_text(_readme_oracle_example(), encoding="utf-8")
    tests = subprocess.run(
        [str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_oracle_example.py"],
        cwd=work,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0 and "1 passed" in tests.stdout, tests.stdout[-2000:]
