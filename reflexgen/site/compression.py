"""Precompressed copies of the outputs (`[hosting] precompress`): which files get them, and
their bytes, the same for the same input (no time or file name in a gzip header), so that a
rebuild or `--verify` gives the very same files.

A web server that finds `name.gz` or `name.br` beside a file sends it as it is to browsers
that accept that encoding (nginx `gzip_static` and `brotli_static`, Caddy `precompressed`),
instead of compressing the file at every request, or not at all.

The levels were chosen by measuring the 1,000-article benchmark corpus (114 MB of HTML, feeds
and scripts of 1 KiB or more; CPU seconds on one core): gzip level 9 gives 26.3 % of the size
in 6.9 s, level 6 copies 0.3 % larger in 5.2 s (the few bytes are worth a second spread over
every core, once per file written); Brotli quality 7 gives 25.0 % in
5.3 s, quality 9 24.8 % in 35 s, and quality 11 (Brotli's default) 22.8 % in 247 s: its 9 %
smaller copies would make a cold build four times longer. Copies are made again only for what
a build writes, so an edit pays for a few pages.
"""

from __future__ import annotations

import gzip
import zlib

from reflexgen.site.caching import COMPRESSED

SUFFIXES = {encoding: suffix for suffix, encoding in COMPRESSED.items()}  # gzip → .gz
# Text formats, which compress to a fifth or a quarter of their size. Images, fonts (WOFF2 is
# compressed already) and Pagefind's index (`.pf_*`: gzip inside) are left as they are.
TEXT = (".html", ".htm", ".css", ".js", ".mjs", ".json", ".xml", ".atom", ".rss", ".xsl",
        ".svg", ".txt", ".opml", ".webmanifest")
# Smaller files get no copy: they travel in one network packet either way (so a copy saves
# no round trip), a compressed copy of a few hundred bytes is barely smaller, or even larger,
# and servers send the file itself when there is no copy. A site's redirect pages and its
# robots.txt are below this.
MIN_SIZE = 1024
GZIP_LEVEL = 9
BROTLI_QUALITY = 7


def compressible(rel: str) -> bool:
    """Whether an output gets precompressed copies (if large enough), by its name."""
    return rel.rsplit("/", 1)[-1].lower().endswith(TEXT)


def compress(data: bytes, encoding: str) -> bytes:
    """`data` compressed in `encoding` ("gzip" or "br"); the same bytes for the same data."""
    if encoding == "gzip":
        return gzip.compress(data, GZIP_LEVEL, mtime=0)  # no time, no file name
    if encoding == "br":
        import brotli  # only for sites that ask for it

        return brotli.compress(data, quality=BROTLI_QUALITY)
    raise ValueError(f"unknown encoding {encoding!r}")


def parameters(encoding: str) -> tuple:
    """What a copy in `encoding` is made with beyond the bytes (the level, the library's
    version): a copy made otherwise is made again."""
    if encoding == "gzip":
        return encoding, GZIP_LEVEL, zlib.ZLIB_RUNTIME_VERSION
    import brotli

    return encoding, BROTLI_QUALITY, brotli.__version__
