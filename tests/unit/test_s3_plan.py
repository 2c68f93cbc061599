"""What an S3 deploy sends: the objects of an output folder, the manifest, the plan drawn
from the listing, and the type of each file (pure functions, no server)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from reflexgen.config.deploy import DeployTarget
from reflexgen.deploy import s3_errors
from reflexgen.deploy.base import LocalFile
from reflexgen.deploy.media_types import content_type
from reflexgen.deploy.s3 import S3Target
from reflexgen.deploy.s3_plan import (
    MANIFEST,
    Listed,
    Record,
    Remote,
    plan,
    read_manifest,
    stale,
    uploads,
    write_manifest,
)
from reflexgen.site import caching

TYPES = [
    ("index.html", "text/html; charset=utf-8"),
    ("theme/style.3f9a1c.css", "text/css; charset=utf-8"),
    ("theme/search.3f9a1c.js", "text/javascript; charset=utf-8"),
    ("feed.xml", "application/xml; charset=utf-8"),
    ("atom.atom", "application/atom+xml; charset=utf-8"),
    ("feed.xsl", "text/xsl; charset=utf-8"),
    ("abonnements.opml", "text/x-opml; charset=utf-8"),
    ("robots.txt", "text/plain; charset=utf-8"),
    ("pagefind/pagefind-entry.json", "application/json; charset=utf-8"),
    ("site.webmanifest", "application/manifest+json; charset=utf-8"),
    ("theme/favicon.svg", "image/svg+xml; charset=utf-8"),
    ("resized/photo.9c1d.avif", "image/avif"),
    ("resized/photo.9c1d.webp", "image/webp"),
    ("images/PHOTO.JPG", "image/jpeg"),
    ("theme/fonts/inter.woff2", "font/woff2"),
    ("pagefind/fragment/fr_3a9c.pf_fragment", "application/octet-stream"),
    ("pagefind/index/fr_77.pf_index", "application/octet-stream"),
    ("pagefind/wasm.fr.pagefind", "application/octet-stream"),
    ("_headers", "text/plain; charset=utf-8"),
    ("_redirects", "text/plain; charset=utf-8"),
    ("redirects.nginx.conf", "text/plain; charset=utf-8"),
    ("reflexgen.caddy", "text/plain; charset=utf-8"),
    ("downloads/archive.tar.gz", "application/gzip"),
    ("images/photos/CREDITS", "application/octet-stream"),
    (".well-known/something", "application/octet-stream"),
]


@pytest.mark.parametrize(("rel", "expected"), TYPES)
def test_content_types(rel: str, expected: str) -> None:
    assert content_type(rel) == expected


def local(rel: str, data: bytes) -> LocalFile:
    import hashlib

    return LocalFile(rel, Path("/out") / rel, len(data), hashlib.md5(data).hexdigest(),
                     caching.kind(rel))


FILES = [local("theme/style.css", b"css"), local("index.html", b"<p>"),
         local("index.html.gz", b"gz-of-p"), local("index.html.br", b"br"),
         local("feed.xml", b"<rss>"), local("feed.xml.br", b"br"),
         local("downloads/data.csv.gz", b"csv-gz")]


def test_a_gzip_copy_is_sent_under_its_original_name_and_no_copy_alone() -> None:
    found = {upload.rel: upload for upload in uploads(FILES)}
    assert list(found) == ["theme/style.css", "index.html", "feed.xml",
                           "downloads/data.csv.gz"]
    page = found["index.html"]
    assert (page.path.name, page.size, page.md5, page.encoding) == \
        ("index.html.gz", 7, FILES[2].md5, "gzip")
    assert page.headers == {"ContentType": "text/html; charset=utf-8",
                            "CacheControl": caching.Kind.PAGE.cache_control,
                            "ContentEncoding": "gzip"}
    assert found["feed.xml"].encoding == ""  # a brotli copy alone is not sent
    assert "ContentEncoding" not in found["downloads/data.csv.gz"].headers
    assert found["theme/style.css"].cache_control == "public, max-age=31536000, immutable"


NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def remote(wanted, manifest: dict[str, Record], written=NOW, **changes: Listed) -> Remote:
    listing = {u.rel: Listed(u.size, u.md5, NOW - timedelta(minutes=1)) for u in wanted}
    return Remote({**listing, MANIFEST: Listed(10, "x", NOW), **changes}, manifest, written)


def test_the_plan_sends_what_the_listing_and_the_manifest_do_not_vouch_for() -> None:
    wanted = uploads(FILES)
    css, page, feed, data = wanted
    records = {u.rel: u.record(u.md5) for u in wanted}
    assert plan(wanted, remote(wanted, records), force=False) == ([], [], records)
    assert plan(wanted, remote(wanted, records), force=True)[0] == wanted
    # Missing, or of another size or ETag: sent.
    gone = remote(wanted, records)
    del gone.listing["feed.xml"]
    assert plan(wanted, gone, force=False)[0] == [feed]
    other = remote(wanted, records, **{"index.html": Listed(7, "0" * 32, NOW)})
    assert plan(wanted, other, force=False)[0] == [page]
    # The right bytes that the manifest does not vouch for: checked with a HEAD request.
    unknown = {rel: r for rel, r in records.items() if rel != "theme/style.css"}
    assert plan(wanted, remote(wanted, unknown), force=False)[:2] == ([], [css])
    newer = remote(wanted, records, **{"feed.xml": Listed(feed.size, feed.md5,
                                                          NOW + timedelta(seconds=1))})
    assert plan(wanted, newer, force=False)[:2] == ([], [feed])
    assert plan(wanted, remote(wanted, records, written=None), force=False)[1] == wanted
    # Other headers than the rules give now (a new reflexgen): sent again.
    old = dict(records, **{"feed.xml": Record("text/xml", "", "no-cache")})
    assert plan(wanted, remote(wanted, old), force=False)[:2] == ([feed], [])


def test_an_etag_that_is_not_the_md5_is_kept_in_the_manifest() -> None:
    (page,) = uploads([local("index.html", b"<p>")])
    record = page.record("d41d8cd98f00b204e9800998ecf8427e-2")  # sent in two parts
    assert (record.md5, record.etag) == (page.md5, "d41d8cd98f00b204e9800998ecf8427e-2")
    assert page.record(page.md5) == Record(page.content_type, "", page.cache_control)
    listing = Remote({"index.html": Listed(page.size, record.etag, NOW)},
                     {"index.html": record}, NOW)
    assert plan([page], listing, force=False) == ([], [], {"index.html": record})


def test_stale_objects_are_those_the_output_no_longer_has() -> None:
    wanted = uploads(FILES)
    found = remote(wanted, {}, **{"old/index.html": Listed(1, "a", NOW),
                                  "index.html.gz": Listed(1, "b", NOW),
                                  ".reflexgen/other": Listed(1, "c", NOW)})
    assert stale(wanted, found, force=True)[0] == ["index.html.gz", "old/index.html"]


def test_the_manifest_reads_back_what_was_written() -> None:
    records = {"a/index.html": Record("text/html; charset=utf-8", "gzip", "no-cache"),
               "b/été.css": Record("text/css; charset=utf-8", "", "immutable"),
               "c.mp4": Record("video/mp4", "", "max-age=3600", "f" * 32, "e" * 32 + "-3")}
    data = write_manifest(records)
    assert read_manifest(data) == records
    assert len(data) < 300 and data == write_manifest(dict(reversed(records.items())))


@pytest.mark.parametrize("data", [
    b"", b"not gzip", gzip.compress(b"not json"), gzip.compress(b"[1, 2]"),
    gzip.compress(b'{"format": 2, "headers": [], "objects": {}}'),
    gzip.compress(b'{"format": 1, "headers": [["a", "b"]], "objects": {"x": 0}}'),
    gzip.compress(b'{"format": 1, "headers": [], "objects": {"x": 0}}'),
    gzip.compress(b'{"format": 1, "headers": [["a", "b", "c"]], "objects": {"x": "0"}}'),
    gzip.compress(b'{"format": 1, "headers": [["a", "b", "c"]], "objects": {"x": [0]}}'),
    gzip.compress(b'{"format": 1, "headers": [["a", "b", "c"]], "objects": [1]}'),
])
def test_a_manifest_reflexgen_did_not_write_is_none(data: bytes) -> None:
    assert read_manifest(data) is None


TARGET = S3Target(DeployTarget("prod", "s3", {"bucket": "blog", "prefix": "/fr/",
                                              "region": "eu-west-3"}), Path("/site"))


def error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "ListObjectsV2")


@pytest.mark.parametrize(("exc", "said", "hint"), [
    (NoCredentialsError(), "no S3 credentials found", "AWS_ACCESS_KEY_ID"),
    (EndpointConnectionError(endpoint_url="https://s3.eu-west-3.amazonaws.com"),
     "cannot reach AWS S3", "endpoint_url"),
    (error("NoSuchBucket"), "the bucket 'blog' does not exist", "correct bucket in"),
    (error("AccessDenied", "Access Denied"), "access denied (Access Denied)", "s3:PutObject"),
    (error("AllAccessDisabled"), "access denied", "s3:ListBucket"),
    (error("InvalidAccessKeyId"), "refuses the access key", "AWS_SECRET_ACCESS_KEY"),
    (error("SignatureDoesNotMatch"), "refuses the secret key", "AWS_SECRET_ACCESS_KEY"),
    (error("AuthorizationHeaderMalformed"), "not in region 'eu-west-3'", "set region"),
    (error("PermanentRedirect"), "not in region", "the bucket's region"),
    (error("404"), "does not look like an S3 storage", "check endpoint_url"),
    (error("SlowDown", "Reduce your request rate"), "refused (SlowDown: Reduce", "-v"),
])
def test_errors_say_the_target_the_cause_and_the_fix(exc: Exception, said: str,
                                                      hint: str) -> None:
    problem = s3_errors.explain(exc, TARGET)
    assert problem.message.startswith("deploy prod (s3://blog/fr/): ")
    assert said in problem.message
    assert problem.hint and hint in problem.hint
