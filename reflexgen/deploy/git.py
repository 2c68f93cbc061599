"""`type = "git"`: the output folder committed to a branch of a remote (GitHub Pages'
`gh-pages`, Codeberg's `pages`) and pushed.

The work happens in a bare repository of its own, `.reflexgen-cache/deploy/NAME.git`, with
plumbing commands (`read-tree`, `update-index`, `write-tree`, `commit-tree`): the user's
repository, working tree, index and branch are never touched. The remote branch is fetched
first and is the new commit's parent; an index kept there remembers each file's stamp, so a
re-deploy reads only the files that changed. A tree equal to the branch's makes no commit.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from reflexgen.config.deploy import DeployTarget, is_remote
from reflexgen.deploy.base import Change, DeployOptions, LocalFile, Summary, deploy_error
from reflexgen.deploy.listing import output_of
from reflexgen.errors import BuildError, Reporter
from reflexgen.site.caching import deploy_order, original

NOJEKYLL = ".nojekyll"  # GitHub Pages would otherwise drop `_headers`, `_redirects`, `_x/`
FETCHED = "refs/remotes/deploy/head"
# Environment variables of the user's git kept: who they are and how they reach remotes.
KEPT = ("GIT_AUTHOR_", "GIT_COMMITTER_", "GIT_SSH", "GIT_ASKPASS", "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_NOSYSTEM", "GIT_TRACE", "GIT_PROXY")
# Settings that would change the files' bytes on their way into the commit.
SETTINGS = ("-c", "core.autocrlf=false", "-c", "core.safecrlf=false", "-c",
            "core.attributesFile=/dev/null", "-c", "core.fileMode=true")
REFUSED = (
    ("does not appear to be a git repository", "{remote} is not a git repository",
     "fix remote in {table}"),
    ("repository not found", "{remote} does not exist, or this account cannot see it",
     "check remote in {table}, and that the repository exists"),
    ("could not resolve host", "the host of {remote} is unknown", "fix remote in {table}"),
    ("connection refused", "{remote} refused the connection", "check the address and port"),
    ("permission denied", "{remote} refused the login", "check the SSH key git uses for "
                                                        "that host (ssh -T its address)"),
    ("authentication failed", "{remote} refused the credentials", "check the token your "
                                                                   "credential helper gives"),
    ("terminal prompts disabled", "{remote} asks for a user name and password",
     "set up a credential helper, or use an SSH address (git@host:owner/repo.git)"),
    ("host key verification failed", "ssh does not know the host key of {remote}",
     "connect once by hand (ssh -T its address) to accept it"),
    ("could not read from remote repository", "{remote} cannot be reached or read",
     "check the address, the network and your access rights"),
)


@dataclass(frozen=True)
class Prepared:
    """A deploy ready to push: the commit (None when the tree did not change) and what
    changed between the branch's tree and the new one."""

    commit: str | None
    parent: str | None
    sent: list[Change]
    deleted: list[Change]
    unchanged: int


class GitTarget:
    def __init__(self, target: DeployTarget, site_root: Path, title: str = "") -> None:
        self.name = target.name
        self.branch: str = target.options["branch"]
        self.cname: str = target.options.get("cname") or ""
        self.message = target.options["message"].format(title=title or "the site")
        remote: str = target.options["remote"]
        local = "://" not in remote and not is_remote(remote)
        self.remote = os.path.normpath(site_root.absolute() / Path(remote).expanduser()) \
            if local else remote
        self.repo = site_root.absolute() / ".reflexgen-cache" / "deploy" / f"{target.name}.git"
        self.table = f"[deploy.{target.name}] of site.toml"

    def deploy(self, files: list[LocalFile], options: DeployOptions,
               reporter: Reporter) -> Summary:
        start = time.perf_counter()
        prepared = self.prepare(files, options, reporter)
        if prepared.commit is not None and not options.dry_run:
            self.push(prepared, options.force, reporter)
        return Summary(self.name, prepared.sent, prepared.deleted, prepared.unchanged,
                       time.perf_counter() - start, options.dry_run)

    def prepare(self, files: list[LocalFile], options: DeployOptions,
                reporter: Reporter) -> Prepared:
        """Fetch the branch, stage the output over its tree and commit if the tree changed."""
        output = output_of(files)
        self.start()
        parent = self.fetch()
        reporter.debug(f"deploy {self.name}: {self.branch} of {self.remote} is at "
                       f"{parent or 'nothing yet'}")
        if parent and not options.force:
            top = set(self.git("ls-tree", "--name-only", "-z", parent).stdout.split("\0"))
            if {"site.toml", "content"} <= top:
                raise self.error(f"the branch {self.branch} holds a site's sources (site.toml "
                                 "and content/), which a deploy would replace by the built site",
                                 f"name another branch in {self.table} (gh-pages, pages), or "
                                 "pass --force if that is really what you want")
        self.git("read-tree", *(["-m", f"{parent}^{{tree}}"] if parent else ["--empty"]),
                 work_tree=output)
        extras = {NOJEKYLL: b""} | ({"CNAME": self.cname.encode() + b"\n"} if self.cname else {})
        # Git hosts (GitHub, Codeberg Pages) compress for themselves: no .gz or .br copies.
        ours = [f.rel for f in files if (f.rel not in extras or f.rel == NOJEKYLL)
                and original(f.rel)[1] is None]
        self.git("update-index", "--add", "--replace", "-z", "--stdin",
                 stdin="".join(p + "\0" for p in ours), work_tree=output)
        if options.delete:  # also what the output has but does not publish (server files)
            indexed = set(self.git("ls-files", "-z").stdout.split("\0")) - {""}
            stale = sorted(indexed - set(ours) - set(extras))
            self.git("update-index", "--force-remove", "-z", "--stdin",
                     stdin="".join(p + "\0" for p in stale), work_tree=output)
        for rel, data in extras.items():
            if rel not in ours:
                blob = self.git("hash-object", "-w", "--stdin", stdin=data).stdout.strip()
                self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}")
        tree = self.git("write-tree").stdout.strip()
        before = self.git("rev-parse", f"{parent}^{{tree}}").stdout.strip() if parent else None
        total = self.git("ls-files", "-z").stdout.count("\0")
        if tree == before:
            return Prepared(None, parent, [], [], total)
        sizes = {f.rel: f.size for f in files} | {k: len(v) for k, v in extras.items()}
        sent, deleted = self.changes(before, tree, sizes)
        commit = "(dry run)"
        if not options.dry_run:
            commit = self.git("commit-tree", tree, *(["-p", parent] if parent else []),
                              "-m", self.message, env=self.identity()).stdout.strip()
        return Prepared(commit, parent, sent, deleted, total - len(sent))

    def push(self, prepared: Prepared, force: bool, reporter: Reporter) -> None:
        reporter.debug(f"deploy {self.name}: pushing {prepared.commit} to {self.branch}")
        pushed = self.git("push", "--porcelain", *(["--force"] if force else []), self.remote,
                          f"{prepared.commit}:refs/heads/{self.branch}", check=False)
        if pushed.returncode == 0:
            self.git("update-ref", FETCHED, str(prepared.commit))
            return
        said = (pushed.stdout + pushed.stderr).lower()
        if "non-fast-forward" in said or "fetch first" in said or "[rejected]" in said:
            raise self.error(f"the branch {self.branch} of {self.remote} changed since this "
                             "deploy read it (someone else pushed meanwhile)",
                             "run `reflexgen deploy` again to commit on top of it, or "
                             "`reflexgen deploy --force` to replace it with this site")
        raise self.refused(pushed)

    def changes(self, before: str | None, tree: str, sizes: dict[str, int]
                ) -> tuple[list[Change], list[Change]]:
        """The files added or changed, in deploy order, and those deleted."""
        if before is None:
            return [Change(rel, sizes.get(rel, 0)) for rel in sorted(
                self.git("ls-files", "-z").stdout.split("\0")[:-1], key=deploy_order)], []
        raw = self.git("diff-tree", "-r", "-z", "--no-renames", before, tree).stdout
        fields = raw.split("\0")
        sent, deleted = [], []
        for status, rel in zip(fields[0::2], fields[1::2], strict=False):
            if status.endswith("D"):
                deleted.append(Change(rel, 0, deleted=True))
            elif status:
                sent.append(Change(rel, sizes.get(rel, 0)))
        sent.sort(key=lambda change: deploy_order(change.rel))
        return sent, deleted

    def start(self) -> None:
        if not (self.repo / "HEAD").exists():
            self.repo.mkdir(parents=True, exist_ok=True)
            self.git("init", "--quiet", "--bare", str(self.repo))

    def fetch(self) -> str | None:
        """The head of the remote branch, fetched; None when it does not exist yet."""
        fetched = self.git("fetch", "--no-tags", "--quiet", self.remote,
                           f"+refs/heads/{self.branch}:{FETCHED}", check=False)
        if fetched.returncode == 0:
            return self.git("rev-parse", FETCHED).stdout.strip()
        if "couldn't find remote ref" in fetched.stderr.lower():
            self.git("update-ref", "-d", FETCHED, check=False)
            return None
        raise self.refused(fetched)

    def identity(self) -> dict[str, str]:
        """Who commits: the user's git identity, or reflexgen's when git has none (given in
        the environment of this one command, git's configuration left alone)."""
        env: dict[str, str] = {}
        for role in ("AUTHOR", "COMMITTER"):
            for key, setting, fallback in (("NAME", "user.name", "reflexgen"),
                                           ("EMAIL", "user.email", "reflexgen@localhost")):
                if f"GIT_{role}_{key}" in os.environ:
                    continue
                if self.git("config", setting, check=False).stdout.strip() == "":
                    env[f"GIT_{role}_{key}"] = fallback
        return env

    def git(self, *args: str, stdin: str | bytes | None = None, work_tree: Path | None = None,
            env: dict[str, str] | None = None, check: bool = True
            ) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items()
                   if not k.startswith("GIT_") or k.startswith(KEPT)}
        environ |= {"GIT_DIR": str(self.repo), "GIT_INDEX_FILE": str(self.repo / "deploy-index"),
                    "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        if "GIT_SSH_COMMAND" not in environ and "GIT_SSH" not in environ:
            environ["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        if work_tree is not None:
            environ["GIT_WORK_TREE"] = str(work_tree)
        environ |= env or {}
        data = stdin.encode() if isinstance(stdin, str) else stdin
        try:
            done = subprocess.run(["git", *SETTINGS, *args], input=data, capture_output=True,
                                  env=environ, cwd=self.repo if self.repo.exists() else None)
        except FileNotFoundError:
            raise self.error("git is not installed", "install it (apt install git)") from None
        result = subprocess.CompletedProcess(done.args, done.returncode,
                                             done.stdout.decode(errors="surrogateescape"),
                                             done.stderr.decode(errors="replace"))
        if check and done.returncode != 0:
            raise self.error(f"git {args[0]} failed: {result.stderr.strip()}",
                             f"delete {self.repo} and try again (it is only a cache)")
        return result

    def refused(self, done: subprocess.CompletedProcess[str]) -> BuildError:
        said = done.stderr.lower()
        for words, what, fix in REFUSED:
            if words in said:
                return self.error(what.format(remote=self.remote),
                                  fix.format(table=self.table))
        return self.error(f"git failed: {done.stderr.strip()}",
                          f"check remote and branch in {self.table}")

    def error(self, what: str, fix: str) -> BuildError:
        return deploy_error(self.name, what, fix)
