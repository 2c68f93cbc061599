"""Menus: pages and [[menu]] links merged per place, by weight, then by name as readers sort."""

from __future__ import annotations

from pathlib import Path

from reflexgen.config import SiteConfig
from reflexgen.config.menu import MenuEntry
from reflexgen.content.model import Page
from reflexgen.site.menu import menus


def config(*entries: MenuEntry) -> SiteConfig:
    return SiteConfig(root=Path("."), title="T", base_url="https://x.org", menu=entries)


def page(title: str, menu: str | None = "main", weight: int = 0) -> Page:
    slug = title.lower()
    return Page(f"pages/{slug}.md", title, slug, "", menu=menu, weight=weight, url=f"/{slug}/")


def names(entries) -> list[str]:
    return [e.name for e in entries]


def test_by_weight_then_by_name_accents_and_case_aside():
    found = menus(config(MenuEntry("blog ami", "https://ami.example", 0)),
                  [page("Zèbre"), page("Équipe"), page("Accueil", weight=-1),
                   page("Vers", weight=2)])
    assert names(found["main"]) == ["Accueil", "blog ami", "Équipe", "Zèbre", "Vers"]


def test_each_link_in_its_place_and_hidden_pages_in_none():
    found = menus(config(MenuEntry("Contact", "mailto:a@x.org", 9, "footer")),
                  [page("Mentions", "footer"), page("Cachée", None), page("Nous")])
    assert names(found["main"]) == ["Nous"]
    assert found["footer"] == (MenuEntry("Mentions", "/mentions/", 0, "footer"),
                               MenuEntry("Contact", "mailto:a@x.org", 9, "footer"))


def test_every_place_is_there_even_empty():
    assert menus(config(), []) == {"main": (), "footer": ()}
