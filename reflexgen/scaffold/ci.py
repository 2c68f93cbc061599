"""`reflexgen ci github|gitlab|forgejo`: a CI workflow that builds the site on every push
(and every hour, so that articles dated in the future appear on time), keeps the build cache
between runs so that builds stay incremental, checks the result and deploys it.

The steps are written once (`steps`) and rendered in each platform's syntax; the secrets a
deploy target needs are named in the file's header and by the command.
"""

from __future__ import annotations

import errno
import json
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from reflexgen import __version__
from reflexgen.config import load_config
from reflexgen.config.deploy import DeployTarget, choose_target, over_ssh
from reflexgen.errors import BuildError, Problem
from reflexgen.scaffold import files

PLATFORMS = {"github": ".github/workflows/reflexgen.yml",
             "forgejo": ".forgejo/workflows/reflexgen.yml",
             "gitlab": ".gitlab-ci.yml"}
# What CI keeps from one run to the next: the cache, the output it describes (a page whose
# file is missing is rendered again), and the key that signs the cache (`incremental.cache`,
# kept outside the site folder; GitLab caches only the project's folder, so it goes there).
KEPT = (".reflexgen-cache", "output", "~/.cache/reflexgen")
GITLAB_KEPT = (".reflexgen-cache", "output", ".cache/reflexgen")
SSH_SECRETS = ("DEPLOY_SSH_KEY", "DEPLOY_KNOWN_HOSTS")
# Forgejo's runners run jobs in a container: Debian 12's Python (3.11), in a venv put on PATH.
FORGEJO_PYTHON = "\n".join(("apt-get update -qq && apt-get install -y -qq python3-venv",
                            'python3 -m venv "$HOME/venv"',
                            'echo "$HOME/venv/bin" >> "$GITHUB_PATH"'))
# The user name that goes with an access token in an HTTPS remote, per platform.
TOKEN_USER = {"github": "x-access-token", "gitlab": "oauth2", "forgejo": "ci"}


@dataclass(frozen=True)
class Step:
    name: str
    run: str
    env: tuple[tuple[str, str], ...] = ()  # variable → secret's name
    deploy: bool = False  # only on the default branch


@dataclass(frozen=True)
class Workflow:
    path: str  # relative to the site folder
    text: str
    secrets: tuple[str, ...]  # to add in the platform's settings


def make_workflow(platform: str, target: DeployTarget | None, branch: str = "main",
                  install: str = "", repository: str = "") -> Workflow:
    """The workflow file for `platform` deploying to `target` (None: build and check only);
    `install`: what pip installs (default: this version of reflexgen); `repository`: the
    site's own `owner/name` on its platform, whose workflow token may push to it."""
    secrets, steps = deploy_steps(platform, target, repository)
    install = install or f"reflexgen=={__version__}"
    all_steps = [Step("Install reflexgen", f"python -m pip install {shlex.quote(install)}"),
                 Step("Build", "reflexgen build --strict"),
                 Step("Check", "reflexgen check"), *steps]
    render = {"github": github, "forgejo": forgejo, "gitlab": gitlab}[platform]
    return Workflow(PLATFORMS[platform], render(all_steps, secrets, branch, target), secrets)


def deploy_steps(platform: str, target: DeployTarget | None,
                 repository: str = "") -> tuple[tuple[str, ...], list[Step]]:
    """The secrets the target needs and the steps that deploy to it."""
    if target is None:
        return (), []
    deploy = f"reflexgen deploy {target.name}"
    if target.type == "s3":
        names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        return names, [Step("Deploy", deploy, tuple((n, n) for n in names), True)]
    remote = str(target.options.get("destination" if target.type == "rsync" else "remote", ""))
    if target.type == "rsync" and not over_ssh(remote):
        raise BuildError(Problem(
            f"deploy target {target.name!r} is a folder of this computer ({remote}), which CI "
            "cannot reach", hint="give a destination such as user@host:/var/www/blog"))
    if remote.startswith(("http://", "https://")):
        host = urlsplit(remote).hostname or ""
        own = platform == "github" and host == "github.com" and bool(repository) \
            and repository_of(remote) == repository  # the workflow's token pushes there only
        secret = "GITHUB_TOKEN" if own else "DEPLOY_GIT_TOKEN"
        user = TOKEN_USER[platform]
        login = Step("Give git the access token",
                     f'git config --global url."https://{user}:${{DEPLOY_GIT_TOKEN}}@{host}/"'
                     f'.insteadOf "https://{host}/"', (("DEPLOY_GIT_TOKEN", secret),), True)
        return (secret,), [login, Step("Deploy", deploy, deploy=True)]
    if not over_ssh(remote):  # a path or file:// URL: nothing to log in to
        return (), [Step("Deploy", deploy, deploy=True)]
    key = str(target.options.get("identity") or "~/.ssh/id_ed25519")  # where ssh looks
    key = "$HOME/" + key[2:] if key.startswith("~/") else key
    ssh = Step("Give SSH the deploy key", "\n".join((
        "command -v rsync >/dev/null || { apt-get update -qq && "
        "apt-get install -y -qq rsync openssh-client; }",
        "install -m 700 -d ~/.ssh",
        f'install -m 700 -d "$(dirname "{key}")"',
        f'printf "%s\\n" "$DEPLOY_SSH_KEY" > "{key}" && chmod 600 "{key}"',
        'printf "%s\\n" "$DEPLOY_KNOWN_HOSTS" >> ~/.ssh/known_hosts')),
        tuple((n, n) for n in SSH_SECRETS), True)
    return SSH_SECRETS, [ssh, Step("Deploy", deploy, deploy=True)]


def header(secrets: tuple[str, ...], target: DeployTarget | None, where: str) -> str:
    lines = ["# Build the blog with reflexgen, check it and publish it on every push to the",
             "# default branch, and every hour (articles dated in the future then appear on",
             "# time). Written by `reflexgen ci`; edit it as you like."]
    if target is None:
        lines.append("# No [deploy.NAME] target in site.toml: this builds and checks only.")
    else:
        lines.append(f"# Deploys to the target {target.name!r} of site.toml ({target.type}).")
    if secrets and secrets != ("GITHUB_TOKEN",):
        lines.append(f"# Secrets to add in {where}: " + ", ".join(
            s for s in secrets if s != "GITHUB_TOKEN"))
    return "\n".join(lines) + "\n"


def quoted(text: str) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML."""
    return json.dumps(text, ensure_ascii=False)


def block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.splitlines())


def actions_steps(steps: list[Step], branch: str, checkout: str, python: list[str],
                  cache: str) -> str:
    """The steps of a GitHub-style workflow (GitHub Actions, Forgejo Actions)."""
    lines = [f"      - uses: {checkout}", *python,
             "      - name: Restore the build cache",
             f"        uses: {cache}",
             "        with:",
             "          path: " + block("\n".join(KEPT), 12),
             "          key: reflexgen-${{ runner.os }}-${{ github.run_id }}",
             "          restore-keys: reflexgen-${{ runner.os }}-"]
    for step in steps:
        lines.append(f"      - name: {quoted(step.name)}")
        if step.deploy:
            lines.append(f"        if: github.ref == 'refs/heads/{branch}'")
        if step.env:
            lines.append("        env:")
            lines += [f"          {var}: ${{{{ secrets.{name} }}}}" for var, name in step.env]
        lines.append("        run: " + block(step.run, 10))
    return "\n".join(lines) + "\n"


def triggers(branch: str) -> str:
    return (f"on:\n  push:\n    branches: [{quoted(branch)}]\n  schedule:\n"
            '    - cron: "17 * * * *"\n  workflow_dispatch:\n'
            "concurrency:\n  group: reflexgen-deploy\n  cancel-in-progress: false\n")


def github(steps: list[Step], secrets: tuple[str, ...], branch: str,
           target: DeployTarget | None) -> str:
    write = "write" if "GITHUB_TOKEN" in secrets else "read"
    return (header(secrets, target, "Settings → Secrets and variables → Actions")
            + "name: Publish the blog\n" + triggers(branch)
            + f"permissions:\n  contents: {write}\n"
            + "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    timeout-minutes: 30\n"
            + "    steps:\n"
            + actions_steps(steps, branch, "actions/checkout@v4",
                            ["      - uses: actions/setup-python@v5", "        with:",
                             '          python-version: "3.11"'], "actions/cache@v4"))


def forgejo(steps: list[Step], secrets: tuple[str, ...], branch: str,
            target: DeployTarget | None) -> str:
    return (header(secrets, target, "the repository's Settings → Actions → Secrets")
            + "name: Publish the blog\n" + triggers(branch)
            + "jobs:\n  publish:\n    runs-on: docker\n    container:\n"
            + "      image: node:20-bookworm\n    timeout-minutes: 30\n    steps:\n"
            + actions_steps(steps, branch, "https://code.forgejo.org/actions/checkout@v4",
                            ["      - name: Python 3.11 in a virtual environment",
                             "        run: " + block(FORGEJO_PYTHON, 10)],
                            "https://code.forgejo.org/actions/cache@v4"))


def gitlab(steps: list[Step], secrets: tuple[str, ...], branch: str,
           target: DeployTarget | None) -> str:
    """GitLab CI: one job; secrets are CI/CD variables, already in the environment."""
    lines = [header(secrets, target, "Settings → CI/CD → Variables (masked)").rstrip("\n"),
             "# Run it every hour too: Build → Pipeline schedules.",
             "publish:",
             "  image: python:3.11",
             "  timeout: 30 minutes",
             "  resource_group: reflexgen-deploy",
             "  cache:",
             "    key: reflexgen",
             "    paths: [" + ", ".join(quoted(k + "/") for k in GITLAB_KEPT) + "]",
             "  variables:",
             '    XDG_CACHE_HOME: "$CI_PROJECT_DIR/.cache"',
             "  rules:",
             '    - if: $CI_PIPELINE_SOURCE == "push" || $CI_PIPELINE_SOURCE == "schedule"'
             ' || $CI_PIPELINE_SOURCE == "web"',
             "  script:"]
    for step in steps:
        run = step.run
        if step.deploy:
            run = f'if [ "$CI_COMMIT_BRANCH" = {quoted(branch)} ]; then\n' + "\n".join(
                "  " + line for line in run.splitlines()) + "\nfi"
        for var, name in step.env:
            if var != name:
                run = f'export {var}="${name}"\n{run}'
        lines.append("    - " + block(f"# {step.name}\n{run}", 8))
    return "\n".join(lines) + "\n"


def write_workflow(site: Path, platform: str, target_name: str | None, branch: str,
                   replace: bool = False, install: str = "") -> Workflow:
    """Write the workflow of `platform` into the site folder (an existing file is kept unless
    `replace`); raises `BuildError` for a bad site.toml or target, FileExistsError."""
    config, _ = load_config(site)
    target = choose_target(config.deploy, target_name, site / "site.toml") \
        if config.deploy or target_name else None
    workflow = make_workflow(platform, target, branch, install, own_repository(site))
    path = site / workflow.path
    if replace and path.exists():
        fresh = path.with_name(f".{path.name}.new")
        fresh.unlink(missing_ok=True)
        files.create(fresh, workflow.text)
        fresh.replace(path)
    elif path.exists():
        raise FileExistsError(errno.EEXIST, "exists", str(path))
    else:
        files.create(path, workflow.text)
    return workflow


def repository_of(remote: str) -> str:
    """`owner/name` of a git remote's address (`https://github.com/me/blog.git`,
    `git@github.com:me/blog.git`)."""
    path = urlsplit(remote).path if "://" in remote else remote.partition(":")[2]
    return re.sub(r"\.git$", "", path.strip("/"))


def own_repository(site: Path) -> str:
    """The site folder's own repository (`owner/name` of its `origin`), or ""."""
    try:
        found = subprocess.run(["git", "-C", str(site), "config", "--get", "remote.origin.url"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return repository_of(found.stdout.strip()) if found.returncode == 0 else ""
