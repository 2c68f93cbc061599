"""Where each article and page lives, and which ones moved since the last build.

The slug comes from the file name, so fixing a title keeps the address; but a `slug:` edit or
a renamed file moves a published piece, and every link to its old address breaks. The build
compares the addresses with the last build's and says which moved, with the `aliases` entry
that keeps the old address alive; `reflexgen serve` follows an open page to its new address.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from reflexgen import urls
from reflexgen.content.model import Site
from reflexgen.errors import Problem


class Address(NamedTuple):
    """A published article's or page's URL, with what identifies it across a file rename."""

    url: str
    title: str
    aliases: tuple[str, ...]


class Move(NamedTuple):
    source: str  # the file now, relative to content/
    old: str
    new: str
    kept: bool  # the old address is one of its aliases: it still leads there


def addresses(site: Site) -> dict[str, Address]:
    """Source → address, for every article and page in the site."""
    return {record.source: Address(record.url, record.title,
                                   tuple(map(urls.alias_path, record.aliases)))
            for record in (*site.articles, *site.pages)}


def moves(before: dict[str, Address], after: dict[str, Address]) -> list[Move]:
    """The pieces whose URL changed: same file with another URL, or a file that went away
    while one with the same title (and only one) came, at another URL."""
    gone = {source: address for source, address in before.items() if source not in after}
    came = {source: address for source, address in after.items() if source not in before}
    pairs = [(source, before[source], address) for source, address in after.items()
             if source in before]
    for old in gone.values():
        twins = [source for source, new in came.items() if new.title == old.title]
        if len(twins) == 1:
            pairs.append((twins[0], old, came[twins[0]]))
    return sorted(Move(source, old.url, new.url, old.url in new.aliases)
                  for source, old, new in pairs if old.url != new.url)


def move_warning(move: Move, content: Path) -> Problem:
    """What to tell the author about a move that breaks the old address."""
    return Problem(f"its address changed from {move.old} to {move.new}: links and bookmarks "
                   "to the old address now lead nowhere", content / move.source,
                   hint=f'to keep the old address alive, add to its front matter: '
                        f'aliases: ["{move.old}"]')
