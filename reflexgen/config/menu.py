"""The `[[menu]]` tables of site.toml: links that no page makes (Mastodon, a contact
address), in the header's menu or the footer's, merged with the pages' (see site/menu.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reflexgen.config.checks import did_you_mean
from reflexgen.config.toml import line_of, table_line
from reflexgen.errors import Problem

MENUS = ("main", "footer")  # where a menu link goes: the header's menu or the footer's
MENU_KEYS = ("name", "url", "weight", "where")
SAFE_MENU_URL = re.compile(r"(?:https?://[^/\s]|mailto:[^\s@]+@|/(?!/))[^\s\\]*", re.I)


@dataclass(frozen=True)
class MenuEntry:
    """A link of a menu: a page, or a `[[menu]]` table of site.toml."""

    name: str  # the text of the link
    url: str  # a path in the site (/archives/) or an address elsewhere (https://…, mailto:)
    weight: int = 0  # lower comes first; equal weights go in alphabetical order
    where: str = "main"  # "main" (the header) or "footer"


def read_menu(value: object, text: str, path: Path, settings: tuple[str, ...]
              ) -> tuple[tuple[MenuEntry, ...], list[Problem], list[Problem]]:
    """The `[[menu]]` tables of site.toml as entries, with the problems and warnings found
    (`settings`: the names of the top-level settings, which a table may have swallowed)."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        return (), [Problem("menu must be a list of [[menu]] tables", path, line_of(text, "menu"),
                            hint='write [[menu]] at the end of site.toml, then name = "…" and '
                                 'url = "…" on the lines below')], []
    entries, problems, warnings = [], [], []
    for index, entry in enumerate(value):
        def line(key: str | None = None, index: int = index) -> int | None:
            return table_line(text, "menu", index, key) or line_of(text, "menu")

        name = entry.get("name")
        label = f"[[menu]] {name.strip()!r}" if isinstance(name, str) and name.strip() \
            else f"[[menu]] number {index + 1}"
        for key in entry:
            if key not in MENU_KEYS:
                hint = ("settings written below a [[menu]] table belong to it: move the "
                        "[[menu]] tables to the end of site.toml") if key in settings \
                    else did_you_mean(key, MENU_KEYS, "keys of [[menu]]")
                warnings.append(Problem(f"unknown key {key!r} in {label}", path, line(key),
                                        hint=hint))
        found = len(problems)
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(f"{label} needs a name: the text of the link", path,
                                    line("name"), hint='name = "Mastodon"'))
        url = entry.get("url")
        if not isinstance(url, str) or not SAFE_MENU_URL.fullmatch(url.strip()):
            problems.append(Problem(
                f"url of {label} must be a path in the site starting with / or a full address "
                f"(https://…, mailto:…), not {url!r}", path, line("url"),
                hint='url = "/archives/" or url = "https://mastodon.social/@moi"'))
        weight = entry.get("weight", 0)
        if not isinstance(weight, int) or isinstance(weight, bool):
            problems.append(Problem(f"weight of {label} must be a whole number, not {weight!r}",
                                    path, line("weight"), hint="weight = 10 (lower comes first)"))
        where = entry.get("where", "main")
        if where not in MENUS:
            problems.append(Problem(f"where of {label} must be \"main\" or \"footer\", not "
                                    f"{where!r}", path, line("where"),
                                    hint='where = "footer" puts the link in the footer'))
        if len(problems) == found:
            entries.append(MenuEntry(str(name).strip(), str(url).strip(), weight, str(where)))
    return tuple(entries), problems, warnings
