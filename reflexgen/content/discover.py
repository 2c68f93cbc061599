"""Find the site's sources under content/ and sort them by kind."""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from reflexgen.errors import Problem

SIDECAR_SUFFIXES = (".comments.yaml", ".comments.yml")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".bak")


@dataclass(frozen=True)
class Inventory:
    """Paths relative to content/, in POSIX form, sorted."""

    posts: tuple[str, ...]
    sidecars: tuple[str, ...]
    authors: tuple[str, ...]
    pages: tuple[str, ...]
    static: tuple[str, ...]
    stamps: dict[str, tuple[int, int]]  # every file: (modification time in ns, size)
    # What tells whether an article changed: its stamp and its comment files' stamps.
    post_stamps: dict[str, tuple]


def sidecar_for(post: str) -> tuple[str, ...]:
    """The comment files that may sit beside an article."""
    stem = post[: -len(".md")]
    return tuple(stem + suffix for suffix in SIDECAR_SUFFIXES)


def is_ignored(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith(IGNORED_SUFFIXES)


def walk(folder: str, prefix: str, root: str) -> Iterator[tuple[str, os.DirEntry]]:
    """(relative POSIX path, DirEntry) of every file, sorted, skipping ignored names.

    os.scandir, not pathlib: a blog of 10,000 articles is walked in every build."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return
    for entry in entries:
        if is_ignored(entry.name):
            continue
        inside = not entry.is_symlink() or os.path.realpath(entry.path).startswith(root)
        if entry.is_dir() and inside:
            yield from walk(entry.path, f"{prefix}{entry.name}/", root)
        elif entry.is_file() or not inside:  # the caller warns about links leading outside
            yield prefix + entry.name, entry


def discover(content_dir: Path) -> tuple[Inventory, list[Problem]]:
    """Walk content/ (never following links out of it) and classify every file."""
    warnings: list[Problem] = []
    posts, sidecars, authors, pages, static = [], [], [], [], []
    stamps: dict[str, tuple[int, int]] = {}
    root = str(content_dir.resolve()) + os.sep
    for rel, entry in walk(str(content_dir), "", root):
        name = entry.name
        if entry.is_symlink() and not os.path.realpath(entry.path).startswith(root):
            warnings.append(Problem("link to a place outside content/ skipped",
                                    content_dir / rel,
                                    hint="copy the file into content/ instead"))
            continue
        info = entry.stat()
        stamps[rel] = (info.st_mtime_ns, info.st_size)
        top = rel.split("/", 1)[0] if "/" in rel else ""
        if name.endswith(SIDECAR_SUFFIXES):
            if top == "posts":
                sidecars.append(rel)
            else:  # comment files hold e-mail addresses: never copied
                warnings.append(Problem("comment file outside content/posts/ is ignored",
                                        content_dir / rel))
        elif name.endswith(".md"):
            if top == "posts":
                posts.append(rel)
            elif top == "authors":
                authors.append(rel)
            elif top == "pages":
                pages.append(rel)
            else:
                warnings.append(Problem(
                    "Markdown file outside posts/, pages/ and authors/ is ignored",
                    content_dir / rel, hint="move it into content/posts/ or content/pages/"))
        else:
            static.append(rel)
    post_set = set(posts)
    for sidecar in sidecars:
        if not any(sidecar.endswith(s) and sidecar[: -len(s)] + ".md" in post_set
                   for s in SIDECAR_SUFFIXES):
            warnings.append(Problem("comment file has no article beside it", content_dir / sidecar,
                                    hint="name it <article-file-name>.comments.yaml"))
    post_stamps = {rel: post_stamp(rel, stamps) for rel in posts}
    return Inventory(tuple(posts), tuple(sidecars), tuple(authors), tuple(pages),
                     tuple(static), stamps, post_stamps), warnings


def post_stamp(post: str, stamps: dict[str, tuple[int, int]]) -> tuple:
    return (stamps[post], *(stamps.get(s) for s in sidecar_for(post)))


def restamp(inventory: Inventory, content_dir: Path,
            changed: Collection[str]) -> Inventory | None:
    """`inventory` with new stamps for files that were modified (relative paths), or None if
    a change may have added, removed or moved a file: then content/ must be walked again."""
    stamps = dict(inventory.stamps)
    for rel in changed:
        try:
            info = os.lstat(content_dir / rel)
        except OSError:
            return None
        if rel not in stamps or not stat.S_ISREG(info.st_mode):
            return None
        stamps[rel] = (info.st_mtime_ns, info.st_size)
    post_stamps = dict(inventory.post_stamps)
    for rel in changed:
        post = next((rel[: -len(s)] + ".md" for s in SIDECAR_SUFFIXES if rel.endswith(s)), rel)
        if post in post_stamps:
            post_stamps[post] = post_stamp(post, stamps)
    return replace(inventory, stamps=stamps, post_stamps=post_stamps)

