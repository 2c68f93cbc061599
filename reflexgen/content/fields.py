"""Typed access to front matter fields; a wrong value is an error with its file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as date_type
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reflexgen import urls
from reflexgen.content import dates
from reflexgen.errors import BuildError, Problem

SAFE_SLUG = re.compile(r"^[\w][\w.-]*$")
SAFE_LINK = re.compile(r"^(?:https?://|mailto:)", re.I)
WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*")


@dataclass(frozen=True)
class FileContext:
    """A decoded file; its text is used only to locate errors."""

    path: Path
    text: str
    notes: list[Problem] = field(default_factory=list, compare=False)  # warnings found

    def line_matching(self, pattern: str) -> int | None:
        match = re.search(pattern, self.text, re.M)
        return self.text.count("\n", 0, match.start()) + 1 if match else None

    def line_of(self, key: str) -> int | None:
        return self.line_matching(rf"^\s*{re.escape(key)}\s*[:=]")

    def error(self, key: str, message: str, hint: str | None = None) -> BuildError:
        return BuildError(Problem(message, self.path, self.line_of(key), hint))

    def text_field(self, meta: dict, key: str, required: bool = False) -> str | None:
        value = meta.get(key)
        if value is None:
            if required:
                raise BuildError(Problem(f"missing required field {key!r}", self.path, 1,
                                         hint=f"add `{key}: …` to the front matter"))
            return None
        if not isinstance(value, str):
            raise self.error(key, f"{key!r} must be text, not {type(value).__name__} ({value!r})",
                             hint=f'put the value in quotes: {key}: "{value}"')
        return value.strip()

    def flag(self, meta: dict, key: str, default: bool) -> bool:
        value = meta.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"{key!r} must be true or false, not {value!r}")
        return value

    def choice(self, meta: dict, key: str, allowed: dict[str, str],
               hint: str | None = None) -> str | None:
        """One of the keys of `allowed` (any case), or None when the field is absent."""
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().lower() in allowed:
            return value.strip().lower()
        names = [f"{name} ({meaning})" for name, meaning in allowed.items()]
        listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        raise self.error(key, f"{key!r} must be {listed}, not {value!r}", hint=hint)

    def whole_number(self, meta: dict, key: str, default: int) -> int:
        """An integer: YAML front matter gives numbers as text (`weight: 10` is "10")."""
        value = meta.get(key, default)
        if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value):
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"{key!r} must be a whole number, not {value!r}",
                             hint=f"{key}: 10")
        return value

    def text_list(self, meta: dict, key: str) -> tuple[str, ...]:
        value = meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"{key!r} must be a list of text values",
                             hint=f'write {key}: ["first", "second"] (quote numbers and yes/no)')
        return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))

    def date(self, meta: dict, key: str, tz, required: bool) -> datetime | None:
        value = meta.get(key)
        if value is None:
            if required:
                raise BuildError(Problem(
                    f"missing required field {key!r}", self.path, 1,
                    hint=f"add `{key}: 2024-03-12` ({dates.accepted_formats()})"))
            return None
        try:
            moment = dates.to_datetime(value, tz)
        except dates.DateError as exc:
            raise self.error(key, f"{key!r}: {exc}", hint=exc.hint) from None
        trouble = dates.dst_trouble(moment, tz) if not isinstance(value, date_type) or \
            isinstance(value, datetime) else None
        if trouble:
            self.notes.append(Problem(f"{key!r}: {trouble}", self.path, self.line_of(key),
                                      hint="add the offset, e.g. 2024-03-31T02:30:00+01:00"))
        return moment

    def slug(self, meta: dict, default: str) -> str:
        slug = self.text_field(meta, "slug") or default
        if not slug or not SAFE_SLUG.match(slug) or ".." in slug:
            raise self.error("slug", f"invalid slug {slug!r}",
                             hint="use letters, digits and dashes only, e.g. slug: mon-article")
        return slug

    def aliases(self, meta: dict) -> tuple[str, ...]:
        """Old URLs that must lead here: paths (a full URL keeps its path), with a query
        string when the old site used one (`/?p=12`), never outside the output folder."""
        found = []
        for alias in self.text_list(meta, "aliases"):
            parts = urlsplit(alias)
            path = unquote(parts.path)
            if not path.startswith("/"):
                raise self.error("aliases", f"alias {alias!r} must be a path starting with /",
                                 hint="write the old address as /2012/05/old-slug/")
            if not parts.query:
                try:
                    urls.output_path(urls.alias_path(path))
                except ValueError:
                    raise self.error("aliases", f"alias {alias!r} leads outside the site",
                                     hint="remove '..' and backslashes from it") from None
            found.append(path + (f"?{parts.query}" if parts.query else ""))
        return tuple(found)

    def link(self, meta: dict, key: str, value: object = None) -> str | None:
        """A web address shown as a link: http(s) or mailto only (never `javascript:`)."""
        value = self.text_field(meta, key) if value is None else value
        if value is None:
            return None
        if not isinstance(value, str) or not SAFE_LINK.match(value.strip()):
            raise self.error(key, f"{key!r} must be a web address (https://…), not {value!r}",
                             hint=f"{key}: https://example.org")
        return value.strip()
