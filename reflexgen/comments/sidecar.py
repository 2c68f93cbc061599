"""Approved comments written into an article's sidecar file (`<stem>.comments.yaml`).

The file may have been written by hand. New comments are YAML added at its end (PyYAML
writes them; nothing before them is touched); a file that is not a plain list at its margin,
and every change to what is already there (`remove_comments`, `replace_body`), go through
ruamel.yaml's round trip, which keeps the file's order, quoting and YAML comments. What is
written is read back with the project's own reader before it replaces the file, so a
hand-written value that would change, or a comment that would not read back exactly, stops
the write with an error instead. Ids never change once published: a stored comment whose id
is already taken by another comment gets a fresh one (`c5` → `c5-2`).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from reflexgen.comments.records import Submission
from reflexgen.comments.yaml_text import (
    Block,
    appended,
    dump,
    entry,
    iso,
    load,
    rewritten,
    round_trip,
    styled,
)
from reflexgen.content import frontmatter
from reflexgen.content.discover import markdown_stem, sidecar_for
from reflexgen.errors import BuildError, Problem

T = TypeVar("T")


def sidecar_path(content_dir: Path, thread: str) -> Path:
    """The article's sidecar file: the one that exists, else `<stem>.comments.yaml`."""
    names = sidecar_for(thread)
    for name in names:
        if (content_dir / name).is_file():
            return content_dir / name
    return content_dir / names[0]


def write_sidecar(content_dir: Path, thread: str, submissions: Sequence[Submission],
                  keep_emails: bool, notes: list[str] | None = None) -> dict[str, str]:
    """Append `submissions` to `thread`'s sidecar file, under a lock and atomically.

    Returns, for each submission now in the file (written now or before), the id it has
    there: its store id, or a fresh one when that id belonged to another comment. Raises
    `BuildError` (nothing written) when the file cannot be read or would not read back.
    What a moderator should know (a reply whose parent went) is added to `notes`."""
    notes = notes if notes is not None else []
    article, path = files_of(content_dir, thread)
    with locked(path.parent):
        text = read_text(path) if path.exists() else ""
        data = read_list(text, path)
        taken = inline_ids(article)
        written: dict[str, str] = {}
        added: list[dict[str, str]] = []
        for submission in submissions:
            cid, new = place(submission, data, added, taken)
            written[submission.id] = cid
            if new:  # its parent is a published id: never one renamed here
                parent = submission.parent
                if parent is not None and parent not in present_ids(data, added, taken):
                    # Taken out of the file since (by hand): a top-level comment, not one
                    # the build would refuse for replying to nothing.
                    notes.append(f"{submission.id} answered {parent}, which is no longer in "
                                 f"the comment file: published as a top-level comment")
                    parent = None
                added.append(entry(submission, cid, parent, keep_emails))
        if not added:
            return written
        try:
            new_text = appended(text, added)
            check_round_trip(text, new_text, added, path)
        except BuildError:  # not a plain list at its margin: the round trip writes it
            new_text = rewritten(text, added, path)
            check_round_trip(text, new_text, added, path)
        replace_atomically(path, new_text)
        return written


def files_of(content_dir: Path, thread: str) -> tuple[Path, Path]:
    """The thread's article and its sidecar file; errors for a missing article, a thread key
    outside content/ and a sidecar that is a symbolic link."""
    article = checked_article(content_dir, thread)
    if not article.is_file():
        raise BuildError(Problem("the article of this thread does not exist", article,
                                 hint="was it moved or deleted? its comments stay approved"))
    path = sidecar_path(content_dir, thread)
    if path.is_symlink():
        raise BuildError(Problem("the comment file is a symbolic link: not written", path,
                                 hint="replace the link with the file itself"))
    return article, path


def remove_comments(content_dir: Path, thread: str, ids: Collection[str]
                    ) -> dict[str, list[str]]:
    """Take the comments `ids` out of the thread's sidecar file; their replies move up to
    the removed comment's parent, as WordPress does. Returns, for each id that was in the
    file, the ids of the replies that moved."""
    def remove(items: list, style: Callable[[str], Any]) -> dict[str, list[str]]:
        gone: dict[str, Any] = {}
        for index in reversed(range(len(items))):
            if id_of(items[index]) in ids:
                gone[id_of(items[index])] = items[index].get("parent")
                del items[index]
        moved: dict[str, list[str]] = {cid: [] for cid in gone}
        for item in items:
            origin = str(item.get("parent")) if isinstance(item, dict) else ""
            if origin not in gone:
                continue
            parent, seen = gone[origin], {origin}
            while parent is not None and str(parent) in gone and str(parent) not in seen:
                seen.add(str(parent))
                parent = gone[str(parent)]
            if parent is None:
                del item["parent"]
            else:
                item["parent"] = parent
            moved[origin].append(id_of(item))
        return moved

    return change(content_dir, thread, remove)


def replace_body(content_dir: Path, thread: str, cid: str, body: str) -> bool:
    """Give the comment `cid` of the thread's sidecar file a new text; False if it is not
    in the file."""
    def rewrite(items: list, style: Callable[[str], Any]) -> bool:
        for item in items:
            if id_of(item) == cid:
                item["body"] = style(body)
                return True
        return False

    return change(content_dir, thread, rewrite)


def erase_comments(content_dir: Path, thread: str, ids: Collection[str], email: str,
                   erased: str) -> tuple[list[str], dict[str, str | None]]:
    """Take a person's comments out of the thread's sidecar file: those with these `ids`, or
    whose `email` is theirs (any case). A comment that has replies stays, its author and
    text replaced by `erased` (the thread keeps its shape); the others go. Returns the ids
    blanked, and the ids removed with their parents (empty: nothing changed)."""
    def erase(items: list, style: Callable[[str], Any]
              ) -> tuple[list[str], dict[str, str | None]] | tuple[()]:
        def theirs(item: Any) -> bool:
            return isinstance(item, dict) and (id_of(item) in ids or str(
                item.get("email") or "").casefold() == email.casefold())

        answered = {str(item.get("parent")) for item in items
                    if isinstance(item, dict) and item.get("parent") is not None}
        blanked: list[str] = []
        removed: dict[str, str | None] = {}
        for index in reversed(range(len(items))):
            item = items[index]
            if not theirs(item):
                continue
            if id_of(item) in answered:
                for key in ("url", "email", "author_id"):
                    item.pop(key, None)
                item["author"] = erased
                item["body"] = style(erased)
                blanked.append(id_of(item))
            else:
                parent = item.get("parent")
                removed[str(id_of(item))] = str(parent) if parent is not None else None
                del items[index]
        return (blanked, removed) if blanked or removed else ()

    return change(content_dir, thread, erase) or ([], {})


def change(content_dir: Path, thread: str, operation: Callable[[list, Callable[[str], Any]], T]
           ) -> T:
    """Apply `operation` to the comments of the thread's sidecar file, under its lock and
    atomically. It is applied twice: to the round-trip data that is written (texts styled
    as new comments' are) and to the list as the build reads the file now; the file written
    must read back as the second, else nothing is written (a hand-written value that would
    change, a comment that would not read back exactly)."""
    _, path = files_of(content_dir, thread)
    with locked(path.parent):
        text = read_text(path) if path.exists() else ""
        expected = read_list(text, path)
        if not expected:
            return operation([], str)
        yaml = round_trip()
        data = load(yaml, text, path)
        result = operation(data, lambda body: styled(Block(body)))
        operation(expected, str)
        if not result:
            return result
        new_text = dump(yaml, data)
        if frontmatter.parse_yaml(new_text, path) != expected:
            raise BuildError(Problem("changing the comments would change what the file says",
                                     path, hint="check the file's YAML by hand, or make the "
                                                "change there"))
        replace_atomically(path, new_text)
        return result


def id_of(item: Any) -> str | None:
    return str(item.get("id")) if isinstance(item, dict) else None


def present_ids(data: list, added: list, inline: set[str]) -> set[str]:
    return inline | {str(item.get("id")) for item in [*data, *added] if isinstance(item, dict)}


def checked_article(content_dir: Path, thread: str) -> Path:
    """The thread's article under content/; an error for a key that leaves it (`..`, an
    absolute path) or is not a Markdown source: a thread key comes from the database."""
    rel = PurePosixPath(thread)
    root = content_dir.resolve()
    article = (content_dir / rel).resolve()
    if (rel.is_absolute() or ".." in rel.parts or markdown_stem(thread) is None
            or not article.is_relative_to(root)):
        raise BuildError(Problem(f"{thread!r} is not an article under content/", content_dir,
                                 hint="the comment's thread must be an article's source path"))
    return content_dir / rel


def read_text(path: Path) -> str:
    return frontmatter.decode(path.read_bytes(), path)


def read_list(text: str, path: Path) -> list:
    """The comments of a file as the build reads them (none for an empty file)."""
    try:
        data = frontmatter.parse_yaml(text, path) if text else None
    except BuildError as exc:
        [problem] = exc.problems
        raise BuildError(Problem(f"cannot read the comment file: {problem.message}", path,
                                 problem.line, hint="fix its YAML; no comment was added")
                         ) from None
    if data is not None and not isinstance(data, list):
        raise BuildError(Problem("the comment file must hold a list of comments", path,
                                 hint="write each comment as an item starting with `- id: …`"))
    return data or []


def inline_ids(article: Path) -> set[str]:
    """The ids of the comments written in the article's own front matter."""
    source = frontmatter.split(read_text(article), article)
    return {str(item.get("id")) for item in source.meta.get("comments") or ()
            if isinstance(item, dict)}


def same_comment(item: Any, submission: Submission) -> bool:
    """Whether a comment in the file is this submission, written by an earlier publication."""
    return (isinstance(item, dict) and str(item.get("author")) == submission.author
            and str(item.get("body")) == submission.body
            and str(item.get("date")) == iso(submission))


def place(submission: Submission, data: list, added: list, inline: set[str]
          ) -> tuple[str, bool]:
    """The submission's id in the file, and whether it has still to be written."""
    existing = [item for item in data if isinstance(item, dict)] + added
    used = inline | {str(item.get("id")) for item in existing}
    candidates = [submission.id] + [f"{submission.id}-{n}" for n in range(2, len(used) + 3)]
    for cid in candidates:
        if any(str(item.get("id")) == cid and same_comment(item, submission)
               for item in existing):
            return cid, False
    return next(cid for cid in candidates if cid not in used), True


def check_round_trip(old: str, new: str, added: list[dict[str, str]], path: Path) -> None:
    """Refuse a write that would change a hand-written comment or not read back exactly."""
    before = frontmatter.parse_yaml(old, path) or [] if old else []
    after = frontmatter.parse_yaml(new, path)
    expected = [{key: str(value) for key, value in item.items()} for item in added]
    if not isinstance(after, list) or after[:len(before)] != before or [
            {key: str(value) for key, value in item.items()} if isinstance(item, dict) else item
            for item in after[len(before):]] != expected:
        raise BuildError(Problem("writing the comments would change what the file says", path,
                                 hint="check the file's YAML by hand; the comments stay "
                                      "approved and unpublished"))


def replace_atomically(path: Path, text: str) -> None:
    """Write a temporary file beside `path`, flush it to disk, then rename it over `path`:
    a crash leaves the old file or the new one, never a part of either."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the article's folder (no lock file to leave behind): two
    publishers, in threads or processes, write one after the other."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock
