"""Read a WordPress export (WXR 1.0 to 1.2) as a stream of plain records.

The file is parsed incrementally (lxml `iterparse`) and each `<item>` is dropped once read,
so a 50 MB export costs the memory of one post at a time. Entities are never resolved and
nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from reflexgen.errors import BuildError, Problem

VERSIONS = ("1.0", "1.1", "1.2")
WP = "http://wordpress.org/export/"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
CHANNEL_FIELDS = {("wp", "base_site_url"), ("wp", "base_blog_url"), ("", "title"), ("", "link"),
                  ("", "language"), ("", "description")}


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    language: str = ""
    description: str = ""
    version: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""


@dataclass
class WxrAuthor:
    login: str
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    url: str = ""
    description: str = ""


@dataclass
class WxrComment:
    id: str
    author: str
    author_url: str
    date: str
    date_gmt: str
    content: str
    approved: str
    type: str
    parent: str


@dataclass
class WxrItem:
    title: str
    link: str
    guid: str
    creator: str
    content: str
    excerpt: str
    post_id: int
    post_date: str
    post_date_gmt: str
    post_modified: str
    post_modified_gmt: str
    post_name: str
    status: str
    post_type: str
    post_parent: int
    is_sticky: bool
    attachment_url: str
    categories: list[tuple[str, str, str]] = field(default_factory=list)  # domain, slug, name
    comments: list[WxrComment] = field(default_factory=list)


def local(tag: object) -> tuple[str, str]:
    """(namespace family, local name): `wp`, `excerpt` or the namespace URI itself."""
    if not isinstance(tag, str) or not tag.startswith("{"):
        return "", str(tag)
    uri, name = tag[1:].split("}", 1)
    if uri.startswith(WP):
        return ("excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"), name
    return uri, name


def wp_fields(element) -> dict[str, str]:
    """The `wp:` children of an element, by local name (text, stripped)."""
    found = {}
    for child in element:
        family, name = local(child.tag)
        if family == "wp" and len(child) == 0:
            found[name] = (child.text or "").strip()
    return found


def read(path: Path) -> Iterator[Channel | WxrAuthor | WxrItem]:
    """The channel (once its header is read), then every author and item, in file order;
    raises `BuildError` (with the line) for malformed XML or a file that is not a WXR
    export of a known version."""
    channel = Channel()
    announced = False
    try:
        events = etree.iterparse(str(path), events=("start", "end"), resolve_entities=False,
                                 no_network=True, remove_comments=True, remove_pis=True)
        depth = 0
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    raise not_wxr(path, f"its root element is <{local(element.tag)[1]}>")
                continue
            depth -= 1
            family, name = local(element.tag)
            if depth != 2:  # only the direct children of <channel> are records
                continue
            if name == "item" or (family == "wp" and name == "author"):
                if not announced:
                    check_version(path, channel, element.sourceline)
                    announced = True
                    yield channel
                yield (read_item(element) if name == "item" else read_author(element))
                element.clear(keep_tail=False)
                while element.getprevious() is not None:  # keep memory bounded
                    del element.getparent()[0]
            elif family == "wp" and name == "wxr_version":
                channel.version = (element.text or "").strip()
            elif (family, name) in CHANNEL_FIELDS:
                setattr(channel, name, (element.text or "").strip())
    except etree.XMLSyntaxError as exc:
        raise BuildError(Problem(f"malformed XML: {exc.msg}", path, exc.lineno,
                                 hint="export the site again from WordPress (Tools → Export)"
                                 )) from None
    except OSError as exc:
        raise BuildError(Problem(f"cannot read the export: {exc.strerror or exc}", path)
                         ) from None
    if not announced:
        check_version(path, channel, None)
        yield channel


def not_wxr(path: Path, why: str) -> BuildError:
    return BuildError(Problem(f"not a WordPress export: {why}", path,
                              hint="in WordPress, Tools → Export → All content gives the "
                                   "right file (WXR, an XML file)"))


def check_version(path: Path, channel: Channel, line: int | None) -> None:
    if not channel.version:
        raise not_wxr(path, "no <wp:wxr_version> in its channel")
    if channel.version not in VERSIONS:
        raise BuildError(Problem(f"unknown WXR version {channel.version!r}", path, line,
                                 hint="reflexgen reads WXR " + ", ".join(VERSIONS)))


def read_author(element) -> WxrAuthor:
    f = wp_fields(element)
    return WxrAuthor(login=f.get("author_login", ""),
                     display_name=f.get("author_display_name", ""),
                     first_name=f.get("author_first_name", ""),
                     last_name=f.get("author_last_name", ""),
                     url=f.get("author_url", ""),
                     description=f.get("author_description", ""))


def read_item(element) -> WxrItem:
    f = wp_fields(element)
    text: dict[str, str] = {}
    categories, comments = [], []
    for child in element:
        family, name = local(child.tag)
        if child.tag == CONTENT:
            text["content"] = child.text or ""
        elif family == "excerpt" and name == "encoded":
            text["excerpt"] = child.text or ""
        elif child.tag == CREATOR:
            text["creator"] = (child.text or "").strip()
        elif family == "" and name in ("title", "link", "guid"):
            text[name] = (child.text or "").strip()
        elif family == "" and name == "category":
            categories.append((child.get("domain", "category"), child.get("nicename", ""),
                               (child.text or "").strip()))
        elif family == "wp" and name == "comment":
            comments.append(read_comment(child))
    return WxrItem(
        title=text.get("title", ""), link=text.get("link", ""), guid=text.get("guid", ""),
        creator=text.get("creator", ""), content=text.get("content", ""),
        excerpt=text.get("excerpt", ""), post_id=number(f.get("post_id")),
        post_date=f.get("post_date", ""), post_date_gmt=f.get("post_date_gmt", ""),
        post_modified=f.get("post_modified", ""),
        post_modified_gmt=f.get("post_modified_gmt", ""),
        post_name=f.get("post_name", ""), status=f.get("status", ""),
        post_type=f.get("post_type", "post"), post_parent=number(f.get("post_parent")),
        is_sticky=f.get("is_sticky") == "1", attachment_url=f.get("attachment_url", ""),
        categories=categories, comments=comments)


def read_comment(element) -> WxrComment:
    f = wp_fields(element)
    content = next((c.text or "" for c in element if local(c.tag) == ("wp", "comment_content")),
                   "")
    return WxrComment(id=f.get("comment_id", ""), author=f.get("comment_author", ""),
                      author_url=f.get("comment_author_url", ""),
                      date=f.get("comment_date", ""), date_gmt=f.get("comment_date_gmt", ""),
                      content=content, approved=f.get("comment_approved", "1"),
                      type=f.get("comment_type", ""), parent=f.get("comment_parent", "0"))


def number(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
