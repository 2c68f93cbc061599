"""Webmention (W3C Recommendation): other blogs telling this one that they cite an article,
and this one telling them.

Receiving: `POST /webmention` with `source` (their page) and `target` (our article). The
request is checked at once (the target must be an article of this site, the source another
http(s) page) and answered 202; the source is fetched later, without SSRF (`fetch.py`). If it
links to the target, the mention enters the moderation queue like a comment (author, text and
date from its microformats, by mf2py; else its title and host), marked with its source; a
source that says 410 Gone, or no longer links to the target, takes its mention out again;
a new notification of the same source updates it.

Sending: after a build, `reflexgen webmention send` finds the external links of each
article, discovers each linked page's endpoint (HTTP `Link`, then `<link>` or `<a>` with
rel="webmention") and notifies it, remembering what was sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import mf2py
from lxml import html as lxml_html

from reflexgen import urls
from reflexgen.comments.fetch import Fetched, Refused, fetch
from reflexgen.comments.store import Store
from reflexgen.comments.threads import ThreadInfo
from reflexgen.content.model import Site

MAX_TEXT = 2000  # characters of the citing page's text kept
MAX_AUTHOR = 100
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


@dataclass(frozen=True)
class Mention:
    source: str
    author: str
    author_url: str | None
    text: str  # Markdown: the page's words, escaped


def normalized(url: str) -> str:
    """An address compared as a link: no fragment, lower-case scheme and host."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


def thread_of(target: str, base_url: str, threads: dict[str, ThreadInfo]) -> ThreadInfo | None:
    """The article a target address names (its path on this site), if any."""
    base = urlsplit(base_url)
    parts = urlsplit(target.strip())
    if parts.scheme.lower() not in ("http", "https") or \
            parts.netloc.lower() != base.netloc.lower():
        return None
    path = parts.path if parts.path.endswith("/") or "." in parts.path.rsplit("/", 1)[-1] \
        else parts.path + "/"
    prefix = base.path.rstrip("/")
    for thread in threads.values():
        if prefix + thread.url == path:
            return thread
    return None


def check_source(source: str, target: str) -> str | None:
    """What is wrong with a source address (a message), or None."""
    parts = urlsplit(source.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "source must be an http(s) address"
    if normalized(source) == normalized(target):
        return "source and target are the same page"
    return None


def verify(source: str, target: str, allow_loopback: bool = False) -> Mention | None:
    """Fetch the source: its mention of the target, or None if it does not (any more) cite
    it (gone, not found, no link). Raises `Refused` when it cannot be fetched at all (then
    nothing changes)."""
    fetched = fetch(source, allow_loopback)
    if fetched.status in (404, 410):
        return None
    if fetched.status != 200:
        raise Refused(f"the source answered {fetched.status}")
    return read(fetched, source, target)


def read(fetched: Fetched, source: str, target: str) -> Mention | None:
    """The mention in a fetched page, if it links to the target."""
    text = fetched.body.decode("utf-8", "replace")
    if not text.strip():
        return None
    try:
        document = lxml_html.fromstring(text)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    wanted = normalized(target)
    links = (urljoin(fetched.url, href) for href in document.xpath(
        "//a/@href | //link/@href | //img/@src | //area/@href"))
    if not any(normalized(link) == wanted for link in links):
        return None
    entry = first_entry(mf2py.parse(doc=text, url=fetched.url))
    properties = entry.get("properties", {}) if entry else {}
    author, author_url = author_of(properties)
    words = first_text(properties, "content") or first_text(properties, "summary") or \
        first_text(properties, "name") or (document.findtext(".//title") or "")
    if not author:
        author = urlsplit(source).hostname or source
    body = " ".join(words.split())[:MAX_TEXT] or source
    return Mention(source, author[:MAX_AUTHOR], author_url, MARKDOWN_SPECIAL.sub(r"\\\1", body))


def first_entry(parsed: dict) -> dict | None:
    for item in parsed.get("items", []):
        if "h-entry" in item.get("type", []):
            return item
    return None


def author_of(properties: dict) -> tuple[str, str | None]:
    for author in properties.get("author", []):
        if isinstance(author, dict):
            names = author.get("properties", {}).get("name", []) or [author.get("value", "")]
            urls = author.get("properties", {}).get("url", [])
            url = next((u for u in urls if isinstance(u, str) and re.match(
                r"(?i)^https?://", u)), None)
            return str(names[0]).strip() if names else "", url
        if isinstance(author, str) and author.strip():
            return author.strip(), None
    return "", None


def first_text(properties: dict, name: str) -> str:
    for value in properties.get(name, []):
        if isinstance(value, dict):
            value = value.get("value", "")
        if isinstance(value, str) and value.strip():
            return value
    return ""


# Sending ----------------------------------------------------------------------------------

LINK_HEADER = re.compile(r'<([^>]*)>\s*;[^,]*?\brel\s*=\s*"?([^",]*)"?', re.I)


def discover(target: str, allow_loopback: bool = False) -> str | None:
    """The Webmention endpoint of a page (the spec's order: the HTTP Link header, then the
    first <link> or <a> with rel="webmention"), or None when it has none. Raises `Refused`
    when the page cannot be read now (worth trying again later)."""
    fetched = fetch(target, allow_loopback)
    if fetched.status != 200:
        raise Refused(f"the page answered {fetched.status}")
    for address, rels in LINK_HEADER.findall(fetched.link):
        if "webmention" in rels.lower().split():
            return urljoin(fetched.url, address)
    if "html" not in fetched.content_type.lower():
        return None
    try:
        document = lxml_html.fromstring(fetched.body)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    for element in document.xpath("//link[@href] | //a[@href]"):
        if "webmention" in (element.get("rel") or "").lower().split():
            return urljoin(fetched.url, element.get("href"))
    return None


def notify(endpoint: str, source: str, target: str, allow_loopback: bool = False) -> int:
    """POST the mention to the endpoint; its status (2xx: taken)."""
    return fetch(endpoint, allow_loopback, form={"source": source, "target": target}).status


def external_links(body_html: str, page_url: str, base_url: str) -> list[str]:
    """The distinct http(s) links of an article's body that leave the site."""
    try:
        document = lxml_html.fromstring(body_html or "<p></p>")
    except (ValueError, lxml_html.etree.ParserError):
        return []
    own = urlsplit(base_url).netloc.lower()
    found: dict[str, None] = {}
    for href in document.xpath("//a/@href"):
        link = urljoin(page_url, href)
        parts = urlsplit(link)
        if parts.scheme in ("http", "https") and parts.netloc.lower() != own:
            found[link.split("#", 1)[0]] = None
    return list(found)


@dataclass(frozen=True)
class Sent:
    source: str
    target: str
    endpoint: str | None  # None: the page has no endpoint
    status: int  # the endpoint's answer (0: none asked)


def send_all(site: Site, store: Store, allow_loopback: bool = False, dry_run: bool = False
             ) -> tuple[list[Sent], list[tuple[str, str, str]]]:
    """Notify every page that the site's published articles link to, once for each (source,
    target): what was sent (or, with `dry_run`, would be), and what failed (source, target,
    why: tried again next time)."""
    base = site.config.base_url
    sent: list[Sent] = []
    failed: list[tuple[str, str, str]] = []
    for article in site.articles:
        body = site.bodies.get(article.source)
        if article.draft or article.future or body is None:
            continue
        source = urls.absolute(base, article.url)
        for target in external_links(body.html, source, base):
            if store.was_sent(source, target):
                continue
            try:
                endpoint = discover(target, allow_loopback)
                if dry_run:
                    sent.append(Sent(source, target, endpoint, 0))
                    continue
                status = notify(endpoint, source, target, allow_loopback) if endpoint else 0
            except Refused as exc:
                failed.append((source, target, str(exc)))
                continue
            if endpoint and not 200 <= status < 300:
                failed.append((source, target, f"the endpoint answered {status}"))
                continue
            store.record_sent(source, target, endpoint or "", status, datetime.now(UTC))
            sent.append(Sent(source, target, endpoint, status))
    return sent, failed
