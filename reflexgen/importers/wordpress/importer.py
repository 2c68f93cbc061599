"""`reflexgen import wordpress`: a WXR export → articles, pages, authors and comment files.

Two passes over the export, both streaming (see `wxr`): the first checks the file and
collects attachments (for galleries), the second converts each item and stages the files it
makes in a folder beside content/. Only when the whole export went through are they moved
into content/, so a bad export writes nothing; a file the user edited since the last import
(see the manifest, `.reflexgen-import.json`) is never overwritten without `--force`.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nh3

from reflexgen import urls
from reflexgen.config import SiteConfig, load_config, settings_text
from reflexgen.config.checks import check_base_url
from reflexgen.config.toml import toml_string
from reflexgen.content.compose import front_matter, to_yaml
from reflexgen.errors import BuildError, Problem, Reporter
from reflexgen.importers.wordpress import wxr
from reflexgen.importers.wordpress.html import Conversion

MANIFEST = ".reflexgen-import.json"
MAX_SLUG = 100
REPORT = "import-report.md"
UPLOADS = re.compile(r"""https?://[^\s()<>"']+?/wp-content/uploads/([^\s()<>"'?#]+)""")
DEFAULT_CATEGORIES = {"uncategorized", "non-classe", "sans-categorie"}
DRAFTS = {"draft", "pending", "private"}
WORDS = {"fr": {"untitled": "Sans titre", "anonymous": "Anonyme", "blog": "Mon blog"},
         "en": {"untitled": "Untitled", "anonymous": "Anonymous", "blog": "My blog"}}
PLACEHOLDER_URL = "https://example.org"
SITE_TOML_HEADER = ("# Made by `reflexgen import wordpress` from the export's title, address, "
                    "language and tagline.\n# Every setting: see « site.toml » in reflexgen's "
                    "README.\n")


@dataclass(frozen=True)
class ImportOptions:
    export: Path
    site_dir: Path = Path(".")
    uploads: Path | None = None
    pingbacks: bool = False
    dry_run: bool = False
    force: bool = False


@dataclass
class ImportReport:
    """What an import did, for the terminal and `import-report.md`."""

    counts: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    fallbacks: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)  # left as absolute links
    kept: list[str] = field(default_factory=list)  # edited since the last import: not replaced
    written: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)  # of a site.toml made from the export

    def markdown(self, options: ImportOptions) -> str:
        c = self.counts
        lines = [f"# WordPress import of {options.export.name}", "",
                 "| | |", "|---|---|"]
        for label, key in (("posts", "posts"), ("of which drafts", "drafts"), ("pages", "pages"),
                           ("comments kept", "comments"), ("of which pending", "pending"),
                           ("authors", "authors"), ("tags", "tags"),
                           ("categories", "categories"), ("redirects", "redirects"),
                           ("media copied", "media copied"), ("files written", "written")):
            lines.append(f"| {label} | {c[key]} |")
        for title, items in (
                ("Dropped", [f"{n} × {reason}" for reason, n in sorted(self.dropped.items())]),
                ("Needed a fallback", self.fallbacks),
                ("Media left at their old address"
                 + ("" if options.uploads else " (use --uploads DIR to copy them)"), self.media),
                ("Kept as you edited them (use --force to replace)", self.kept),
                ("site.toml made from the export: check it (the timezone is a guess)",
                 self.settings)):
            if items:
                lines += ["", f"## {title}", ""] + [f"- {item}" for item in items]
        return "\n".join(lines) + "\n"


class ImportStaging:
    """Files made by the import, in a folder beside content/ until the import succeeds."""

    def __init__(self, site: Path, dry_run: bool) -> None:
        self.site = site
        self.dry_run = dry_run
        self.folder = None if dry_run else Path(tempfile.mkdtemp(prefix=".reflexgen-import-",
                                                                 dir=site))
        self.files: dict[str, Path | None] = {}  # path in the site → file to copy, if any

    def write(self, rel: str, text: str) -> None:
        self.files[rel] = None
        if self.folder is not None:
            path = self.folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def copy(self, rel: str, source: Path) -> None:
        self.files[rel] = source

    def commit(self, force: bool, report: ImportReport) -> None:
        """Move the staged files into the site, sparing files edited since the last import."""
        manifest_path = self.site / MANIFEST
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            manifest = {}
        moves = []
        for rel, source in sorted(self.files.items()):
            staged = source if source is not None else self.folder / rel  # type: ignore[operator]
            target = self.site / rel
            new = sha256(staged)
            if target.exists():
                current = sha256(target)
                if current == new:
                    manifest[rel] = new
                    continue
                if current != manifest.get(rel) and not force:
                    report.kept.append(rel)
                    continue
            moves.append((rel, staged, target, new, source is None))
        for folder in sorted({target.parent for _, _, target, _, _ in moves}):
            folder.mkdir(parents=True, exist_ok=True)  # a failure here moves no file at all
        for rel, staged, target, new, staged_here in moves:
            if staged_here:
                staged.replace(target)
            else:
                shutil.copyfile(staged, target)
            manifest[rel] = new
            report.written.append(rel)
        manifest_path.write_text(json.dumps({"files": manifest}, indent=1, sort_keys=True)
                                 + "\n", encoding="utf-8")

    def discard(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def text_only(markup: str) -> str:
    """Plain text of a title or name that may hold HTML and entities."""
    return html.unescape(nh3.clean(markup, tags=set())).strip()


class Importer:
    """One import: the state kept between items is small (slugs, ids), never the items."""

    def __init__(self, options: ImportOptions, config: SiteConfig, staging: ImportStaging,
                 attachments: dict[int, str], children: dict[int, list[str]]) -> None:
        self.options = options
        self.config = config
        self.staging = staging
        self.attachments = attachments
        self.children = children
        self.words = WORDS.get(config.language, WORDS["en"])
        self.report = ImportReport()
        self.channel = wxr.Channel()
        self.authors: dict[str, str] = {}  # login → author id
        self.slugs: set[str] = set()
        self.old_urls: set[str] = set()
        self.tags: set[str] = set()
        self.categories: set[str] = set()

    # --- records ---------------------------------------------------------------------

    def author(self, record: wxr.WxrAuthor) -> None:
        author_id = self.unique(urls.slug(record.login) or "auteur", set(self.authors.values()))
        self.authors[record.login.casefold()] = author_id
        name = text_only(record.display_name) or " ".join(
            p for p in (text_only(record.first_name), text_only(record.last_name)) if p)
        meta: dict = {"name": name or record.login}
        for key, value in (("first_name", record.first_name), ("last_name", record.last_name)):
            if text_only(value):
                meta[key] = text_only(value)
        if record.url.startswith(("http://", "https://")):
            meta["website"] = record.url
        bio = Conversion().convert(record.description) if record.description.strip() else ""
        self.staging.write(f"content/authors/{author_id}.md", front_matter(meta, bio))
        self.report.counts["authors"] += 1

    def item(self, item: wxr.WxrItem) -> None:
        if item.post_type == "attachment":
            return
        if item.post_type not in ("post", "page"):
            self.report.dropped[f"post type {item.post_type!r}"] += 1
            return
        if item.status in ("trash", "auto-draft", "inherit"):
            self.report.dropped[f"{item.post_type} with status {item.status!r}"] += 1
            return
        if item.post_type == "post":
            self.post(item)
        else:
            self.page(item)

    def post(self, item: wxr.WxrItem) -> None:
        notes: list[str] = []
        title = text_only(item.title) or self.untitled(item, notes)
        slug = self.slug(item, title, self.slugs)
        date = self.date(item.post_date_gmt, item.post_date) or self.undated(item, notes)
        category, tags = self.terms(item, notes)
        draft = item.status in DRAFTS
        meta: dict = {"title": title, "date": date.isoformat()}  # the file name is the slug
        updated = self.date(item.post_modified_gmt, item.post_modified)
        if updated and updated - date > timedelta(minutes=1):
            meta["updated"] = updated.isoformat()
        if item.creator:
            meta["author"] = self.author_of(item.creator, notes)
        if category:
            meta["category"] = category
        if tags:
            meta["tags"] = tags
        if item.excerpt.strip():
            meta["summary"] = Conversion().convert(item.excerpt, paragraphs=False).strip()
        if draft:
            meta["draft"] = True
        if item.is_sticky:
            meta["pinned"] = True
        new_url = urls.article_url(self.config.permalink, slug, date, category)
        aliases = self.aliases(item, new_url, "p", notes)
        if aliases:
            meta["aliases"] = aliases
        meta["wordpress_id"] = item.post_id
        folder = f"content/posts/{date.year:04d}"
        body = self.body(item, notes)
        self.staging.write(f"{folder}/{slug}.md", front_matter(meta, body))
        comments = self.comments(item)
        if comments:
            self.staging.write(f"{folder}/{slug}.comments.yaml", to_yaml(comments))
        self.report.counts["posts"] += 1
        self.report.counts["drafts"] += draft
        self.report.fallbacks += [f"{folder}/{slug}.md: {note}" for note in notes]

    def page(self, item: wxr.WxrItem) -> None:
        notes: list[str] = []
        title = text_only(item.title) or self.untitled(item, notes)
        slug = self.slug(item, title, self.slugs)
        if slug in urls.RESERVED:
            notes.append(f"slug {slug!r} is one of reflexgen's own pages: renamed {slug}-1")
            slug = self.unique(f"{slug}-1", self.slugs)
        meta: dict = {"title": title}  # the file name is the slug
        date = self.date(item.post_date_gmt, item.post_date)
        if date:
            meta["date"] = date.isoformat()
        if item.status in DRAFTS:
            meta["draft"] = True
        aliases = self.aliases(item, urls.page_url(slug), "page_id", notes)
        if aliases:
            meta["aliases"] = aliases
        meta["wordpress_id"] = item.post_id
        rel = f"content/pages/{slug}.md"
        self.staging.write(rel, front_matter(meta, self.body(item, notes)))
        self.report.counts["pages"] += 1
        self.report.fallbacks += [f"{rel}: {note}" for note in notes]

    # --- fields ----------------------------------------------------------------------

    def untitled(self, item: wxr.WxrItem, notes: list[str]) -> str:
        notes.append(f"WordPress item {item.post_id} had no title")
        return f"{self.words['untitled']} ({item.post_id})"

    def undated(self, item: wxr.WxrItem, notes: list[str]) -> datetime:
        notes.append("no date in the export: dated 1970-01-01, fix `date`")
        return datetime(1970, 1, 1, tzinfo=self.config.tz)

    def slug(self, item: wxr.WxrItem, title: str, taken: set[str]) -> str:
        slug = urls.slug(unquote(item.post_name)) or urls.slug(title) \
            or f"article-{item.post_id}"
        return self.unique(slug[:MAX_SLUG].rstrip("-"), taken)  # file names have a limit

    @staticmethod
    def unique(slug: str, taken: set[str]) -> str:
        candidate, n = slug, 1
        while candidate in taken:
            n += 1
            candidate = f"{slug}-{n}"
        taken.add(candidate)
        return candidate

    def date(self, gmt: str, local: str) -> datetime | None:
        """WordPress dates: GMT when set, else the site's local time (site.toml timezone)."""
        for text, zone in ((gmt, UTC), (local, self.config.tz)):
            if text and not text.startswith("0000"):
                try:
                    parsed = datetime.fromisoformat(text.strip()).replace(tzinfo=zone)
                except ValueError:
                    continue
                return parsed.astimezone(self.config.tz)
        return None

    def terms(self, item: wxr.WxrItem, notes: list[str]) -> tuple[str | None, list[str]]:
        categories, tags = [], []
        for domain, _, name in item.categories:
            name = text_only(name)
            if not urls.slug(name):
                if name:
                    notes.append(f"{domain} {name!r} has no letters or digits: left out")
                continue
            if domain == "category" and urls.slug(name) not in DEFAULT_CATEGORIES:
                categories.append(name)
            elif domain == "post_tag":
                tags.append(name)
        categories, tags = list(dict.fromkeys(categories)), list(dict.fromkeys(tags))
        if len(categories) > 1:
            notes.append(f"categories {', '.join(categories[1:])} became tags (one category "
                         "per article)")
            tags = list(dict.fromkeys(tags + categories[1:]))
        self.categories.update(categories[:1])
        self.tags.update(tags)
        return (categories[0] if categories else None), tags

    def author_of(self, login: str, notes: list[str]) -> str:
        if login.casefold() not in self.authors:
            notes.append(f"author {login!r} is not among the export's authors: added")
            self.author(wxr.WxrAuthor(login=login, display_name=login))
        return self.authors[login.casefold()]

    def aliases(self, item: wxr.WxrItem, new_url: str, query: str,
                notes: list[str]) -> list[str]:
        """The item's old addresses on this site: its permalink, and `?p=ID` (or
        `?page_id=ID`), which every WordPress answers; none equal to the new URL."""
        old = []
        site_host = urlsplit(self.channel.base_site_url or self.channel.link).netloc
        parts = urlsplit(item.link)
        if parts.netloc in ("", site_host):
            path = re.sub("/{2,}", "/", unquote(parts.path or "/"))
            old.append(path + (f"?{parts.query}" if parts.query else ""))
        if item.post_id:
            old.append(f"/?{query}={item.post_id}")
        found = []
        for alias in dict.fromkeys(old):
            if alias in (new_url, new_url.rstrip("/"), "/"):
                continue  # the same address, or the home page: nothing to redirect
            if alias.strip("/").split("/")[0] in urls.RESERVED:
                notes.append(f"old address {alias} is one of reflexgen's own pages now")
            elif alias in self.old_urls:
                notes.append(f"old address {alias} is already another item's: not redirected")
            else:
                self.old_urls.add(alias)
                found.append(alias)
        self.report.counts["redirects"] += len(found)
        return found

    def body(self, item: wxr.WxrItem, notes: list[str]) -> str:
        conversion = Conversion(self.attachments, lambda: self.children.get(item.post_id, []))
        markdown = conversion.convert(item.content)
        notes += conversion.notes
        return UPLOADS.sub(self.media, markdown)

    def media(self, match: re.Match) -> str:
        """An uploaded file: copied under content/wp-content/uploads/ (same path as on the
        old site) when --uploads has it, else left at its old address and reported."""
        path = unquote(match.group(1))
        uploads = self.options.uploads
        if uploads is not None and ".." not in path.split("/") and (uploads / path).is_file():
            rel = f"content/wp-content/uploads/{path}"
            if rel not in self.staging.files:
                self.staging.copy(rel, uploads / path)
                self.report.counts["media copied"] += 1
            return f"/wp-content/uploads/{match.group(1)}"
        if match.group(0) not in self.report.media:
            self.report.media.append(match.group(0))
        return match.group(0)

    def comments(self, item: wxr.WxrItem) -> list[dict]:
        kept: dict[str, dict] = {}
        parents: dict[str, str] = {}  # every comment's parent, kept or not
        for comment in item.comments:
            parents[comment.id] = comment.parent
            reason = self.drop_reason(comment)
            if reason:
                self.report.dropped[reason] += 1
                continue
            date = self.date(comment.date_gmt, comment.date) or datetime(1970, 1, 1, tzinfo=UTC)
            record: dict = {"id": comment.id if re.fullmatch(r"[A-Za-z0-9_-]+", comment.id)
                            else f"c{len(kept) + 1}",
                            "author": text_only(comment.author) or self.words["anonymous"],
                            "date": date.isoformat()}
            if comment.author_url.startswith(("http://", "https://")):
                record["url"] = comment.author_url
            if comment.approved != "1":
                record["status"] = "pending"
                self.report.counts["pending"] += 1
            record["body"] = Conversion().convert(comment.content) or "…"
            kept[comment.id] = record
        for cid, record in kept.items():  # a reply to a dropped comment goes up the thread
            parent, seen = parents.get(cid, "0"), {cid}
            while parent not in ("", "0") and parent not in kept and parent not in seen:
                seen.add(parent)
                parent = parents.get(parent, "0")
            if parent in kept:
                record["parent"] = kept[parent]["id"]
        self.report.counts["comments"] += len(kept)
        return [dict(sorted(r.items(), key=lambda kv: ORDER.index(kv[0]))) for r in kept.values()]

    def drop_reason(self, comment: wxr.WxrComment) -> str | None:
        if comment.approved == "spam":
            return "spam comment"
        if comment.approved in ("trash", "post-trashed"):
            return "comment in the trash"
        if comment.type in ("pingback", "trackback"):
            return None if self.options.pingbacks else f"{comment.type} (use --pingbacks)"
        if comment.type not in ("", "comment"):
            return f"comment of type {comment.type!r}"
        return None


ORDER = ["id", "parent", "author", "url", "date", "status", "body"]


def scan(export: Path) -> tuple[wxr.Channel, int, dict[int, str], dict[int, list[str]]]:
    """First pass: the channel, the number of items, and attachments by id and by parent
    post."""
    channel, total, attachments, children = wxr.Channel(), 0, {}, defaultdict(list)
    for record in wxr.read(export):
        if isinstance(record, wxr.Channel):
            channel = record
        elif isinstance(record, wxr.WxrItem):
            total += 1
            if record.post_type == "attachment" and record.attachment_url:
                attachments[record.post_id] = record.attachment_url
                children[record.post_parent].append(record.attachment_url)
    return channel, total, attachments, dict(children)


def site_settings(channel: wxr.Channel) -> dict[str, str]:
    """For a folder without site.toml: what the export says of the old site (its title,
    address, language and tagline), a timezone to go with the language."""
    language = "fr" if channel.language.lower().startswith("fr") else "en"
    addresses = (channel.link, channel.base_blog_url, channel.base_site_url)
    return {"title": text_only(channel.title) or WORDS[language]["blog"],
            "base_url": next((url.rstrip("/") for url in addresses
                              if url and check_base_url(url) is None), PLACEHOLDER_URL),
            "language": language,
            "timezone": "Europe/Paris" if language == "fr" else "UTC",
            "description": text_only(channel.description)}


def import_wordpress(options: ImportOptions, reporter: Reporter) -> ImportReport:
    """Import the export into the site; raise `BuildError` (nothing written) if it is not
    a readable WXR file or site.toml is wrong. A folder without site.toml gets one made from
    the export, never replacing one."""
    site_toml = options.site_dir / "site.toml"
    new_site = not os.path.lexists(site_toml)
    if not new_site:
        config, _ = load_config(options.site_dir)
    if options.uploads is not None and not options.uploads.is_dir():
        raise BuildError(Problem("the --uploads folder does not exist", options.uploads,
                                 hint="give a copy of the old site's wp-content/uploads"))
    channel, total, attachments, children = scan(options.export)
    if new_site:
        settings = site_settings(channel)
        config = SiteConfig(root=options.site_dir, **settings)
        if not options.dry_run:
            options.site_dir.mkdir(parents=True, exist_ok=True)
    staging = ImportStaging(config.root, options.dry_run)
    try:
        importer = Importer(options, config, staging, attachments, children)
        if new_site:
            staging.write("site.toml", SITE_TOML_HEADER + settings_text(settings))
            importer.report.settings = [f"{key} = {toml_string(value)}"
                                        for key, value in settings.items()]
            if settings["base_url"] == PLACEHOLDER_URL:
                importer.report.fallbacks.append(
                    "site.toml: the export gives no web address: base_url is "
                    f"{PLACEHOLDER_URL}, put the blog's own there")
        progress = reporter.progress("importing", total)
        done = 0
        for record in wxr.read(options.export):
            if isinstance(record, wxr.Channel):
                importer.channel = record
            elif isinstance(record, wxr.WxrAuthor):
                importer.author(record)
            else:
                importer.item(record)
                done += 1
                if progress:
                    progress(done)
        report = importer.report
        report.counts["tags"] = len({urls.slug(t) for t in importer.tags})
        report.counts["categories"] = len({urls.slug(c) for c in importer.categories})
        if options.dry_run:
            report.written = sorted(staging.files)  # what it would write
        else:
            staging.commit(options.force, report)
        report.counts["written"] = len(report.written)
        if not options.dry_run:
            (config.root / REPORT).write_text(report.markdown(options), encoding="utf-8")
        return report
    finally:
        staging.discard()
