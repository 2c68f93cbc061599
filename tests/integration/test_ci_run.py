"""The shell steps of a workflow written by `reflexgen ci`, run here as a runner would run
them (but the install step: this checkout's reflexgen is on PATH): they build, check and
deploy a new site to a git remote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import cli


def test_the_github_workflow_builds_checks_and_deploys_a_new_site(tmp_path):
    remote = tmp_path / "pages.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    site = tmp_path / "blog"
    assert cli("new", "site", str(site), "--title", "Mon blog", "--url", "https://blog.example.org",
               "--language", "fr", "--author", "Claire Dumas", "--timezone", "Europe/Paris",
               "-q").code == 0
    with open(site / "site.toml", "a", encoding="utf-8") as toml:
        toml.write(f'\n[deploy.pages]\ntype = "git"\nremote = "{remote}"\nbranch = "pages"\n')
    assert cli("ci", "github", "--site", str(site), "-q").code == 0

    workflow = yaml.safe_load((site / ".github/workflows/reflexgen.yml").read_text())
    steps = [s for s in workflow["jobs"]["publish"]["steps"] if "run" in s]
    assert [s["name"] for s in steps] == ["Install reflexgen", "Build", "Check", "Deploy"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GIT_AUTHOR_NAME": "CI", "GIT_AUTHOR_EMAIL": "ci@example.org",
           "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.org"}
    for step in steps[1:]:
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=site, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, f"{step['name']}: {done.stdout}{done.stderr}"
    listed = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only",
                             "pages"], capture_output=True, text=True, check=True).stdout.split()
    assert "index.html" in listed and "feed.xml" in listed
