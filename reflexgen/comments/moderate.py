"""Moderation from the command line: list, show, approve, mark as spam, delete, edit.

Each function takes an open store and returns what the command prints or did; `cli.py`
parses the arguments and sets the exit code. E-mail addresses are shown only when asked."""

from __future__ import annotations

import getpass
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reflexgen.comments.publish import NEEDS_BUILD, publish, published_as, revise, withdraw
from reflexgen.comments.records import Draft, Submission
from reflexgen.comments.sidecar import locked
from reflexgen.comments.store import (
    POSTGRES_SCHEMES,
    SQLiteStore,
    SQLStore,
    Store,
    is_server,
    postgres_store,
)
from reflexgen.comments.store import open_store as store_at
from reflexgen.config import SiteConfig
from reflexgen.errors import BuildError, Problem, Reporter


def database_path(config: SiteConfig) -> Path:
    return config.root / config.comments.database


def open_store(config: SiteConfig, create: bool = True) -> SQLStore:
    """The site's comment database; without `create`, an error when its SQLite file does
    not exist yet."""
    database = config.comments.database
    if not create and not is_server(database) and not database_path(config).exists():
        raise BuildError(Problem("no comment database yet: no comment was received",
                                 database_path(config),
                                 hint="start the intake with `reflexgen comments serve`"))
    return store_at(database, config.root)


def thread_key(config: SiteConfig, article: str) -> str:
    """An article given as `posts/x.md`, `content/posts/x.md` or a path: its thread key."""
    path = Path(article)
    if path.is_absolute() or path.exists():
        try:
            return path.resolve().relative_to(config.content_dir.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix().removeprefix("./").removeprefix("content/")


def record(store: Store, submission: Submission, with_email: bool) -> dict[str, Any]:
    """A submission as `--json` prints it."""
    data: dict[str, Any] = {
        "id": submission.id, "article": submission.thread, "parent": submission.parent,
        "author": submission.author, "url": submission.url,
        "date": submission.date.isoformat(), "status": submission.status,
        "published": submission.published, "reasons": list(submission.reasons),
        "body": submission.body}
    if submission.published and published_as(store, submission.id) != submission.id:
        data["published_as"] = published_as(store, submission.id)
    if with_email:
        data["email"] = submission.email
    return data


def line(submission: Submission) -> str:
    """One submission on one line, for people."""
    state = submission.status + (", published" if submission.published else "")
    excerpt = " ".join(submission.body.split())
    excerpt = excerpt if len(excerpt) <= 60 else excerpt[:59] + "…"
    reply = f" ↳{submission.parent}" if submission.parent else ""
    return (f"{submission.id:<7} {submission.date:%Y-%m-%d %H:%M} {state:<19} "
            f"{submission.thread}{reply}  {submission.author}: {excerpt}")


def details(store: Store, submission: Submission, with_email: bool) -> str:
    fields = record(store, submission, with_email)
    body = fields.pop("body")
    head = "\n".join(f"{key}: {value}" for key, value in fields.items()
                     if value not in (None, [], ""))
    return f"{head}\n\n{body}"


def dumps(records: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=2)


def existing(store: Store, ids: Iterable[str]) -> list[Submission]:
    """The submissions with these ids; an error naming the ids that are unknown."""
    found, unknown = [], []
    for cid in dict.fromkeys(ids):
        submission = store.get(cid)
        if submission is None:
            unknown.append(cid)
        else:
            found.append(submission)
    if unknown:
        raise BuildError(Problem("no comment with the id " + ", ".join(map(repr, unknown)),
                                 hint="see the ids with `reflexgen comments list --status all`; "
                                      "nothing was changed"))
    return found


def set_status(store: Store, ids: list[str], status: str) -> list[Submission]:
    """Change the status of `ids` (all or none); the submissions as they were."""
    found = existing(store, ids)
    store.set_status([s.id for s in found], status)
    return found


# What a moderator does, from the command line or the moderation page. Each leaves a build
# owed (`NEEDS_BUILD`) or comments to publish when the site must change; the caller
# publishes (`finish` here, the intake's publisher on the page).

@contextmanager
def not_publishing(config: SiteConfig, store: Store) -> Iterator[None]:
    """Held while comment files change outside publication: a publication that has read the
    queue must not write back what is being taken out (the locks `publish` takes)."""
    with locked(config.root), store.publishing():
        yield


def mark_spam(config: SiteConfig, store: Store, ids: list[str], reporter: Reporter
              ) -> tuple[list[Submission], bool]:
    """Mark `ids` as spam, taken out of the site if published (marked first: never
    published again): those marked, and False if a comment file could not be changed."""
    with not_publishing(config, store):
        found = set_status(store, ids, "spam")
        return found, len(withdraw(config.content_dir, store, found, reporter)) == len(found)


def remove(config: SiteConfig, store: Store, ids: list[str], reporter: Reporter
           ) -> tuple[int, bool]:
    """Delete `ids` for good, taken out of the site first if published: how many went, and
    False if a comment file could not be changed (that comment is kept)."""
    with not_publishing(config, store):
        found = existing(store, ids)
        out = withdraw(config.content_dir, store, found, reporter)  # first: it needs them
        return store.delete(out), len(out) == len(found)


def reply(store: Store, parent: Submission, author: tuple[str | None, str], text: str,
          now: datetime) -> Submission:
    """A reply by one of the site's authors (`author`: their id, if they have an author
    file, and name), approved at once, as is the comment it answers (as WordPress does)."""
    if parent.status != "approved":
        store.set_status([parent.id], "approved")
    author_id, name = author
    return store.add(Draft(parent.thread, published_as(store, parent.id), name, None, None,
                           text, "", author_id), "approved", (), now)


def change_text(config: SiteConfig, store: Store, cid: str, text: str, reporter: Reporter
                ) -> bool:
    """Give a comment a new text, on the site too if published; False if its comment file
    could not be changed."""
    with not_publishing(config, store):
        edited = store.edit(cid, text)
        return not edited.published or revise(config.content_dir, store, edited, reporter)


def edited_text(store: Store, cid: str, run_editor: Callable[[Path], Problem | None]
                ) -> str | None:
    """Open the body in the editor (a private temporary file); the new text, or None when it
    came back empty or unchanged."""
    [submission] = existing(store, [cid])
    handle, name = tempfile.mkstemp(prefix=f"reflexgen-{submission.id}-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(submission.body)
        trouble = run_editor(path)
        if trouble is not None:
            raise BuildError(trouble)
        text = path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
    if not submission.body.endswith("\n"):
        text = text.removesuffix("\n")  # the one most editors add on saving
    if not text.strip() or text == submission.body:
        return None
    return text


def run(args: Any, reporter: Reporter, run_editor: Callable[[Path], Problem | None]) -> int:
    """`reflexgen comments …` once its arguments are parsed (`args` from argparse): the exit
    code. Records go to stdout, messages to the reporter."""
    from reflexgen.config import load_config

    try:
        config, warnings = load_config(args.site)
        for warning in warnings:
            reporter.warn(warning)
        if args.action == "serve":
            from reflexgen.comments.server import serve

            return serve(args.site, args.host, args.port, reporter, args.workers)
        store = open_store(config, create=args.action in ("approve", "publish", "export",
                                                           "erase", "set-password"))
        try:
            return ACTIONS[args.action](args, config, store, reporter, run_editor)
        finally:
            store.close()
    except BuildError as exc:
        for problem in exc.problems:
            reporter.error(problem)
        return 1
    except OSError as exc:
        reporter.error(Problem(f"cannot work on the comments: {exc.strerror or exc}",
                               exc.filename))
        return 1
    except KeyboardInterrupt:
        return 130


def do_list(args: Any, config: SiteConfig, store: Store, reporter: Reporter, _: Any) -> int:
    status = None if args.status == "all" else args.status
    thread = thread_key(config, args.article) if args.article else None
    found = store.find(status=status, thread=thread)
    if args.json:
        print(dumps(record(store, s, args.with_email) for s in found), flush=True)
    else:
        for submission in found:
            print(line(submission), flush=True)
        reporter.info(f"{len(found)} comment(s)")
    return 0


def do_show(args: Any, config: SiteConfig, store: Store, reporter: Reporter, _: Any) -> int:
    [submission] = existing(store, [args.id])
    if args.json:
        print(dumps([record(store, submission, args.with_email)]), flush=True)
    else:
        print(details(store, submission, args.with_email), flush=True)
    return 0


def do_status(args: Any, config: SiteConfig, store: Store, reporter: Reporter, _: Any) -> int:
    if args.action == "approve":
        found = set_status(store, args.ids, "approved")
        reporter.info(f"approved: {', '.join(s.id for s in found)}")
        return 0 if args.no_publish else do_publish(args, config, store, reporter, None)
    found, ok = mark_spam(config, store, args.ids, reporter)
    reporter.info(f"spam: {', '.join(s.id for s in found)}")
    return finish(config, store, reporter, ok)


def do_delete(args: Any, config: SiteConfig, store: Store, reporter: Reporter, _: Any) -> int:
    count, ok = remove(config, store, args.ids, reporter)
    reporter.info(f"deleted {count} comment(s)")
    return finish(config, store, reporter, ok)


def do_edit(args: Any, config: SiteConfig, store: Store, reporter: Reporter,
            run_editor: Callable[[Path], Problem | None]) -> int:
    text = edited_text(store, args.id, run_editor)
    if text is None:
        reporter.info("nothing changed")
        return 0
    ok = change_text(config, store, args.id, text, reporter)
    reporter.info(f"{args.id} edited")
    return finish(config, store, reporter, ok)


def finish(config: SiteConfig, store: Store, reporter: Reporter, ok: bool) -> int:
    """Build and deploy the site if a comment file changed; the exit code."""
    if store.meta(NEEDS_BUILD) is None:
        return 0 if ok else 1
    result = publish(config.root, config, store, reporter)
    return 0 if ok and result.ok else 1


def do_publish(args: Any, config: SiteConfig, store: Store, reporter: Reporter, _: Any) -> int:
    result = publish(config.root, config, store, reporter)
    if not result.written and not result.failed and not result.built:
        reporter.info("nothing to publish")
    return 0 if result.ok else 1


def do_purge(args: Any, config: SiteConfig, store: Store, reporter: Reporter, _: Any) -> int:
    gone = store.purge(datetime.now(UTC))
    reporter.info(f"purged {gone} spam comment(s) and the expired rate-limit data")
    return 0


def do_export(args: Any, config: SiteConfig, store: Store, reporter: Reporter, _: Any) -> int:
    from reflexgen.comments.privacy import export

    print(json.dumps(export(config, store, args.email), ensure_ascii=False, indent=2),
          flush=True)
    return 0


def do_erase(args: Any, config: SiteConfig, store: Store, reporter: Reporter, _: Any) -> int:
    from reflexgen.comments.privacy import erase

    if not args.yes:
        if not sys.stdin.isatty():
            raise BuildError(Problem("erase asks before it acts: run it on a terminal, or "
                                     "add --yes"))
        answer = input(f"Erase every comment and record of {args.email}, on the site too? "
                       "[y/N] ")
        if answer.strip().lower() not in ("y", "yes", "o", "oui"):
            reporter.info("nothing was erased")
            return 1
    count, ok = erase(config, store, args.email, reporter)
    if ok:
        reporter.info(f"erased {args.email}: {count} comment(s) from the database")
    return finish(config, store, reporter, ok)


def do_set_password(args: Any, config: SiteConfig, store: Store, reporter: Reporter,
                    _: Any) -> int:
    from reflexgen.comments import auth

    if sys.stdin.isatty():
        password = getpass.getpass("New password for the moderation page: ")
        if getpass.getpass("The same again: ") != password:
            raise BuildError(Problem("the two passwords differ: nothing was changed"))
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        auth.set_password(store, password)
    except ValueError as exc:
        raise BuildError(Problem(f"{exc}: nothing was changed",
                                 hint="a few unrelated words make a good one")) from None
    reporter.info("password set; every open session has ended")
    if args.totp:
        address = auth.new_totp(store, config.title)
        print(address, flush=True)
        reporter.info("codes are asked for from now on: open the address above in an "
                      "authenticator app (or type its secret= part)")
    elif args.no_totp:
        auth.drop_totp(store)
        reporter.info("no code is asked for any more")
    return 0


def do_migrate(args: Any, config: SiteConfig, store: Store, reporter: Reporter,
               _: Any) -> int:
    """Copy the site's SQLite store into an empty PostgreSQL database (`--to`)."""
    if not isinstance(store, SQLiteStore):
        raise BuildError(Problem("the comments are not in an SQLite file: nothing to migrate",
                                 hint="[comments] database names a server already"))
    if args.to.partition("://")[0].lower() not in POSTGRES_SCHEMES or not is_server(args.to):
        raise BuildError(Problem(f"--to {args.to!r} is not a PostgreSQL address",
                                 hint="--to postgresql://user@host/name (an empty database)"))
    target = postgres_store(args.to)
    try:
        copied = target.copy_from(store)
    finally:
        target.close()
    reporter.info(f"copied {copied.get('submissions', 0)} comment(s) and the rest of "
                  f"{store.path.name} ({sum(copied.values())} rows) into {target.shown}")
    reporter.info(f'now set database = "{target.shown}" under [comments] in site.toml, then '
                  "restart the intake (the password: PGPASSWORD or ~/.pgpass)")
    return 0


ACTIONS: dict[str, Callable[..., int]] = {
    "list": do_list, "show": do_show, "approve": do_status, "spam": do_status,
    "delete": do_delete, "edit": do_edit, "publish": do_publish, "purge": do_purge,
    "export": do_export, "erase": do_erase, "set-password": do_set_password,
    "migrate": do_migrate}
