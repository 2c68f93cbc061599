"""Publication: approved comments written into their articles' sidecar files, then the site
built and, if the site says how, deployed.

The order is what keeps a comment safe: the file is written first, then the store is told
(`mark_published`), then the build runs. A crash between two steps is repaired by the next
run: writing is idempotent, and a "needs build" mark kept in the store makes the next
`publish` build and deploy again even when nothing new was approved."""

from __future__ import annotations

import json
import shlex
import subprocess
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reflexgen.build import BuildOptions, BuildResult, build
from reflexgen.comments.records import Submission
from reflexgen.comments.sidecar import (
    locked,
    remove_comments,
    replace_body,
    sidecar_path,
    write_sidecar,
)
from reflexgen.comments.store import Store
from reflexgen.config import SiteConfig
from reflexgen.content.frontmatter import CONTROL
from reflexgen.errors import BuildError, Problem, Reporter

NEEDS_BUILD = "publish.needs-build"  # meta: comments were written; the site is not built yet
LAST = "publish.last"  # meta: how the last build and deploy went (see `last_publication`)
RENAMED = "publish.id."  # meta prefix: a store id → the other id it was published under
DEPLOY_TIMEOUT = 15 * 60  # seconds


@dataclass(frozen=True)
class PublishResult:
    written: dict[str, str]  # store id → its id in the sidecar file
    failed: tuple[str, ...]  # approved, but not written (reported; tried again next time)
    built: bool  # the site was built (and deployed, when a command is set)
    build_failed: bool  # a build or deploy was owed and failed: the next publish retries it

    @property
    def ok(self) -> bool:
        return not self.failed and not self.build_failed


Builder = Callable[[BuildOptions, Reporter], BuildResult]  # `build.build`, or a server's own


def publish(site_dir: Path, config: SiteConfig, store: Store, reporter: Reporter,
            builder: Builder = build) -> PublishResult:
    """Write every approved, unpublished comment, then build and deploy if anything is owed.
    One publisher at a time per site (the intake server and a moderator's command may both
    publish): two builds must not write the same output folder at once, and two machines
    sharing a PostgreSQL store must not publish at once either."""
    recorder = Recorder(reporter)
    with locked(site_dir), store.publishing():
        written, failed = write_all(config.content_dir, store.to_publish(),
                                    config.comments.keep_emails, store, recorder)
        owed = store.meta(NEEDS_BUILD)
        if owed is None:
            return PublishResult(written, failed, False, False)
        done = rebuild(site_dir, builder, recorder) and deploy(
            site_dir, config.comments.deploy_command, recorder)
        if done:  # unless a comment file changed again meanwhile (a mark of its own)
            store.forget_meta(NEEDS_BUILD, owed)
        outcome = ("deployed" if config.comments.deploy_command.strip() else "built") \
            if done else "failed"
        store.set_meta(LAST, json.dumps({
            "outcome": outcome, "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "reason": str(recorder.errors[0]) if recorder.errors and not done else ""}))
    if not done:
        reporter.info("the comments are saved in their files; the next `reflexgen comments "
                      "publish` builds and deploys again")
    return PublishResult(written, failed, done, not done)


def owe_build(store: Store) -> None:
    """Say that a comment file changed and the site must be built again. Each mark is new:
    a publication clears only the one it built (`Store.forget_meta`), so a file changed
    while it was building is built by the next one."""
    store.set_meta(NEEDS_BUILD, uuid.uuid4().hex)


@dataclass(frozen=True)
class Publication:
    """Where publication stands, for the moderation page."""

    waiting: int  # approved comments not yet in their files
    owed: bool  # comments were written (or taken out) and the site is not built yet
    outcome: str  # of the last build and deploy: built, deployed, failed, or "" (none yet)
    at: datetime | None
    reason: str  # why it failed


def last_publication(store: Store) -> Publication:
    last = json.loads(store.meta(LAST) or "{}")
    at = last.get("at")
    return Publication(len(store.to_publish()), store.meta(NEEDS_BUILD) is not None,
                       last.get("outcome", ""), datetime.fromisoformat(at) if at else None,
                       last.get("reason", ""))


class Recorder(Reporter):
    """A reporter that passes everything on and keeps the errors (the reason a publication
    failed, for the moderation page)."""

    def __init__(self, inner: Reporter) -> None:
        super().__init__(inner.verbosity, inner.stream)
        self.inner = inner
        self.errors: list[Problem] = []

    def error(self, problem: Problem) -> None:
        self.errors.append(problem)
        self.inner.error(problem)

    def warn(self, problem: Problem) -> None:
        self.inner.warn(problem)

    def info(self, message: str) -> None:
        self.inner.info(message)

    def debug(self, message: str) -> None:
        self.inner.debug(message)


def write_all(content_dir: Path, approved: list[Submission], keep_emails: bool, store: Store,
              reporter: Reporter) -> tuple[dict[str, str], tuple[str, ...]]:
    """Write each thread's comments into its sidecar, then mark them published."""
    threads: dict[str, list[Submission]] = defaultdict(list)
    failed: list[str] = []
    for submission in approved:
        trouble = unwritable(submission)
        if trouble:
            reporter.error(Problem(f"comment {submission.id} not published: {trouble}",
                                   content_dir / submission.thread,
                                   hint=f"fix it with `reflexgen comments edit {submission.id}`"))
            failed.append(submission.id)
        else:
            threads[submission.thread].append(submission)
    written: dict[str, str] = {}
    for thread, submissions in threads.items():
        notes: list[str] = []
        try:
            ids = write_sidecar(content_dir, thread, submissions, keep_emails, notes)
        except (BuildError, OSError) as exc:
            report_failure(exc, reporter)
            failed += [s.id for s in submissions]
            continue
        for note in notes:
            reporter.warn(Problem(note, sidecar_path(content_dir, thread)))
        owe_build(store)  # before `mark_published`: a crash then still builds
        for cid, published_as in ids.items():
            if cid != published_as:
                store.set_meta(RENAMED + cid, published_as)
                reporter.info(f"{cid} is published as {published_as} (its id was taken)")
        store.mark_published(ids)
        written.update(ids)
        reporter.info(f"{thread}: {len(ids)} comment(s) published")
    return written, tuple(failed)


def withdraw(content_dir: Path, store: Store, submissions: list[Submission],
             reporter: Reporter) -> list[str]:
    """Take published comments out of their articles' sidecar files (marked spam, or to be
    deleted): their replies, published or waiting, move up to their parent, as on
    WordPress; a build is then owed. Returns the ids that are out of the files now; those
    whose file could not be changed are reported and left as they were."""
    threads: dict[str, list[Submission]] = defaultdict(list)
    for submission in submissions:
        if submission.published:
            threads[submission.thread].append(submission)
    done = [s.id for s in submissions if not s.published]
    for thread, chosen in threads.items():
        names = {published_as(store, s.id): s for s in chosen}
        try:
            moved = remove_comments(content_dir, thread, names)
        except (BuildError, OSError) as exc:
            report_failure(exc, reporter)
            continue
        owe_build(store)
        for name, submission in names.items():
            parent, seen = submission.parent, {name}  # the first one kept up the chain
            while parent in names and parent not in seen:
                seen.add(parent)
                parent = names[parent].parent
            if name not in moved:
                reporter.info(f"{submission.id} was no longer in {thread}'s comment file")
            for reply in moved.get(name, ()):
                reporter.info(f"{reply} now answers {parent or 'the article'} instead of {name}")
            store.reparent(thread, name, parent)
            store.set_meta(RENAMED + submission.id, None)
        store.mark_published([s.id for s in chosen], published=False)
        done += [s.id for s in chosen]
    return done


def revise(content_dir: Path, store: Store, submission: Submission, reporter: Reporter
           ) -> bool:
    """Give a published comment its edited text in its sidecar file too; True when a build
    is owed."""
    name = published_as(store, submission.id)
    try:
        found = replace_body(content_dir, submission.thread, name, submission.body)
    except (BuildError, OSError) as exc:
        report_failure(exc, reporter)
        return False
    if not found:
        reporter.warn(Problem(f"{submission.id} is no longer in the article's comment file: "
                              "only the database has the new text",
                              sidecar_path(content_dir, submission.thread)))
        return False
    owe_build(store)
    return True


def report_failure(exc: BuildError | OSError, reporter: Reporter) -> None:
    for problem in exc.problems if isinstance(exc, BuildError) else [
            Problem(f"cannot write: {exc.strerror or exc}", exc.filename)]:
        reporter.error(problem)


def unwritable(submission: Submission) -> str | None:
    """Why a stored comment cannot go into a page as it is (the build would refuse it)."""
    if not submission.body.strip():
        return "its text is empty"
    for name in ("author", "body", "url", "email"):
        value = getattr(submission, name) or ""
        if "\0" in value or CONTROL.search(value):
            return f"its {name} holds a control character"
    return None


def published_as(store: Store, cid: str) -> str:
    """The id a comment has in its sidecar file (its store id unless that one was taken)."""
    return store.meta(RENAMED + cid) or cid


def rebuild(site_dir: Path, builder: Builder, reporter: Reporter) -> bool:
    try:
        result = builder(BuildOptions(site_dir=site_dir), reporter)
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        reporter.error(Problem("the site was not built after publishing comments",
                               site_dir, hint="fix the errors above, then run `reflexgen "
                                              "comments publish` again"))
        return False
    except OSError as exc:
        reporter.error(Problem(f"the site was not built: {exc.strerror or exc}", exc.filename))
        return False
    reporter.info(f"built: {len(result.rendered)} page(s) rendered in {result.seconds:.2f} s")
    return True


def deploy(site_dir: Path, command: str, reporter: Reporter) -> bool:
    """Run the site's deploy command (no shell: split as a shell would), its output shown."""
    if not command.strip():
        return True
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        reporter.error(Problem(f"cannot read deploy_command: {exc}", site_dir / "site.toml"))
        return False
    try:
        done = subprocess.run(argv, cwd=site_dir, capture_output=True, text=True,
                              errors="replace", timeout=DEPLOY_TIMEOUT, check=False)
    except OSError as exc:
        reporter.error(Problem(f"cannot run deploy_command {argv[0]!r}: {exc.strerror or exc}",
                               site_dir / "site.toml"))
        return False
    except subprocess.TimeoutExpired:
        reporter.error(Problem(f"deploy_command still running after {DEPLOY_TIMEOUT} s: "
                               "stopped", site_dir / "site.toml"))
        return False
    for line in (done.stdout + done.stderr).splitlines():
        reporter.info(f"deploy: {line}")
    if done.returncode != 0:
        reporter.error(Problem(f"deploy_command failed (exit code {done.returncode})",
                               site_dir / "site.toml"))
        return False
    reporter.info("deployed")
    return True
