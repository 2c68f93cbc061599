"""The `[feeds]` table of site.toml: which formats the tag, category and author feeds are
written in, and whether their entries carry the whole article or its summary. The site's own
feeds are always RSS and Atom with full content; a discussion's feed is Atom."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reflexgen.config.checks import did_you_mean
from reflexgen.config.toml import line_of, section_line
from reflexgen.errors import Problem

FORMATS = ("rss", "atom")  # RSS 2.0 (feed.xml), Atom (atom.xml)
CONTENTS = ("summary", "full")


@dataclass(frozen=True)
class FeedSettings:
    # The formats of each tag's, category's and author's feed: RSS alone by default (the
    # address WordPress readers know, /tag/x/feed/ being RSS); [] writes none of them.
    taxonomy_formats: tuple[str, ...] = ("rss",)
    # What their entries carry: "summary" (the summary and a link) or "full" (the whole
    # article too, as the site's feeds).
    taxonomy_content: str = "summary"


KEYS = tuple(f.name for f in fields(FeedSettings))
DEFAULTS = FeedSettings()


def read_feeds(value: object, text: str, path: Path) -> tuple[FeedSettings, list[Problem],
                                                             list[Problem]]:
    """The `[feeds]` table as settings, with the problems and warnings found."""
    if not isinstance(value, dict):
        return DEFAULTS, [Problem("feeds must be a table", path, line_of(text, "feeds"),
                                  hint='write [feeds] then taxonomy_formats = ["rss", "atom"] '
                                       "below")], []

    def line(key: str) -> int | None:
        return section_line(text, ("feeds",), key)

    problems: list[Problem] = []
    warnings = [Problem(f"unknown key {key!r} in [feeds]", path, line(key),
                        hint=did_you_mean(key, KEYS, "keys of [feeds]"))
                for key in value if key not in KEYS]
    found: dict[str, Any] = {}
    if "taxonomy_formats" in value:
        wanted = value["taxonomy_formats"]
        if isinstance(wanted, str):
            wanted = [wanted]
        if isinstance(wanted, list) and all(isinstance(w, str) for w in wanted) \
                and all(w in FORMATS for w in wanted):
            # written in a fixed order (RSS, then Atom) whatever the order given
            found["taxonomy_formats"] = tuple(f for f in FORMATS if f in wanted)
        else:
            problems.append(Problem(
                f"[feeds] taxonomy_formats must be a list taken from {', '.join(FORMATS)}, "
                f"not {wanted!r}", path, line("taxonomy_formats"),
                hint='taxonomy_formats = ["rss"], ["rss", "atom"], or [] for no tag, category '
                     "and author feeds"))
    if "taxonomy_content" in value:
        content = value["taxonomy_content"]
        if content in CONTENTS:
            found["taxonomy_content"] = content
        else:
            problems.append(Problem(
                f"[feeds] taxonomy_content must be \"summary\" or \"full\", not {content!r}",
                path, line("taxonomy_content"),
                hint='taxonomy_content = "full" puts the whole article in tag, category and '
                     "author feeds"))
    return FeedSettings(**found), problems, warnings
