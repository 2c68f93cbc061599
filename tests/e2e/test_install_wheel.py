"""The README's quickstart on a wheel installed in a new virtual environment, as a user gets
it: nothing but what the wheel carries and its dependencies from PyPI (pip's cache reused)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, published

# What `new site` and `build` need besides the Python code: they must be in the wheel.
PACKAGE_DATA = ("reflexgen/themes/default/templates/article.html",
                "reflexgen/themes/default/i18n/fr.toml",
                "reflexgen/scaffold/starter/gitignore",
                *(f"reflexgen/scaffold/starter/{language}/{name}" for language in ("fr", "en")
                  for name in ("post.md", "page.md", "author.md", "site.toml")))


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_quickstart_with_a_wheel_in_a_new_venv(tmp_path):
    # Nothing of this checkout or its virtual environment may leak into the new one.
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "VISUAL", "EDITOR")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
        wheels, REPO, cwd=tmp_path, env=env)
    (wheel,) = wheels.glob("reflexgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [name for name in PACKAGE_DATA if name not in names] == []

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path, env=env)
    run(venv / "bin/python", "-m", "pip", "install", "-q", wheel, cwd=tmp_path, env=env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = run("python", "-c", "import reflexgen; print(reflexgen.__file__)", cwd=tmp_path,
                env=env)
    assert where.stdout.startswith(str(venv))

    run("reflexgen", "new", "site", "monblog", "--author", "Claire Dumas", cwd=tmp_path,
        env=env)
    site = tmp_path / "monblog"
    post = run("reflexgen", "new", "post", "Mon premier billet", cwd=site, env=env).stdout
    assert post.startswith("content/posts/") and post.endswith("/mon-premier-billet.md\n")
    (site / post.strip()).write_text((site / post.strip()).read_text(encoding="utf-8")
                                     + "Le premier paragraphe.\n", encoding="utf-8")
    run("reflexgen", "build", cwd=site, env=env)
    pages = {p.parent.name: p for p in (site / "output").glob("*/*/*/index.html")}
    assert sorted(pages) == ["bienvenue", "mon-premier-billet"]
    html = pages["mon-premier-billet"].read_text(encoding="utf-8")
    assert "Le premier paragraphe." in html and "Claire Dumas" in html
    assert (site / "output" / published(site / "output", "theme/style.css")).stat().st_size > 100
    assert (site / "output/a-propos/index.html").exists()
