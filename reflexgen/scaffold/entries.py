"""New articles, pages and authors in a site: `reflexgen new post`, `page` and `author`.

A new source is named from its title's slug (the file name gives the URL), put beside no
other source of the same slug, and written whole, never over an existing file."""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from reflexgen import urls
from reflexgen.config import SiteConfig
from reflexgen.config.toml import line_of
from reflexgen.content import dates, frontmatter
from reflexgen.content.compose import front_matter
from reflexgen.content.discover import markdown_stem, walk
from reflexgen.errors import BuildError, Problem
from reflexgen.scaffold import files

STARTER = Path(__file__).parent / "starter"
MAX_SLUG = 80  # a file name, and a URL, that a person can still read
NEW_AUTHOR = 'reflexgen new author ID --name "…"'


@dataclass(frozen=True)
class Created:
    """A file made in the site, and what to tell about it (a name changed, no author)."""

    path: Path
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PostRequest:
    """What `reflexgen new post` was asked for."""

    title: str
    author: str | None = None
    tags: tuple[str, ...] = ()
    category: str | None = None
    draft: bool = False


def new_post(config: SiteConfig, request: PostRequest, now: datetime) -> Created:
    """`content/posts/<year>/<slug>.md`, dated `now` in the site's timezone."""
    title = checked_text(request.title, "title")
    author, notes = choose_author(config, request.author)
    moment = now.astimezone(config.tz)
    meta = post_meta(title, date_text(moment, config.tz), author,
                     list(dict.fromkeys(checked_text(tag, "tag") for tag in request.tags)),
                     checked_text(request.category, "category") if request.category else None,
                     request.draft)
    return place(config.content_dir, f"posts/{moment.year:04d}", title_slug(title), meta, notes)


def new_page(config: SiteConfig, title: str, draft: bool = False) -> Created:
    """`content/pages/<slug>.md`, shown at `/<slug>/` and in the site menu."""
    title = checked_text(title, "title")
    meta: dict = {"title": title} | ({"draft": True} if draft else {})
    return place(config.content_dir, "pages", title_slug(title), meta, ())


def new_author(config: SiteConfig, author_id: str, name: str) -> Created:
    """`content/authors/<id>.md`, with a bio to rewrite; an id already used is an error."""
    if not author_id or urls.slug(author_id) != author_id:
        raise BuildError(Problem(
            f"author id {author_id!r} must be a slug: lower-case letters, digits and dashes",
            hint=f"for example: reflexgen new author {urls.slug(author_id) or 'claire'} "
                 f'--name "{name}"'))
    name = checked_text(name, "name")
    folder = config.content_dir / "authors"
    if author_id in author_ids(config.content_dir):
        raise BuildError(Problem(f"author {author_id!r} exists already", folder,
                                 hint="choose another id, or edit that author's file"))
    path = folder / f"{author_id}.md"
    files.create(path, author_text(name, config.language, f"content/authors/{author_id}.md"))
    return Created(path)


# --- what the files hold --------------------------------------------------------------


def post_meta(title: str, date: str, author: str | None, tags: list[str],
              category: str | None, draft: bool) -> dict:
    meta: dict = {"title": title, "date": date}
    if author:
        meta["author"] = author
    if tags:
        meta["tags"] = tags
    if category:
        meta["category"] = category
    if draft:
        meta["draft"] = True
    return meta


def author_text(name: str, language: str, author_file: str) -> str:
    return front_matter({"name": name}, starter("author.md", language, author_file=author_file))


def starter(name: str, language: str = "", **values: str) -> str:
    """A starter text shipped with reflexgen, in `language` (`starter/fr/…`) or the same
    in every language (`starter/…`), its `$names` filled in from `values`."""
    text = (STARTER / language / name).read_text(encoding="utf-8")
    return string.Template(text).substitute(values)


def date_text(moment: datetime, tz: ZoneInfo) -> str:
    """`moment` to the minute as a person writes it (`2024-03-12 09:30`, site time), or
    with its offset when the clocks change then and the plain time would be ambiguous."""
    moment = moment.astimezone(tz).replace(second=0, microsecond=0)
    plain = f"{moment:%Y-%m-%d %H:%M}"
    read = dates.to_datetime(plain, tz)
    if read == moment and dates.dst_trouble(read, tz) is None:
        return plain
    return moment.isoformat()


def checked_text(text: str, what: str) -> str:
    """`text` stripped; empty text or a control character is an error."""
    text = text.strip()
    if not text:
        raise BuildError(Problem(f"the {what} is empty", hint=f"give a {what} in quotes"))
    found = frontmatter.CONTROL.search(text)
    if found or "\n" in text:
        raise BuildError(Problem(f"the {what} {text!r} holds a control character",
                                 hint="write it on one line, as plain text"))
    if not utf8(text):
        raise BuildError(Problem(f"the {what} {text!r} is not UTF-8 text",
                                 hint="set the terminal to UTF-8 (e.g. LANG=C.UTF-8)"))
    return text


def utf8(text: str) -> bool:
    """Whether `text` is made of real characters (the command line keeps bytes it cannot
    decode as lone surrogates, which no file can hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def title_slug(title: str) -> str:
    slug = urls.slug(title)[:MAX_SLUG].rstrip("-")
    if not slug:
        raise BuildError(Problem(f"the title {title!r} has no letter or digit to name the "
                                 "file after", hint='give a title with words, e.g. "Mon billet"'))
    return slug


# --- where they go ---------------------------------------------------------------------


def place(content_dir: Path, folder: str, slug: str, meta: dict,
          notes: tuple[str, ...]) -> Created:
    """Write `meta` (with an empty body, to write) to `folder/<slug>.md` under content/, or
    `<slug>-2.md`… when another source of the same kind already has that slug (or the file
    name is taken)."""
    kind = folder.split("/", 1)[0]
    taken = slugs_in(content_dir, kind)
    if kind == "pages":  # `/tags/` and the like are reflexgen's own
        taken |= {name: "reflexgen's own pages" for name in urls.RESERVED}
    name, number = slug, 1
    while True:
        rel = f"{folder}/{name}.md"
        if name not in taken:
            # A name the file name rule reads otherwise (`2024-03-12-bilan`, `index`)
            # keeps its slug in the front matter.
            extra = {} if urls.file_slug(rel) == name else {"slug": name}
            try:
                files.create(content_dir / rel, front_matter(meta | extra, ""))
                break
            except FileExistsError:
                taken[name] = rel
        number += 1
        name = f"{slug}-{number}"
    if name != slug:
        by = taken[slug] if slug in urls.RESERVED else content_dir / taken[slug]
        notes += (f"{slug!r} is taken by {by}: named this one {name}",)
    return Created(content_dir / rel, notes)


def slugs_in(content_dir: Path, kind: str) -> dict[str, str]:
    """The slug of every source under content/<kind>/ → its path (relative to content/):
    its front matter's `slug`, else its file name's."""
    found: dict[str, str] = {}
    root = str(content_dir.resolve()) + os.sep
    for rel, entry in walk(str(content_dir / kind), f"{kind}/", root):
        if markdown_stem(entry.name) is None:
            continue
        found.setdefault(urls.file_slug(rel), rel)
        slug = written_slug(Path(entry.path))
        if slug:
            found.setdefault(slug, rel)
    return found


def written_slug(path: Path) -> str | None:
    """The `slug` a source's front matter sets, if any (a source that cannot be read is
    left to the build to report)."""
    try:
        raw = path.read_bytes()
        if b"slug" not in raw:
            return None
        meta = frontmatter.split(frontmatter.decode(raw, path), path).meta
    except (OSError, BuildError):
        return None
    slug = meta.get("slug")
    return slug.strip() if isinstance(slug, str) else None


def author_ids(content_dir: Path) -> list[str]:
    """The ids of the site's authors: their file names under content/authors/."""
    root = str(content_dir.resolve()) + os.sep
    return sorted({stem for _, entry in walk(str(content_dir / "authors"), "", root)
                   if (stem := markdown_stem(entry.name))})


def choose_author(config: SiteConfig, asked: str | None) -> tuple[str | None, tuple[str, ...]]:
    """The author of a new article: the one asked for, else site.toml's `default_author`,
    else the site's only author; none, said aloud, when the site has no author yet."""
    ids = author_ids(config.content_dir)
    known = f"known authors: {', '.join(ids)}" if ids else "no author yet"
    if asked is not None:
        if asked in ids:
            return asked, ()
        raise BuildError(Problem(f"no author {asked!r} in content/authors/",
                                 config.content_dir / "authors",
                                 hint=f"{known}; to add one: {NEW_AUTHOR}"))
    if config.default_author:
        if config.default_author in ids:
            return config.default_author, ()
        path = config.root / "site.toml"
        raise BuildError(Problem(
            f"default_author {config.default_author!r} has no file in content/authors/", path,
            line_of(path.read_text(encoding="utf-8-sig"), "default_author"),
            hint=f"{known}; give one of them, or create it: reflexgen new author "
                 f'{config.default_author} --name "…"'))
    if len(ids) == 1:
        return ids[0], ()
    if not ids:
        return None, (f"note: the article has no author, as content/authors/ has none; to add "
                      f"one: {NEW_AUTHOR}",)
    raise BuildError(Problem(
        f"the site has {len(ids)} authors and no default_author: say who writes this article",
        config.root / "site.toml",
        hint=f"add --author ID ({known}), or a line default_author = \"{ids[0]}\" to "
             "site.toml"))
