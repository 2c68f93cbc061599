"""What a bucket holds, and what a deploy must send to it: the objects the output folder
calls for, the bucket's listing, reflexgen's manifest, and the plan drawn from them.

The manifest is one small object that every deploy rewrites, so it is kept compact: each
object's headers as an index into a table of the few header sets a site has, and its MD5
and ETag only where they differ (an object sent in one part, without KMS encryption, has
its MD5 for ETag, and the listing gives that). It is stored gzipped.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reflexgen.deploy.base import LocalFile
from reflexgen.deploy.media_types import content_type
from reflexgen.site import caching

STATE = ".reflexgen/"  # reflexgen's own objects, under the prefix: never deleted as stale
MANIFEST = STATE + "manifest.json.gz"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class Record:
    """What the manifest keeps of an object: the headers it was sent with, and the MD5 of
    the bytes sent with the ETag the storage gave them, when the ETag is not that MD5."""

    content_type: str
    encoding: str  # "gzip", or "" for none
    cache_control: str
    md5: str = ""
    etag: str = ""


@dataclass(frozen=True)
class Upload:
    """One output file as an object: where its bytes come from and the headers it needs."""

    rel: str  # its key under the prefix
    path: Path  # the file sent: the `.gz` copy beside it, if any
    size: int
    md5: str  # of the bytes to send
    kind: caching.Kind
    content_type: str
    encoding: str
    cache_control: str

    def record(self, etag: str) -> Record:
        """The record of this object stored with `etag` (without quotes)."""
        if etag == self.md5:
            return Record(self.content_type, self.encoding, self.cache_control)
        return Record(self.content_type, self.encoding, self.cache_control, self.md5, etag)

    @property
    def headers(self) -> dict[str, str]:
        """Its headers, as boto3's `put_object` names them."""
        headers = {"ContentType": self.content_type, "CacheControl": self.cache_control}
        if self.encoding:
            headers["ContentEncoding"] = self.encoding
        return headers


@dataclass(frozen=True)
class Listed:
    """An object as the bucket's listing shows it."""

    size: int
    etag: str  # without quotes
    modified: datetime


@dataclass(frozen=True)
class Remote:
    listing: dict[str, Listed]  # by key under the prefix
    manifest: dict[str, Record]
    written: datetime | None = None  # when the manifest was (its object's LastModified)

    def known(self, rel: str) -> Record | None:
        """What the manifest says of the object at `rel`, if nobody changed it since (the
        storage dates objects to the second: an object changed by hand in the very second
        the manifest was written is trusted; `--force` sends everything)."""
        if self.written is None or self.listing[rel].modified > self.written:
            return None
        return self.manifest.get(rel)


def uploads(files: Iterable[LocalFile]) -> list[Upload]:
    """The objects for the output's files, in their order: where a gzip copy `name.gz` lies
    beside `name`, its bytes are sent under `name`'s key with `Content-Encoding: gzip` (a
    bucket cannot choose by `Accept-Encoding`, and every client takes gzip); precompressed
    copies are never objects of their own (a `.gz` file without its original is one)."""
    files = list(files)
    by_rel = {file.rel: file for file in files}
    found: list[Upload] = []
    for file in files:
        original, encoding = caching.original(file.rel)
        if encoding is not None and original in by_rel:
            continue
        sent = by_rel.get(file.rel + ".gz", file)
        found.append(Upload(file.rel, sent.path, sent.size, sent.md5, file.kind,
                            content_type(file.rel), "gzip" if sent is not file else "",
                            caching.kind(file.rel).cache_control))
    return found


def plan(wanted: list[Upload], remote: Remote, force: bool
         ) -> tuple[list[Upload], list[Upload], dict[str, Record]]:
    """What to send; what to check with a HEAD request (its bytes are there, but the
    manifest cannot say with which headers); and the records of the objects already right."""
    send: list[Upload] = []
    check: list[Upload] = []
    right: dict[str, Record] = {}
    for upload in wanted:
        listed = remote.listing.get(upload.rel)
        if force or listed is None or listed.size != upload.size:
            send.append(upload)
            continue
        known, record = remote.known(upload.rel), upload.record(listed.etag)
        if known == record:
            right[upload.rel] = record
        elif known is None and listed.etag == upload.md5:
            check.append(upload)
        else:
            send.append(upload)
    return send, check, right


def stale(wanted: list[Upload], remote: Remote, force: bool = False) -> tuple[list[str],
                                                                             list[str]]:
    """The objects under the prefix that the output no longer has (reflexgen's own aside):
    those to delete, the ones its manifest lists (all of them with `force`), and those to
    keep, which reflexgen never put there (a bucket or prefix shared with other files)."""
    keep = {upload.rel for upload in wanted}
    gone = [rel for rel in sorted(remote.listing)
            if rel not in keep and not rel.startswith(STATE)]
    ours = [rel for rel in gone if force or rel in remote.manifest]
    return ours, [rel for rel in gone if not (force or rel in remote.manifest)]


def write_manifest(records: dict[str, Record]) -> bytes:
    table: dict[tuple[str, str, str], int] = {}
    objects: dict[str, int | list[int | str]] = {}
    for rel in sorted(records):
        record = records[rel]
        index = table.setdefault((record.content_type, record.encoding, record.cache_control),
                                 len(table))
        objects[rel] = [index, record.md5, record.etag] if record.md5 else index
    text = json.dumps({"format": MANIFEST_FORMAT, "generator": "reflexgen",
                       "headers": [list(headers) for headers in table], "objects": objects},
                      ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode(), mtime=0)


def read_manifest(data: bytes) -> dict[str, Record] | None:
    """The records of a manifest object; None if it is not one reflexgen wrote."""
    try:
        found = json.loads(gzip.decompress(data))
        if found["format"] != MANIFEST_FORMAT:
            return None
        table = [tuple(str(value) for value in headers) for headers in found["headers"]]
        if any(len(headers) != 3 for headers in table):
            return None
        records = {}
        for rel, entry in found["objects"].items():
            index, md5, etag = entry if isinstance(entry, list) else (entry, "", "")
            records[str(rel)] = Record(*table[index], str(md5), str(etag))
        return records
    except (OSError, EOFError, zlib.error, ValueError, TypeError, KeyError, IndexError,
            AttributeError):
        return None
