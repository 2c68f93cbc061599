"""The import layering declared in pyproject.toml ([tool.importlinter]), checked by lint-imports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """Run lint-imports on the `reflexgen` package of `project`, with its pyproject.toml."""
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} is missing: install the [test] extra"
    # PYTHONPATH first, so the package analysed is the one in `project`, not the installed one.
    env = {**os.environ, "PYTHONPATH": str(project), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_package_keeps_its_layers():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_forbidden_import_breaks_the_contract(tmp_path):
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    shutil.copytree(REPO / "reflexgen", tmp_path / "reflexgen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    model = tmp_path / "reflexgen/content/model.py"
    model.write_text(model.read_text() + "\nimport reflexgen.serve.server  # noqa: E402\n")

    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "reflexgen.content is not allowed to import reflexgen.serve" in result.stdout
    assert "reflexgen.content.model -> reflexgen.serve.server" in result.stdout
