"""Read one source file into a model object; pure apart from reading that file (and, for an
article, its comment files and the header of its image)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from markdown_it import MarkdownIt

from reflexgen import hashing, urls
from reflexgen.config import SiteConfig
from reflexgen.config.menu import MENUS
from reflexgen.content import comments, frontmatter, images, markup, pictures, typography
from reflexgen.content.discover import leads_inside, real_root, sidecar_for
from reflexgen.content.fields import FileContext
from reflexgen.content.model import (
    GENDERS,
    Article,
    Author,
    Body,
    Original,
    Page,
    evolve,
    head_digest,
)
from reflexgen.errors import BuildError, Problem

ARTICLE_KEYS = frozenset({"title", "date", "updated", "author", "authors", "tags", "category",
                          "summary", "image", "slug", "draft", "lang", "comments_open",
                          "comments", "aliases", "pinned", "series"})
T = TypeVar("T")
PAGE_KEYS = frozenset({"title", "slug", "draft", "lang", "date", "aliases", "menu", "weight"})


@dataclass
class Parsers:
    """The Markdown parsers, built once per process and language (typography differs), and
    the images examined, once per process and version of each file."""

    made: dict[tuple, MarkdownIt] = field(default_factory=dict)
    examined: dict[tuple, tuple[images.Size, str] | images.ImageError] = field(
        default_factory=dict)

    def examine(self, path: Path, max_pixels: int, resized: bool) -> tuple[images.Size, str]:
        """`images.examine`, remembered by the file's stamp; raises `images.ImageError`."""
        try:
            info = path.stat()
        except OSError:
            raise images.MissingImage("no such file") from None
        key = (str(path), info.st_mtime_ns, info.st_size, max_pixels, resized)
        found = self.examined.get(key)
        if found is None:
            try:
                found = images.examine(path, max_pixels, resized)
            except images.ImageError as exc:
                found = exc
            self.examined[key] = found
        if isinstance(found, images.ImageError):
            raise found
        return found

    def article(self, language: str, raw_html: str = "allow") -> MarkdownIt:
        return self._parser(("article", language, raw_html),
                            lambda: markup.article_parser(language, raw_html))

    def comment(self, language: str) -> MarkdownIt:
        return self._parser(("comment", language), lambda: markup.comment_parser(language))

    def _parser(self, key: tuple, make: Callable[[], MarkdownIt]) -> MarkdownIt:
        parser = self.made.get(key)
        if parser is None:
            parser = self.made[key] = make()
        return parser


def parse_settings(config: SiteConfig) -> str:
    """What, besides the files, shapes a parsed article: naive dates depend on the timezone,
    typography on the language."""
    return (f"reflexgen {hashing.code_id()}; timezone {config.timezone}; language "
            f"{config.language}; raw HTML {config.raw_html}; images {config.images}; AVIF "
            f"{pictures.avif_available() if config.images.enabled else None}")


def load(path: Path) -> tuple[FileContext, frontmatter.Source, bytes]:
    raw = path.read_bytes()
    text = frontmatter.decode(raw, path)
    return FileContext(path, text), frontmatter.split(text, path), raw


def read_article(content_dir: Path, rel: str, config: SiteConfig,
                 parsers: Parsers) -> tuple[Article, Body]:
    """Parse an article and its comments (inline and sidecar files) into an `Article` and `Body`."""
    path = content_dir / rel
    too_big(path, config.max_article_kb, "max_article_kb")
    ctx, source, raw = load(path)
    digest = hashlib.blake2b(raw, digest_size=16)
    digest.update(parse_settings(config).encode())
    meta, tz = source.meta, config.tz
    title = ctx.text_field(meta, "title", required=True)
    if not title:
        raise ctx.error("title", "title is empty", hint="give the article a title")
    date = ctx.date(meta, "date", tz, required=True)
    assert date is not None
    lang = ctx.text_field(meta, "lang")
    language = lang or config.language
    located = comments.read_comments(ctx, meta.get("comments"), tz, parsers.comment(language),
                                     "comments", config.max_comment_kb)
    for sidecar in sidecar_for(rel):
        path = content_dir / sidecar
        if path.is_file():
            too_big(path, config.max_article_kb, "max_article_kb")
            sidecar_raw = path.read_bytes()
            digest.update(b"\0sidecar\0" + sidecar_raw)
            text = frontmatter.decode(sidecar_raw, path)
            data = frontmatter.parse_yaml(text, path)
            located += comments.read_comments(FileContext(path, text), data, tz,
                                              parsers.comment(language), None,
                                              config.max_comment_kb)
    threads, count = comments.thread(located)
    image = ctx.text_field(meta, "image")
    featured = measure(content_dir, ctx, image, config, parsers)
    body_images = BodyImages(content_dir, ctx, source.body_line, config, parsers,
                             first=not image)
    rendered = markup.render_article(parsers.article(language, config.raw_html), source.body,
                                     ctx.text_field(meta, "summary"),
                                     sanitize=config.raw_html == "sanitize", images=body_images)
    if body_images.problems:
        raise BuildError(body_images.problems)
    found = {o.url: o for o in ([featured] if featured else []) + body_images.found}
    digest.update(f"\0images {sorted(found.items())}".encode())
    article = Article(
        source=rel, title=typography.plain(title, language), date=date,
        slug=ctx.slug(meta, urls.file_slug(rel)),
        summary_html=rendered.summary_html, words=rendered.words, digest=digest.hexdigest(),
        updated=ctx.date(meta, "updated", tz, required=False),
        author_refs=ctx.text_list(meta, "authors") or ctx.text_list(meta, "author"),
        tags=ctx.text_list(meta, "tags"), category=ctx.text_field(meta, "category") or None,
        image=image, image_size=(featured.width, featured.height) if featured else None,
        pictures=tuple(found.values()), body_images=tuple(body_images.named),
        draft=ctx.flag(meta, "draft", False), lang=lang,
        comments_open=ctx.flag(meta, "comments_open", True), comment_count=count,
        extra={k: v for k, v in meta.items() if k not in ARTICLE_KEYS},
        aliases=ctx.aliases(meta), pinned=ctx.flag(meta, "pinned", False),
        series=ctx.text_field(meta, "series") or None, raw_html=rendered.raw_html,
        warnings=tuple(ctx.notes),
    )
    return evolve(article, head=head_digest(article)), Body(rendered.html, threads)


IMAGE_HINT = ("files under content/ are published at the same path (/images/x.jpg is "
              "content/images/x.jpg); use JPEG, PNG, WebP, GIF, AVIF or SVG, or the full "
              "address of an image elsewhere")


def measure(content_dir: Path, ctx: FileContext, image: str | None, config: SiteConfig,
            parsers: Parsers, line: int | None = None) -> Original | None:
    """An article's image when it is a file under content/ (another site's is not fetched):
    its size, and the digest of a photo the build resizes. A missing file is a warning (no
    size), and so is one that cannot be read when `[images]` is disabled; else that is an
    error, as is an image too large to process."""
    local = urls.content_file(image) if image else None
    if local is None or image is None:
        return None
    settings = config.images
    resized = settings.enabled and pictures.resized(local) is not None
    path = content_dir / local
    try:
        if not leads_inside(str(path), real_root(content_dir)):
            raise images.MissingImage("it links to a place outside content/, which is not "
                                      "published")
        size, digest = parsers.examine(path, settings.max_pixels, resized)
    except images.ImageError as exc:
        place = ctx.line_of("image") if line is None else line
        if isinstance(exc, images.MissingImage) or not settings.enabled:
            ctx.notes.append(Problem(
                f"image {image!r} (content/{local}) cannot be measured: {exc}", ctx.path,
                place, hint=IMAGE_HINT + ". Until then the page gives it no width and height"))
            return None
        raise BuildError(Problem(f"image {image!r} (content/{local}) cannot be published: "
                                 f"{exc}", ctx.path, place, hint=IMAGE_HINT)) from None
    return Original(image, size[0], size[1], digest)


class BodyImages:
    """Writes the images of an article's body (`markup.ImageHook`): a photo under content/
    as a `<picture>` of its renditions, an SVG or GIF as an `<img>` with its size, another
    site's as markdown-it writes it. Keeps what it found, and the problems."""

    def __init__(self, content_dir: Path, ctx: FileContext, body_line: int,
                 config: SiteConfig, parsers: Parsers, first: bool) -> None:
        self.content_dir, self.ctx, self.body_line = content_dir, ctx, body_line
        self.config, self.parsers, self.first = config, parsers, first
        self.found: list[Original] = []
        self.named: dict[str, None] = {}  # the addresses of files under content/, in order
        self.problems: list[Problem] = []

    def __call__(self, src: str, alt: str, title: str, line: int) -> str | None:
        if urls.content_file(src):
            self.named[src] = None
        try:
            original = measure(self.content_dir, self.ctx, src, self.config, self.parsers,
                               self.body_line + line)
        except BuildError as exc:
            self.problems += exc.problems
            return None
        if original is None:
            return None
        self.found.append(original)
        first, self.first = self.first, False
        picture = pictures.plan(original, self.config.images)
        return pictures.picture_html(picture, alt, self.config.images.sizes, first, title)


def too_big(path: Path, limit_kb: int, setting: str) -> None:
    """Refuse a source larger than the site's limit before reading it."""
    size = path.stat().st_size
    if size > limit_kb * 1024:
        raise BuildError(Problem(f"file is {size // 1024} KB, more than the {limit_kb} KB "
                                 "allowed", path, hint=f"split it, or raise {setting} in "
                                                       "site.toml"))


def read_author(content_dir: Path, rel: str, config: SiteConfig, parsers: Parsers) -> Author:
    """An author file: `name` and profile links in front matter, the bio as Markdown body."""
    ctx, source, _ = load(content_dir / rel)
    meta = source.meta
    name = ctx.text_field(meta, "name", required=True)
    social = meta.get("social") or {}
    if not isinstance(social, dict) or not all(isinstance(v, str) for v in social.values()):
        raise ctx.error("social", "social must map a network name to a URL",
                        hint="social:\n  mastodon: https://…")
    for address in social.values():
        ctx.link(meta, "social", address)
    author_id = Path(rel).stem
    return Author(
        id=author_id, name=name or author_id,
        bio_html=markup.render_bio(parsers.article(config.language), source.body),
        avatar=ctx.text_field(meta, "avatar"), website=ctx.link(meta, "website"),
        social=tuple((str(k), v) for k, v in social.items()), source=rel,
        gender=ctx.choice(meta, "gender", GENDERS,
                          hint="write gender: f, gender: m or gender: n (the theme's wording "
                               "agrees with it: « autrice », « auteur »); leave it out for "
                               "neutral wording"),
    )


def read_page(content_dir: Path, rel: str, config: SiteConfig, parsers: Parsers) -> Page:
    ctx, source, _ = load(content_dir / rel)
    meta = source.meta
    title = ctx.text_field(meta, "title", required=True) or ""
    lang = ctx.text_field(meta, "lang")
    language = lang or config.language
    return Page(
        source=rel, title=typography.plain(title, language),
        slug=ctx.slug(meta, urls.file_slug(rel)),
        body_html=markup.render_article(parsers.article(language, config.raw_html),
                                        source.body, sanitize=config.raw_html == "sanitize").html,
        draft=ctx.flag(meta, "draft", False),
        lang=lang, date=ctx.date(meta, "date", config.tz, required=False),
        extra={k: v for k, v in meta.items() if k not in PAGE_KEYS},
        aliases=ctx.aliases(meta), menu=menu_place(ctx, meta),
        weight=ctx.whole_number(meta, "weight", 0),
    )


def menu_place(ctx: FileContext, meta: dict) -> str | None:
    """The menu a page is linked in: `menu: footer`, `menu: main` (or true, the default), or
    none with `menu: false`."""
    value = meta.get("menu", True)
    if isinstance(value, bool):
        return "main" if value else None
    place = value.strip().lower() if isinstance(value, str) else value
    if place not in MENUS:
        raise ctx.error("menu", f"'menu' must be main, footer or false, not {value!r}",
                        hint="menu: footer links the page in the footer, menu: false in no menu")
    return place


def attempt(reader: Callable[..., T], content_dir: Path, rel: str, *args: Any
            ) -> T | list[Problem]:
    """`reader(content_dir, rel, *args)`, or the problems that stopped it."""
    try:
        return reader(content_dir, rel, *args)
    except BuildError as exc:
        return exc.problems
    except OSError as exc:
        return [Problem(f"cannot read file: {exc.strerror}", content_dir / rel)]
