"""A reader's personal data (GDPR): everything kept about an e-mail address, exported or
erased, in the database and in the published comment files.

Erasing takes the address's comments out of the site: a comment with replies stays as
« Commentaire supprimé » (its author, address and site gone), so that the thread keeps its
shape; one without goes. Replies waiting in the queue for a comment that goes move up to its
parent. Comments written in an article's own front matter are not changed by a program: they
are named, for the blogger to remove."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reflexgen.comments.publish import RENAMED, owe_build, published_as, report_failure
from reflexgen.comments.sidecar import erase_comments, sidecar_path
from reflexgen.comments.store import Store
from reflexgen.config import SiteConfig
from reflexgen.content.discover import MARKDOWN_SUFFIXES, SIDECAR_SUFFIXES
from reflexgen.content.frontmatter import split
from reflexgen.errors import BuildError, Problem, Reporter
from reflexgen.render.i18n import load_translator
from reflexgen.render.themes import find_theme


def sidecars_with(content_dir: Path, email: str) -> dict[str, Path]:
    """The comment files that hold this address, by thread (the article's source path)."""
    found = {}
    wanted = email.casefold()
    for suffix in SIDECAR_SUFFIXES:
        for path in sorted(content_dir.rglob(f"*{suffix}")):
            try:
                if wanted in path.read_text(encoding="utf-8").casefold():
                    stem = path.relative_to(content_dir).as_posix().removesuffix(suffix)
                    article = next((stem + ending for ending in MARKDOWN_SUFFIXES
                                    if (content_dir / (stem + ending)).is_file()), None)
                    if article is not None:  # a comment file without its article: not read
                        found[article] = path
            except (OSError, UnicodeDecodeError):
                continue
    return found


def inline_with(content_dir: Path, email: str) -> list[Path]:
    """Articles whose front matter holds a comment from this address."""
    wanted = email.casefold()
    found = []
    articles = (path for path in sorted(content_dir.rglob("*"))
                if path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file())
    for path in articles:
        try:
            text = path.read_text(encoding="utf-8")
            if wanted not in text.casefold():
                continue
            comments = split(text, path).meta.get("comments")
        except (OSError, UnicodeDecodeError, BuildError):
            continue
        if isinstance(comments, list) and any(
                isinstance(c, dict) and str(c.get("email") or "").casefold() == wanted
                for c in comments):
            found.append(path)
    return found


def export(config: SiteConfig, store: Store, email: str) -> dict[str, Any]:
    """Everything kept about `email`, as plain data (for `--json`)."""
    submissions = []
    for submission in store.by_email(email):
        record = asdict(submission)
        record["date"] = submission.date.isoformat()
        record["reasons"] = list(submission.reasons)
        submissions.append(record)
    return {
        "email": email,
        "exported": datetime.now(UTC).isoformat(timespec="seconds"),
        "comments": submissions,
        "address_confirmed": store.address_confirmed(email),
        "following_replies_to": [s["id"] for s in submissions
                                 if store.subscriber(s["id"]) == email.casefold()],
        "messages": [{"kind": kind, "queued": _iso(created), "sent": _iso(sent)}
                     for kind, created, sent in store.mail_to(email)],
        "comment_files": [path.relative_to(config.root).as_posix()
                          for path in sidecars_with(config.content_dir, email).values()],
        "articles_to_check_by_hand": [path.relative_to(config.root).as_posix()
                                      for path in inline_with(config.content_dir, email)],
    }


def _iso(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds") \
        if seconds is not None else None


def erased_text(config: SiteConfig) -> str:
    """« Commentaire supprimé », in the site's language (the theme's `comment_erased`)."""
    translator = load_translator(find_theme(config.root, config.theme), config.language,
                                 config.tz)
    return translator.t("comment_erased")


def erase(config: SiteConfig, store: Store, email: str, reporter: Reporter) -> tuple[int, bool]:
    """Erase everything about `email` (see `erase_now`), publication held meanwhile."""
    from reflexgen.comments.moderate import not_publishing

    with not_publishing(config, store):
        return erase_now(config, store, email, reporter)


def erase_now(config: SiteConfig, store: Store, email: str, reporter: Reporter
              ) -> tuple[int, bool]:
    """Erase everything about `email`: from the comment files first (then a build is owed),
    then from the database. Returns how many submissions went, and False if a file could
    not be changed or an article must be changed by hand (the database then keeps the
    address's records, so that `erase` can be run again once that is done)."""
    submissions = store.by_email(email)
    ids_by_thread: dict[str, set[str]] = {}
    for submission in submissions:
        if submission.published:
            ids_by_thread.setdefault(submission.thread, set()).add(
                published_as(store, submission.id))
    threads = set(ids_by_thread) | set(sidecars_with(config.content_dir, email))
    erased, ok = erased_text(config), True
    for thread in sorted(threads):
        try:
            blanked, removed = erase_comments(config.content_dir, thread,
                                              ids_by_thread.get(thread, set()), email, erased)
        except (BuildError, OSError) as exc:
            report_failure(exc, reporter)
            ok = False
            continue
        if blanked or removed:
            owe_build(store)
            reporter.info(f"{sidecar_path(config.content_dir, thread).relative_to(config.root)}"
                          f": {len(blanked)} comment(s) left as « {erased} », "
                          f"{len(removed)} removed")
        for cid, parent in removed.items():
            store.reparent(thread, cid, parent)
    for path in inline_with(config.content_dir, email):
        ok = False
        reporter.error(Problem(f"a comment in this article's front matter is from {email}",
                               path, hint="remove it (or its address) by hand, then run "
                                          "`erase` again"))
    if not ok:
        return 0, False
    for submission in submissions:
        store.set_meta(RENAMED + submission.id, None)
    return store.erase_address(email), True
