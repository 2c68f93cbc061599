"""`reflexgen check`: what a reader would stumble on in a built site, found offline.

Every HTML page is parsed (lxml); links, images and assets that point into the site must lead
to a file, and `#anchors` to an element with that id; ids must be unique in a page; pages need
a title and a description; feeds must be well-formed XML. With `external`, links to other
sites are also tried (HEAD, then GET), a few at a time and with a timeout.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from reflexgen import __version__
from reflexgen.check.sources import Sources
from reflexgen.errors import Problem

FEEDS = (".xml", ".atom", ".rss")
LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src",
           "video": "src", "audio": "src", "iframe": "src"}
SKIPPED_SCHEMES = {"mailto", "tel", "data", "javascript"}
# A theme's mark on links that are actions, not pages (share links: X or LinkedIn's share
# form for each article), which --external must not send a request to.
NOT_CHECKED = "data-nocheck"


@dataclass
class LinkReport:
    problems: list[Problem] = field(default_factory=list)
    pages: int = 0
    links: int = 0
    external: int = 0


@dataclass
class LinkedPage:
    ids: set[str]
    links: list[tuple[str, str, int | None]]  # (tag, URL, line)


class Places:
    """Where to report a link found on an output page: in the source that holds it when
    `sources` knows one, else on the output page at its line."""

    def __init__(self, output: Path, sources: Sources | None) -> None:
        self.output = output
        self.sources = sources
        self._seen: dict[tuple[str, str], int] = defaultdict(int)

    def __call__(self, rel: str, url: str, line: int | None) -> tuple[Path, int | None]:
        occurrence = self._seen[rel, url]
        self._seen[rel, url] += 1
        found = self.sources.locate(rel, url, occurrence) if self.sources else None
        return found if found is not None else (self.output / rel, line)


def check_site(output: Path, base_url: str, external: bool = False, timeout: float = 10.0,
               concurrency: int = 8, sources: Sources | None = None,
               served: tuple[str, ...] = ()) -> LinkReport:
    """Check the built site in `output`; with `sources`, a link written in an article, page
    or author file is reported there (file and line) rather than in the page built from it.
    Links under a `served` address (the comment intake's endpoint) lead to another program,
    even on the site's host: they are not looked for in `output`."""
    report = LinkReport()
    place = Places(output, sources)
    site = urlsplit(base_url)
    prefix = site.path.rstrip("/")
    files = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    pages: dict[str, LinkedPage] = {}
    for rel in sorted(files):
        if rel.endswith(".html"):
            pages[rel] = read_page(output / rel, report)
        elif rel.endswith(FEEDS):
            check_feed(output / rel, report)
    report.pages = len(pages)
    outside: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
    for rel, page in pages.items():
        here = f"{base_url}/{rel}"
        for tag, url, line in page.links:
            target = urlsplit(urljoin(here, url))
            if target.scheme in SKIPPED_SCHEMES or target.geturl().startswith(served):
                continue
            report.links += 1
            if target.netloc and target.netloc != site.netloc:
                outside[target._replace(fragment="").geturl()].append((rel, url, line))
                continue
            path = unquote(target.path)
            if prefix and path.startswith(prefix):
                path = path[len(prefix):]
            found = locate(path, files)
            if found is None:
                kind = "image" if tag == "img" else "asset" if tag != "a" else "page"
                report.problems.append(Problem(f"broken link: {url} (no such {kind})",
                                               *place(rel, url, line),
                                               hint="fix the link, or the slug it uses"))
            elif target.fragment and found in pages and target.fragment not in pages[found].ids:
                report.problems.append(Problem(
                    f"broken anchor: {url} (no id {target.fragment!r} in {found})",
                    *place(rel, url, line)))
    if external:
        check_external(outside, place, report, timeout, concurrency)
    return report


def locate(path: str, files: set[str]) -> str | None:
    """The file that serves a URL path, as static hosts map them."""
    rel = path.lstrip("/")
    for candidate in (rel, f"{rel.rstrip('/')}/index.html" if rel else "index.html"):
        if candidate in files:
            return candidate
    return None


def read_page(path: Path, report: LinkReport) -> LinkedPage:
    document = lxml.html.parse(str(path)).getroot()
    ids: set[str] = set()
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        value = element.get("id")
        if value is not None:
            if value in ids:
                report.problems.append(Problem(f"duplicate id {value!r}", path,
                                               element.sourceline,
                                               hint="ids must be unique within a page"))
            ids.add(value)
    redirect = bool(document.xpath("//meta[@http-equiv='refresh']"))
    if not document.findtext(".//title", "").strip():
        report.problems.append(Problem("page has no title", path))
    description = document.xpath("string(//meta[@name='description']/@content)").strip()
    if not redirect and not description:
        report.problems.append(Problem("page has no description", path,
                                       hint="give the article a summary (or the site a "
                                            "description in site.toml)"))
    links = []
    for tag, attribute in LINKING.items():
        for element in document.iter(tag):
            url = element.get(attribute)
            if url and element.get(NOT_CHECKED) is None:
                links.append((tag, url.strip(), element.sourceline))
    return LinkedPage(ids, links)


def check_feed(path: Path, report: LinkReport) -> None:
    try:
        etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        report.problems.append(Problem(f"feed is not well-formed XML: {exc.msg}", path,
                                       exc.lineno))


def check_external(outside: dict[str, list[tuple[str, str, int | None]]], place: Places,
                   report: LinkReport, timeout: float, concurrency: int) -> None:
    """`outside`: each URL of another site → where it is linked (page, URL as written, line)."""
    report.external = len(outside)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = dict(zip(outside, pool.map(lambda u: try_url(u, timeout), outside),
                            strict=True))
    for url, failure in sorted(outcomes.items()):
        if failure:
            for rel, written, line in outside[url]:
                report.problems.append(Problem(f"external link fails: {url} ({failure})",
                                               *place(rel, written, line)))


def try_url(url: str, timeout: float) -> str | None:
    """None if the URL answers, else why not."""
    headers = {"User-Agent": f"reflexgen/{__version__} link checker"}
    for method in ("HEAD", "GET"):  # some servers refuse HEAD
        request = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return None
        except urllib.error.HTTPError as exc:
            if method == "GET" or exc.code not in (403, 405, 501):
                return f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return str(getattr(exc, "reason", exc))
    return None
