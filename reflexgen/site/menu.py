"""The site's menus: its pages and the `[[menu]]` links of site.toml, merged and ordered once."""

from __future__ import annotations

from collections.abc import Iterable

from reflexgen import urls
from reflexgen.config import SiteConfig
from reflexgen.config.menu import MENUS, MenuEntry
from reflexgen.content.model import Page


def menus(config: SiteConfig, pages: Iterable[Page]) -> dict[str, tuple[MenuEntry, ...]]:
    """Each place of `config.MENUS` with its links, by weight, then by name as a reader
    would sort them (« À propos » before « Mentions légales »)."""
    entries = [MenuEntry(p.title, p.url, p.weight, p.menu) for p in pages if p.menu]
    entries += config.menu
    return {place: tuple(sorted((e for e in entries if e.where == place), key=order))
            for place in MENUS}


def order(entry: MenuEntry) -> tuple[int, str, str, str]:
    return entry.weight, urls.slug(entry.name), entry.name, entry.url
