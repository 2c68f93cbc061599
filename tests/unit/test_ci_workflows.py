"""`reflexgen ci`: the workflows are valid for their platform (checked against the schemas
check-jsonschema ships) and hold the steps a site needs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reflexgen.config.deploy import DeployTarget
from reflexgen.errors import BuildError
from reflexgen.scaffold.ci import PLATFORMS, make_workflow

SCHEMAS = {"github": "vendor.github-workflows", "forgejo": "vendor.github-workflows",
           "gitlab": "vendor.gitlab-ci"}
TARGETS = {
    "none": None,
    "rsync": DeployTarget("vps", "rsync", {"destination": "blog@example.org:/var/www/blog"}),
    "s3": DeployTarget("bucket", "s3", {"bucket": "mon-blog"}),
    "git-https": DeployTarget("pages", "git", {"remote": "https://github.com/me/blog.git"}),
    "git-ssh": DeployTarget("pages", "git", {"remote": "git@codeberg.org:me/pages.git"}),
}


def check_jsonschema() -> str:
    found = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert found, "check-jsonschema is part of the test extra: ./dev test installs it"
    return found


@pytest.mark.parametrize("schema", sorted(set(SCHEMAS.values())))
def test_every_workflow_is_valid_for_its_platform(tmp_path, schema):
    written = []
    for platform in (p for p, s in SCHEMAS.items() if s == schema):
        for name, target in TARGETS.items():
            path = tmp_path / f"{platform}-{name}.yml"
            path.write_text(make_workflow(platform, target).text)
            written.append(str(path))
    done = subprocess.run([check_jsonschema(), "--builtin-schema", schema, *written],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validation done" in done.stdout


def scripts(platform: str, text: str) -> list[str]:
    """The shell of each step, in order."""
    data = yaml.safe_load(text)
    if platform == "gitlab":
        return data["publish"]["script"]
    return [step["run"] for step in data["jobs"]["publish"]["steps"] if "run" in step]


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_builds_strictly_checks_keeps_the_cache_and_deploys_last(platform):
    workflow = make_workflow(platform, TARGETS["s3"])
    shell = scripts(platform, workflow.text)
    commands = [line.strip() for run in shell for line in run.splitlines()
                if line.strip().startswith("reflexgen")]
    assert commands == ["reflexgen build --strict", "reflexgen check",
                        "reflexgen deploy bucket"]
    assert ".reflexgen-cache" in workflow.text and "output" in workflow.text
    assert workflow.secrets == ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    for secret in workflow.secrets:
        assert secret in workflow.text.split("\n", 6)[4]  # named in the header


def test_github_deploys_only_from_the_published_branch():
    data = yaml.safe_load(make_workflow("github", TARGETS["rsync"], "trunk").text)
    steps = data["jobs"]["publish"]["steps"]
    deploying = [s for s in steps if "deploy" in s.get("run", "") or "SSH" in s.get("name", "")]
    assert deploying and all(s["if"] == "github.ref == 'refs/heads/trunk'" for s in deploying)
    assert data[True]["push"]["branches"] == ["trunk"]  # YAML 1.1 reads `on` as true
    assert data["permissions"] == {"contents": "read"}


def test_a_push_to_the_sites_own_repository_uses_the_workflow_token_with_write_access():
    workflow = make_workflow("github", TARGETS["git-https"], repository="me/blog")
    data = yaml.safe_load(workflow.text)
    assert data["permissions"] == {"contents": "write"}
    assert "${{ secrets.GITHUB_TOKEN }}" in workflow.text
    assert "x-access-token:${DEPLOY_GIT_TOKEN}@github.com/" in workflow.text


def test_a_push_to_another_repository_needs_a_token_of_its_own():
    # The workflow's token may push to its own repository only (me/me.github.io is another).
    for repository in ("", "me/me.github.io"):
        workflow = make_workflow("github", TARGETS["git-https"], repository=repository)
        assert workflow.secrets == ("DEPLOY_GIT_TOKEN",)
        assert "secrets.GITHUB_TOKEN" not in workflow.text
        assert yaml.safe_load(workflow.text)["permissions"] == {"contents": "read"}


def test_the_cache_its_signing_key_and_the_output_are_kept_between_runs():
    for platform in PLATFORMS:
        text = make_workflow(platform, None).text
        assert ".reflexgen-cache" in text and "output" in text
        assert ("~/.cache/reflexgen" in text) != (platform == "gitlab")
    gitlab = yaml.safe_load(make_workflow("gitlab", None).text)["publish"]
    assert gitlab["variables"]["XDG_CACHE_HOME"] == "$CI_PROJECT_DIR/.cache"
    assert ".cache/reflexgen/" in gitlab["cache"]["paths"]
    # A new cache each run (an hourly run has the same commit), restored from the last.
    github = make_workflow("github", None).text
    assert "key: reflexgen-${{ runner.os }}-${{ github.run_id }}" in github


def test_the_install_line_can_name_another_source():
    text = make_workflow("github", None, install="git+https://example.org/reflexgen.git@v1").text
    assert "python -m pip install git+https://example.org/reflexgen.git@v1" in text


def test_ssh_targets_get_the_key_and_known_hosts_from_secrets():
    workflow = make_workflow("gitlab", TARGETS["git-ssh"])
    assert workflow.secrets == ("DEPLOY_SSH_KEY", "DEPLOY_KNOWN_HOSTS")
    assert "~/.ssh/known_hosts" in workflow.text
    assert '> "~/.ssh/id_ed25519" && chmod 600' not in workflow.text  # ~ unexpanded in quotes
    assert '"$HOME/.ssh/id_ed25519" && chmod 600 "$HOME/.ssh/id_ed25519"' in workflow.text


def test_the_key_goes_where_the_target_looks_for_it():
    target = DeployTarget("vps", "rsync", {"destination": "blog@example.org:/srv/blog",
                                           "identity": "~/.ssh/deploy_ed25519"})
    assert '> "$HOME/.ssh/deploy_ed25519"' in make_workflow("github", target).text


def test_a_folder_of_this_computer_cannot_be_a_ci_target():
    with pytest.raises(BuildError) as caught:
        make_workflow("github", DeployTarget("local", "rsync", {"destination": "/srv/www"}))
    assert "CI cannot reach" in str(caught.value.problems[0].message)
