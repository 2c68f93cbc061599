"""`type = "git"` to a local bare repository: the branch made at the first deploy, a commit
only for a changed tree (its parent the branch's head), the user's own repository untouched,
a push that lost a race refused with its fix, and `--force`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import add_target, cli, deploy_with, deployable, edit_and_build
from reflexgen.config import load_config
from reflexgen.deploy.base import DeployOptions
from reflexgen.deploy.git import GitTarget
from reflexgen.deploy.listing import list_output
from reflexgen.errors import BuildError, Reporter


@pytest.fixture(autouse=True)
def no_git_identity(tmp_path, monkeypatch):
    """No ~/.gitconfig nor /etc/gitconfig: a machine where git knows no one."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", "-c", "user.name=Ana", "-c", "user.email=ana@example.org",
                           *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def remote(tmp_path) -> Path:
    git("init", "--quiet", "--bare", str(tmp_path / "pages.git"))
    return tmp_path / "pages.git"


def branch_files(remote: Path, ref: str = "gh-pages") -> dict[str, str]:
    listing = git("--git-dir", str(remote), "ls-tree", "-r", ref)
    return {line.split("\t", 1)[1]: line.split()[2] for line in listing.splitlines()}


def blob_digests(remote: Path, ref: str = "gh-pages") -> dict[str, str]:
    """The branch's files by MD5 of their bytes, to compare with the output's."""
    import hashlib

    return {rel: hashlib.md5(subprocess.run(["git", "--git-dir", str(remote), "cat-file",
                                             "blob", blob], capture_output=True,
                                            check=True).stdout).hexdigest()
            for rel, blob in branch_files(remote, ref).items()}


def head(remote: Path) -> str:
    return git("--git-dir", str(remote), "rev-parse", "gh-pages")


def user_repository(root: Path) -> dict[str, str]:
    """What a deploy must leave alone in the user's own repository."""
    return {"head": git("rev-parse", "HEAD", cwd=root),
            "branches": git("branch", "--list", cwd=root),
            "status": git("status", "--porcelain", cwd=root),
            "index": (root / ".git/index").read_bytes().hex(),
            "refs": git("for-each-ref", cwd=root)}


def test_first_deploy_makes_the_branch_and_leaves_the_user_repository_alone(blog, remote):
    (blog / ".gitignore").write_text("output/\n.reflexgen-cache/\n")
    git("init", "--quiet", cwd=blog)
    git("add", ".", cwd=blog)
    git("commit", "--quiet", "-m", "my blog", cwd=blog)
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"\n'
                     'cname = "blog.example.org"')
    git("commit", "--quiet", "-am", "deploy target", cwd=blog)
    before = user_repository(blog)
    for name in ("redirects.nginx.conf", "_redirects"):  # a server-only file and a host one
        (blog / "output" / name).write_text("/old /new 301\n")

    run = cli("deploy", "--site", str(blog))
    assert run.code == 0, run.stderr
    files = blob_digests(remote)
    assert files.pop(".nojekyll") == "d41d8cd98f00b204e9800998ecf8427e"  # empty
    assert git("--git-dir", str(remote), "show", "gh-pages:CNAME") == "blog.example.org"
    files.pop("CNAME")
    assert files == deployable(blog)
    assert "redirects.nginx.conf" not in files and "_redirects" in files
    title = load_config(blog)[0].title
    assert git("--git-dir", str(remote), "log", "--format=%s|%an|%P", "gh-pages") == \
        f"Deploy {title}|reflexgen|"  # no parent; git knew no one here
    assert user_repository(blog) == before


def test_commits_only_a_changed_tree_on_top_of_the_branch(blog, remote):
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"')
    assert cli("deploy", "--site", str(blog)).code == 0
    first = head(remote)
    before = deployable(blog)

    again = cli("deploy", "--site", str(blog))
    assert again.code == 0 and "pages is up to date: nothing to deploy" in again.stderr
    assert head(remote) == first

    edit_and_build(blog)
    after = deployable(blog)
    summary = deploy_with(blog)
    second = head(remote)
    assert git("--git-dir", str(remote), "rev-parse", f"{second}^") == first
    assert git("--git-dir", str(remote), "rev-list", "--count", "gh-pages") == "2"
    changed = {rel for rel, d in after.items() if before.get(rel) != d}
    assert {c.rel for c in summary.sent} == changed
    assert {c.rel for c in summary.deleted} == set(before) - set(after)
    assert summary.unchanged == len(after) + 1 - len(changed)  # and .nojekyll
    diff = git("--git-dir", str(remote), "diff-tree", "-r", "--name-only", first, second)
    assert set(diff.splitlines()) == changed | (set(before) - set(after))
    files = blob_digests(remote)
    files.pop(".nojekyll")
    assert files == after


def test_dry_run_and_no_delete(blog, remote):
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"')
    assert cli("deploy", "--site", str(blog)).code == 0
    first = head(remote)
    edit_and_build(blog)
    dry = deploy_with(blog, dry_run=True)
    assert dry.sent and dry.dry_run and head(remote) == first

    gone = sorted(deployable(blog))[-1]
    (blog / "output" / gone).unlink()
    summary = deploy_with(blog, delete=False)
    assert summary.deleted == [] and gone in branch_files(remote)
    assert head(remote) != first
    summary = deploy_with(blog)
    deleted = {c.rel for c in summary.deleted}
    assert gone in deleted and not deleted & set(deployable(blog))
    assert set(branch_files(remote)) == set(deployable(blog)) | {".nojekyll"}


def test_a_push_that_lost_a_race_is_refused_then_forced(blog, remote, tmp_path):
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"')
    assert cli("deploy", "--site", str(blog)).code == 0
    edit_and_build(blog)
    config, _ = load_config(blog)
    target = GitTarget(config.deploy[0], blog, config.title)
    quiet = Reporter(verbosity=-1)
    files = list_output(blog / "output", blog / ".reflexgen-cache/deploy", quiet)
    prepared = target.prepare(files, DeployOptions(), quiet)
    # Meanwhile, someone else pushes to the branch.
    other = tmp_path / "other"
    git("clone", "--quiet", "--branch", "gh-pages", str(remote), str(other))
    (other / "theirs.txt").write_text("mine")
    git("add", "theirs.txt", cwd=other)
    git("commit", "--quiet", "-m", "theirs", cwd=other)
    git("push", "--quiet", "origin", "gh-pages", cwd=other)
    theirs = head(remote)

    with pytest.raises(BuildError) as info:
        target.push(prepared, force=False, reporter=quiet)
    [problem] = info.value.problems
    assert "someone else pushed meanwhile" in problem.message
    assert "--force" in problem.hint
    assert head(remote) == theirs

    target.push(prepared, force=True, reporter=quiet)
    assert head(remote) == prepared.commit
    # A deploy after theirs commits on top of theirs, keeping nothing of their tree it lacks.
    assert cli("deploy", "--site", str(blog)).code == 0


def test_a_rejected_push_through_the_command_line(blog, remote):
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"')
    hook = remote / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "error: deploy pages:" in run.stderr
    assert "Traceback" not in run.stderr


def test_force_after_a_race_through_the_command_line(blog, remote):
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"')
    assert cli("deploy", "--site", str(blog), "--force").code == 0
    assert cli("deploy", "--site", str(blog), "--force").stderr.startswith(
        "pages is up to date")


@pytest.mark.parametrize("remote_text, words", [
    ("../nowhere.git", "is not a git repository"),
    ("/dev/null", "is not a git repository"),
])
def test_a_remote_that_is_not_a_repository(blog, remote_text, words):
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote_text}"')
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and words in run.stderr and "hint: fix remote in" in run.stderr


def test_a_branch_holding_the_sites_sources_is_not_replaced(blog, tmp_path):
    sources = tmp_path / "sources"
    git("init", "--quiet", "-b", "main", str(sources))
    for name in ("site.toml", "content/a.md"):
        (sources / name).parent.mkdir(parents=True, exist_ok=True)
        (sources / name).write_text("x\n")
    git("add", ".", cwd=sources)
    git("commit", "--quiet", "-m", "sources", cwd=sources)
    bare = tmp_path / "sources.git"
    git("clone", "--quiet", "--bare", str(sources), str(bare))
    add_target(blog, f'[deploy.oops]\ntype = "git"\nremote = "{bare}"\nbranch = "main"')
    run = cli("deploy", "--site", str(blog))
    assert run.code == 1 and "holds a site's sources" in run.stderr
    assert set(branch_files(bare, "main")) == {"site.toml", "content/a.md"}


def test_server_files_already_on_the_branch_are_deleted(blog, remote):
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"')
    assert cli("deploy", "--site", str(blog)).code == 0
    work = remote.parent / "work"
    git("clone", "--quiet", "-b", "gh-pages", str(remote), str(work))
    (work / "reflexgen.caddy").write_text("old server settings\n")
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "by hand", cwd=work)
    git("push", "--quiet", "origin", "gh-pages", cwd=work)
    assert "reflexgen.caddy" in branch_files(remote)
    summary = deploy_with(blog)
    assert "reflexgen.caddy" in {c.rel for c in summary.deleted}
    assert "reflexgen.caddy" not in branch_files(remote)


def test_precompressed_copies_stay_out_of_the_branch(blog, remote):
    add_target(blog, f'[deploy.pages]\ntype = "git"\nremote = "{remote}"')
    (blog / "output/index.html.gz").write_bytes(b"gzip bytes")
    (blog / "output/index.html.br").write_bytes(b"brotli bytes")
    assert cli("deploy", "--site", str(blog)).code == 0
    files = branch_files(remote)
    assert "index.html" in files
    assert not any(rel.endswith((".gz", ".br")) for rel in files)
