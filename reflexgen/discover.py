"""Find the site's sources under content/ and sort them by kind."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem

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

    def stamp(self, rel: str) -> tuple:
        """What tells whether a source changed: its stamp and its comment files' stamps."""
        return (self.stamps.get(rel),) + tuple(self.stamps.get(s) for s in sidecar_for(rel))


def sidecar_for(post: str) -> tuple[str, ...]:
    """The comment files that may sit beside an article."""
    stem = post[: -len(".md")]
    return tuple(stem + suffix for suffix in SIDECAR_SUFFIXES)


def is_ignored(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith(IGNORED_SUFFIXES)


def discover(content_dir: Path) -> tuple[Inventory, list[Problem]]:
    """Walk content/ (never following links out of it) and classify every file."""
    warnings: list[Problem] = []
    posts, sidecars, authors, pages, static = [], [], [], [], []
    stamps: dict[str, tuple[int, int]] = {}
    root = content_dir.resolve()
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not is_ignored(d))
        for name in sorted(files):
            if is_ignored(name):
                continue
            path = Path(folder) / name
            rel = path.relative_to(content_dir).as_posix()
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                warnings.append(Problem("link to a file outside content/ skipped", path,
                                        hint="copy the file into content/ instead"))
                continue
            info = path.stat()
            stamps[rel] = (info.st_mtime_ns, info.st_size)
            top = rel.split("/", 1)[0] if "/" in rel else ""
            if name.endswith(SIDECAR_SUFFIXES):
                if top == "posts":
                    sidecars.append(rel)
                else:  # comment files hold e-mail addresses: never copied
                    warnings.append(Problem("comment file outside content/posts/ is ignored",
                                            path))
            elif name.endswith(".md"):
                if top == "posts":
                    posts.append(rel)
                elif top == "authors":
                    authors.append(rel)
                elif top == "pages":
                    pages.append(rel)
                else:
                    warnings.append(Problem(
                        "Markdown file outside posts/, pages/ and authors/ is ignored", path,
                        hint="move it into content/posts/ or content/pages/"))
            else:
                static.append(rel)
    post_set = set(posts)
    for sidecar in sidecars:
        if not any(sidecar.endswith(s) and sidecar[: -len(s)] + ".md" in post_set
                   for s in SIDECAR_SUFFIXES):
            warnings.append(Problem("comment file has no article beside it", content_dir / sidecar,
                                    hint="name it <article-file-name>.comments.yaml"))
    return Inventory(tuple(posts), tuple(sidecars), tuple(authors), tuple(pages),
                     tuple(static), stamps), warnings

