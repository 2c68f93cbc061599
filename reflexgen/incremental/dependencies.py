"""The dependency record: which outputs of the last build are still what this build would make.

An HTML page depends on three things:
- its *frame*: reflexgen's code, the settings, the theme's strings and what every page shows
  alike (`Views.common`), and its template with every template that one pulls in;
- its *job*: kind, URL, page number and the articles it lists (by source, never by index);
- its *reads*: the fields of the views it read while rendering (see `render.tracking`), each
  group of fields of one view kept as an entry with the fingerprint of their values.

Nothing here lists what a template shows: an entry whose view changed is checked again by
value, and only the pages that read a changed entry are rendered again. Feeds are recorded
the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from functools import cache

from jinja2 import Environment

from reflexgen.hashing import code_id, digest
from reflexgen.render.tracking import Reads
from reflexgen.render.views import Views
from reflexgen.site.plan import FeedJob, Job, JobKind

# Templates named in extends/include/import/from tags, or rendered through the `fragment()`
# helper (see render/templates.py); COMPUTED finds names given as expressions.
REFERENCE = re.compile(r"""(?:\{%-?\s*(?:extends|include|import|from)\s+|fragment\(\s*)"""
                       r"""["']([^"']+)["']""")
COMPUTED = re.compile(r"""(?:\{%-?\s*(?:extends|include|import|from)\s+|fragment\(\s*)"""
                      r"""(?!["'])""")
FEW = 8  # changed entries looked for by substring; more are compared as sets
ID = 8  # bytes of an entry id: the reads of a page are their concatenation

Entry = tuple[str, tuple[str, ...], str]  # view identity, fields read, fingerprint
Entries = dict[bytes, Entry]  # by entry id


def entry_id(identity: str, names: tuple[str, ...]) -> bytes:
    return hashlib.blake2b(f"{identity}|{','.join(names)}".encode(), digest_size=ID).digest()


def split(reads: bytes) -> set[bytes]:
    return {reads[i:i + ID] for i in range(0, len(reads), ID)}


class Fingerprints:
    """Fingerprints of groups of view fields in one process, each worked out once per build."""

    def __init__(self, views: Views) -> None:
        self.views = views
        self._entries: dict[tuple[str, tuple[str, ...]], str] = {}
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}  # one object each: smaller

    def entry(self, identity: str, names: tuple[str, ...]) -> str:
        found = self._entries.get((identity, names))
        if found is None:
            fingerprint = self.views.fingerprint
            found = self._entries[identity, names] = digest(
                *(fingerprint(identity, name) for name in names))[:16]
        return found

    def record(self, reads: Reads, known: Collection[bytes] = ()) -> tuple[bytes, Entries]:
        """A page's reads as kept in its output record (its entry ids, end to end), and the
        entries not in `known`."""
        ids, new = [], {}
        for identity in sorted(reads):
            names = tuple(sorted(reads[identity]))
            names = self._names.setdefault(names, names)
            eid = entry_id(identity, names)
            ids.append(eid)
            if eid not in known:
                new[eid] = (identity, names, self.entry(identity, names))
        return b"".join(ids), new


class Dependencies:
    """Keys and reads of one build's outputs, against the record of the last build."""

    def __init__(self, views: Views, env: Environment, strings: dict, entries: Entries) -> None:
        self.views = views
        self.site = views.site
        self.env = env
        self.entries = entries  # the last build's, updated in place to this build's
        self.fingerprints = Fingerprints(views)
        self.frame = digest(code_id(), sorted(vars(self.site.config).items()),
                            sorted(strings.items()), repr(sorted(views.common.items())))
        self.changed: set[bytes] = set()
        self.template = cache(self._template)

    # What changed ------------------------------------------------------------------------

    def compare(self, identities: Iterable[str] | None) -> None:
        """Check again, by value, the entries of these views (None: of every view) and note
        those that changed or are gone."""
        by_identity: dict[str, list[bytes]] = defaultdict(list)
        for eid, (identity, _, _) in self.entries.items():
            by_identity[identity].append(eid)
        wanted = by_identity.keys() if identities is None else identities
        for identity in list(wanted):
            for eid in by_identity.get(identity, ()):
                _, names, before = self.entries[eid]
                if self.views.resolve(identity) is None:
                    del self.entries[eid]
                    self.changed.add(eid)
                else:
                    now = self.fingerprints.entry(identity, names)
                    if now != before:
                        self.entries[eid] = (identity, names, now)
                        self.changed.add(eid)

    def read_changed(self, reads: bytes) -> bool:
        """Whether a page with these recorded reads read anything that changed (a match
        across two ids, one time in billions, only renders a page again)."""
        changed = self.changed
        if not changed or not reads:
            return False
        if len(changed) <= FEW:
            return any(eid in reads for eid in changed)
        return not changed.isdisjoint(split(reads))

    # Keys --------------------------------------------------------------------------------

    def _template(self, name: str) -> str:
        """The template's source and every template it extends, includes, imports or renders
        as a fragment (found by pattern: parsing every template would cost more than the
        rest of an incremental build)."""
        loader = self.env.loader
        assert loader is not None
        seen: dict[str, str] = {}
        pending = [name]
        while pending:
            current = pending.pop()
            if current not in seen:
                seen[current] = source = loader.get_source(self.env, current)[0]
                if COMPUTED.search(source):  # a name known only at render time
                    return digest(sorted((n, loader.get_source(self.env, n)[0])
                                         for n in self.env.list_templates()))
                pending += REFERENCE.findall(source)
        return digest(sorted(seen.items()))

    def page(self, job: Job) -> str:
        """What a page is made from but its reads: the frame, its templates, its job."""
        articles = self.site.articles
        key = job.key
        if job.kind is JobKind.ARTICLE:
            key = articles[key].source  # type: ignore[index]
        elif job.kind is JobKind.PAGE:
            key = self.site.pages[key].source  # type: ignore[index]
        return digest(self.frame, self.template(job.template), job.kind, job.url, key,
                      job.number, job.pages, [articles[i].source for i in job.items])

    def feed(self, job: FeedJob) -> str:
        """What a feed is made from but its reads: the frame and its job."""
        return digest(self.frame, job.scope, job.key, job.format, job.url, job.page_url,
                      job.title, [self.site.articles[i].source for i in job.items])
