"""The image phase of a build: every file the site's photos are published as, made once.

Each rendition is named in the cache by its key (the original's bytes and how it is encoded,
see `content.pictures`), signed with the cache's key: `images/<name>` under the cache folder.
A build makes only the renditions the cache lacks, in parallel (one original a task), and
then publishes them from there like any other output (`outputs.write_outputs`), so an image
is never encoded twice, also across `--clean` builds that keep the cache.

Every JPEG, PNG and WebP file under content/ is published without its metadata: the ones
articles show at their own address and as renditions, the others at their own address only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from reflexgen import urls
from reflexgen.config import SiteConfig
from reflexgen.content import images, pictures
from reflexgen.content.model import Site
from reflexgen.content.pictures import Rendition
from reflexgen.errors import BuildError, Problem, Reporter
from reflexgen.hashing import content_hash
from reflexgen.incremental.cache import sign
from reflexgen.incremental.parallel import run_all

DIGESTS = "digests.json"  # the digests of the files no article shows, by stamp


@dataclass(frozen=True)
class Task:
    """The renditions to make of one original, and who shows it (for errors)."""

    source: Path
    renditions: tuple[Rendition, ...]
    shown_by: str  # the Markdown file that shows it first, or "" when none shows it
    max_pixels: int


@dataclass
class ImageOutputs:
    """What the image phase publishes: output path → (key, the file in the cache)."""

    files: dict[str, tuple[str, Path]]
    made: int  # renditions encoded by this build
    warnings: list[Problem]


class ImageCache:
    """The `images/` folder of the build cache."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder, self.key = folder / "images", key
        self._digests: dict[str, list] | None = None  # file → [mtime_ns, size, digest]
        self._seen: dict[str, list] = {}

    def digest_of(self, path: Path, info: os.stat_result) -> str:
        """The digest of a file's bytes, read again only when its stamp changed: a fresh
        checkout (new times, same bytes) finds its images already made."""
        if self._digests is None:
            try:
                self._digests = json.loads((self.folder / DIGESTS).read_text())
            except (OSError, ValueError):
                self._digests = {}
        stamp = [info.st_mtime_ns, info.st_size]
        known = self._digests.get(str(path))
        if not (isinstance(known, list) and known[:2] == stamp):
            known = stamp + [content_hash(path.read_bytes())]
        self._seen[str(path)] = known
        return str(known[2])

    def save_digests(self) -> None:
        """Keep the digests of the files this build looked at (and only those)."""
        if self._digests is None or self._seen == self._digests:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.folder / f".{DIGESTS}.{os.getpid()}"
        temp.write_text(json.dumps(self._seen))
        os.replace(temp, self.folder / DIGESTS)

    def path(self, rendition: Rendition) -> Path:
        name = sign(self.key, rendition.key.encode()).hex()[:32]
        return self.folder / name[:2] / f"{name}.{pictures.SUFFIXES[rendition.format]}"

    def store(self, rendition: Rendition, data: bytes) -> None:
        """Written whole or not at all: a killed build leaves no half image behind."""
        path = self.path(rendition)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        temp.write_bytes(data)
        os.replace(temp, path)


def wanted(site: Site, config: SiteConfig,
           store: ImageCache) -> tuple[dict[str, Task], list[Problem]]:
    """The renditions the site needs, by original (under content/): those of the photos its
    articles show, and a stripped copy of every other JPEG, PNG or WebP file (but animated
    ones, published as they are)."""
    settings, content = config.images, config.content_dir
    tasks: dict[str, Task] = {}
    for article in site.articles:
        for original in article.pictures:
            made = pictures.plan(original, settings, card=original.url == article.image)
            rel = urls.content_file(original.url)
            if not made.renditions or rel is None:
                continue
            task = tasks.get(rel)
            renditions = made.renditions if task is None else tuple(
                dict.fromkeys(task.renditions + made.renditions))
            tasks[rel] = Task(content / rel, renditions, task.shown_by if task else
                              str(content / article.source), settings.max_pixels)
    warnings = []
    prefix = str(content) + os.sep
    for item in site.static_files:
        rel = item.output
        kind = pictures.resized(rel)
        if kind is None or rel in tasks or not item.source.startswith(prefix):
            continue
        path = Path(item.source)
        try:
            (width, height), moving = images.describe(path)
            info = path.stat()
        except (images.ImageError, OSError) as exc:
            warnings.append(Problem(f"published as it is, with its metadata: {exc}", path))
            continue
        if moving:  # an animation's frames are published as they are
            continue
        tasks[rel] = Task(path, (pictures.stripped(rel, kind, width, height,
                                                   store.digest_of(path, info)),), "",
                          settings.max_pixels)
    return tasks, warnings


def process_images(site: Site, config: SiteConfig, folder: Path, key: bytes, jobs: int,
                   reporter: Reporter) -> ImageOutputs:
    """Make what the cache lacks of the site's renditions; raise `BuildError` naming the
    article and the image for an image that cannot be processed."""
    if not config.images.enabled:
        return ImageOutputs({}, 0, [])
    store = ImageCache(folder, key)
    tasks, warnings = wanted(site, config, store)
    store.save_digests()
    todo = []
    for task in tasks.values():
        missing = tuple(r for r in task.renditions if not store.path(r).is_file())
        if missing:
            todo.append(Task(task.source, missing, task.shown_by, task.max_pixels))
    problems: list[Problem] = []
    made = 0
    settings = config.images
    results = run_all(todo, lambda: store, make_one, jobs,
                      reporter.progress("processing images", len(todo)), heavy=True)
    for task, outcome in zip(todo, results, strict=True):
        if isinstance(outcome, int):
            made += outcome
            continue
        if task.shown_by:
            problems.append(Problem(
                f"image content/{task.source.relative_to(config.content_dir).as_posix()} "
                f"cannot be processed: {outcome}", task.shown_by,
                hint="save it again as JPEG, PNG or WebP (under "
                     f"{settings.max_pixels} pixels), or set [images] enabled = false"))
        else:
            warnings.append(Problem(f"published as it is, with its metadata: {outcome}",
                                    task.source))
            del tasks[task.source.relative_to(config.content_dir).as_posix()]
    if problems:
        raise BuildError(problems)
    files = {r.output: (r.key, store.path(r)) for task in tasks.values()
             for r in task.renditions}
    return ImageOutputs(files, made, warnings)


def make_one(store: ImageCache, task: Task) -> int | str:
    """Make the renditions of one original into the cache: how many, or why it failed."""
    from reflexgen.render.imaging import ImagingError, make

    try:
        made = make(task.source, task.renditions, task.max_pixels)
    except ImagingError as exc:
        return str(exc)
    for rendition in task.renditions:
        store.store(rendition, made[rendition.key])
    return len(made)

