"""The persistent cache in `.reflexgen-cache/`: parsed sources, article bodies, the output record.

Everything stored is a pickle signed with a per-user key (HMAC): a corrupted or foreign cache
fails the check and is rebuilt, never unpickled. The index is replaced atomically.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from reflexgen.content.model import Article, Body
from reflexgen.errors import Problem
from reflexgen.hashing import code_id

FORMAT = 3
DIGEST = 32
SHARDS = 64
BODIES_KEPT = 1024


def user_key() -> bytes:
    """A secret kept outside the site folder, so a copied-in cache cannot pass as ours."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reflexgen"
    path = base / "cache-key"
    try:
        return path.read_bytes()
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        temp = path.with_suffix(f".{os.getpid()}")
        temp.write_bytes(key)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
        return path.read_bytes()
    except OSError:  # no writable home: the cache is then only checked for corruption
        return b"reflexgen-unkeyed"


def sign(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.blake2b).digest()[:DIGEST]


def seal(value: Any, key: bytes) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return sign(key, payload) + payload


def unseal(data: bytes, key: bytes) -> Any:
    """The value, or None when the data is corrupted or not signed with our key."""
    signature, payload = data[:DIGEST], memoryview(data)[DIGEST:]  # not copied
    if not hmac.compare_digest(signature, sign(key, payload)):
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # signed by us but unreadable (older Python, partial write): drop it
        return None


class Signing:
    """A file that signs what is written to it, as `sign` does."""

    def __init__(self, file: BinaryIO, key: bytes) -> None:
        self.file = file
        self.mac = hmac.new(key, digestmod=hashlib.blake2b)

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.file.write(data)


def dump(path: Path, value: Any, key: bytes) -> None:
    """Write `value` sealed as `seal` does, pickled straight to the file (the index of a
    large site weighs megabytes: never held in memory whole)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with open(temp, "wb") as file:
            file.write(bytes(DIGEST))  # the signature's place
            signing = Signing(file, key)
            pickle.dump(value, signing, protocol=pickle.HIGHEST_PROTOCOL)
            file.seek(0)
            file.write(signing.mac.digest()[:DIGEST])
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, path)


def load(path: Path, key: bytes) -> Any:
    try:
        return unseal(path.read_bytes(), key)
    except OSError:
        return None


class Output(NamedTuple):
    """What the last build recorded about one output file: the key of what it is made from,
    the hash of its bytes, and for a page or feed the ids of the entries it read, end to end
    (see `dependencies`)."""

    key: str
    content: str
    reads: bytes = b""


@dataclass
class Summary:
    """What the last build read and wrote, in brief: enough to tell that nothing changed."""

    format: int = FORMAT
    version: str = field(default_factory=code_id)
    inputs: str = ""
    plan_stamp: str = ""  # the blueprint's shape, the theme and the code (see build.py)
    output_dir: str = ""
    ready_until: float = 0.0  # the next future date or closing of a thread: the site changes
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0


Sources = dict[str, tuple[tuple, Article]]  # source → (stamp, parsed record)


@dataclass
class State:
    """The cache index: one entry per source, one record per output."""

    sources: Sources = field(default_factory=dict)
    outputs: dict[str, Output] = field(default_factory=dict)
    addresses: dict[str, tuple] = field(default_factory=dict)  # see site/addresses.py


def shard_of(source: str) -> str:
    """Sources are stored in SHARDS files, so that an edit rewrites one small file."""
    return f"{hashlib.blake2b(source.encode(), digest_size=2).digest()[0] % SHARDS:02x}"


class Cache:
    """The cache folder: `summary.pickle` (read by every build), the index (`outputs.pickle`,
    and `sources/*.pickle` in shards) and `bodies.sqlite` (article bodies).

    Worker processes forked during a build open their own database connection."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = user_key()
        self.rejected = False
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._shards: dict[str, Sources] | None = None  # as loaded, for partial saves
        self._state: State | None = None  # the index this object last saved or read
        self._index: ReadIndex | None = None  # and what its pages read
        self._saved: tuple | None = None  # and the stamp of the file that says so
        self._addresses: dict | None = None  # the addresses as last read or written
        self._bodies: dict[str, Body] = {}  # by digest, least recently used first
        # Objects a long-lived process reuses from one build to the next (feed entries), each
        # under a key that names everything it was made from.
        self.memo: dict[tuple, Any] = {}
        self.blueprint: Any = None  # the last build's blueprint.Blueprint
        self.assembled: tuple[str, float] = ("", 0.0)  # its inputs, and until when it holds
        self.inventory: Any = None  # and what it found in content/: (Inventory, warnings)
        self.small: dict = {}  # and the authors and pages it read (see build.Kept)
        # The theme's files as published (site.assets.ThemeAssets), under the digest of the
        # theme's stamps they were made from.
        self.assets: tuple[str, Any] = ("", None)
        self.published: dict[str, str] = {}  # and their names in the last build's output
        self._stored: dict[str, str] = {}  # file name → the key of what it holds (see `keep`)
        folder.mkdir(parents=True, exist_ok=True)
        self._summary, self._summary_stamp = Summary(), ()

    @property
    def summary(self) -> Summary:
        """The last build's summary, read again when another process built meanwhile."""
        stamp = self._stamp()
        if stamp != self._summary_stamp:
            self._summary, self._summary_stamp = self._load("summary.pickle", Summary), stamp
        return self._summary

    def _load(self, name: str, kind: type) -> Any:
        value = self._unseal(name)
        if isinstance(value, kind) and value.format == FORMAT and value.version == code_id():
            return value
        return kind()

    def _load_part(self, name: str) -> Any:
        """A part of the index (FORMAT, code id, payload), or None if missing or unusable."""
        value = self._unseal(name)
        if isinstance(value, tuple) and value[:2] == (FORMAT, code_id()):
            return value[2]
        return None

    def load_addresses(self) -> dict[str, tuple]:
        """The last build's addresses (plain tuples), kept across reflexgen versions: an
        upgrade must not hide that a page moved."""
        value = self._unseal("addresses.pickle")
        ok = isinstance(value, tuple) and len(value) == 3 and value[0] == FORMAT
        self._addresses = value[2] if ok and isinstance(value[2], dict) else {}
        return self._addresses

    def _unseal(self, name: str) -> Any:
        """The stored value; a file that fails the signature check marks the cache rejected
        (one from another reflexgen is merely stale, and dropped without a word)."""
        path = self.folder / name
        value = load(path, self.key)
        if value is None and path.exists():
            self.rejected = True
        return value

    def recall(self, name: str, key: str) -> Any:
        """What `keep` stored in `name` under `key` (a digest of what it is made from), or
        None when the file is missing, unusable or holds another key's value."""
        value = self._load_part(name)
        if isinstance(value, tuple) and len(value) == 2 and value[0] == key:
            self._stored[name] = key
            return value[1]
        return None

    def keep(self, name: str, key: str, value: Callable[[], Any]) -> None:
        """Store `value()`, made from what `key` names, for the builds of other processes
        (`recall`); not made nor written again while the file holds that key already."""
        if self._stored.get(name) != key:
            try:
                self._dump_part(name, (key, value()))
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
                return  # a value that cannot be pickled is not kept: made again next time
            self._stored[name] = key

    def _dump_part(self, name: str, payload: Any) -> None:
        dump(self.folder / name, (FORMAT, code_id(), payload), self.key)

    def _stamp(self) -> tuple | None:
        try:
            info = (self.folder / "summary.pickle").stat()
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size

    @property
    def templates(self) -> Path:
        """Where Jinja keeps compiled templates: a folder named after our key, so that a
        cache from elsewhere never has its (unsigned) compiled code loaded, and after this
        code and Jinja's version (a template compiled by another release calls other
        helpers)."""
        import jinja2  # not before a build renders

        made_by = f"templates {code_id()} {jinja2.__version__}".encode()
        return self.folder / "templates" / sign(self.key, made_by).hex()[:16]

    def load_state(self) -> State:
        """The full index; read only when the build has work to do. An index with any part
        missing or unusable is dropped whole."""
        stamp = self._stamp()
        if self._state is not None and stamp == self._saved:
            return self._state  # the index on disk is the one we hold: no need to read it
        outputs = self._load_part("outputs.pickle")
        names = sorted(p.name for p in (self.folder / "sources").glob("*.pickle"))
        shards = {name[:-len(".pickle")]: self._load_part(f"sources/{name}") for name in names}
        if outputs is None or None in shards.values():
            return State(addresses=self.load_addresses())
        self._shards = shards
        sources: Sources = {}
        for shard in shards.values():
            sources.update(shard)
        self._state = State(sources, {rel: Output._make(record)
                                      for rel, record in outputs.items()},
                            self.load_addresses())
        self._saved = stamp  # taken before reading: a build writing meanwhile makes it stale
        self._index = None  # what pages read goes with the index: read again too
        return self._state

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._pid = os.getpid()
            path = self.folder / "bodies.sqlite"
            try:
                self._db = self._connect(path)
            except sqlite3.DatabaseError:  # not a database: start a new one
                path.unlink(missing_ok=True)
                self.rejected = True
                self._db = self._connect(path)
        return self._db

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        # Builds never overlap, but a server runs them from more than one thread.
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, data BLOB)")
        return db

    def load_body(self, digest: str) -> Body | None:
        """The body of that digest; the most recently used stay in memory, for the next
        builds of a long-lived process (a server's rebuilds show the same feeds again)."""
        body = self._bodies.pop(digest, None)
        if body is None:
            try:
                row = self.db.execute("SELECT data FROM bodies WHERE digest = ?",
                                      (digest,)).fetchone()
            except sqlite3.DatabaseError:
                return None
            body = unseal(row[0], self.key) if row else None
            if not isinstance(body, Body):
                return None
        self._bodies[digest] = body
        if len(self._bodies) > BODIES_KEPT:
            del self._bodies[next(iter(self._bodies))]
        return body

    def store_bodies(self, sealed: dict[str, bytes]) -> None:
        """Bodies by digest, as `seal` made them (in the worker that parsed them)."""
        rows = list(sealed.items())
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", rows)

    def read_index(self, fresh: bool) -> ReadIndex:
        """What the pages of the last build read (`fresh`: nothing, to be written anew); a
        long-lived process keeps the shards it loaded while the index on disk is its own."""
        if fresh or self._index is None or self._stamp() != self._saved:
            self._index = ReadIndex(self, fresh)
        return self._index

    def save(self, summary: Summary, state: State, changed: set[str],
             dropped: set[str]) -> None:
        """Write the index, rewriting only the shards of `changed` sources when the last index
        was loaded (and the shards of what pages read that changed), and drop the bodies of
        sources that changed or went away."""
        if self._index is not None:
            self._index.save()
        (self.folder / "sources").mkdir(exist_ok=True)
        shards = self._shards
        if shards is None:  # no usable index was loaded: write every shard anew
            shards = {}
            for path in (self.folder / "sources").glob("*.pickle"):
                path.unlink()
            changed = set(state.sources)
        dirty = set()
        for source in changed:
            name = shard_of(source)
            shard = shards.setdefault(name, {})
            entry = state.sources.get(source)
            if entry is None:
                shard.pop(source, None)
            else:
                shard[source] = entry
            dirty.add(name)
        for name in sorted(dirty):
            self._dump_part(f"sources/{name}.pickle", shards[name])
        self._shards = shards
        self._dump_part("outputs.pickle", {rel: tuple(o) for rel, o in state.outputs.items()})
        if state.addresses != self._addresses:  # as read or written last: most edits move none
            self._addresses = {source: tuple(address)
                               for source, address in state.addresses.items()}
            self._dump_part("addresses.pickle", self._addresses)
        dump(self.folder / "summary.pickle", summary, self.key)
        self._state, self._saved = state, self._stamp()
        self._summary, self._summary_stamp = summary, self._saved
        if dropped:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM bodies WHERE digest = ?",
                                    [(d,) for d in dropped])


def shard_of_entry(eid: bytes) -> str:
    """An entry's shard: its id starts with the digest of its view's identity, so a view's
    entries share one (see dependencies.entry_id)."""
    return f"{eid[0] % SHARDS:02x}"


class ReadIndex:
    """What the pages of a build read (`dependencies.Entry` values by entry id), kept in
    SHARDS files under `reads/` by view: a build loads only the shards of the views it checks
    and rewrites only the shards that changed."""

    def __init__(self, cache: Cache, fresh: bool) -> None:
        self.cache = cache
        self.fresh = fresh  # start empty, and replace every shard on disk when saved
        self.shards: dict[str, dict[bytes, tuple]] = {}
        self.dirty: set[str] = set()
        self.lost: set[int] = set()  # shards missing or unusable: what they held is unknown
        self._same: dict = {}  # one object for equal identities and field names: smaller files

    def shard(self, name: str) -> dict[bytes, tuple]:
        found = self.shards.get(name)
        if found is None:
            loaded = None if self.fresh else self.cache._load_part(f"reads/{name}.pickle")
            if not self.fresh and not isinstance(loaded, dict):
                self.lost.add(int(name, 16))
            found = self.shards[name] = loaded if isinstance(loaded, dict) else {}
        return found

    def every(self) -> list[dict[bytes, tuple]]:
        """Every shard, loaded."""
        return [self.shard(f"{n:02x}") for n in range(SHARDS)]

    def knows(self, eid: bytes) -> bool:
        """Whether a loaded shard holds `eid` (never loads: asked from worker processes)."""
        shard = self.shards.get(shard_of_entry(eid))
        return shard is not None and eid in shard

    def put(self, eid: bytes, entry: tuple) -> None:
        name = shard_of_entry(eid)
        shard = self.shard(name)
        if shard.get(eid) != entry:
            identity, names, fingerprint = entry
            same = self._same
            shard[eid] = (same.setdefault(identity, identity), same.setdefault(names, names),
                          fingerprint)
            self.dirty.add(name)

    def drop(self, eid: bytes) -> None:
        name = shard_of_entry(eid)
        if self.shard(name).pop(eid, None) is not None:
            self.dirty.add(name)

    def save(self) -> None:
        folder = self.cache.folder / "reads"
        folder.mkdir(exist_ok=True)
        if self.fresh:  # every shard is written, empty ones too: a missing one was lost
            self.every()
            self.dirty, self.fresh = set(self.shards), False
        for name in sorted(self.dirty):
            self.cache._dump_part(f"reads/{name}.pickle", self.shards[name])
        self.dirty = set()
