"""The dependency record: which outputs of the last build are still what this build would make.

An HTML page depends on three things:
- its *frame*: reflexgen's code, the settings, the theme's strings and what every page shows
  alike (`Views.common`), and its template with every template that one pulls in;
- its *job*: kind, URL, page number, the articles it lists (by source, never by index), the
  tags or categories an index lists and the feeds a subscribe page offers (what reads cannot
  see: a tag, author or category that came);
- its *reads*: the fields of the views it read while rendering (see `render.tracking`), each
  group of fields of one view kept as an entry with the fingerprint of their values.

Nothing here lists what a template shows: an entry whose view changed is checked again by
value, and only the pages that read a changed entry are rendered again. Feeds are recorded
the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from functools import cache

from jinja2 import Environment

from reflexgen.hashing import code_id, digest, settings_digest
from reflexgen.incremental.cache import SHARDS, ReadIndex, shard_of_entry
from reflexgen.render.tracking import Reads
from reflexgen.render.views import Views, article_identity
from reflexgen.site.plan import FeedJob, Job, JobKind

# Templates named in extends/include/import/from tags, or rendered through the `fragment()`
# helper (see render/templates.py); COMPUTED finds names given as expressions.
REFERENCE = re.compile(r"""(?:\{%-?\s*(?:extends|include|import|from)\s+|fragment\(\s*)"""
                       r"""["']([^"']+)["']""")
COMPUTED = re.compile(r"""(?:\{%-?\s*(?:extends|include|import|from)\s+|fragment\(\s*)"""
                      r"""(?!["'])""")
FEW = 8  # changed entries looked for by substring; more are compared as sets
READ = 4  # bytes of an entry id kept in a page's reads: a clash only renders a page again

Entry = tuple[str, tuple[str, ...], str]  # view identity, fields read, fingerprint
Entries = dict[bytes, Entry]  # by entry id


def entry_id(identity: str, names: tuple[str, ...]) -> bytes:
    """Eight bytes: two of the view's identity (which names the shard the entry is kept in,
    see cache.ReadIndex), six of the fields read."""
    return view_id(identity) + hashlib.blake2b(
        f"{identity}|{','.join(names)}".encode(), digest_size=6).digest()


def view_id(identity: str) -> bytes:
    return hashlib.blake2b(identity.encode(), digest_size=2).digest()


def split(reads: bytes) -> set[bytes]:
    return {reads[i:i + READ] for i in range(0, len(reads), READ)}


class Recording:
    """Turns what pages read into their output records, in one process."""

    def __init__(self, views: Views) -> None:
        self.views = views
        # Entry id and sorted field names by view and set of fields (a frozenset is quicker
        # to make than a sorted tuple, and pages read the same sets again and again).
        self._ids: dict[tuple[str, frozenset[str]], tuple[bytes, tuple[str, ...]]] = {}
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}  # one object each: smaller

    def record(self, reads: Reads, known: Callable[[bytes], bool]) -> tuple[bytes, Entries]:
        """A page's reads as kept in its output record (the start of its entry ids, end to
        end), and the entries not `known`."""
        ids, new = [], {}
        for identity in sorted(reads):
            key = (identity, frozenset(reads[identity]))
            found = self._ids.get(key)
            if found is None:
                names = tuple(sorted(key[1]))
                names = self._names.setdefault(names, names)
                found = self._ids[key] = (entry_id(identity, names), names)
            eid, names = found
            ids.append(eid[:READ])
            if not known(eid):
                new[eid] = (identity, names, self.views.fingerprint(identity, names))
        return b"".join(ids), new


class Dependencies:
    """Keys and reads of one build's outputs, against the record of the last build."""

    def __init__(self, views: Views, env: Environment, strings: dict, index: ReadIndex) -> None:
        self.views = views
        self.site = views.site
        self.env = env
        self.index = index  # the last build's, updated in place to this build's
        self.frame = digest(code_id(), settings_digest(self.site.config),
                            sorted(strings.items()), repr(sorted(views.common.items())))
        self.changed: set[bytes] = set()  # the start of the ids of entries that changed
        self._pattern: re.Pattern[bytes] | None = None  # the changed ids, as one search
        self.template = cache(self._template)

    # What changed ------------------------------------------------------------------------

    def compare(self, articles: Iterable[str] | None) -> None:
        """Check again, by value, the entries of the views of these articles (by source;
        None: of every view) and note those that changed or are gone."""
        if articles is None:
            shards = self.index.every()
            wanted = None
        else:
            wanted = {article_identity(source) for source in articles}
            shards = [self.index.shard(shard_of_entry(view_id(i))) for i in wanted]
        for shard in shards:  # by view: the fields of one are worked out once
            for eid, (identity, names, before) in sorted(shard.items(), key=lambda e: e[1][0]):
                if wanted is not None and identity not in wanted:
                    continue
                if self.views.resolve(identity) is None:
                    self.index.drop(eid)
                    self.changed.add(eid[:READ])
                else:
                    now = self.views.fingerprint(identity, names)
                    if now != before:
                        self.index.put(eid, (identity, names, now))
                        self.changed.add(eid[:READ])
        self._pattern = re.compile(b"|".join(map(re.escape, sorted(self.changed)))) \
            if 0 < len(self.changed) <= FEW else None

    def read_changed(self, reads: bytes) -> bool:
        """Whether a page with these recorded reads read anything that changed, or anything
        in a part of the index that was lost (a clash of ids, one time in billions, only
        renders a page again)."""
        changed, lost = self.changed, self.index.lost
        if not reads or not (changed or lost):
            return False
        if lost and any(reads[i] % SHARDS in lost for i in range(0, len(reads), READ)):
            return True
        if self._pattern is not None:
            return self._pattern.search(reads) is not None
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
                      job.number, job.pages, self._sources(job.items), self._taxa(job.kind),
                      [(f.scope, f.key, f.format, f.url, f.page_url, f.title) for f in job.feeds])

    def feed(self, job: FeedJob) -> str:
        """What a feed is made from but its reads: the frame and its job."""
        return digest(self.frame, job.scope, job.key, job.format, job.url, job.page_url,
                      job.title, job.content, self._sources(job.items))

    def _taxa(self, kind: JobKind) -> list[str]:
        """The tags or categories an index lists, by slug: reads cannot tell that one came."""
        taxa = self.site.tags if kind is JobKind.TAGS else \
            self.site.categories if kind is JobKind.CATEGORIES else ()
        return [taxon.slug for taxon in taxa]

    def _sources(self, items: tuple[int, ...]) -> list[str]:
        """Listed articles by source: indices shift when an article comes or goes."""
        return [self.site.articles[i].source for i in items]
