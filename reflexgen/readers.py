"""Read one source file into a model object; pure apart from reading that file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from . import dates, frontmatter, markup, urls
from .config import SiteConfig
from .discover import sidecar_for
from .errors import BuildError, Problem
from .model import COMMENT_STATUSES, Article, Author, Comment, Page

ARTICLE_KEYS = frozenset({"title", "date", "updated", "author", "authors", "tags", "category",
                          "summary", "image", "slug", "draft", "lang", "comments_open",
                          "comments"})
PAGE_KEYS = frozenset({"title", "slug", "draft", "lang", "date"})
AUTHOR_KEYS = frozenset({"name", "avatar", "website", "social"})
COMMENT_KEYS = frozenset({"id", "author", "date", "body", "parent", "url", "email", "status",
                          "author_id"})
SAFE_SLUG = re.compile(r"^[\w][\w.-]*$")
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class Parsers:
    """The Markdown parsers, built once per process."""

    article: MarkdownIt = field(default_factory=markup.article_parser)
    comment: MarkdownIt = field(default_factory=markup.comment_parser)


@dataclass(frozen=True)
class FileContext:
    """What a field check needs to explain itself: the file and its front matter text."""

    path: Path
    text: str

    def line_of(self, key: str) -> int | None:
        match = re.search(rf"^\s*{re.escape(key)}\s*[:=]", self.text, re.M)
        return self.text.count("\n", 0, match.start()) + 1 if match else None

    def error(self, key: str, message: str, hint: str | None = None) -> BuildError:
        return BuildError(Problem(message, self.path, self.line_of(key), hint))

    def text_field(self, meta: dict, key: str, required: bool = False) -> str | None:
        value = meta.get(key)
        if value is None:
            if required:
                raise BuildError(Problem(f"missing required field {key!r}", self.path, 1,
                                         hint=f"add `{key}: …` to the front matter"))
            return None
        if not isinstance(value, str):
            raise self.error(key, f"{key!r} must be text, not {type(value).__name__} ({value!r})",
                             hint=f'put the value in quotes: {key}: "{value}"')
        return value.strip()

    def flag(self, meta: dict, key: str, default: bool) -> bool:
        value = meta.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"{key!r} must be true or false, not {value!r}")
        return value

    def text_list(self, meta: dict, key: str) -> tuple[str, ...]:
        value = meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [part for part in value.split(",")]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"{key!r} must be a list of text values",
                             hint=f'write {key}: ["first", "second"] (quote numbers and yes/no)')
        return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))

    def date(self, meta: dict, key: str, config: SiteConfig, required: bool) -> datetime | None:
        value = meta.get(key)
        if value is None:
            if required:
                raise BuildError(Problem(
                    f"missing required field {key!r}", self.path, 1,
                    hint=f"add `{key}: 2024-03-12` ({dates.accepted_formats()})"))
            return None
        try:
            return dates.to_datetime(value, config.tz)
        except dates.DateError as exc:
            raise self.error(key, f"{key!r}: {exc}", hint=dates.accepted_formats()) from None

    def slug(self, meta: dict, default: str) -> str:
        slug = self.text_field(meta, "slug") or default
        if not slug or not SAFE_SLUG.match(slug) or ".." in slug:
            raise self.error("slug", f"invalid slug {slug!r}",
                             hint="use letters, digits and dashes only, e.g. slug: mon-article")
        return slug


def load(content_dir: Path, rel: str) -> tuple[FileContext, frontmatter.Source]:
    path = content_dir / rel
    text = frontmatter.decode(path.read_bytes(), path)
    return FileContext(path, text), frontmatter.split(text, path)


def read_article(content_dir: Path, rel: str, config: SiteConfig, parsers: Parsers) -> Article:
    """Parse an article and its comments (inline and sidecar) into an `Article`."""
    ctx, source = load(content_dir, rel)
    meta = source.meta
    title = ctx.text_field(meta, "title", required=True)
    if not title:
        raise ctx.error("title", "title is empty", hint="give the article a title")
    date = ctx.date(meta, "date", config, required=True)
    assert date is not None
    authors = ctx.text_list(meta, "authors") or ctx.text_list(meta, "author")
    rendered = markup.render_article(parsers.article, source.body, ctx.text_field(meta, "summary"))
    comments = read_comments(ctx, meta.get("comments"), config, parsers, "comments")
    for sidecar in sidecar_for(rel):
        if (content_dir / sidecar).is_file():
            comments += read_sidecar(content_dir / sidecar, config, parsers)
    return Article(
        source=rel, title=title, date=date,
        slug=ctx.slug(meta, urls.slug(title) or urls.slug(Path(rel).stem)),
        body_html=rendered.html, summary_html=rendered.summary_html, words=rendered.words,
        updated=ctx.date(meta, "updated", config, required=False),
        author_refs=authors, tags=ctx.text_list(meta, "tags"),
        category=ctx.text_field(meta, "category") or None,
        image=ctx.text_field(meta, "image"),
        draft=ctx.flag(meta, "draft", False), lang=ctx.text_field(meta, "lang"),
        comments_open=ctx.flag(meta, "comments_open", True),
        comments=comments,
        extra={k: v for k, v in meta.items() if k not in ARTICLE_KEYS},
    )


def read_sidecar(path: Path, config: SiteConfig, parsers: Parsers) -> tuple[Comment, ...]:
    text = frontmatter.decode(path.read_bytes(), path)
    data = frontmatter.parse_yaml(text, path)
    return read_comments(FileContext(path, text), data or [], config, parsers, None)


def read_comments(ctx: FileContext, data: Any, config: SiteConfig, parsers: Parsers,
                  key: str | None) -> tuple[Comment, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise BuildError(Problem("comments must be a list", ctx.path,
                                 ctx.line_of(key) if key else 1,
                                 hint="write each comment as an item starting with `- id: …`"))
    return tuple(read_comment(ctx, item, config, parsers) for item in data)


def read_comment(ctx: FileContext, item: Any, config: SiteConfig, parsers: Parsers) -> Comment:
    if not isinstance(item, dict):
        raise BuildError(Problem(f"a comment must be a mapping, not {item!r}", ctx.path,
                                 hint="write id, author, date and body under each `- `"))
    raw_id = item.get("id")
    cid = str(raw_id) if isinstance(raw_id, (int, str)) and not isinstance(raw_id, bool) else ""
    line = _comment_line(ctx, cid)
    where = f"comment {cid!r}" if cid else "a comment"
    if not SAFE_ID.match(cid):
        raise BuildError(Problem(f"{where} needs an `id` made of letters, digits, - or _",
                                 ctx.path, line, hint="give every comment a unique id: 1, 2, 3…"))
    for required in ("author", "date", "body"):
        value = item.get(required)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise BuildError(Problem(f"{where} has no {required!r}", ctx.path, line,
                                     hint="each comment needs id, author, date and body"))
    status = item.get("status", "approved")
    if status not in COMMENT_STATUSES:
        raise BuildError(Problem(f"{where} has unknown status {status!r}", ctx.path, line,
                                 hint="use one of: " + ", ".join(COMMENT_STATUSES)))
    try:
        date = dates.to_datetime(item["date"], config.tz)
    except dates.DateError as exc:
        raise BuildError(Problem(f"{where}: {exc}", ctx.path, line,
                                 hint=dates.accepted_formats())) from None
    url = item.get("url")
    if not (isinstance(url, str) and markup.SAFE_LINK.match(url.strip()) and
            url.lower().startswith("http")):
        url = None
    parent = item.get("parent")
    author_id = item.get("author_id")
    return Comment(
        id=cid, author=str(item["author"]).strip(), date=date,
        body_html=markup.render_comment(parsers.comment, str(item["body"])),
        parent=str(parent) if parent is not None else None,
        url=url.strip() if url else None, status=status,
        author_id=str(author_id) if author_id is not None else None, line=line,
    )


def _comment_line(ctx: FileContext, cid: str) -> int | None:
    if not cid:
        return None
    match = re.search(rf"^\s*-?\s*id\s*[:=]\s*['\"]?{re.escape(cid)}['\"]?\s*$", ctx.text, re.M)
    return ctx.text.count("\n", 0, match.start()) + 1 if match else None


def read_author(content_dir: Path, rel: str, parsers: Parsers) -> Author:
    """An author file: `name` and profile links in front matter, the bio as Markdown body."""
    ctx, source = load(content_dir, rel)
    meta = source.meta
    name = ctx.text_field(meta, "name", required=True)
    social = meta.get("social") or {}
    if not isinstance(social, dict) or not all(isinstance(v, str) for v in social.values()):
        raise ctx.error("social", "social must map a network name to a URL",
                        hint="social:\n  mastodon: https://…")
    author_id = Path(rel).stem
    return Author(
        id=author_id, name=name or author_id,
        bio_html=markup.render_bio(parsers.article, source.body),
        avatar=ctx.text_field(meta, "avatar"), website=ctx.text_field(meta, "website"),
        social=tuple((str(k), v) for k, v in social.items()), source=rel,
    )


def read_page(content_dir: Path, rel: str, config: SiteConfig, parsers: Parsers) -> Page:
    ctx, source = load(content_dir, rel)
    meta = source.meta
    title = ctx.text_field(meta, "title", required=True) or ""
    return Page(
        source=rel, title=title, slug=ctx.slug(meta, urls.slug(title) or Path(rel).stem),
        body_html=parsers.article.render(source.body), draft=ctx.flag(meta, "draft", False),
        lang=ctx.text_field(meta, "lang"), date=ctx.date(meta, "date", config, required=False),
        extra={k: v for k, v in meta.items() if k not in PAGE_KEYS},
    )
