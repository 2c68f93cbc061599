"""The `Content-Type` an object store must send for each output file, known by its name.

Object storage sends back the type it was given at upload, and nothing else: a feed sent as
`application/octet-stream` is downloaded instead of shown, a stylesheet without `charset`
may be read as Latin-1. The table below names every type a reflexgen site writes, rather
than trusting the platform's `mimetypes` table (which differs between systems and lacks
.avif, .opml or .webmanifest on some).
"""

from __future__ import annotations

import mimetypes

OCTETS = "application/octet-stream"
TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css",
    ".js": "text/javascript", ".mjs": "text/javascript",
    ".json": "application/json", ".webmanifest": "application/manifest+json",
    ".map": "application/json",
    ".xml": "application/xml", ".atom": "application/atom+xml", ".rss": "application/rss+xml",
    ".xsl": "text/xsl", ".opml": "text/x-opml",
    ".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv", ".ics": "text/calendar",
    ".conf": "text/plain", ".caddy": "text/plain",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
    ".pdf": "application/pdf", ".wasm": "application/wasm", ".gz": "application/gzip",
    ".zip": "application/zip", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
    ".mp4": "video/mp4", ".webm": "video/webm",
    # Pagefind's index: compressed binary chunks its script fetches and reads itself.
    ".pagefind": OCTETS, ".pf_fragment": OCTETS, ".pf_index": OCTETS, ".pf_meta": OCTETS,
    ".pf_filter": OCTETS,
}
# Files without a suffix that the build writes for web servers (see `site.caching.HOST_FILES`).
NAMED = {"_headers": "text/plain", "_redirects": "text/plain", "CNAME": "text/plain"}
# Types that are text although their main type is not `text/`.
TEXT = {"application/json", "application/manifest+json", "application/xml",
        "application/atom+xml", "application/rss+xml", "image/svg+xml",
        "application/javascript", "application/xhtml+xml"}


def content_type(rel: str) -> str:
    """The type of the file at `rel` (relative to the output folder), with `charset=utf-8`
    for text, which reflexgen always writes in UTF-8."""
    name = rel.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    found = NAMED.get(name) or TYPES.get(suffix) or mimetypes.guess_type(name)[0] or OCTETS
    if found.startswith("text/") or found in TEXT:
        return found + "; charset=utf-8"
    return found
