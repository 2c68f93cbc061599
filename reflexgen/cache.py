"""The persistent cache in `.reflexgen-cache/`: parsed sources, article bodies, the output record.

Files are pickles signed with a per-user key (HMAC): a corrupted or foreign cache fails the
check and is rebuilt, never unpickled. Everything is written atomically (temp file + rename).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import Problem
from .model import Article, Body

FORMAT = 1
DIGEST = 32


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


def dump(path: Path, value: Any, key: bytes) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    signature = sign(key, payload)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    temp.write_bytes(signature + payload)
    os.replace(temp, path)


def load(path: Path, key: bytes) -> Any:
    """The stored value, or None when missing, corrupted or not signed with our key."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    signature, payload = data[:DIGEST], data[DIGEST:]
    if not hmac.compare_digest(signature, sign(key, payload)):
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # signed by us but unreadable (older Python, partial write): drop it
        return None


@dataclass
class Output:
    """What the last build recorded about one output file."""

    key: str
    content: str
    touched: dict[str, str] = field(default_factory=dict)


@dataclass
class State:
    """The cache index: one entry per source, one record per output, and the input stamp."""

    format: int = FORMAT
    version: str = __version__
    sources: dict[str, tuple[tuple, Article]] = field(default_factory=dict)
    outputs: dict[str, Output] = field(default_factory=dict)
    inputs: str = ""
    output_dir: str = ""
    ready_until: float = 0.0
    warnings: list[Problem] = field(default_factory=list)


class Cache:
    """Reads and writes the cache folder; a `Cache(None)` remembers nothing (`--clean`)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.key = user_key() if folder is not None else b""
        self.rejected = False
        self.state = State()
        if folder is None:
            return
        (folder / "bodies").mkdir(parents=True, exist_ok=True)
        state = load(folder / "state.pickle", self.key)
        if isinstance(state, State) and state.format == FORMAT and state.version == __version__:
            self.state = state
        elif (folder / "state.pickle").exists():
            self.rejected = True

    def body_path(self, digest: str) -> Path:
        assert self.folder is not None
        return self.folder / "bodies" / f"{digest}.pickle"

    def load_body(self, digest: str) -> Body | None:
        if self.folder is None:
            return None
        body = load(self.body_path(digest), self.key)
        return body if isinstance(body, Body) else None

    def store_body(self, digest: str, body: Body) -> None:
        if self.folder is not None:
            dump(self.body_path(digest), body, self.key)

    def save(self) -> None:
        """Write the index and drop bodies no source refers to any more."""
        if self.folder is None:
            return
        dump(self.folder / "state.pickle", self.state, self.key)
        live = {article.digest for _, article in self.state.sources.values()}
        for entry in os.scandir(self.folder / "bodies"):
            if entry.name.removesuffix(".pickle") not in live:
                os.unlink(entry.path)
