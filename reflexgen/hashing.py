"""Stable digests of plain values and bytes, and the identity of this reflexgen's code."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from reflexgen import __version__

if TYPE_CHECKING:
    from reflexgen.config import SiteConfig

PACKAGE = Path(__file__).parent


@cache
def code_id() -> str:
    """This reflexgen's version and a digest of its own source code: what another release,
    or a development checkout edited since, cached or rendered is never reused."""
    source = hashlib.blake2b(digest_size=8)
    for rel in python_files(str(PACKAGE)):
        with open(os.path.join(PACKAGE, rel), "rb") as file:
            source.update(rel.encode() + b"\0" + file.read())
    return f"{__version__}+{source.hexdigest()}"


def python_files(root: str) -> list[str]:
    """The `.py` files under `root`, as sorted POSIX paths relative to it (os.walk, not
    pathlib: every build asks, and this is several times quicker)."""
    found = []
    for folder, _, names in os.walk(root):
        base = os.path.relpath(folder, root).replace(os.sep, "/")
        found += [name if base == "." else f"{base}/{name}" for name in names
                  if name.endswith(".py")]
    return sorted(found)


def digest(*parts: object) -> str:
    """A short stable hash of plain values (their repr), for keys and stamps."""
    return content_hash(repr(parts).encode())


def settings_digest(config: SiteConfig) -> str:
    """Every setting of site.toml: what all the site's pages and records are made under."""
    return digest(sorted((k, v) for k, v in vars(config).items() if k != "deploy"))


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
