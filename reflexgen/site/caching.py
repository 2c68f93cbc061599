"""How long browsers and CDNs may keep each output file, and in which order a deploy sends
them: one rule for the host configuration files (`site.hosting`) and `reflexgen deploy`.

A file whose name carries a digest of its content (the theme's files, resized photos,
Pagefind's index and fragments) never changes at its address: it is `immutable`. Pages,
feeds and everything else keep their address while their content changes: they are kept
briefly and checked again.
"""

from __future__ import annotations

from enum import StrEnum

from reflexgen import urls

# Output folders that hold only content-named files (path prefixes, relative to the output).
IMMUTABLE_FOLDERS = ("theme/", urls.RESIZED.strip("/") + "/", "pagefind/fragment/",
                     "pagefind/index/", "pagefind/filter/")
# Files for machines that follow the site: feeds and their stylesheet, lists, the sitemap.
FEED_SUFFIXES = (".xml", ".atom", ".rss", ".xsl", ".opml", ".txt")
# Written for the web server's configuration, not for readers (see `site.hosting`).
HOST_FILES = ("_headers", "_redirects", "redirects.nginx.conf", "reflexgen.nginx.conf",
              "reflexgen.caddy")
# Host files for the server's own configuration (included by nginx or Caddy), not published:
# a deploy leaves them out (`_headers` and `_redirects` are read from the published site).
SERVER_ONLY = ("redirects.nginx.conf", "reflexgen.nginx.conf", "reflexgen.caddy")
COMPRESSED = {".gz": "gzip", ".br": "br"}  # precompressed copies, beside their file


class Kind(StrEnum):
    IMMUTABLE = "immutable"  # content-named: cached for a year
    ASSET = "asset"  # any other file a page loads (an image at its own address, pagefind.js)
    PAGE = "page"  # HTML
    FEED = "feed"  # feeds, the sitemap, robots.txt, the OPML list
    HOST = "host"  # configuration for the web server

    @property
    def cache_control(self) -> str:
        return CACHE_CONTROL[self]


CACHE_CONTROL = {
    Kind.IMMUTABLE: "public, max-age=31536000, immutable",
    Kind.ASSET: "public, max-age=3600",
    Kind.PAGE: "public, max-age=0, must-revalidate",
    Kind.FEED: "public, max-age=900",
    Kind.HOST: "no-store",
}
# A deploy sends what pages load before the pages, and feeds after the pages they link to;
# stale files are deleted last of all.
ORDER = {Kind.IMMUTABLE: 0, Kind.ASSET: 1, Kind.PAGE: 2, Kind.FEED: 3, Kind.HOST: 4}


def original(rel: str) -> tuple[str, str | None]:
    """The file a precompressed copy stands for, and its encoding: `a.html.gz` →
    (`a.html`, "gzip"); any other file → (itself, None)."""
    for suffix, encoding in COMPRESSED.items():
        if rel.endswith(suffix):
            return rel[: -len(suffix)], encoding
    return rel, None


def kind(rel: str) -> Kind:
    """The kind of an output file, by its path relative to the output folder (a
    precompressed copy is of its original's kind)."""
    rel = original(rel)[0]
    name = rel.rsplit("/", 1)[-1]
    if rel.startswith(IMMUTABLE_FOLDERS):
        return Kind.IMMUTABLE
    if rel in HOST_FILES:
        return Kind.HOST
    if name.endswith((".html", ".htm")):
        return Kind.PAGE
    if name.endswith(FEED_SUFFIXES):
        return Kind.FEED
    return Kind.ASSET


def deploy_order(rel: str) -> tuple[int, str]:
    """Sort key of a file in a deploy: assets, pages, feeds and host files, by path."""
    return ORDER[kind(rel)], rel
