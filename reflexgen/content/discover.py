"""Find the site's sources under content/ and sort them by kind."""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path

from reflexgen import urls
from reflexgen.errors import Problem

# Markdown sources, as editors and other engines name them (compared in lower case):
# `.markdown`, `.mkd`… are articles like `.md`, never files published as they are.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mdwn", ".mkd", ".mkdn", ".mkdown",
                     ".mdtxt", ".mdtext")
SIDECAR_SUFFIXES = (".comments.yaml", ".comments.yml")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".bak")
# Formats that cannot open with a front matter fence, or where `---` opens a YAML document:
# not read to look for one.
UNFENCED_SUFFIXES = frozenset({".yaml", ".yml",
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".ico", ".bmp", ".tif", ".tiff",
    ".heic", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".flac", ".mp4", ".m4v",
    ".webm", ".ogv", ".mov", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".pdf", ".zip",
    ".gz", ".tgz", ".bz2", ".xz", ".7z", ".epub", ".docx", ".xlsx", ".pptx", ".odt"})


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

    def article_stamp(self, post: str, images: Iterable[str | None]) -> tuple:
        """What tells whether an article's parsed record still holds: its `post_stamps`, and
        the stamps of the image files under content/ it shows (the record holds their sizes
        and digests): its `image:` and its body's."""
        locals_ = [urls.content_file(image) if image else None for image in images]
        return self.post_stamps[post], tuple(self.stamps.get(local) if local else None
                                             for local in locals_)


def markdown_stem(name: str) -> str | None:
    """`name` (or a relative path) without its Markdown extension, whatever its case
    (`a.MD`, `a.markdown` → `a`); None when it is not a Markdown source."""
    if not name.lower().endswith(MARKDOWN_SUFFIXES):
        return None
    stem = name[:name.rindex(".")]  # every suffix is one extension
    return stem if stem and not stem.endswith("/") else None


def is_sidecar(name: str) -> bool:
    """A comment file: it holds readers' e-mail addresses, so it is never published."""
    return name.lower().endswith(SIDECAR_SUFFIXES)


def source_stem(rel: str) -> str:
    """A source's path without its Markdown extension, e.g. for feed entry ids."""
    return markdown_stem(rel) or rel


def sidecar_for(post: str) -> tuple[str, ...]:
    """The comment files that may sit beside an article (a Markdown source)."""
    stem = post[:post.rindex(".")]  # every Markdown suffix is one extension
    return tuple([stem + suffix for suffix in SIDECAR_SUFFIXES])  # a list: quicker


def has_front_matter(path: Path) -> bool:
    """Whether a file opens with a front matter fence (`---` or `+++` alone on the first
    line): then it is a source, never a file to publish as it is."""
    if path.suffix.lower() in UNFENCED_SUFFIXES:
        return False
    try:
        with open(path, "rb") as file:
            head = file.read(64)
    except OSError:
        return False
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip()
    return first in (b"---", b"+++")


def unpublished(path: Path) -> Problem | None:
    """The safety net under what is copied to the output as it is: why the file at `path`
    must not be (a source or a comment file by any name, a file with front matter)."""
    name = path.name
    if is_sidecar(name):
        return Problem("comment file outside content/posts/ is not published", path,
                       hint="comment files hold e-mail addresses: keep them beside their "
                            "article in content/posts/")
    if markdown_stem(name) is not None:
        return Problem("Markdown file outside posts/, pages/ and authors/ is ignored", path,
                       hint="move it into content/posts/ or content/pages/")
    if has_front_matter(path):
        return Problem("file starts with front matter but is not a Markdown source: it is "
                       "not published", path, 1,
                       hint="give it a Markdown extension (.md) under content/posts/ or "
                            "content/pages/ to make it a page, or remove the front matter "
                            "to publish it as it is")
    return None


BY_NAME = attrgetter("name")


def is_ignored(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith(IGNORED_SUFFIXES)


def walk(folder: str, prefix: str, root: str) -> Iterator[tuple[str, os.DirEntry]]:
    """(relative POSIX path, DirEntry) of every file, sorted, skipping ignored names.

    os.scandir, not pathlib: a blog of 10,000 articles is walked in every build."""
    try:
        entries = sorted(os.scandir(folder), key=BY_NAME)
    except FileNotFoundError:
        return
    for entry in entries:
        if is_ignored(entry.name):
            continue
        inside = not entry.is_symlink() or leads_inside(entry.path, root)
        if entry.is_dir() and inside:
            yield from walk(entry.path, f"{prefix}{entry.name}/", root)
        elif entry.is_file() or not inside:  # the caller warns about links leading outside
            yield prefix + entry.name, entry


def _scan(folder: str, prefix: str, root: str, stamps: dict[str, tuple[int, int]],
          outside: list[str]) -> None:
    """What `walk` finds, as stamps by relative path in walk order (links that lead out of
    content/ in `outside`): the same walk without a generator per folder level."""
    try:
        entries = sorted(os.scandir(folder), key=BY_NAME)
    except FileNotFoundError:
        return
    for entry in entries:
        name = entry.name
        if is_ignored(name):
            continue
        if entry.is_symlink() and not leads_inside(entry.path, root):
            outside.append(prefix + name)
        elif entry.is_dir():
            _scan(entry.path, f"{prefix}{name}/", root, stamps, outside)
        elif entry.is_file():
            info = entry.stat()
            stamps[prefix + name] = (info.st_mtime_ns, info.st_size)


def real_root(content_dir: Path) -> str:
    """The real path of content/, as `leads_inside` compares with it."""
    return str(content_dir.resolve()) + os.sep


def leads_inside(path: str, root: str) -> bool:
    """Whether `path`, its links followed, is inside the folder `root` (see `real_root`):
    what leads out of content/ is never published."""
    return os.path.realpath(path).startswith(root)


def discover(content_dir: Path) -> tuple[Inventory, list[Problem]]:
    """Walk content/ (never following links out of it) and classify every file."""
    warnings: list[Problem] = []
    posts, sidecars, authors, pages, static = [], [], [], [], []
    stamps: dict[str, tuple[int, int]] = {}
    outside: list[str] = []
    _scan(str(content_dir), "", real_root(content_dir), stamps, outside)
    warnings += [Problem("link to a place outside content/ skipped", content_dir / rel,
                         hint="copy the file into content/ instead") for rel in outside]
    kinds = {"posts": posts, "authors": authors, "pages": pages}
    for rel in stamps:  # by name alone: the walk is in every build, 200,000 files at 100k
        top, _, name = rel.rpartition("/")
        top = top.split("/", 1)[0]
        lower = name.lower()
        if top == "posts" and lower.endswith(SIDECAR_SUFFIXES):
            sidecars.append(rel)
        elif top in kinds and markdown_stem(name) is not None:
            kinds[top].append(rel)
        else:
            problem = unpublished(content_dir / rel)
            if problem is None:
                static.append(rel)
            else:
                warnings.append(problem)
    beside = {post: sidecar_for(post) for post in posts}
    warnings += shared_names(beside, content_dir)
    expected = {sidecar for sidecars_of in beside.values() for sidecar in sidecars_of}
    for sidecar in sidecars:
        if sidecar not in expected:
            warnings.append(Problem("comment file has no article beside it", content_dir / sidecar,
                                    hint="name it <article-file-name>.comments.yaml"))
    post_stamps = {rel: post_stamp(rel, stamps, beside[rel]) for rel in posts}
    return Inventory(tuple(posts), tuple(sidecars), tuple(authors), tuple(pages),
                     tuple(static), stamps, post_stamps), warnings


def shared_names(beside: dict[str, tuple[str, ...]], content_dir: Path) -> list[Problem]:
    """Articles whose names differ only by their extension (`a.md`, `a.markdown`) would
    share one comment file (`beside`: each article's comment files)."""
    if len({sidecars[0] for sidecars in beside.values()}) == len(beside):
        return []  # as almost always
    by_stem: dict[str, list[str]] = {}
    for post, sidecars in beside.items():
        by_stem.setdefault(sidecars[0], []).append(post)
    return [Problem(f"{len(found)} articles share the name "
                    f"{source_stem(found[0]).rsplit('/', 1)[-1]!r}: "
                    f"{', '.join(f.rsplit('/', 1)[-1] for f in found)}", content_dir / found[1],
                    hint="rename one of them: they would share the same comment file")
            for found in by_stem.values() if len(found) > 1]


def post_stamp(post: str, stamps: dict[str, tuple[int, int]], sidecars: tuple[str, ...]) -> tuple:
    """An article's stamp: its file's and its comment files' (`sidecar_for`)."""
    return (stamps[post], *map(stamps.get, sidecars))


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
        if rel in inventory.static and has_front_matter(content_dir / rel):
            return None  # no longer a file to publish: the walk says so
        stamps[rel] = (info.st_mtime_ns, info.st_size)
    post_stamps = dict(inventory.post_stamps)
    owners: dict[str, str] | None = None
    for rel in changed:
        post: str | None = rel
        if is_sidecar(rel):
            if owners is None:
                owners = {s: p for p in post_stamps for s in sidecar_for(p)}
            post = owners.get(rel)
        if post in post_stamps:
            post_stamps[post] = post_stamp(post, stamps, sidecar_for(post))
    return replace(inventory, stamps=stamps, post_stamps=post_stamps)

