"""Precompressed copies: which outputs get them, and bytes that depend on the input alone."""

from __future__ import annotations

import gzip

import brotli
import pytest

from reflexgen.site.compression import compress, compressible, parameters

TEXT = ("<!DOCTYPE html><p>Bonjour, le monde.</p>\n" * 200).encode()


@pytest.mark.parametrize("rel", [
    "index.html", "2024/03/a/index.html", "theme/style.0123456789.css",
    "theme/search.0123456789.js", "feed.xml", "tags/x/atom.xml", "a/comments.atom",
    "feed.xsl", "pagefind/pagefind-entry.json", "pagefind/pagefind.js", "images/logo.svg",
    "robots.txt", "abonnements.opml", "sitemap.xml"])
def test_text_outputs_get_copies(rel):
    assert compressible(rel)


@pytest.mark.parametrize("rel", [
    "images/photo.jpg", "resized/images/photo.0123456789.800.avif", "theme/font.0123.woff2",
    "pagefind/fragment/fr_0123456.pf_fragment", "pagefind/index/fr_0123.pf_index",
    "pagefind/wasm.fr.pagefind", "index.html.gz", "index.html.br", "_redirects",
    "redirects.nginx.conf", "favicon.ico"])
def test_images_fonts_and_compressed_files_do_not(rel):
    assert not compressible(rel)


def test_gzip_copies_are_the_same_for_the_same_bytes_and_name_no_time_or_file():
    made = compress(TEXT, "gzip")
    assert made == compress(TEXT, "gzip") and gzip.decompress(made) == TEXT
    assert made[:3] == b"\x1f\x8b\x08"  # gzip, deflate
    assert made[3] & 0x08 == 0  # FLG: no file name
    assert made[4:8] == b"\0\0\0\0"  # MTIME: none
    assert len(made) < len(TEXT) / 10


def test_brotli_copies_are_the_same_for_the_same_bytes():
    made = compress(TEXT, "br")
    assert made == compress(TEXT, "br") and brotli.decompress(made) == TEXT
    assert len(made) < len(TEXT) / 10


def test_the_parameters_name_the_level_and_the_library():
    assert parameters("gzip")[:2] == ("gzip", 9) and parameters("br")[0] == "br"
    with pytest.raises(ValueError):
        compress(TEXT, "zstd")
