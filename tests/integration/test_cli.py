"""The real command line, run as a user would: exit codes and messages (the installed wheel:
tests/e2e/test_install_wheel.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import article
from reflexgen import __version__


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reflexgen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_version_and_help(tmp_path):
    assert run("--version", cwd=tmp_path).stdout.strip() == f"reflexgen {__version__}"
    assert "build" in run("--help", cwd=tmp_path).stdout
    assert run(cwd=tmp_path).returncode == 2
    assert run("nope", cwd=tmp_path).returncode == 2


def test_build_in_current_folder(site):
    site.write({"content/posts/un-titre.md": article()})
    result = run("build", cwd=site.root)
    assert result.returncode == 0, result.stderr
    assert "built" in result.stderr and "pages" in result.stderr and "feeds" in result.stderr
    assert (site.root / "output/2024/03/un-titre/index.html").exists()
    quiet = run("-q", "build", cwd=site.root)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert run("build", "-q", cwd=site.root).stderr == ""


def test_errors_exit_1_without_traceback(tmp_path):
    result = run("build", cwd=tmp_path)
    assert result.returncode == 1
    assert "no site.toml" in result.stderr and "Traceback" not in result.stderr


def test_build_flags(site):
    site.write({"content/posts/a.md": article()})
    first = run("build", "--profile", "-j", "2", cwd=site.root)
    assert first.returncode == 0, first.stderr
    for phase in ("read", "assemble", "render", "write"):
        assert phase in first.stderr
    assert "rendering" not in first.stderr  # no progress line when stderr is not a terminal
    again = run("build", cwd=site.root)
    assert "is up to date" in again.stderr
    clean = run("build", "--clean", cwd=site.root)
    assert "rendered" in clean.stderr and "is up to date" not in clean.stderr
    verify = run("build", "--verify", cwd=site.root)
    assert verify.returncode == 0 and "identical to a full rebuild" in verify.stderr
    assert run("build", "-j", "0", cwd=site.root).returncode == 2


def test_verify_reports_a_tampered_output(site):
    site.write({"content/posts/un-titre.md": article(), "content/posts/b.md": article("Autre")})
    assert run("build", cwd=site.root).returncode == 0
    page = site.root / "output/2024/03/un-titre/index.html"
    page.write_text(page.read_text().replace("Un titre", "Falsifié"))
    (site.root / "content/posts/b.md").write_text(article("Autre, modifié"))
    result = run("build", "--verify", cwd=site.root)
    assert result.returncode == 1
    assert "differs from a full rebuild" in result.stderr and "un-titre" in result.stderr
